"""Pure decisions of ``Custom::CognitoTestUser``: no boto3, no crhelper, no environment.

The request-by-request design is in ``docs/design.md`` ("Custom::CognitoTestUser"); this module holds the parts
of it that are plain functions of their inputs: parsing the properties, the physical id, which attributes to
write, whether the password must be set, whether the SMS MFA preference must be written, and the FAILED reasons.
The password itself never passes through here except in :func:`password_from_secret`, and no reason holds it.
Whose user it is (the physical id, taking over and deleting) is decided in :mod:`.ownership`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import errors, properties, rules
from .errors import HandlerError
from .properties import Subject, UserRef, check, required_string

if TYPE_CHECKING:
    from collections.abc import Mapping

REQUIRED = ("UserPoolId", "Username", "PhoneNumber", "SmsMfaPreferred")
OPTIONAL = ("Email", "PasswordSecretArn", "PasswordRevision", "AdoptExisting")
PROPERTIES = REQUIRED + OPTIONAL
BOOLEANS = {"true": True, "false": False}
# The properties whose change means another user: the old one is deleted by CloudFormation's cleanup Delete.
IDENTITY = ("UserPoolId", "Username")
# The properties whose change means another password.
PASSWORD_INPUTS = ("PasswordSecretArn", "PasswordRevision")
SECRET_ARN_PREFIX = "arn:"
SECRET_SERVICE = "secretsmanager"
PASSWORD_KEY = "password"


@dataclass(frozen=True)
class TestUserRequest:
    """The desired state of one test user, parsed from ResourceProperties."""

    __test__ = False  # not a pytest test class, whatever its name

    user_pool_id: str
    username: str
    phone_number: str
    email: str | None
    secret_arn: str | None
    sms_mfa_preferred: bool
    adopt_existing: bool = False

    def attributes(self) -> dict[str, str]:
        """The user attributes the user must hold: the phone number and the optional email, both verified."""
        wanted = {"phone_number": self.phone_number, "phone_number_verified": "true"}
        if self.email is not None:
            wanted |= {"email": self.email, "email_verified": "true"}
        return wanted


def parse_properties(props: Mapping[str, Any]) -> TestUserRequest:
    """Parse and validate ResourceProperties; raise HandlerError naming the first bad property."""
    user_pool_id, username = properties.parse_user_properties(props, PROPERTIES)
    phone_number = _private_string(props, "PhoneNumber")
    assert phone_number is not None
    check("PhoneNumber", _masked(rules.phone_number_problem(phone_number), phone_number))
    email = _private_string(props, "Email", optional=True)
    if email is not None:
        check("Email", _masked(rules.email_problem(email), email))
    secret_arn = _private_string(props, "PasswordSecretArn", optional=True)
    if secret_arn is not None:
        check("PasswordSecretArn", secret_arn_problem(secret_arn))
    _private_string(props, "PasswordRevision", optional=True)
    preferred = _boolean(props, "SmsMfaPreferred")
    adopt = _boolean(props, "AdoptExisting") if "AdoptExisting" in props else False
    return TestUserRequest(user_pool_id, username, phone_number, email, secret_arn, preferred, adopt)


def _boolean(props: Mapping[str, Any], name: str) -> bool:
    value = required_string(props, name)
    if value not in BOOLEANS:
        raise HandlerError(f"{name} must be 'true' or 'false'; received {rules.show(value)}")
    return BOOLEANS[value]


def _private_string(props: Mapping[str, Any], name: str, *, optional: bool = False) -> str | None:
    """A string property that may be personal or secret: a value of another type is described by its type only."""
    if name not in props:
        if optional:
            return None
        raise HandlerError(f"{name} is required")
    value = props[name]
    if not isinstance(value, str):
        raise HandlerError(f"{name} must be a string; received a value of type {type(value).__name__}")
    return value


def _masked(problem: str | None, value: str) -> str | None:
    """A rule's problem without the value received: a phone number or email never reaches a Reason."""
    if problem is None:
        return None
    return problem.replace(rules.show(value), f"a value of {len(value)} characters")


def secret_arn_problem(value: str) -> str | None:
    """Return why ``value`` is not a Secrets Manager secret ARN, or None when it is."""
    parts = value.split(":", 6)
    if not value.startswith(SECRET_ARN_PREFIX) or len(parts) < 7 or parts[2] != SECRET_SERVICE or not parts[3]:
        return (
            "must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:...); received a value of "
            f"{len(value)} characters"
        )
    return None


def secret_region(arn: str) -> str:
    """The Region a secret ARN names (its fourth field)."""
    return arn.split(":")[3]


def same_user(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    """Whether an Update keeps the user (same pool, same username): attributes then change in place."""
    return old is not None and all(new.get(name) == old.get(name) for name in IDENTITY)


def attribute_changes(current: Mapping[str, str], wanted: Mapping[str, str]) -> list[dict[str, str]]:
    """The AdminUpdateUserAttributes list that makes ``current`` hold ``wanted`` (only what differs)."""
    return [{"Name": name, "Value": value} for name, value in wanted.items() if current.get(name) != value]


def attributes_to_remove(current: Mapping[str, str], wanted: Mapping[str, str]) -> list[str]:
    """The attributes a test user held and no longer should: the email (and its flag) when it was dropped."""
    return [name for name in ("email", "email_verified") if name in current and name not in wanted]


def current_attributes(user: Mapping[str, Any]) -> dict[str, str]:
    """The attributes an AdminGetUser answer reports, by name."""
    return {str(item["Name"]): str(item.get("Value", "")) for item in user.get("UserAttributes") or []}


def password_changed(new: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    """Whether the template names another secret or a new revision of it (always, without old properties)."""
    return old is None or any(new.get(name) != old.get(name) for name in PASSWORD_INPUTS)


def password_from_secret(secret_string: str) -> str:
    """The password a secret's value holds: the whole value, or the string ``password`` field of a JSON object.

    Raises
    ------
    ValueError
        Naming why the value holds no password (never the value itself): a JSON object without a string
        ``password`` field, an empty value, or one that begins or ends with whitespace or a newline.
    """
    field = ""
    if secret_string.lstrip().startswith("{"):
        try:
            parsed = json.loads(secret_string)
        except ValueError:
            parsed = None  # a password may begin with "{"
        if isinstance(parsed, dict):
            value = parsed.get(PASSWORD_KEY)
            if not isinstance(value, str):
                raise ValueError(f"holds a JSON object without a string `{PASSWORD_KEY}` field")
            secret_string, field = value, f"holds a `{PASSWORD_KEY}` field that "
    if not secret_string:
        raise ValueError((field or "holds a value that ") + "is empty")
    if secret_string != secret_string.strip():
        raise ValueError(
            (field or "holds a value that ") + "begins or ends with whitespace or a newline (store the password alone)"
        )
    return secret_string


def sms_preference_needs_write(user: Mapping[str, Any], preferred: bool) -> bool:
    """Whether AdminSetUserMFAPreference must run: SMS is not (or, for ``preferred`` False, still is) on."""
    enabled = "SMS_MFA" in (user.get("UserMFASettingList") or [])
    is_preferred = user.get("PreferredMfaSetting") == "SMS_MFA"
    if preferred:
        return not (enabled and is_preferred)
    return enabled or is_preferred


def sms_preference_kwargs(user: UserRef, preferred: bool) -> dict[str, Any]:
    """The AdminSetUserMFAPreference arguments: SMS enabled and preferred, or neither."""
    return {
        "UserPoolId": user.user_pool_id,
        "Username": user.username,
        "SMSMfaSettings": {"Enabled": preferred, "PreferredMfa": preferred},
    }


def response_data(user: UserRef, sub: str) -> dict[str, str]:
    """The response Data: what GetAtt can read (never the phone number, the email or the password)."""
    return {"Username": user.username, "UserPoolId": user.user_pool_id, "Sub": sub}


def secret_reason(arn: str, code: str) -> str:
    """The FAILED reason when the password's secret cannot be read; names ``password`` and the secret, not its
    value (the service's message is left out: it is not needed, and it is not ours to vouch for)."""
    if code == "ResourceNotFoundException":
        return f"password: secret {arn} not found (GetSecretValue: {code})"
    if code in {"AccessDeniedException", "DecryptionFailure", "KMSAccessDeniedException"}:
        return f"password: secret {arn} cannot be read by the handler role (GetSecretValue: {code})"
    return f"password: secret {arn} could not be read (GetSecretValue: {code})"


def client_error_reason(operation: str, code: str, message: str, request: Subject) -> str:
    """The FAILED reason for a Cognito error of a test-user request; begins with the property it concerns."""
    pool = request.user_pool_id
    if code == "InvalidPasswordException":
        return f"password: the secret's value breaks the password policy of pool {pool} ({operation}: {code})"
    if code == "InvalidParameterException" and operation == "AdminSetUserMFAPreference":
        return f"SmsMfaPreferred rejected by Cognito for pool {pool} ({operation}: {code})"
    if code == "InvalidParameterException" and operation == "AdminCreateUser":
        return f"Username or UserAttributes rejected by Cognito for pool {pool} ({operation}: {code}: {message})"
    if code == "InvalidParameterException":
        return f"UserAttributes rejected by Cognito for pool {pool} ({operation}: {code})"
    if code == "AliasExistsException":
        return f"PhoneNumber or Email is already another user's alias in pool {pool} ({operation}: {code})"
    if code == "UsernameExistsException":
        return f"Username {rules.show(request.username)} is taken in pool {pool} ({operation}: {code})"
    return errors.client_error_reason(operation, code, message, request)
