"""Rate limits per operation category: Cognito's quotas (UserUpdate 25/s, UserRead 120/s), off by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_emulator.__main__ import main
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS, RateLimiter, category_of

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import MFAOptionTypeTypeDef

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

Http = Callable[..., Any]
SMS: MFAOptionTypeTypeDef = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_admits_one_second_of_requests_then_refills_at_its_rate() -> None:
    # GIVEN a UserUpdate bucket of 25 requests per second and a clock that stands still
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.configure({"UserUpdate": 25})
    # WHEN 30 writes arrive at once, then 30 more 0.2 s later
    first = [limiter.admit("AdminSetUserSettings") for _ in range(30)]
    clock.now += 0.2
    second = [limiter.admit("AdminSetUserSettings") for _ in range(30)]
    # THEN 25 then 5 (0.2 s x 25/s) pass, the rest are counted as throttled
    assert (first.count(True), second.count(True)) == (25, 5)
    assert limiter.throttled() == {"UserUpdate": 30}


def test_rate_limiter_leaves_uncategorised_and_unconfigured_actions_alone() -> None:
    # GIVEN only UserUpdate limited, to 1 request per second
    limiter = RateLimiter(FakeClock())
    limiter.configure({"UserUpdate": 1})
    # WHEN reads and unmapped calls arrive in a burst
    admitted = [limiter.admit(action) for action in ("AdminGetUser", "ListUserPools") for _ in range(10)]
    # THEN all pass
    assert all(admitted)


@pytest.mark.parametrize(
    ("action", "category"),
    [
        pytest.param("AdminSetUserSettings", "UserUpdate", id="settings"),
        pytest.param("AdminSetUserMFAPreference", "UserUpdate", id="preference"),
        pytest.param("AdminUpdateUserAttributes", "UserUpdate", id="attributes"),
        pytest.param("AdminGetUser", "UserRead", id="get-user"),
        pytest.param("CreateUserPool", None, id="unmapped"),
    ],
)
def test_category_of_maps_admin_user_calls_to_service_categories(action: str, category: str | None) -> None:
    """Emulator contract: Cognito's quota table counts AdminSetUserSettings in UserUpdate, AdminGetUser in UserRead."""
    assert category_of(action) == category


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        pytest.param(
            {"UserWrite": 5}, "unknown rate category 'UserWrite'; expected one of: UserRead, UserUpdate", id="category"
        ),
        pytest.param(
            {"UserUpdate": 0},
            "rate of UserUpdate must be a number above 0 (requests per second); received 0",
            id="zero",
        ),
        pytest.param(
            {"UserUpdate": "25"},
            "rate of UserUpdate must be a number above 0 (requests per second); received '25'",
            id="string",
        ),
    ],
)
def test_set_rate_limits_with_invalid_limit_raises_value_error(
    emulator: CognitoEmulator, limits: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=r"^(unknown rate category|rate of UserUpdate)") as excinfo:
        emulator.set_rate_limits(limits)
    assert str(excinfo.value) == message


def test_rate_limited_write_answers_too_many_requests_like_the_service(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient, pool_id: str
) -> None:
    """Emulator contract: over the quota, Cognito answers TooManyRequestsException, HTTP 400, "Rate exceeded"."""
    # GIVEN a user and UserUpdate limited to 2 requests per second
    client.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    emulator.set_rate_limits({"UserUpdate": 2})
    # WHEN three writes arrive at once
    client.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[SMS])
    client.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[SMS])
    with pytest.raises(ClientError) as excinfo:
        client.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[])
    # THEN the third is refused without reaching the user, and counted
    error = excinfo.value.response
    assert (error["Error"]["Code"], error["Error"]["Message"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
        "TooManyRequestsException",
        "Rate exceeded",
        400,
    )
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["MFAOptions"] == [SMS]
    assert emulator.throttled() == {"UserUpdate": 1}
    assert emulator.calls("AdminSetUserSettings") == ["AdminSetUserSettings"] * 3


def test_emulator_has_no_rate_limit_by_default_and_reset_turns_it_off(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient
) -> None:
    # GIVEN limits set, then a reset
    emulator.set_rate_limits(SERVICE_QUOTAS)
    limits_before = emulator.rate_limits()
    emulator.reset()
    # WHEN
    limits_after = emulator.rate_limits()
    # THEN
    assert limits_before == {"UserUpdate": 25.0, "UserRead": 120.0}
    assert limits_after == {}


def test_put_rate_limits_endpoint_sets_limits_and_get_reports_throttles(http: Http, emulator: CognitoEmulator) -> None:
    """Emulator contract: PUT /_emulator/rate-limits {category: rps} is set_rate_limits; GET reports them."""
    # GIVEN limits put over HTTP
    put = http("PUT", "/_emulator/rate-limits", {"UserRead": 1})
    # WHEN two reads arrive at once
    first = http("POST", "/", {"UserPoolId": "us-east-1_none", "Username": "alice"}, target="AdminGetUser")
    second = http("POST", "/", {"UserPoolId": "us-east-1_none", "Username": "alice"}, target="AdminGetUser")
    got = http("GET", "/_emulator/rate-limits")
    # THEN the first reaches moto (no such pool), the second is throttled, and GET reports the count
    assert (put.status, put.body) == (200, {"limits": {"UserRead": 1.0}, "throttled": {"UserRead": 0}})
    assert first.body["__type"] == "ResourceNotFoundException"
    assert (second.status, second.body["__type"], second.body["message"]) == (
        400,
        "TooManyRequestsException",
        "Rate exceeded",
    )
    assert got.body == {"limits": {"UserRead": 1.0}, "throttled": {"UserRead": 1}}


def test_put_rate_limits_endpoint_with_bad_body_answers_400(http: Http) -> None:
    answer = http("PUT", "/_emulator/rate-limits", [25])
    assert (answer.status, answer.body) == (
        400,
        {"message": "rate limits must be an object of category to requests per second; received [25]"},
    )


def test_command_line_with_unknown_rate_category_exits_with_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # WHEN
    with pytest.raises(SystemExit) as excinfo:
        main(["--quotas", "--rate-limit", "UserWrite=5"])
    # THEN
    assert excinfo.value.code == 2
    assert "unknown rate category 'UserWrite'; expected one of: UserRead, UserUpdate" in capsys.readouterr().err
