"""The hand-over decision (cognito_sms_mfa_lambda.handover): who holds a physical id, and when to stop asking."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_lambda import handover
from cognito_sms_mfa_lambda.resource import Request
from cognito_sms_mfa_lambda.retry import Deadline

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


class ThrottledCloudFormation:
    """A CloudFormation client whose first ``throttles`` calls answer ``Throttling``, then one page."""

    def __init__(self, throttles: int, summaries: list[dict[str, str]]) -> None:
        self.throttles = throttles
        self.summaries = summaries
        self.calls = 0

    def list_stack_resources(self, **_: str) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.throttles:
            answer: Any = {"Error": {"Code": "Throttling", "Message": "Rate exceeded"}}
            answer["ResponseMetadata"] = {"HTTPStatusCode": 400}
            raise ClientError(
                answer,
                "ListStackResources",
            )
        return {"StackResourceSummaries": self.summaries}

    def describe_stacks(self, **_: str) -> dict[str, Any]:
        self.list_stack_resources()  # the same throttles, counted as calls
        return {"Stacks": [{"StackStatus": "UPDATE_ROLLBACK_IN_PROGRESS"}]}


def delete_request(cloudformation: ThrottledCloudFormation, remaining_s: float = 100.0) -> Request:
    clients = SimpleNamespace(client=lambda service: cloudformation)
    event = {"StackId": "arn:aws:cloudformation:us-east-1:1:stack/S/x", "LogicalResourceId": "AliceMfa"}
    deadline = Deadline(0.0, lambda: remaining_s, sleep=lambda _: None, clock=lambda: 0.0)
    return Request({**event, "PhysicalResourceId": ID}, cast("Any", clients), deadline)


def test_another_resource_holds_retries_cloudformation_throttling() -> None:
    # GIVEN CloudFormation throttles the first three questions, then lists the renamed resource holding the id
    cloudformation = ThrottledCloudFormation(
        3, [summary("AliceMfa", "DELETE_IN_PROGRESS"), summary("Alice", "CREATE_COMPLETE")]
    )
    # WHEN the Delete asks
    held = handover.another_resource_holds(delete_request(cloudformation))
    # THEN it asked again until answered, and hands over
    assert (held, cloudformation.calls) == (True, 4)


def test_another_resource_holds_cannot_tell_when_throttled_until_time_is_short() -> None:
    # GIVEN CloudFormation throttles every question and only 31 s of the Lambda's time remain
    cloudformation = ThrottledCloudFormation(1000, [])
    # WHEN the Delete asks / THEN it gives up without waiting into the reserve: cannot tell
    assert handover.another_resource_holds(delete_request(cloudformation, remaining_s=31.0)) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("UPDATE_ROLLBACK_IN_PROGRESS", True),
        ("ROLLBACK_IN_PROGRESS", True),
        ("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", True),
        ("UPDATE_IN_PROGRESS", False),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", False),
        ("CREATE_IN_PROGRESS", False),
        (None, False),
    ],
)
def test_is_rollback_only_for_the_statuses_that_replay_old_properties(status: str | None, expected: bool) -> None:
    assert handover.is_rollback(status) is expected


def test_stack_status_retries_throttling_then_answers_the_status() -> None:
    # GIVEN CloudFormation throttles the first two questions
    cloudformation = ThrottledCloudFormation(2, [])
    # WHEN the request asks for its stack's status / THEN it asked until answered
    assert handover.stack_status(delete_request(cloudformation)) == "UPDATE_ROLLBACK_IN_PROGRESS"
    assert cloudformation.calls == 3


def test_stack_status_is_unknown_when_cloudformation_keeps_refusing() -> None:
    # GIVEN CloudFormation throttles every question and the deadline allows no pause
    cloudformation = ThrottledCloudFormation(1000, [])
    # WHEN / THEN the status is unknown (None), not an error
    assert handover.stack_status(delete_request(cloudformation, remaining_s=0.0)) is None
