"""The custom resource types the rehearsal runs through the handler asset, and how it judges each one.

One :class:`CustomType` per ``ResourceType``: how to read the desired state from the resolved properties,
how to read the state back from the emulator afterwards, the properties of the synthetic update (a change the
template does not ask for, made to exercise Update), and how to show a state in one short table cell. A new
resource type of the handler is one more entry in :data:`CUSTOM_TYPES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_lambda.mfa import SETTINGS_RESOURCE_TYPE

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


@dataclass(frozen=True)
class CustomType:
    """How the rehearsal drives and judges one custom resource type.

    ``desired(properties)`` is the state a Create or Update asks for; ``cleared`` the state after a Delete;
    ``read_back(client, pool, username)`` what the emulator holds (raises the client's
    ``UserNotFoundException`` or ``ResourceNotFoundException`` when the user or pool is gone);
    ``flipped(properties)`` the properties of the synthetic update; ``render(state)`` a short cell.
    """

    desired: Callable[[dict[str, Any]], Any]
    cleared: Any
    read_back: Callable[[CognitoIdentityProviderClient, str, str], Any]
    flipped: Callable[[dict[str, Any]], dict[str, Any]]
    render: Callable[[Any], str]

    def same(self, desired: Any, read_back: Any) -> bool:
        """Whether the state read back is the desired one (lists compare as sets)."""
        if isinstance(desired, list) and isinstance(read_back, list):
            return sorted(map(str, desired)) == sorted(map(str, read_back))
        return bool(desired == read_back)


def _sms_options(client: CognitoIdentityProviderClient, pool: str, username: str) -> Any:
    return list(client.admin_get_user(UserPoolId=pool, Username=username).get("MFAOptions", []))


def render_options(options: Any) -> str:
    """``SMS`` for the one option Cognito sets, ``none`` for no options, ``medium->attribute`` otherwise."""
    if not options:
        return "none"
    return ",".join("SMS" if o == SMS else f"{o.get('DeliveryMedium')}->{o.get('AttributeName')}" for o in options)


CUSTOM_TYPES: dict[str, CustomType] = {
    SETTINGS_RESOURCE_TYPE: CustomType(
        desired=lambda properties: list(properties.get("MFAOptions", [])),
        cleared=[],
        read_back=_sms_options,
        flipped=lambda properties: {**properties, "MFAOptions": [] if properties.get("MFAOptions") else [SMS]},
        render=render_options,
    ),
}
