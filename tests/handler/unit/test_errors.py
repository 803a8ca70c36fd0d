"""FAILED reasons (cognito_sms_mfa_lambda.errors): cut to fit, masked, and beginning with the property."""

from __future__ import annotations

import pytest

from cognito_sms_mfa_lambda.errors import REASON_MAX_LENGTH, HandlerError, client_error_reason
from cognito_sms_mfa_lambda.settings_decisions import MfaRequest

POOL = "us-east-1_Example1"


def test_handler_error_cuts_long_reason_keeping_its_beginning() -> None:
    # GIVEN / WHEN
    error = HandlerError("Username " + "x" * 500)
    # THEN
    assert len(str(error)) == REASON_MAX_LENGTH
    assert str(error).startswith("Username xxx")
    assert str(error).endswith("...")


def test_handler_error_masks_phone_numbers_and_emails_in_reason() -> None:
    # GIVEN / WHEN
    error = HandlerError("Username '+15555550199' is not a user; alias alice@example.com")
    # THEN
    assert str(error) == "Username '+1*******199' is not a user; alias a***@example.com"


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
    request = MfaRequest(POOL, "alice", ())
    assert client_error_reason("AdminGetUser", code, "slow down", request) == reason
