"""The Cognito calls (cognito_sms_mfa_lambda.cognito) against an in-memory fake that raises botocore's ClientError."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_lambda import cognito, mfa
from cognito_sms_mfa_lambda.rules import MfaOption

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

POOL = "us-east-1_Example1"
SMS = MfaOption("SMS", "phone_number")


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} message"}}, operation)


class FakeCognito:
    """Users by lower-cased name (a case-insensitive pool); queued errors per operation."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, list[str]] = {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def add_user(self, username: str, options: list[dict[str, str]] | None = None) -> None:
        self.users[username.lower()] = {"Username": username, "MFAOptions": options or []}

    def _next_error(self, operation: str) -> None:
        queued = self.errors.get(operation)
        if queued:
            raise client_error(queued.pop(0), operation)

    def admin_get_user(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("AdminGetUser", kwargs))
        self._next_error("AdminGetUser")
        if kwargs["UserPoolId"] != POOL:
            raise client_error("ResourceNotFoundException", "AdminGetUser")
        user = self.users.get(kwargs["Username"].lower())
        if user is None:
            raise client_error("UserNotFoundException", "AdminGetUser")
        return dict(user)

    def admin_set_user_settings(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("AdminSetUserSettings", kwargs))
        self._next_error("AdminSetUserSettings")
        if kwargs["UserPoolId"] != POOL:
            raise client_error("ResourceNotFoundException", "AdminSetUserSettings")
        user = self.users.get(kwargs["Username"].lower())
        if user is None:
            raise client_error("UserNotFoundException", "AdminSetUserSettings")
        user["MFAOptions"] = kwargs["MFAOptions"]
        return {}


def as_client(fake: FakeCognito) -> CognitoIdentityProviderClient:
    return cast("CognitoIdentityProviderClient", fake)


def deadline(remaining_s: float = 100.0) -> tuple[cognito.Deadline, list[float]]:
    slept: list[float] = []
    clock = iter(float(n) for n in range(10_000))
    return cognito.Deadline(0.0, lambda: remaining_s, slept.append, lambda: next(clock)), slept


def names(fake: FakeCognito) -> list[str]:
    return [name for name, _ in fake.calls]


def test_apply_settings_writes_with_canonical_username() -> None:
    # GIVEN a user stored as "Alice", addressed as "ALICE"
    fake = FakeCognito()
    fake.add_user("Alice")
    # WHEN
    applied = cognito.apply_settings(as_client(fake), mfa.MfaRequest(POOL, "ALICE", (SMS,)), deadline()[0])
    # THEN the write names the canonical user
    assert applied == cognito.Applied(mfa.UserRef(POOL, "Alice"), written=True)
    assert fake.calls[1] == (
        "AdminSetUserSettings",
        {"UserPoolId": POOL, "Username": "Alice", "MFAOptions": [SMS.to_properties()]},
    )


def test_apply_settings_skips_write_when_already_desired() -> None:
    # GIVEN a user that already has exactly the desired options
    fake = FakeCognito()
    fake.add_user("alice", [SMS.to_properties()])
    # WHEN
    applied = cognito.apply_settings(as_client(fake), mfa.MfaRequest(POOL, "alice", (SMS,)), deadline()[0])
    # THEN one read, no write
    assert not applied.written
    assert names(fake) == ["AdminGetUser"]


def test_apply_settings_retries_access_denied_then_succeeds() -> None:
    # GIVEN IAM not yet propagated: two AccessDenied answers
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminGetUser"] = ["AccessDeniedException", "AccessDeniedException"]
    clock, slept = deadline()
    # WHEN
    applied = cognito.apply_settings(as_client(fake), mfa.MfaRequest(POOL, "alice", (SMS,)), clock)
    # THEN it backed off twice and wrote
    assert applied.written
    assert slept == [0.5, 1.0]
    assert names(fake) == ["AdminGetUser"] * 3 + ["AdminSetUserSettings"]


def test_apply_settings_fails_without_retry_when_lambda_nearly_out_of_time() -> None:
    # GIVEN AccessDenied with only 20 s of Lambda time left
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminGetUser"] = ["AccessDeniedException"]
    clock, slept = deadline(remaining_s=20.0)
    # WHEN
    with pytest.raises(mfa.HandlerError) as raised:
        cognito.apply_settings(as_client(fake), mfa.MfaRequest(POOL, "alice", (SMS,)), clock)
    # THEN no pause, no write, and the reason names what the role lacks
    assert slept == []
    assert names(fake) == ["AdminGetUser"]
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminGetUser denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminGetUser"
    )


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        pytest.param(
            mfa.MfaRequest(POOL, "nobody", (SMS,)),
            "Username 'nobody' is not a user of pool us-east-1_Example1 (AdminGetUser: UserNotFoundException)",
            id="missing-user",
        ),
        pytest.param(
            mfa.MfaRequest("us-east-1_Gone", "alice", (SMS,)),
            "UserPoolId us-east-1_Gone is not a user pool in this account and Region (AdminGetUser: "
            "ResourceNotFoundException)",
            id="missing-pool",
        ),
    ],
)
def test_apply_settings_fails_when_target_missing(request_: mfa.MfaRequest, reason: str) -> None:
    # GIVEN
    fake = FakeCognito()
    fake.add_user("alice")
    # WHEN
    with pytest.raises(mfa.HandlerError) as raised:
        cognito.apply_settings(as_client(fake), request_, deadline()[0])
    # THEN no mutating call was made
    assert str(raised.value) == reason
    assert names(fake) == ["AdminGetUser"]


@pytest.mark.parametrize(
    ("setup", "cleared"),
    [
        pytest.param(lambda fake: fake.add_user("alice", [SMS.to_properties()]), True, id="present"),
        pytest.param(lambda fake: None, False, id="user-gone"),
    ],
)
def test_clear_settings_succeeds_whether_or_not_user_exists(
    setup: Callable[[FakeCognito], None], cleared: bool
) -> None:
    # GIVEN
    fake = FakeCognito()
    setup(fake)
    # WHEN
    result = cognito.clear_settings(as_client(fake), mfa.UserRef(POOL, "alice"))
    # THEN one call either way
    assert result is cleared
    assert names(fake) == ["AdminSetUserSettings"]


def test_clear_settings_succeeds_when_pool_gone() -> None:
    # GIVEN / WHEN
    fake = FakeCognito()
    result = cognito.clear_settings(as_client(fake), mfa.UserRef("us-east-1_Gone", "alice"))
    # THEN
    assert result is False


def test_clear_settings_raises_on_other_errors() -> None:
    # GIVEN a persistent internal error
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminSetUserSettings"] = ["InternalErrorException"]
    # WHEN
    with pytest.raises(mfa.HandlerError) as raised:
        cognito.clear_settings(as_client(fake), mfa.UserRef(POOL, "alice"))
    # THEN
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminSetUserSettings failed (InternalErrorException: InternalErrorException "
        "message)"
    )


def test_clear_settings_fails_at_once_when_access_denied() -> None:
    # GIVEN a Delete the role is not allowed to make (e.g. cleanup in a pool the stack no longer grants)
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminSetUserSettings"] = ["AccessDeniedException"]
    # WHEN
    with pytest.raises(mfa.HandlerError) as raised:
        cognito.clear_settings(as_client(fake), mfa.UserRef(POOL, "alice"))
    # THEN one call, no retry budget spent
    assert names(fake) == ["AdminSetUserSettings"]
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminSetUserSettings denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminSetUserSettings"
    )
