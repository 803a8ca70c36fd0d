"""The custom resource types the rehearsal runs through the handler asset, and how it judges each one.

One :class:`CustomType` per ``ResourceType``: how to read the desired state from the resolved properties (and
the state a Delete leaves), how to read the state back from the user's ``AdminGetUser`` answer, the properties
of the synthetic update (a change the template does not ask for, made to exercise Update), and how to show a
state in one short table cell. A new resource type of the handler is one more entry in :data:`CUSTOM_TYPES`.
A desired state of None means the user must be gone (a test user after its Delete).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cognito_sms_mfa_lambda import preference_decisions
from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)
from cognito_sms_mfa_lambda.rules import MFA_FACTORS, SMS_FACTOR, MfaFactor

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
# How the table shows a test user's SMS MFA preference (enabled and preferred).
SMS_PREFERENCE = {"Preference": "SMS_MFA"}
# What the synthetic update gives a test user: another phone number (changed in place, the ``sub`` must stay)
# and, with a password secret, a new password version (the rehearsal puts a new value in the secret first).
CYCLE_PHONE_NUMBER = "+15555550199"
CYCLE_PASSWORD_REVISION = "cycle"


@dataclass(frozen=True)
class CustomType:
    """How the rehearsal drives and judges one custom resource type.

    ``desired(properties)`` is the state a Create or Update asks for, ``cleared(properties)`` the state a Delete
    leaves; ``read_back(user, properties)`` the state in an ``AdminGetUser`` answer; ``flipped(properties)``
    the properties of the synthetic update; ``render(state)`` a short table cell.
    """

    desired: Callable[[dict[str, Any]], Any]
    cleared: Callable[[dict[str, Any]], Any]
    read_back: Callable[[dict[str, Any], dict[str, Any]], Any]
    flipped: Callable[[dict[str, Any]], dict[str, Any]]
    render: Callable[[Any], str]

    def same(self, desired: Any, read_back: Any) -> bool:
        """Whether the state read back is the desired one (lists compare as sets)."""
        if isinstance(desired, list) and isinstance(read_back, list):
            return sorted(map(str, desired)) == sorted(map(str, read_back))
        return bool(desired == read_back)


def render_options(options: Any) -> str:
    """``SMS`` for the one option Cognito sets, ``none`` for no options, ``medium->attribute`` otherwise."""
    if not options:
        return "none"
    return ",".join("SMS" if o == SMS else f"{o.get('DeliveryMedium')}->{o.get('AttributeName')}" for o in options)


def legacy_options(user: dict[str, Any], properties: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """The user's legacy ``MFAOptions``."""
    return list(user.get("MFAOptions", []))


def reported_preference(user: dict[str, Any]) -> dict[str, Any]:
    """The preference API's view of the user: ``UserMFASettingList`` and ``PreferredMfaSetting``."""
    return {key: user[key] for key in ("UserMFASettingList", "PreferredMfaSetting") if key in user}


def render_both_forms(legacy: list[dict[str, str]], preference: dict[str, Any]) -> str:
    """The user's MFA in both forms, ``<options> / <enabled factors>`` (``*`` marks the preferred factor)."""
    preferred = preference.get("PreferredMfaSetting")
    factors = [f"{name}*" if name == preferred else name for name in preference.get("UserMFASettingList", [])]
    return f"{render_options(legacy)} / {','.join(factors) or 'none'}"


def _factor_states(properties: dict[str, Any], *, disabled: bool) -> list[dict[str, str]]:
    """The managed factors of a preference's properties, as ``{Factor, State}`` rows (all DISABLED after Delete)."""
    return [
        {"Factor": f.reported_name, "State": MfaFactor.DISABLED.value if disabled else str(properties[f.property])}
        for f in MFA_FACTORS
        if f.property in properties
    ]


def _managed_factors(user: dict[str, Any], properties: dict[str, Any]) -> list[dict[str, str]]:
    """The current state of the factors a preference manages, in the rows of :func:`_factor_states`."""
    current = preference_decisions.current_factors(user)
    return [{"Factor": f.reported_name, "State": current[f].value} for f in MFA_FACTORS if f.property in properties]


def _flipped_sms(properties: dict[str, Any]) -> dict[str, Any]:
    """The update of a preference: its SMS factor PREFERRED -> ENABLED, ENABLED <-> DISABLED (others unchanged)."""
    state = properties.get(SMS_FACTOR.property)
    if state is None:
        return properties
    flipped = MfaFactor.DISABLED if state == MfaFactor.ENABLED else MfaFactor.ENABLED
    return {**properties, SMS_FACTOR.property: flipped.value}


def _render_factors(rows: Any) -> str:
    return ",".join(f"{row['Factor']}={row['State']}" for row in rows) or "none"


def _wanted_sms_preference(properties: dict[str, Any]) -> list[dict[str, str]]:
    """What a test user's properties ask for: the SMS preference (enabled and preferred), or none."""
    return [SMS_PREFERENCE] if properties.get("SmsMfaPreferred") == "true" else []


def _sms_preference(user: dict[str, Any], properties: dict[str, Any] | None = None) -> list[dict[str, str]]:
    """A test user's SMS preference as AdminGetUser reports it, in the rows of :func:`_wanted_sms_preference`."""
    return [SMS_PREFERENCE] if user.get("PreferredMfaSetting") == "SMS_MFA" else []


def _cycled_test_user(properties: dict[str, Any]) -> dict[str, Any]:
    """The update of a test user: another phone number and, with a password secret, a new password version."""
    changed = {**properties, "PhoneNumber": CYCLE_PHONE_NUMBER}
    if isinstance(properties.get("PasswordSecretArn"), str):
        changed["PasswordRevision"] = CYCLE_PASSWORD_REVISION
    return changed


def _render_test_user(state: Any) -> str:
    """``SMS preferred`` or ``none``; a sign-in row's state is already its text."""
    if isinstance(state, str):
        return state
    return "SMS preferred" if state == [SMS_PREFERENCE] else "none"


CUSTOM_TYPES: dict[str, CustomType] = {
    SETTINGS_RESOURCE_TYPE: CustomType(
        desired=lambda properties: list(properties.get("MFAOptions", [])),
        cleared=lambda properties: [],
        read_back=legacy_options,
        flipped=lambda properties: {**properties, "MFAOptions": [] if properties.get("MFAOptions") else [SMS]},
        render=render_options,
    ),
    PREFERENCE_RESOURCE_TYPE: CustomType(
        desired=lambda properties: _factor_states(properties, disabled=False),
        cleared=lambda properties: _factor_states(properties, disabled=True),
        read_back=_managed_factors,
        flipped=_flipped_sms,
        render=_render_factors,
    ),
    TEST_USER_RESOURCE_TYPE: CustomType(
        desired=_wanted_sms_preference,
        cleared=lambda properties: None,
        read_back=_sms_preference,
        flipped=_cycled_test_user,
        render=_render_test_user,
    ),
    # A batch is judged user by user in batches.py; its row's cells are already text (``SMS x40``).
    SETTINGS_BATCH_RESOURCE_TYPE: CustomType(
        desired=lambda properties: "",
        cleared=lambda properties: "",
        read_back=lambda user, properties: "",
        flipped=lambda properties: properties,
        render=str,
    ),
}
