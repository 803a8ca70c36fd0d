"""Rows for integ-tests' assertions (``Custom::DeployAssert@...``): listed as not run, counted at the end of the
closing line, and never the reason for an exit status (the stack under test decides it)."""

from __future__ import annotations

import pytest

from cognito_sms_mfa_rehearsal.report import INTEG_ASSERTION, NOT_REHEARSED, Outcome, exit_status, summary
from tests.rehearsal.test_report_and_order import SMS, outcome

ASSERTION = outcome(INTEG_ASSERTION, "NOT REHEARSED")


def test_integ_assertion_row_is_not_run() -> None:
    # GIVEN / WHEN / THEN
    assert ASSERTION.verdict == "not run"
    assert not ASSERTION.ok


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([outcome("create", desired=SMS, read_back=SMS), ASSERTION], 0),
        ([ASSERTION], 3),
        ([outcome("create", desired=SMS, read_back=SMS), outcome(NOT_REHEARSED, "NOT REHEARSED"), ASSERTION], 3),
        ([outcome("create", "FAILED"), ASSERTION], 1),
    ],
    ids=["ok-with-assertions", "only-assertions", "skipped-with-assertions", "failed-with-assertions"],
)
def test_integ_assertions_leave_the_exit_status_to_the_requests(rows: list[Outcome], expected: int) -> None:
    # GIVEN / WHEN / THEN
    assert exit_status(rows) == expected


def test_summary_counts_integ_assertions_after_the_requests() -> None:
    # GIVEN one request ok and two assertions
    rows = [outcome("create", desired=SMS, read_back=SMS), ASSERTION, ASSERTION]
    # WHEN / THEN
    assert summary(rows, 1.0) == (
        "1 request in 1.0 s: all requests succeeded and every user holds the desired options;"
        " 2 integ assertions not run (integ-runner runs them after a deploy)"
    )
    assert summary([ASSERTION], 1.0).startswith("0 requests in 1.0 s: nothing to rehearse")
