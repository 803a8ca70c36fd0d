"""The pure decisions of cognito_sms_mfa_lambda.responder: which events can be served, and the fallback id."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda.responder import event_problem, fallback_physical_id

GOOD: dict[str, Any] = {
    "RequestType": "Create",
    "ResponseURL": "https://example.com/response",
    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/S/1",
    "RequestId": "0a1b2c3d-aaaa-bbbb-cccc-000000000001",
    "LogicalResourceId": "AliceMfa",
}


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        pytest.param(GOOD, None, id="good"),
        pytest.param([], "the event must be an object; received list", id="not-object"),
        pytest.param({**GOOD, "StackId": None}, "StackId is missing from the event", id="no-stack"),
        pytest.param({**GOOD, "ResponseURL": ""}, "ResponseURL is missing from the event", id="empty-url"),
        pytest.param(
            {**GOOD, "RequestType": "Rename"},
            "RequestType must be one of Create, Update, Delete; received 'Rename'",
            id="request-type",
        ),
    ],
)
def test_event_problem_names_first_missing_or_bad_field(event: object, problem: str | None) -> None:
    assert event_problem(event) == problem


@pytest.mark.parametrize(
    ("event", "physical_id"),
    [
        pytest.param({**GOOD, "RequestType": "Update", "PhysicalResourceId": "x:y"}, "x:y", id="update-keeps-id"),
        pytest.param(GOOD, "cognito-sms-mfa-failed-0a1b2c3d-aaaa-bbbb-cccc-000000000001", id="create"),
        pytest.param({**GOOD, "RequestId": "a/b c:" + "d" * 100}, "cognito-sms-mfa-failed-abc" + "d" * 61, id="odd"),
        pytest.param({**GOOD, "RequestId": None}, "cognito-sms-mfa-failed-unknown", id="no-request-id"),
        pytest.param("not an event", "cognito-sms-mfa-failed-unknown", id="not-object"),
    ],
)
def test_fallback_physical_id_is_event_id_or_well_formed_id_not_ours(event: object, physical_id: str) -> None:
    assert fallback_physical_id(event) == physical_id
