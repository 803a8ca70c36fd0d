"""Pure decisions of ``Custom::CognitoUserSmsMfaSettings`` (settings_decisions): properties, ids, writes."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda import settings_decisions
from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.properties import UserRef
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
    request = settings_decisions.parse_properties(props(ServiceTimeout="300"))
    # THEN
    assert request == settings_decisions.MfaRequest(POOL, "alice", (MfaOption("SMS", "phone_number"),))


def test_parse_properties_empty_options_clears() -> None:
    # GIVEN / WHEN / THEN
    assert settings_decisions.parse_properties(props(MFAOptions=[])).mfa_options == ()


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
    with pytest.raises(HandlerError) as raised:
        settings_decisions.parse_properties(properties)
    # THEN the reason begins with the property and fits CloudFormation's Reason comfortably
    assert str(raised.value) == reason
    assert len(reason) < 200


@pytest.mark.parametrize(
    "user",
    [
        pytest.param(UserRef(POOL, "alice"), id="plain"),
        pytest.param(UserRef(POOL, "a:b:c"), id="colons-in-username"),
        pytest.param(UserRef(POOL, "0f8a1b2c-3d4e-5f60-7182-93a4b5c6d7e8"), id="sub"),
    ],
)
def test_physical_id_round_trips(user: UserRef) -> None:
    # GIVEN / WHEN
    physical_id = settings_decisions.physical_id(user)
    # THEN
    assert physical_id.startswith("cognito-sms-mfa:")
    assert settings_decisions.parse_physical_id(physical_id) == user


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
    assert settings_decisions.parse_physical_id(value) is None


def test_needs_write_compares_as_sets() -> None:
    # GIVEN
    sms = (MfaOption("SMS", "phone_number"),)
    # WHEN / THEN
    assert not settings_decisions.needs_write(sms, sms)
    assert settings_decisions.needs_write((), sms)
    assert settings_decisions.needs_write(sms, ())
    assert not settings_decisions.needs_write((), ())


def test_current_options_absent_key_means_none() -> None:
    # GIVEN AdminGetUser answers without MFAOptions (the service omits it when empty)
    # WHEN / THEN
    assert settings_decisions.current_options({"Username": "alice"}) == ()
    assert settings_decisions.current_options({"MFAOptions": [SMS]}) == (MfaOption("SMS", "phone_number"),)


def test_settings_kwargs_uses_canonical_user() -> None:
    # GIVEN / WHEN
    kwargs = settings_decisions.settings_kwargs(UserRef(POOL, "alice"), ())
    # THEN
    assert kwargs == {"UserPoolId": POOL, "Username": "alice", "MFAOptions": []}


@pytest.mark.parametrize(
    ("written", "read_back", "replaced", "detail"),
    [
        pytest.param(False, False, False, "unchanged", id="unchanged"),
        pytest.param(True, False, True, "written+replaced", id="replaced"),
        pytest.param(True, True, False, "written-read-back", id="read-back"),
    ],
)
def test_apply_detail_names_what_happened(written: bool, read_back: bool, replaced: bool, detail: str) -> None:
    assert settings_decisions.apply_detail(written=written, read_back=read_back, replaced=replaced) == detail
