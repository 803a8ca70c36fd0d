"""Pure decisions of ``Custom::CognitoUserSmsMfaSettings``: no boto3, no crhelper, no environment.

The request-by-request design (physical ids, each request type, each failure path) is in ``docs/design.md``; this
module holds the parts of it that are plain functions of their inputs: parsing the properties (``MFAOptions``),
the physical id, whether a write is needed, the call's arguments and the log line's detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import properties, rules
from .errors import HandlerError
from .properties import UserRef, check, required_string
from .rules import MfaOption

if TYPE_CHECKING:
    from collections.abc import Mapping

PHYSICAL_ID_PREFIX = "cognito-sms-mfa:"
PROPERTIES = ("UserPoolId", "Username", "MFAOptions")
OPTION_KEYS = ("DeliveryMedium", "AttributeName")


@dataclass(frozen=True)
class MfaRequest:
    """The desired state of one user, parsed from ResourceProperties."""

    user_pool_id: str
    username: str
    mfa_options: tuple[MfaOption, ...]


def parse_properties(props: Mapping[str, Any]) -> MfaRequest:
    """Parse and validate ResourceProperties; raise HandlerError naming the first bad property."""
    user_pool_id, username = properties.parse_user_properties(props, PROPERTIES)
    return MfaRequest(user_pool_id, username, parse_mfa_options(props.get("MFAOptions")))


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


def physical_id(user: UserRef) -> str:
    """``cognito-sms-mfa:<pool id>:<canonical username>``."""
    return properties.physical_id(user, PHYSICAL_ID_PREFIX)


def parse_physical_id(value: object) -> UserRef | None:
    """The user a settings id names, or None when the id is not one (random, empty, another type's)."""
    return properties.parse_physical_id(value, PHYSICAL_ID_PREFIX)


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


def apply_detail(*, written: bool, read_back: bool, replaced: bool) -> str:
    """The log line's detail for Create/Update: ``written``, ``unchanged``, ``written-read-back``, ``+replaced``."""
    detail = "unchanged" if not written else "written-read-back" if read_back else "written"
    return detail + ("+replaced" if replaced else "")
