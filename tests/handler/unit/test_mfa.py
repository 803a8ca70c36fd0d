"""Pure decisions of the handler (cognito_sms_mfa_lambda.mfa): properties, physical ids, writes, retries, reasons."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda import mfa
from cognito_sms_mfa_lambda.rules import MfaOption

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
POOL = "us-east-1_Example1"


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ServiceToken": "arn:aws:lambda:x",
        "UserPoolId": POOL,
        "Username": "alice",
        "MFAOptions": [SMS],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_parse_properties_valid_returns_request() -> None:
    # GIVEN string-valued properties as CloudFormation sends them, with ServiceTimeout as a string
    # WHEN
    request = mfa.parse_properties(props(ServiceTimeout="300"))
    # THEN
    assert request == mfa.MfaRequest(POOL, "alice", (MfaOption("SMS", "phone_number"),))


def test_parse_properties_empty_options_clears() -> None:
    # GIVEN / WHEN / THEN
    assert mfa.parse_properties(props(MFAOptions=[])).mfa_options == ()


@pytest.mark.parametrize(
    ("properties", "reason"),
    [
        pytest.param(props(UserPoolId=None), "UserPoolId is required", id="missing-pool"),
        pytest.param(props(Username=None), "Username is required", id="missing-username"),
        pytest.param(
            props(MFAOptions=None), "MFAOptions is required (use [] to clear the options)", id="missing-options"
        ),
        pytest.param(props(UserPoolId=["x"]), "UserPoolId must be a string; received list ['x']", id="pool-not-string"),
        pytest.param(
            props(UserPoolId="pool"),
            "UserPoolId must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); received 'pool'",
            id="pool-pattern",
        ),
        pytest.param(
            props(Username=""), "Username must be 1-128 characters; received 0 characters", id="username-empty"
        ),
        pytest.param(
            props(Username="a" * 129), "Username must be 1-128 characters; received 129 characters", id="username-long"
        ),
        pytest.param(
            props(MFAOptions="SMS"),
            "MFAOptions must be a list of {DeliveryMedium, AttributeName}; received 'SMS'",
            id="options-not-list",
        ),
        pytest.param(
            props(MFAOptions=["SMS"]),
            "MFAOptions[0] must be an object with DeliveryMedium and AttributeName; received 'SMS'",
            id="option-not-object",
        ),
        pytest.param(
            props(MFAOptions=[{"DeliveryMedium": "EMAIL", "AttributeName": "phone_number"}]),
            "MFAOptions[0].DeliveryMedium must be 'SMS' (the only medium AdminSetUserSettings sets); received 'EMAIL'",
            id="medium-email",
        ),
        pytest.param(
            props(MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "email"}]),
            "MFAOptions[0].AttributeName must be 'phone_number' (the only attribute AdminSetUserSettings accepts); "
            "received 'email'",
            id="attribute-email",
        ),
        pytest.param(
            props(MFAOptions=[{"DeliveryMedium": "SMS"}]), "MFAOptions[0].AttributeName is required", id="attr-missing"
        ),
        pytest.param(
            props(MFAOptions=[{**SMS, "Extra": "1"}]),
            "MFAOptions[0].Extra is not a field of an MFA option; expected DeliveryMedium, AttributeName",
            id="option-extra-field",
        ),
        pytest.param(
            props(MFAOptions=[SMS, SMS]),
            "MFAOptions must not repeat an option; SMS/phone_number appears more than once",
            id="duplicate",
        ),
        pytest.param(
            props(Enabled="true"),
            "Enabled is not a property of this resource; expected UserPoolId, Username, MFAOptions",
            id="unknown-property",
        ),
    ],
)
def test_parse_properties_raises_naming_the_property(properties: dict[str, Any], reason: str) -> None:
    # GIVEN properties with one bad value
    # WHEN
    with pytest.raises(mfa.HandlerError) as raised:
        mfa.parse_properties(properties)
    # THEN the reason begins with the property and fits CloudFormation's Reason comfortably
    assert str(raised.value) == reason
    assert len(reason) < 200


def test_handler_error_cuts_long_reason_keeping_its_beginning() -> None:
    # GIVEN / WHEN
    error = mfa.HandlerError("Username " + "x" * 500)
    # THEN
    assert len(str(error)) == mfa.REASON_MAX_LENGTH
    assert str(error).startswith("Username xxx")
    assert str(error).endswith("...")


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(mfa.UserRef(POOL, "alice"), id="plain"),
        pytest.param(mfa.UserRef(POOL, "a:b:c"), id="colons-in-username"),
        pytest.param(mfa.UserRef(POOL, "0f8a1b2c-3d4e-5f60-7182-93a4b5c6d7e8"), id="sub"),
    ],
)
def test_physical_id_round_trips(user: mfa.UserRef) -> None:
    # GIVEN / WHEN
    physical_id = mfa.physical_id(user)
    # THEN
    assert physical_id.startswith("cognito-sms-mfa:")
    assert mfa.parse_physical_id(physical_id) == user


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("MyStack_AliceMfa_ABCD1234", id="crhelper-random"),
        pytest.param("", id="empty"),
        pytest.param(None, id="absent"),
        pytest.param("cognito-sms-mfa:", id="prefix-only"),
        pytest.param("cognito-sms-mfa:us-east-1_X", id="no-user"),
        pytest.param("cognito-sms-mfa:not a pool:alice", id="bad-pool"),
        pytest.param("cognito-sms-mfa-none", id="placeholder"),
    ],
)
def test_parse_physical_id_foreign_returns_none(value: object) -> None:
    # GIVEN / WHEN / THEN
    assert mfa.parse_physical_id(value) is None


def test_needs_write_compares_as_sets() -> None:
    # GIVEN
    sms = (MfaOption("SMS", "phone_number"),)
    # WHEN / THEN
    assert not mfa.needs_write(sms, sms)
    assert mfa.needs_write((), sms)
    assert mfa.needs_write(sms, ())
    assert not mfa.needs_write((), ())


def test_current_options_absent_key_means_none() -> None:
    # GIVEN AdminGetUser answers without MFAOptions (the service omits it when empty)
    # WHEN / THEN
    assert mfa.current_options({"Username": "alice"}) == ()
    assert mfa.current_options({"MFAOptions": [SMS]}) == (MfaOption("SMS", "phone_number"),)


def test_settings_kwargs_uses_canonical_user() -> None:
    # GIVEN / WHEN
    kwargs = mfa.settings_kwargs(mfa.UserRef(POOL, "alice"), ())
    # THEN
    assert kwargs == {"UserPoolId": POOL, "Username": "alice", "MFAOptions": []}


@pytest.mark.parametrize(
    ("elapsed", "remaining", "allowed"),
    [
        pytest.param(0.0, 100.0, True, id="fresh"),
        pytest.param(59.0, 100.0, True, id="inside-budget"),
        pytest.param(60.0, 100.0, False, id="budget-spent"),
        pytest.param(1.0, 30.0, False, id="lambda-nearly-out-of-time"),
    ],
)
def test_may_retry_access_denied_bounded_by_budget_and_remaining_time(
    elapsed: float, remaining: float, allowed: bool
) -> None:
    # GIVEN / WHEN / THEN
    assert mfa.may_retry_access_denied(elapsed, remaining) is allowed


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        pytest.param("TooManyRequestsException", 400, True, id="throttled"),
        pytest.param("InternalErrorException", 500, True, id="internal"),
        pytest.param("ServiceUnavailable", 503, True, id="unavailable"),
        pytest.param("InvalidParameterException", 400, False, id="bad-input"),
        pytest.param("AccessDeniedException", 400, False, id="denied"),
    ],
)
def test_is_transient_covers_throttling_and_5xx(code: str, status: int, transient: bool) -> None:
    assert mfa.is_transient(code, status) is transient


def test_transient_pause_is_jitter_fraction_of_doubling_ceiling_capped_at_4_s() -> None:
    # GIVEN / WHEN / THEN
    assert [mfa.transient_pause_s(n, 1.0) for n in range(1, 8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 4.0, 4.0]
    assert mfa.transient_pause_s(3, 0.25) == 0.2
    assert mfa.transient_pause_s(10_000, 1.0) == 4.0


@pytest.mark.parametrize(
    ("remaining", "pause", "allowed"),
    [
        pytest.param(120.0, 4.0, True, id="fresh"),
        pytest.param(34.1, 4.0, True, id="just-enough"),
        pytest.param(34.0, 4.0, False, id="would-eat-reserve"),
        pytest.param(29.0, 0.0, False, id="inside-reserve"),
    ],
)
def test_may_retry_transient_keeps_reserve_to_answer(remaining: float, pause: float, allowed: bool) -> None:
    assert mfa.may_retry_transient(remaining, pause) is allowed


@pytest.mark.parametrize(
    ("written", "read_back", "replaced", "detail"),
    [
        pytest.param(False, False, False, "unchanged", id="unchanged"),
        pytest.param(True, False, True, "written+replaced", id="replaced"),
        pytest.param(True, True, False, "written-read-back", id="read-back"),
    ],
)
def test_apply_detail_names_what_happened(written: bool, read_back: bool, replaced: bool, detail: str) -> None:
    assert mfa.apply_detail(written=written, read_back=read_back, replaced=replaced) == detail


def test_handler_error_masks_phone_numbers_and_emails_in_reason() -> None:
    # GIVEN / WHEN
    error = mfa.HandlerError("Username '+15555550199' is not a user; alias alice@example.com")
    # THEN
    assert str(error) == "Username '+1*******199' is not a user; alias a***@example.com"


def test_backoff_doubles_up_to_cap() -> None:
    # GIVEN / WHEN / THEN
    assert [mfa.backoff_s(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        pytest.param(
            "UserNotFoundException",
            "Username 'alice' is not a user of pool us-east-1_Example1 (AdminGetUser: UserNotFoundException)",
            id="user",
        ),
        pytest.param(
            "ResourceNotFoundException",
            "UserPoolId us-east-1_Example1 is not a user pool in this account and Region (AdminGetUser: "
            "ResourceNotFoundException)",
            id="pool",
        ),
        pytest.param(
            "AccessDeniedException",
            "UserPoolId us-east-1_Example1: AdminGetUser denied (AccessDeniedException); the handler role needs "
            "cognito-idp:AdminGetUser",
            id="denied",
        ),
        pytest.param(
            "TooManyRequestsException",
            "UserPoolId us-east-1_Example1: AdminGetUser failed (TooManyRequestsException: slow down)",
            id="other",
        ),
    ],
)
def test_client_error_reason_begins_with_the_property(code: str, reason: str) -> None:
    # GIVEN / WHEN / THEN
    request = mfa.MfaRequest(POOL, "alice", ())
    assert mfa.client_error_reason("AdminGetUser", code, "slow down", request) == reason
