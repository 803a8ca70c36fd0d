"""The settings' Cognito calls (cognito_sms_mfa_lambda.settings, through the retries of cognito_sms_mfa_lambda.retry)
against an in-memory fake that raises botocore's ClientError."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_lambda import settings, user_lookup
from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.retry import Deadline
from cognito_sms_mfa_lambda.rules import MfaOption
from cognito_sms_mfa_lambda.settings_decisions import MfaRequest

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

POOL = "us-east-1_Example1"
SMS = MfaOption("SMS", "phone_number")


def client_error(code: str, operation: str) -> ClientError:
    status = 500 if code == "InternalErrorException" else 400
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} message"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


class FakeCognito:
    """Users by lower-cased name (a case-insensitive pool); queued errors per operation."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.errors: dict[str, list[str]] = {}
        # Writes that are applied and then answered with this error (a 5xx after the change was made).
        self.errors_after_write: list[str] = []
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

    def describe_user_pool(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("DescribeUserPool", kwargs))
        return {"UserPool": {"Id": kwargs["UserPoolId"], "UsernameConfiguration": {"CaseSensitive": False}}}

    def admin_set_user_settings(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("AdminSetUserSettings", kwargs))
        self._next_error("AdminSetUserSettings")
        if kwargs["UserPoolId"] != POOL:
            raise client_error("ResourceNotFoundException", "AdminSetUserSettings")
        user = self.users.get(kwargs["Username"].lower())
        if user is None:
            raise client_error("UserNotFoundException", "AdminSetUserSettings")
        user["MFAOptions"] = kwargs["MFAOptions"]
        if self.errors_after_write:
            raise client_error(self.errors_after_write.pop(0), "AdminSetUserSettings")
        return {}


def as_client(fake: FakeCognito) -> CognitoIdentityProviderClient:
    return cast("CognitoIdentityProviderClient", fake)


def deadline(remaining_s: float = 100.0, jitter: float = 0.5) -> tuple[Deadline, list[float]]:
    slept: list[float] = []
    clock = iter(float(n) for n in range(10_000))
    return Deadline(0.0, lambda: remaining_s, slept.append, lambda: next(clock), lambda: jitter), slept


def names(fake: FakeCognito) -> list[str]:
    return [name for name, _ in fake.calls]


def test_apply_settings_writes_with_canonical_username() -> None:
    # GIVEN a user stored as "Alice", addressed as "ALICE"
    fake = FakeCognito()
    fake.add_user("Alice")
    # WHEN
    applied = settings.apply_settings(as_client(fake), MfaRequest(POOL, "ALICE", (SMS,)), deadline()[0])
    # THEN the write names the canonical user
    assert applied == settings.Applied(UserRef(POOL, "Alice"), written=True)
    assert fake.calls[1] == (
        "AdminSetUserSettings",
        {"UserPoolId": POOL, "Username": "Alice", "MFAOptions": [SMS.to_properties()]},
    )


def test_apply_settings_skips_write_when_already_desired() -> None:
    # GIVEN a user that already has exactly the desired options
    fake = FakeCognito()
    fake.add_user("alice", [SMS.to_properties()])
    # WHEN
    applied = settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), deadline()[0])
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
    applied = settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), clock)
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
    with pytest.raises(HandlerError) as raised:
        settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), clock)
    # THEN no pause, no write, and the reason names what the role lacks
    assert slept == []
    assert names(fake) == ["AdminGetUser"]
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminGetUser denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminGetUser"
    )


@pytest.mark.parametrize(
    ("request_", "reason", "calls"),
    [
        pytest.param(
            MfaRequest(POOL, "nobody", (SMS,)),
            "Username 'nobody' is not a user of pool us-east-1_Example1 (AdminGetUser: UserNotFoundException)",
            ["AdminGetUser", "DescribeUserPool"],  # whether the pool is case-sensitive (it is not: no hint)
            id="missing-user",
        ),
        pytest.param(
            MfaRequest("us-east-1_Gone", "alice", (SMS,)),
            "UserPoolId us-east-1_Gone is not a user pool in this account and Region (AdminGetUser: "
            "ResourceNotFoundException)",
            ["AdminGetUser"],
            id="missing-pool",
        ),
    ],
)
def test_apply_settings_fails_when_target_missing(request_: MfaRequest, reason: str, calls: list[str]) -> None:
    # GIVEN
    fake = FakeCognito()
    fake.add_user("alice")
    # WHEN
    with pytest.raises(HandlerError) as raised:
        settings.apply_settings(as_client(fake), request_, deadline()[0])
    # THEN no mutating call was made
    assert str(raised.value) == reason
    assert names(fake) == calls


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
    result = settings.clear_settings(as_client(fake), UserRef(POOL, "alice"), deadline()[0])
    # THEN one call either way
    assert result is cleared
    assert names(fake) == ["AdminSetUserSettings"]


def test_clear_settings_succeeds_when_pool_gone() -> None:
    # GIVEN / WHEN
    fake = FakeCognito()
    result = settings.clear_settings(as_client(fake), UserRef("us-east-1_Gone", "alice"), deadline()[0])
    # THEN
    assert result is False


def test_clear_settings_raises_on_other_errors() -> None:
    # GIVEN an internal error, with no time left for a retry
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminSetUserSettings"] = ["InternalErrorException"]
    # WHEN
    with pytest.raises(HandlerError) as raised:
        settings.clear_settings(as_client(fake), UserRef(POOL, "alice"), deadline(remaining_s=30.0)[0])
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
    with pytest.raises(HandlerError) as raised:
        settings.clear_settings(as_client(fake), UserRef(POOL, "alice"), deadline()[0])
    # THEN one call, no retry budget spent
    assert names(fake) == ["AdminSetUserSettings"]
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminSetUserSettings denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminSetUserSettings"
    )


def test_apply_settings_retries_throttling_with_full_jitter_backoff_beyond_three_attempts() -> None:
    # GIVEN five throttled reads and two throttled writes, and a jitter draw of one half
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminGetUser"] = ["TooManyRequestsException"] * 5
    fake.errors["AdminSetUserSettings"] = ["TooManyRequestsException"] * 2
    clock, slept = deadline(jitter=0.5)
    # WHEN
    applied = settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), clock)
    # THEN every throttle was retried after half of the doubling ceiling
    assert applied.written
    assert slept == [0.1, 0.2, 0.4, 0.8, 1.6, 0.1, 0.2]
    assert names(fake) == ["AdminGetUser"] * 6 + ["AdminSetUserSettings"] * 3


def test_apply_settings_stops_retrying_throttling_while_time_to_answer_remains() -> None:
    # GIVEN endless throttling and 31 s of Lambda time (1 s above the reserve), full jitter draws
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminGetUser"] = ["TooManyRequestsException"] * 100
    clock, slept = deadline(remaining_s=31.0, jitter=1.0)
    # WHEN
    with pytest.raises(HandlerError) as raised:
        settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), clock)
    # THEN pauses of 0.2, 0.4 and 0.8 s fit, 1.6 s would not
    assert slept == [0.2, 0.4, 0.8]
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminGetUser failed (TooManyRequestsException: TooManyRequestsException "
        "message)"
    )


def test_apply_settings_succeeds_when_read_back_shows_write_applied_despite_error() -> None:
    # GIVEN a write that is applied but answered with HTTP 500, and no time left for a retry
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors_after_write = ["InternalErrorException"]
    # WHEN
    applied = settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), deadline(remaining_s=30.0)[0])
    # THEN the user was read back and holds the desired options
    assert applied == settings.Applied(UserRef(POOL, "alice"), written=True, read_back=True)
    assert names(fake) == ["AdminGetUser", "AdminSetUserSettings", "AdminGetUser"]


def test_apply_settings_fails_with_usual_id_when_read_back_shows_user_unchanged() -> None:
    # GIVEN a write answered with HTTP 500 before it was applied, and no time left for a retry
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors["AdminSetUserSettings"] = ["InternalErrorException"]
    # WHEN
    with pytest.raises(HandlerError) as raised:
        settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), deadline(remaining_s=30.0)[0])
    # THEN FAILED with no id of ours: the user is as before, there is nothing for a rollback to undo
    assert raised.value.physical_id is None
    assert fake.users["alice"]["MFAOptions"] == []
    assert names(fake) == ["AdminGetUser", "AdminSetUserSettings", "AdminGetUser"]


def test_apply_settings_fails_with_own_id_when_outcome_cannot_be_read_back() -> None:
    # GIVEN a write applied but answered with HTTP 500, then a read-back that fails too
    fake = FakeCognito()
    fake.add_user("alice")
    fake.errors_after_write = ["InternalErrorException"]
    clock, _ = deadline(remaining_s=30.0)
    original_get = fake.admin_get_user
    reads = iter([original_get, None])

    def get_then_fail(**kwargs: Any) -> dict[str, Any]:
        first = next(reads)
        if first is None:
            raise client_error("InternalErrorException", "AdminGetUser")
        return first(**kwargs)

    fake.admin_get_user = get_then_fail  # type: ignore[method-assign]
    # WHEN
    with pytest.raises(HandlerError) as raised:
        settings.apply_settings(as_client(fake), MfaRequest(POOL, "alice", (SMS,)), clock)
    # THEN FAILED carrying alice's own id, so the rollback Delete of a Create clears what may have been written
    assert raised.value.physical_id == f"cognito-sms-mfa:{POOL}:alice"
    assert str(raised.value) == (
        "UserPoolId us-east-1_Example1: AdminSetUserSettings failed (InternalErrorException: InternalErrorException "
        "message) (the options may have changed)"
    )


def test_clear_settings_retries_throttling() -> None:
    # GIVEN a Delete in a crowd: three throttled writes
    fake = FakeCognito()
    fake.add_user("alice", [SMS.to_properties()])
    fake.errors["AdminSetUserSettings"] = ["TooManyRequestsException"] * 3
    clock, slept = deadline(jitter=1.0)
    # WHEN
    cleared = settings.clear_settings(as_client(fake), UserRef(POOL, "alice"), clock)
    # THEN
    assert cleared
    assert slept == [0.2, 0.4, 0.8]
    assert fake.users["alice"]["MFAOptions"] == []


@pytest.mark.parametrize(
    ("answer", "username", "hinted"),
    [
        pytest.param({"UserPool": {}}, "frank", True, id="no-username-configuration-is-case-sensitive"),
        pytest.param({"UserPool": {"UsernameConfiguration": {"CaseSensitive": True}}}, "Frank", True, id="sensitive"),
        pytest.param(
            {"UserPool": {"UsernameConfiguration": {"CaseSensitive": False}}}, "frank", False, id="insensitive"
        ),
        pytest.param({"UserPool": {}}, "+15555550199", False, id="no-letters"),
    ],
)
def test_the_not_found_hint_says_usernames_are_case_sensitive_only_where_letters_and_the_pool_make_it_true(
    answer: dict[str, Any], username: str, hinted: bool
) -> None:
    reason = "Username 'x' is not a user of pool p (AdminGetUser: UserNotFoundException)"
    sensitive = user_lookup.case_sensitive(answer) if user_lookup.has_letter_case(username) else None
    assert user_lookup.with_case_hint(reason, sensitive) == (f"{reason}; {user_lookup.CASE_HINT}" if hinted else reason)
