"""Request validation of the emulated actions, as the service does it, in the service's wording.

The service checks a request against its API model before anything else and reports every violated constraint
in one ``InvalidParameterException``: ``N validation error(s) detected: Value '<v>' at '<member>' failed to
satisfy constraint: <rule>; ...`` (a sensitive member such as ``username`` is reported without its value).
A member of the wrong JSON type is a ``SerializationException``. The limits come from
:mod:`cognito_sms_mfa_lambda.rules`, the table the construct and the handler share.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from moto.cognitoidp.exceptions import InvalidParameterException
from moto.core.exceptions import JsonRESTError

from cognito_sms_mfa_lambda import rules

__all__ = ["SerializationError", "validate_admin_get_user", "validate_admin_set_user_settings"]

DELIVERY_MEDIUM_ENUM = ("SMS", "EMAIL")
ATTRIBUTE_NAME_MAX_LENGTH = 32
USERNAME_PATTERN = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"


class SerializationError(JsonRESTError):
    """A request member of the wrong JSON type, answered as the service's ``SerializationException``."""

    def __init__(self, message: str) -> None:
        super().__init__("SerializationException", message)


def validate_admin_get_user(params: object) -> tuple[str, str]:
    """Check the ``UserPoolId`` and ``Username`` of a request as the service does and return them.

    Raises
    ------
    moto.cognitoidp.exceptions.InvalidParameterException
        A member breaks a rule of the API model.
    SerializationError
        A member has the wrong JSON type.
    """
    members = _object(params)
    user_pool_id = _string_member(members, "UserPoolId")
    username = _string_member(members, "Username")
    errors = _user_pool_id_errors(user_pool_id) + _username_errors(username)
    if errors or user_pool_id is None or username is None:  # a missing member is always among the errors
        raise _invalid(errors)
    return user_pool_id, username


def validate_admin_set_user_settings(params: object) -> tuple[str, str, list[dict[str, str]]]:
    """Check an AdminSetUserSettings request as the service does and return its three members.

    Parameters
    ----------
    params
        The decoded JSON request body.

    Returns
    -------
    tuple[str, str, list[dict[str, str]]]
        ``UserPoolId``, ``Username`` and ``MFAOptions`` (each option with only its two members).

    Raises
    ------
    moto.cognitoidp.exceptions.InvalidParameterException
        A member breaks a rule of the API model (all such rules are listed in one message, in the
        service's ``N validation error(s) detected: ...`` format), or an option is not ``SMS`` on
        ``phone_number``.
    SerializationError
        A member has the wrong JSON type.
    """
    members = _object(params)
    user_pool_id = _string_member(members, "UserPoolId")
    username = _string_member(members, "Username")
    options = members.get("MFAOptions")
    if options is not None and not isinstance(options, list):
        raise SerializationError("MFAOptions must be a JSON array.")

    errors: list[str] = []
    errors += _user_pool_id_errors(user_pool_id)
    errors += _username_errors(username)
    if options is None:
        errors.append("Value null at 'mFAOptions' failed to satisfy constraint: Member must not be null")
    parsed: list[dict[str, str]] = []
    for position, option in enumerate(options or [], start=1):
        if not isinstance(option, dict):
            raise SerializationError(f"MFAOptions[{position - 1}] must be a JSON object.")
        medium = _string_member(option, "DeliveryMedium")
        attribute = _string_member(option, "AttributeName")
        where = f"mFAOptions.{position}.member"
        if medium is not None and medium not in DELIVERY_MEDIUM_ENUM:
            enum = ", ".join(DELIVERY_MEDIUM_ENUM)
            errors.append(
                _violation(f"{where}.deliveryMedium", medium, f"Member must satisfy enum value set: [{enum}]")
            )
        if attribute is not None:
            errors += _length_errors(f"{where}.attributeName", attribute, ATTRIBUTE_NAME_MAX_LENGTH, shown=True)
        parsed.append({"DeliveryMedium": medium or "", "AttributeName": attribute or ""})
    if errors or user_pool_id is None or username is None:  # a missing member is always among the errors
        raise _invalid(errors)
    for option in parsed:
        if rules.delivery_medium_problem(option["DeliveryMedium"]) is not None:
            raise InvalidParameterException(
                f"DeliveryMedium must be {rules.DELIVERY_MEDIUM} in MFAOptions; received '{option['DeliveryMedium']}'."
            )
        if rules.attribute_name_problem(option["AttributeName"]) is not None:
            raise InvalidParameterException(
                f"AttributeName must be {rules.ATTRIBUTE_NAME} in MFAOptions; received '{option['AttributeName']}'."
            )
    return user_pool_id, username, parsed


def _object(params: object) -> dict[str, Any]:
    if not isinstance(params, dict):
        raise SerializationError("The request body must be a JSON object.")
    return params


def _invalid(errors: list[str]) -> InvalidParameterException:
    count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected"
    return InvalidParameterException(f"{count}: {'; '.join(errors)}")


def _string_member(params: dict[str, Any], name: str) -> str | None:
    value = params.get(name)
    if value is not None and not isinstance(value, str):
        raise SerializationError(f"{name} must be a JSON string; received {type(value).__name__}.")
    return value


def _violation(member: str, value: str | None, constraint: str) -> str:
    """One error in the service's format; ``value`` None leaves the value out (sensitive members)."""
    shown = "" if value is None else f" '{value}'"
    return f"Value{shown} at '{member}' failed to satisfy constraint: {constraint}"


def _length_errors(member: str, value: str, maximum: int, *, shown: bool) -> list[str]:
    display = value if shown else None
    if len(value) < 1:
        return [_violation(member, display, "Member must have length greater than or equal to 1")]
    if len(value) > maximum:
        return [_violation(member, display, f"Member must have length less than or equal to {maximum}")]
    return []


def _user_pool_id_errors(value: str | None) -> list[str]:
    if value is None:
        return ["Value null at 'userPoolId' failed to satisfy constraint: Member must not be null"]
    if rules.user_pool_id_problem(value) is None:
        return []
    errors = _length_errors("userPoolId", value, rules.USER_POOL_ID_MAX_LENGTH, shown=True)
    if not rules.USER_POOL_ID_PATTERN.fullmatch(value):
        pattern = rules.USER_POOL_ID_PATTERN.pattern
        errors.append(_violation("userPoolId", value, f"Member must satisfy regular expression pattern: {pattern}"))
    return errors


def _username_errors(value: str | None) -> list[str]:
    """Username is a sensitive member: the service leaves its value out of the message."""
    if value is None:
        return ["Value null at 'username' failed to satisfy constraint: Member must not be null"]
    if rules.username_problem(value) is None:
        return []
    errors = _length_errors("username", value, rules.USERNAME_MAX_LENGTH, shown=False)
    matches = bool(value) and all(unicodedata.category(char)[0] in rules.USERNAME_CATEGORIES for char in value)
    if not matches:
        errors.append(
            _violation("username", None, f"Member must satisfy regular expression pattern: {USERNAME_PATTERN}")
        )
    return errors
