"""The retry budgets and backoff arithmetic (cognito_sms_mfa_lambda.retry) that every Cognito call goes through."""

from __future__ import annotations

import pytest

from cognito_sms_mfa_lambda import retry


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
