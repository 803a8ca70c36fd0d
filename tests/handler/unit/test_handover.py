"""The hand-over decision (cognito_sms_mfa_lambda.handover): who holds a physical id, and when to stop asking."""

from __future__ import annotations

import pytest

from cognito_sms_mfa_lambda import handover

ID = "cognito-sms-mfa:us-east-1_X:alice"


def summary(logical_id: str, status: str, physical_id: str | None = ID) -> dict[str, str]:
    item = {"LogicalResourceId": logical_id, "ResourceType": "Custom::X", "ResourceStatus": status}
    if physical_id is not None:
        item["PhysicalResourceId"] = physical_id
    return item


@pytest.mark.parametrize(
    "status",
    ["CREATE_COMPLETE", "CREATE_IN_PROGRESS", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"],
)
def test_held_elsewhere_when_another_live_resource_has_the_id(status: str) -> None:
    # GIVEN the renamed resource holding the same id, in a status that is not a DELETE status
    summaries = [summary("AliceMfa", "DELETE_IN_PROGRESS"), summary("Alice", status)]
    # WHEN / THEN the Delete of the old logical id must hand over
    assert handover.held_elsewhere(summaries, "AliceMfa", ID) is True


@pytest.mark.parametrize(
    "others",
    [
        pytest.param([], id="only-itself"),
        pytest.param([summary("Alice", "DELETE_IN_PROGRESS")], id="other-being-deleted"),
        pytest.param([summary("Alice", "DELETE_COMPLETE")], id="other-deleted"),
        pytest.param([summary("Alice", "DELETE_FAILED")], id="other-delete-failed"),
        pytest.param([summary("Bob", "CREATE_COMPLETE", ID + "x")], id="other-id"),
        pytest.param([summary("Carol", "CREATE_IN_PROGRESS", None)], id="no-id-yet"),
    ],
)
def test_not_held_elsewhere_when_no_other_live_resource_has_the_id(others: list[dict[str, str]]) -> None:
    # GIVEN the stack's resources (the request's own logical id always holds the id)
    summaries = [summary("AliceMfa", "DELETE_IN_PROGRESS"), *others]
    # WHEN / THEN the Delete clears
    assert handover.held_elsewhere(summaries, "AliceMfa", ID) is False


def test_not_held_elsewhere_by_own_logical_id_after_replacement() -> None:
    # GIVEN an Update that moved the resource to bob: its logical id now holds bob's id, in UPDATE_COMPLETE
    summaries = [summary("AliceMfa", "UPDATE_COMPLETE", "cognito-sms-mfa:us-east-1_X:bob")]
    # WHEN the cleanup Delete of alice's old id asks / THEN nobody else holds it: alice is cleared
    assert handover.held_elsewhere(summaries, "AliceMfa", ID) is False


@pytest.mark.parametrize(
    ("elapsed_s", "remaining_s", "allowed"),
    [
        pytest.param(0.0, 120.0, True, id="fresh"),
        pytest.param(29.9, 90.1, True, id="just-inside"),
        pytest.param(30.0, 90.0, False, id="budget-spent"),
        pytest.param(0.0, 30.0, False, id="reserve-reached"),
        pytest.param(0.0, 20.0, False, id="little-time-left"),
    ],
)
def test_may_ask_within_budget_and_reserve(elapsed_s: float, remaining_s: float, allowed: bool) -> None:
    # GIVEN the time spent on the request and the Lambda time left
    # WHEN / THEN another page is asked for only inside the lookup budget and above the reserve
    assert handover.may_ask(elapsed_s, remaining_s) is allowed
