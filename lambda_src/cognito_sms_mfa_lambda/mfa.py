"""Pure decisions of the Custom::CognitoUserSmsMfaSettings handler: no boto3, no crhelper, no environment.

The request-by-request design (physical ids, each request type, each failure path) is in
``docs/design.md``; this module holds the parts of it that are plain functions of their inputs:
parsing the string-valued CloudFormation properties, the physical-id scheme, whether a write is
needed, the retry budgets (AccessDenied, throttling and other transient errors), and the wording of FAILED
reasons (masked: no phone number or email in them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from . import rules
from .rules import MfaOption

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# The resource types this handler serves (one home, so that index.py can name them without importing their modules).
SETTINGS_RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettings"
PREFERENCE_RESOURCE_TYPE = "Custom::CognitoUserMfaPreference"
TEST_USER_RESOURCE_TYPE = "Custom::CognitoTestUser"
PHYSICAL_ID_PREFIX = "cognito-sms-mfa:"
# Answered for a Delete that arrives without an id (CloudFormation needs a non-empty one back).
NO_PHYSICAL_ID = "cognito-sms-mfa-none"
REASON_MAX_LENGTH = 199
# Properties CloudFormation passes that are not ours to interpret.
FRAMEWORK_PROPERTIES = frozenset({"ServiceToken", "ServiceTimeout"})
PROPERTIES = ("UserPoolId", "Username", "MFAOptions")
OPTION_KEYS = ("DeliveryMedium", "AttributeName")

# An AccessDeniedException right after a deploy is usually IAM propagation: retry it for at most
# ACCESS_DENIED_BUDGET_S seconds, and never when fewer than RESERVE_S seconds of the Lambda's time remain
# (what the remaining Cognito calls and the response need, with the client's timeouts and retries).
ACCESS_DENIED_BUDGET_S = 60.0
RESERVE_S = 30.0
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
# Throttling, 5xx answers and lost connections are retried while more than RESERVE_S seconds of Lambda time
# would remain after the pause, with "full jitter": pause n is drawn uniformly from
# [0, min(TRANSIENT_CAP_S, TRANSIENT_BASE_S * 2 ** (n - 1))], so a crowd of handlers spreads out.
TRANSIENT_BASE_S = 0.2
TRANSIENT_CAP_S = 4.0
THROTTLING_CODES = frozenset(
    {"TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"}
)


class HandlerError(Exception):
    """A request that cannot succeed; its message becomes the FAILED Reason (under 200 characters, masked).

    ``physical_id``, when given, is the id the FAILED response carries instead of the default (crhelper keeps
    the event's id, or on Create answers an id that is not ours).
    """

    def __init__(self, message: str, physical_id: str | None = None) -> None:
        super().__init__(short_reason(rules.mask_personal(message)))
        self.physical_id = physical_id


class OutcomeUnknownError(HandlerError):
    """A call that failed in a way that does not tell whether Cognito applied it (5xx, timeout, lost connection)."""


def short_reason(message: str) -> str:
    """Cut a reason to REASON_MAX_LENGTH characters, keeping its beginning (which names the property)."""
    if len(message) <= REASON_MAX_LENGTH:
        return message
    return message[: REASON_MAX_LENGTH - 3] + "..."


@dataclass(frozen=True)
class UserRef:
    """A user as Cognito knows it: the pool id and the canonical username."""

    user_pool_id: str
    username: str


class Subject(Protocol):
    """What a FAILED reason names: the pool and the user."""

    @property
    def user_pool_id(self) -> str: ...

    @property
    def username(self) -> str: ...


@dataclass(frozen=True)
class MfaRequest:
    """The desired state of one user, parsed from ResourceProperties."""

    user_pool_id: str
    username: str
    mfa_options: tuple[MfaOption, ...]


def parse_properties(props: Mapping[str, Any]) -> MfaRequest:
    """Parse and validate ResourceProperties; raise HandlerError naming the first bad property."""
    user_pool_id, username = parse_user_properties(props, PROPERTIES)
    return MfaRequest(user_pool_id, username, parse_mfa_options(props.get("MFAOptions")))


def parse_user_properties(props: Mapping[str, Any], known: Sequence[str]) -> tuple[str, str]:
    """Check that every property is one of ``known`` (or CloudFormation's own) and return the valid
    ``UserPoolId`` and ``Username`` every resource type of this handler names; HandlerError otherwise."""
    for name in props:
        if name not in known and name not in FRAMEWORK_PROPERTIES:
            raise HandlerError(f"{name} is not a property of this resource; expected {', '.join(known)}")
    user_pool_id = required_string(props, "UserPoolId")
    check("UserPoolId", rules.user_pool_id_problem(user_pool_id))
    username = required_string(props, "Username")
    check("Username", rules.username_problem(username))
    return user_pool_id, username


def parse_mfa_options(value: object) -> tuple[MfaOption, ...]:
    """Parse the MFAOptions property: a list of {DeliveryMedium, AttributeName} objects."""
    if value is None:
        raise HandlerError("MFAOptions is required (use [] to clear the options)")
    if not isinstance(value, list):
        raise HandlerError(
            f"MFAOptions must be a list of {{DeliveryMedium, AttributeName}}; received {rules.show(value)}"
        )
    options = tuple(_parse_option(index, item) for index, item in enumerate(value))
    check("MFAOptions", rules.duplicate_option_problem((o.delivery_medium, o.attribute_name) for o in options))
    return options


def _parse_option(index: int, item: object) -> MfaOption:
    field = f"MFAOptions[{index}]"
    if not isinstance(item, dict):
        raise HandlerError(
            f"{field} must be an object with DeliveryMedium and AttributeName; received {rules.show(item)}"
        )
    extra = sorted(set(item) - set(OPTION_KEYS))
    if extra:
        raise HandlerError(f"{field}.{extra[0]} is not a field of an MFA option; expected {', '.join(OPTION_KEYS)}")
    medium = required_string(item, "DeliveryMedium", field)
    check(f"{field}.DeliveryMedium", rules.delivery_medium_problem(medium))
    attribute = required_string(item, "AttributeName", field)
    check(f"{field}.AttributeName", rules.attribute_name_problem(attribute))
    return MfaOption(medium, attribute)


def required_string(props: Mapping[str, Any], name: str, parent: str = "") -> str:
    """The string property ``name``; HandlerError naming it when it is missing or not a string."""
    field = f"{parent}.{name}" if parent else name
    if name not in props:
        raise HandlerError(f"{field} is required")
    value = props[name]
    if not isinstance(value, str):
        raise HandlerError(f"{field} must be a string; received {rules.show(value)}")
    return value


def check(field: str, problem: str | None) -> None:
    """Raise HandlerError ``<field> <problem>`` when a rule found a problem."""
    if problem is not None:
        raise HandlerError(f"{field} {problem}")


def physical_id(user: UserRef, prefix: str = PHYSICAL_ID_PREFIX) -> str:
    """The physical id of a resource of ``user``: ``<prefix><pool id>:<canonical username>``.

    Each resource type has its own prefix (``cognito-sms-mfa:`` for the settings), so two types never share an id.
    """
    return f"{prefix}{user.user_pool_id}:{user.username}"


def parse_physical_id(value: object, prefix: str = PHYSICAL_ID_PREFIX) -> UserRef | None:
    """The user a physical id names, or None when the id is not one of ``prefix`` (random, empty, malformed)."""
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    pool_id, sep, username = value[len(prefix) :].partition(":")
    if not sep or rules.user_pool_id_problem(pool_id) or rules.username_problem(username):
        return None
    return UserRef(pool_id, username)


def current_options(user: Mapping[str, Any]) -> tuple[MfaOption, ...]:
    """The MFAOptions an AdminGetUser answer reports (absent means none)."""
    return tuple(
        MfaOption(str(item.get("DeliveryMedium", "")), str(item.get("AttributeName", "")))
        for item in user.get("MFAOptions") or []
    )


def needs_write(current: tuple[MfaOption, ...], desired: tuple[MfaOption, ...]) -> bool:
    """Whether AdminSetUserSettings must run: the options differ as sets (duplicates are rejected earlier)."""
    return set(current) != set(desired)


def settings_kwargs(user: UserRef, options: tuple[MfaOption, ...]) -> dict[str, Any]:
    """The AdminSetUserSettings arguments that give ``user`` exactly ``options``."""
    return {
        "UserPoolId": user.user_pool_id,
        "Username": user.username,
        "MFAOptions": [option.to_properties() for option in options],
    }


def response_data(user: UserRef) -> dict[str, str]:
    """The response Data: what GetAtt can read from the resource."""
    return {"Username": user.username, "UserPoolId": user.user_pool_id}


def apply_detail(*, written: bool, read_back: bool, replaced: bool) -> str:
    """The log line's detail for Create/Update: ``written``, ``unchanged``, ``written-read-back``, ``+replaced``."""
    detail = "unchanged" if not written else "written-read-back" if read_back else "written"
    return detail + ("+replaced" if replaced else "")


def may_retry_access_denied(elapsed_s: float, remaining_s: float) -> bool:
    """Whether an AccessDeniedException may be retried after ``elapsed_s`` seconds of this request."""
    return elapsed_s < ACCESS_DENIED_BUDGET_S and remaining_s > RESERVE_S


def is_transient(code: str, http_status: int) -> bool:
    """Whether a Cognito error is worth retrying: throttling (HTTP 400) or any 5xx answer."""
    return code in THROTTLING_CODES or http_status >= 500


def transient_pause_s(attempt: int, fraction: float) -> float:
    """The pause before retry number ``attempt`` (1-based) of a transient error; ``fraction`` is uniform in [0, 1)."""
    ceiling = min(TRANSIENT_CAP_S, TRANSIENT_BASE_S * 2.0 ** min(attempt - 1, 16))
    return fraction * ceiling


def may_retry_transient(remaining_s: float, pause_s: float) -> bool:
    """Whether a transient error may be retried after a pause of ``pause_s``: enough time must remain to answer."""
    return remaining_s - pause_s > RESERVE_S


def backoff_s(attempt: int) -> float:
    """The pause before retry number ``attempt`` (1-based) of an AccessDeniedException."""
    return float(min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (attempt - 1)))


def client_error_reason(operation: str, code: str, message: str, request: Subject) -> str:
    """The FAILED reason for a Cognito error that ends a request; begins with the property it concerns."""
    pool = request.user_pool_id
    if code == "UserNotFoundException":
        return f"Username {rules.show(request.username)} is not a user of pool {pool} ({operation}: {code})"
    if code == "ResourceNotFoundException":
        return f"UserPoolId {pool} is not a user pool in this account and Region ({operation}: {code})"
    if code == "InvalidParameterException":
        return f"MFAOptions rejected by Cognito for pool {pool} ({operation}: {code}: {message})"
    if code == "AccessDeniedException":
        return f"UserPoolId {pool}: {operation} denied ({code}); the handler role needs cognito-idp:{operation}"
    return f"UserPoolId {pool}: {operation} failed ({code}: {message})"
