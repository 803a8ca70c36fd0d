"""The retry budgets and backoff arithmetic (cognito_sms_mfa_lambda.retry) that every Cognito call goes through."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda import pacing, retry
from cognito_sms_mfa_lambda.errors import HandlerError


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
    assert retry.may_retry_access_denied(elapsed, remaining) is allowed


@pytest.mark.parametrize(
    ("code", "status", "transient"),
    [
        pytest.param("TooManyRequestsException", 400, True, id="throttled"),
        pytest.param("InternalErrorException", 500, True, id="internal"),
        pytest.param("ServiceUnavailable", 503, True, id="unavailable"),
        pytest.param("InvalidParameterException", 400, False, id="bad-input"),
        pytest.param("AccessDeniedException", 400, False, id="denied"),
        pytest.param("SlowDown", 503, True, id="s3-slow-down"),
        pytest.param("RequestTimeout", 400, True, id="s3-request-timeout"),
        pytest.param("ThrottlingException", 400, True, id="secrets-manager-throttled"),
    ],
)
def test_is_transient_covers_throttling_and_5xx(code: str, status: int, transient: bool) -> None:
    assert retry.is_transient(code, status) is transient


def test_transient_pause_is_jitter_fraction_of_doubling_ceiling_capped_at_4_s() -> None:
    # GIVEN / WHEN / THEN
    assert [retry.transient_pause_s(n, 1.0) for n in range(1, 8)] == [0.2, 0.4, 0.8, 1.6, 3.2, 4.0, 4.0]
    assert retry.transient_pause_s(3, 0.25) == 0.2
    assert retry.transient_pause_s(10_000, 1.0) == 4.0


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
    assert retry.may_retry_transient(remaining, pause) is allowed


def test_backoff_doubles_up_to_cap() -> None:
    # GIVEN / WHEN / THEN
    assert [retry.backoff_s(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


def _client_error(code: str, status: int) -> Exception:
    from botocore.exceptions import ClientError

    response: Any = {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "Op")


@pytest.mark.parametrize(
    ("code", "status", "out_of_time"),
    [
        pytest.param("TooManyRequestsException", 400, True, id="throttled"),
        pytest.param("InternalErrorException", 500, True, id="5xx"),
        pytest.param("InvalidParameterException", 400, False, id="for-good"),
    ],
)
def test_a_call_ended_by_the_time_left_says_so(code: str, status: int, out_of_time: bool) -> None:
    # GIVEN less time than the reserve: no retry fits
    deadline = retry.Deadline(0.0, lambda: pacing.RESERVE_S - 1, sleep=lambda _s: None, clock=lambda: 0.0)
    subject = _Subject("eu-west-1_AbC123", "alice")

    def send() -> None:
        raise _client_error(code, status)

    # WHEN the call fails
    with pytest.raises(HandlerError) as failed:
        retry.call("AdminGetUser", subject, deadline, send)
    # THEN a transient error is marked as ended by the time (it may succeed with more), another is not
    assert failed.value.out_of_time is out_of_time


@pytest.mark.parametrize(
    ("code", "status", "gone", "attempts"),
    [
        pytest.param("AccessDeniedException", 400, False, 3, id="cognito-or-secrets-manager"),
        pytest.param("AccessDenied", 403, False, 3, id="s3-get-object"),
        pytest.param("AccessDenied", 403, True, 1, id="not-on-delete"),
    ],
)
def test_a_denial_right_after_a_grant_is_retried_whatever_the_service_calls_it(
    code: str, status: int, gone: bool, attempts: int
) -> None:
    # GIVEN a call denied twice, then allowed (the policy propagated), with time to spare
    deadline = retry.Deadline(0.0, lambda: 100.0, sleep=lambda _s: None, clock=lambda: 0.0)
    sent: list[int] = []

    def send() -> str:
        sent.append(1)
        if len(sent) < 3:
            raise _client_error(code, status)
        return "ok"

    # WHEN it is made (as a Create/Update does, or as a Delete's undoing call)
    try:
        answer = retry.call("GetObject", _Subject("eu-west-1_AbC123", "alice"), deadline, send, gone=gone)
    except HandlerError:
        answer = "denied"
    # THEN Create/Update retry it until it answers; a Delete answers at once
    assert len(sent) == attempts
    assert answer == ("denied" if gone else "ok")


class _Subject:
    def __init__(self, user_pool_id: str, username: str) -> None:
        self.user_pool_id, self.username = user_pool_id, username
