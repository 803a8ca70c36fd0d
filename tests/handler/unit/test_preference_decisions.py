"""The preference's rules (rules.MfaFactor, factor_set_problem) and pure decisions (preference_decisions)."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda import preference_decisions, rules, settings_decisions
from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.rules import EMAIL_FACTOR, SMS_FACTOR, SOFTWARE_TOKEN_FACTOR, MfaFactor

POOL = "us-east-1_Example1"
ALICE = UserRef(POOL, "alice")


# --- rules ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["PREFERRED", "ENABLED", "DISABLED"])
def test_mfa_factor_problem_accepts_the_three_states(value: str) -> None:
    # GIVEN / WHEN / THEN
    assert rules.mfa_factor_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("preferred", id="lower-case"),
        pytest.param("true", id="boolean-string"),
        pytest.param("", id="empty"),
    ],
)
def test_mfa_factor_problem_rejects_other_values(value: str) -> None:
    # GIVEN / WHEN / THEN
    assert rules.mfa_factor_problem(value) == f"must be one of PREFERRED, ENABLED, DISABLED; received {value!r}"


def test_factor_set_problem_rejects_no_managed_factor() -> None:
    # GIVEN no factor managed
    # WHEN
    problem = rules.factor_set_problem({"SmsMfa": None, "EmailMfa": None, "SoftwareTokenMfa": None})
    # THEN
    assert problem == (
        "SmsMfa, EmailMfa or SoftwareTokenMfa: at least one factor must be managed; received none "
        "(a factor left out is kept)"
    )


def test_factor_set_problem_rejects_two_preferred_factors() -> None:
    # GIVEN / WHEN
    problem = rules.factor_set_problem({"SmsMfa": "PREFERRED", "EmailMfa": "PREFERRED", "SoftwareTokenMfa": None})
    # THEN
    assert problem == "SmsMfa and EmailMfa: at most one factor may be PREFERRED; received PREFERRED for 2"


@pytest.mark.parametrize(
    "states",
    [
        pytest.param({"sms": "PREFERRED", "email": "ENABLED", "token": None}, id="one-preferred"),
        pytest.param({"sms": "DISABLED", "email": None, "token": None}, id="one-disabled"),
        pytest.param({"sms": "ENABLED", "email": "ENABLED", "token": "ENABLED"}, id="none-preferred"),
    ],
)
def test_factor_set_problem_accepts_one_preference(states: dict[str, str | None]) -> None:
    # GIVEN / WHEN / THEN
    assert rules.factor_set_problem(states) is None


# --- properties ----------------------------------------------------------------------------------------------


def test_parse_properties_keeps_only_given_factors() -> None:
    # GIVEN SMS preferred, email disabled, TOTP not managed
    props = {"UserPoolId": POOL, "Username": "alice", "SmsMfa": "PREFERRED", "EmailMfa": "DISABLED"}
    # WHEN
    parsed = preference_decisions.parse_properties({"ServiceToken": "arn", **props})
    # THEN
    assert parsed == preference_decisions.PreferenceRequest(
        POOL, "alice", ((SMS_FACTOR, MfaFactor.PREFERRED), (EMAIL_FACTOR, MfaFactor.DISABLED))
    )


@pytest.mark.parametrize(
    ("props", "reason"),
    [
        pytest.param({"SmsMfa": "ON"}, "SmsMfa must be one of PREFERRED, ENABLED, DISABLED; received 'ON'", id="bad"),
        pytest.param({"SmsMfa": ["PREFERRED"]}, "SmsMfa must be a string; received list ['PREFERRED']", id="list"),
        pytest.param(
            {},
            "SmsMfa, EmailMfa or SoftwareTokenMfa: at least one factor must be managed; received none "
            "(a factor left out is kept)",
            id="none",
        ),
        pytest.param(
            {"SmsMfa": "PREFERRED", "SoftwareTokenMfa": "PREFERRED"},
            "SmsMfa and SoftwareTokenMfa: at most one factor may be PREFERRED; received PREFERRED for 2",
            id="two-preferred",
        ),
        pytest.param(
            {"SmsMfa": "ENABLED", "MFAOptions": []},
            "MFAOptions is not a property of this resource; expected UserPoolId, Username, SmsMfa, EmailMfa, "
            "SoftwareTokenMfa",
            id="settings-property",
        ),
    ],
)
def test_parse_properties_raises_naming_the_property(props: dict[str, Any], reason: str) -> None:
    # GIVEN / WHEN
    with pytest.raises(HandlerError) as raised:
        preference_decisions.parse_properties({"UserPoolId": POOL, "Username": "alice", **props})
    # THEN
    assert str(raised.value) == reason


# --- current state, writes -----------------------------------------------------------------------------------


def test_current_factors_reads_list_and_preferred() -> None:
    # GIVEN SMS and TOTP enabled, TOTP preferred
    user = {"UserMFASettingList": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"], "PreferredMfaSetting": "SOFTWARE_TOKEN_MFA"}
    # WHEN / THEN
    assert preference_decisions.current_factors(user) == {
        SMS_FACTOR: MfaFactor.ENABLED,
        EMAIL_FACTOR: MfaFactor.DISABLED,
        SOFTWARE_TOKEN_FACTOR: MfaFactor.PREFERRED,
    }


def test_current_factors_of_legacy_only_user_are_disabled() -> None:
    # GIVEN a user set up through MFAOptions only (the keys are absent)
    # WHEN / THEN
    assert set(preference_decisions.current_factors({"MFAOptions": [{"DeliveryMedium": "SMS"}]}).values()) == {
        MfaFactor.DISABLED
    }


def test_needs_write_ignores_unmanaged_factors() -> None:
    # GIVEN email enabled out of band, SMS already preferred
    current = preference_decisions.current_factors(
        {"UserMFASettingList": ["SMS_MFA", "EMAIL_OTP"], "PreferredMfaSetting": "SMS_MFA"}
    )
    # WHEN / THEN only SMS is managed: nothing to write
    assert preference_decisions.needs_write(current, ((SMS_FACTOR, MfaFactor.PREFERRED),)) is False


def test_needs_write_when_enabled_must_become_preferred() -> None:
    # GIVEN SMS enabled, not preferred
    current = preference_decisions.current_factors({"UserMFASettingList": ["SMS_MFA"]})
    # WHEN / THEN
    assert preference_decisions.needs_write(current, ((SMS_FACTOR, MfaFactor.PREFERRED),)) is True


def test_preference_kwargs_send_managed_factors_only() -> None:
    # GIVEN / WHEN
    kwargs = preference_decisions.preference_kwargs(
        ALICE, ((SMS_FACTOR, MfaFactor.ENABLED), (EMAIL_FACTOR, MfaFactor.PREFERRED))
    )
    # THEN
    assert kwargs == {
        "UserPoolId": POOL,
        "Username": "alice",
        "SMSMfaSettings": {"Enabled": True, "PreferredMfa": False},
        "EmailMfaSettings": {"Enabled": True, "PreferredMfa": True},
    }


def test_disabled_turns_every_managed_factor_off() -> None:
    # GIVEN / WHEN
    kwargs = preference_decisions.preference_kwargs(
        ALICE, preference_decisions.disabled(((SOFTWARE_TOKEN_FACTOR, MfaFactor.PREFERRED),))
    )
    # THEN
    assert kwargs["SoftwareTokenMfaSettings"] == {"Enabled": False, "PreferredMfa": False}
    assert set(kwargs) == {"UserPoolId", "Username", "SoftwareTokenMfaSettings"}


# --- physical id, reasons ------------------------------------------------------------------------------------


def test_physical_id_round_trips_with_its_own_prefix() -> None:
    # GIVEN / WHEN
    physical_id = preference_decisions.physical_id(UserRef(POOL, "a:b"))
    # THEN
    assert physical_id == f"cognito-mfa-preference:{POOL}:a:b"
    assert preference_decisions.parse_physical_id(physical_id) == UserRef(POOL, "a:b")


def test_parse_physical_id_rejects_a_settings_id() -> None:
    # GIVEN the settings id of the same user
    # WHEN / THEN
    assert preference_decisions.parse_physical_id(settings_decisions.physical_id(ALICE)) is None


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        pytest.param(
            "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA",
            "SoftwareTokenMfa for user 'alice': the user has not verified a TOTP token; an admin cannot enrol one "
            "(InvalidParameterException: User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA)",
            id="totp",
        ),
        pytest.param(
            "User does not have delivery config set to turn on SMS_MFA",
            "SmsMfa for user 'alice': no delivery config: the user has no phone_number "
            "(InvalidParameterException: User does not have delivery config set to turn on SMS_MFA)",
            id="sms",
        ),
        pytest.param(
            "Email MFA requires the ESSENTIALS or PLUS feature plan.",
            "EmailMfa for user 'alice': needs the Essentials plan or above, email sending (SES) and the user's email "
            "(InvalidParameterException: Email MFA requires the ESSENTIALS or PLUS feature plan.)",
            id="email",
        ),
        pytest.param(
            "Something else.",
            f"MFA preference rejected by Cognito for pool {POOL} "
            "(AdminSetUserMFAPreference: InvalidParameterException: Something else.)",
            id="other",
        ),
    ],
)
def test_refusal_reason_says_plainly_which_factor_was_refused(message: str, reason: str) -> None:
    # GIVEN / WHEN / THEN
    assert (
        preference_decisions.refusal_reason("AdminSetUserMFAPreference", "InvalidParameterException", message, ALICE)
        == reason
    )


def test_refusal_reason_keeps_the_settings_wording_for_other_errors() -> None:
    # GIVEN / WHEN
    reason = preference_decisions.refusal_reason("AdminGetUser", "UserNotFoundException", "User does not exist.", ALICE)
    # THEN
    assert reason == f"Username 'alice' is not a user of pool {POOL} (AdminGetUser: UserNotFoundException)"
