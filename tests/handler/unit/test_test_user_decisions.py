"""Pure decisions of ``Custom::CognitoTestUser`` (test_user_decisions): properties, ids, writes, reasons."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda import test_user_decisions
from cognito_sms_mfa_lambda.errors import HandlerError

POOL = "us-east-1_Example1"
ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:carol-AbCdEf"


def props(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "ServiceToken": "arn:aws:lambda:x",
        "UserPoolId": POOL,
        "Username": "carol",
        "PhoneNumber": "+15555550123",
        "SmsMfaPreferred": "true",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_parse_properties_full_returns_request() -> None:
    # GIVEN every property, as strings
    # WHEN they are parsed
    request = test_user_decisions.parse_properties(
        props(Email="carol@example.com", PasswordSecretArn=ARN, PasswordRevision="r1")
    )
    # THEN
    assert request == test_user_decisions.TestUserRequest(POOL, "carol", "+15555550123", "carol@example.com", ARN, True)
    assert request.attributes() == {
        "phone_number": "+15555550123",
        "phone_number_verified": "true",
        "email": "carol@example.com",
        "email_verified": "true",
    }


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        pytest.param(
            {"Password": "x"}, "Password is not a property of this resource; expected UserPoolId, ", id="unknown"
        ),
        pytest.param({"PhoneNumber": None}, "PhoneNumber is required", id="no-phone"),
        pytest.param(
            {"PhoneNumber": "555 0123"},
            "PhoneNumber must be E.164 ('+', country code, number; 2-15 digits, no spaces); "
            "received a value of 8 characters",
            id="bad-phone-not-echoed",
        ),
        pytest.param(
            {"Email": "carol"},
            "Email must be an email address (name@domain, no spaces); received a value of 5 characters",
            id="bad-email-not-echoed",
        ),
        pytest.param(
            {"PasswordSecretArn": "carol-password"},
            "PasswordSecretArn must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:...); "
            "received a value of 14 characters",
            id="not-an-arn-not-echoed",
        ),
        pytest.param(
            {"PhoneNumber": 15555550123},
            "PhoneNumber must be a string; received a value of type int",
            id="phone-of-another-type-not-echoed",
        ),
        pytest.param(
            {"PasswordSecretArn": ["hunter2"]},
            "PasswordSecretArn must be a string; received a value of type list",
            id="secret-of-another-type-not-echoed",
        ),
        pytest.param(
            {"AdoptExisting": "yes"}, "AdoptExisting must be 'true' or 'false'; received 'yes'", id="adopt-bool"
        ),
        pytest.param(
            {"SmsMfaPreferred": "yes"}, "SmsMfaPreferred must be 'true' or 'false'; received 'yes'", id="bool"
        ),
    ],
)
def test_parse_properties_bad_input_names_the_property(overrides: dict[str, Any], reason: str) -> None:
    # GIVEN one bad property
    # WHEN they are parsed
    with pytest.raises(HandlerError) as raised:
        test_user_decisions.parse_properties(props(**overrides))
    # THEN the reason begins with the property and never holds a phone number or email
    assert str(raised.value).startswith(reason)


@pytest.mark.parametrize(
    ("new", "old", "changed"),
    [
        pytest.param(props(PasswordSecretArn=ARN), None, True, id="no-old-properties"),
        pytest.param(props(PasswordSecretArn=ARN), props(PasswordSecretArn=ARN), False, id="unchanged"),
        pytest.param(
            props(PasswordSecretArn=ARN, PasswordRevision="b"),
            props(PasswordSecretArn=ARN, PasswordRevision="a"),
            True,
            id="new-revision",
        ),
        pytest.param(props(PasswordSecretArn=ARN), props(), True, id="secret-added"),
    ],
)
def test_password_changed_compares_the_secret_and_its_revision(
    new: dict[str, Any], old: dict[str, Any] | None, changed: bool
) -> None:
    # GIVEN the properties before and after
    # WHEN / THEN the template names another password only when the secret or its revision changed
    assert test_user_decisions.password_changed(new, old) is changed


def test_same_user_compares_pool_and_username_only() -> None:
    # GIVEN an update that changes the phone number, and one that changes the username
    # WHEN / THEN only the second is another user
    assert test_user_decisions.same_user(props(PhoneNumber="+15555550199"), props())
    assert not test_user_decisions.same_user(props(Username="carla"), props())
    assert not test_user_decisions.same_user(props(), None)


def test_attribute_changes_and_removals_name_only_what_differs() -> None:
    # GIVEN a user with an old phone number and an email that is no longer wanted
    current = {"sub": "s", "phone_number": "+15555550123", "phone_number_verified": "true", "email": "c@example.com"}
    wanted = {"phone_number": "+15555550199", "phone_number_verified": "true"}
    # WHEN / THEN
    assert test_user_decisions.attribute_changes(current, wanted) == [{"Name": "phone_number", "Value": "+15555550199"}]
    assert test_user_decisions.attributes_to_remove(current, wanted) == ["email"]


@pytest.mark.parametrize(
    ("user", "preferred", "expected"),
    [
        pytest.param({}, True, True, id="new-user-wants-sms"),
        pytest.param({"UserMFASettingList": ["SMS_MFA"], "PreferredMfaSetting": "SMS_MFA"}, True, False, id="has-it"),
        pytest.param({"UserMFASettingList": ["SMS_MFA"]}, True, True, id="enabled-not-preferred"),
        pytest.param({}, False, False, id="none-wants-none"),
        pytest.param({"UserMFASettingList": ["SMS_MFA"], "PreferredMfaSetting": "SMS_MFA"}, False, True, id="turn-off"),
    ],
)
def test_sms_preference_needs_write(user: dict[str, Any], preferred: bool, expected: bool) -> None:
    # GIVEN what AdminGetUser reports and the wanted preference
    # WHEN / THEN AdminSetUserMFAPreference runs only when they differ
    assert test_user_decisions.sms_preference_needs_write(user, preferred) is expected


@pytest.mark.parametrize(
    ("value", "password"),
    [
        pytest.param("Correct-Horse-9", "Correct-Horse-9", id="plain"),
        pytest.param('{"username": "carol", "password": "Correct-Horse-9"}', "Correct-Horse-9", id="json"),
        pytest.param("{not json", "{not json", id="brace-but-not-json"),
        pytest.param('["x"]', '["x"]', id="json-but-not-an-object"),
    ],
)
def test_password_from_secret_reads_plain_and_json_values(value: str, password: str) -> None:
    assert test_user_decisions.password_from_secret(value) == password


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(
            '{"username": "carol", "pass": "x"}', "holds a JSON object without a string `password` field", id="no-field"
        ),
        pytest.param(
            '{"password": 12345678}', "holds a JSON object without a string `password` field", id="field-not-a-string"
        ),
        pytest.param(
            "Correct-Horse-9\n",
            "holds a value that begins or ends with whitespace or a newline (store the password alone)",
            id="trailing-newline",
        ),
        pytest.param(
            '{"password": " x"}',
            "holds a `password` field that begins or ends with whitespace or a newline (store the password alone)",
            id="field-with-space",
        ),
        pytest.param('{"password": ""}', "holds a `password` field that is empty", id="field-empty"),
        pytest.param("", "holds a value that is empty", id="empty"),
    ],
)
def test_password_from_secret_refuses_values_that_hold_no_password(value: str, problem: str) -> None:
    # GIVEN a secret value that is not a usable password
    # WHEN the password is taken from it
    with pytest.raises(ValueError, match=r"^holds a ") as raised:
        test_user_decisions.password_from_secret(value)
    # THEN the problem is named and the value never is
    assert str(raised.value) == problem


def test_reasons_name_password_and_the_secret_and_stay_short() -> None:
    # GIVEN the ways a secret read or a password write can fail
    # WHEN the reasons are worded
    not_found = test_user_decisions.secret_reason(ARN, "ResourceNotFoundException")
    denied = test_user_decisions.secret_reason(ARN, "AccessDeniedException")
    policy = test_user_decisions.client_error_reason(
        "AdminSetUserPassword",
        "InvalidPasswordException",
        "too short",
        test_user_decisions.TestUserRequest(POOL, "carol", "+1", None, ARN, True),
    )
    # THEN each begins with `password`, names the secret or the pool, and is under 200 characters
    assert not_found == f"password: secret {ARN} not found (GetSecretValue: ResourceNotFoundException)"
    assert (
        denied == f"password: secret {ARN} cannot be read by the handler role (GetSecretValue: AccessDeniedException)"
    )
    assert (
        policy
        == f"password: the secret's value breaks the password policy of pool {POOL} (AdminSetUserPassword: InvalidPasswordException)"
    )
    assert all(len(reason) < 200 for reason in (not_found, denied, policy))
