"""CloudFormation's ListStackResources, answered from the emulator's record of a deployment.

Each test pins a behaviour of the real service the handler relies on (botocore's cloudformation model,
query protocol): ``StackName`` takes the stack id, answers are paginated with ``NextToken``, a resource
without a physical id yet has no ``PhysicalResourceId``, an unknown stack answers ``ValidationError``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_emulator.stacks import PAGE_SIZE, StackResource
from tests.emulator.conftest import NO_RETRIES

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from tests.emulator.conftest import Http

STACK_ID = "arn:aws:cloudformation:us-east-1:123456789012:stack/Test/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
TYPE = "Custom::CognitoUserSmsMfaSettings"


@pytest.fixture
def cloudformation(emulator: CognitoEmulator, session: boto3.session.Session) -> Any:
    return session.client("cloudformation", endpoint_url=emulator.endpoint, config=NO_RETRIES)


def test_list_stack_resources_answers_recorded_resources(emulator: CognitoEmulator, cloudformation: Any) -> None:
    """Emulator contract: StackResourceSummaries hold each recorded logical id, physical id, type and status."""
    # GIVEN two recorded resources, one of them being created (no physical id yet)
    emulator.record_resource(STACK_ID, StackResource("AliceMfa", "id-<&>", TYPE, "CREATE_COMPLETE"))
    emulator.record_resource(STACK_ID, StackResource("Bob", "", TYPE, "CREATE_IN_PROGRESS"))
    # WHEN CloudFormation is asked about the stack
    answer = cloudformation.list_stack_resources(StackName=STACK_ID)
    # THEN both come back in order, XML special characters intact, and there is no next page
    summaries = [
        (s["LogicalResourceId"], s.get("PhysicalResourceId"), s["ResourceType"], s["ResourceStatus"])
        for s in answer["StackResourceSummaries"]
    ]
    assert summaries == [("AliceMfa", "id-<&>", TYPE, "CREATE_COMPLETE"), ("Bob", None, TYPE, "CREATE_IN_PROGRESS")]
    assert "NextToken" not in answer


def test_list_stack_resources_records_latest_status_per_logical_id(
    emulator: CognitoEmulator, cloudformation: Any
) -> None:
    # GIVEN a resource recorded as created, then as being deleted
    emulator.record_resource(STACK_ID, StackResource("AliceMfa", "id-1", TYPE, "CREATE_COMPLETE"))
    emulator.record_resource(STACK_ID, StackResource("AliceMfa", "id-1", TYPE, "DELETE_IN_PROGRESS"))
    # WHEN listed
    answer = cloudformation.list_stack_resources(StackName=STACK_ID)
    # THEN one summary with the latest status
    assert [s["ResourceStatus"] for s in answer["StackResourceSummaries"]] == ["DELETE_IN_PROGRESS"]


def test_list_stack_resources_paginates(emulator: CognitoEmulator, cloudformation: Any) -> None:
    """Emulator contract: pages of at most 100 summaries, linked by NextToken."""
    # GIVEN more resources than one page holds
    for index in range(PAGE_SIZE + 5):
        emulator.record_resource(STACK_ID, StackResource(f"R{index}", f"id-{index}", TYPE, "CREATE_COMPLETE"))
    # WHEN every page is read with botocore's paginator
    pages = list(cloudformation.get_paginator("list_stack_resources").paginate(StackName=STACK_ID))
    # THEN two pages, every resource once
    assert [len(p["StackResourceSummaries"]) for p in pages] == [PAGE_SIZE, 5]
    listed = [s["LogicalResourceId"] for p in pages for s in p["StackResourceSummaries"]]
    assert listed == [f"R{index}" for index in range(PAGE_SIZE + 5)]


def test_list_stack_resources_fails_for_unknown_stack(emulator: CognitoEmulator, cloudformation: Any) -> None:
    """Emulator contract: a stack that does not exist answers 400 ValidationError."""
    # GIVEN a recorded stack that is then forgotten
    emulator.record_resource(STACK_ID, StackResource("AliceMfa", "id-1", TYPE, "CREATE_COMPLETE"))
    emulator.forget_stack(STACK_ID)
    # WHEN / THEN
    with pytest.raises(ClientError) as excinfo:
        cloudformation.list_stack_resources(StackName=STACK_ID)
    assert excinfo.value.response["Error"]["Code"] == "ValidationError"
    assert excinfo.value.response["Error"]["Message"] == f"Stack with id {STACK_ID} does not exist"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_other_cloudformation_actions_fail(emulator: CognitoEmulator, cloudformation: Any) -> None:
    # GIVEN / WHEN an action the emulator does not serve (a write)
    with pytest.raises(ClientError) as excinfo:
        cloudformation.delete_stack(StackName=STACK_ID)
    # THEN it says what it serves
    assert excinfo.value.response["Error"]["Message"] == (
        "the local emulator serves CloudFormation's DescribeStacks, GetTemplate, ListStackResources only;"
        " Action was 'DeleteStack'"
    )


def test_get_template_and_describe_stacks_answer_the_recorded_stack(
    emulator: CognitoEmulator, cloudformation: Any
) -> None:
    """Emulator contract: GetTemplate answers the recorded template (botocore parses TemplateBody into a dict),
    DescribeStacks the parameter values; StackName takes the id or the name in it."""
    # GIVEN a stack recorded with a template and a parameter holding XML special characters
    template = {"Parameters": {"PoolId": {"Type": "String"}}, "Resources": {"A": {"Type": TYPE, "Properties": {}}}}
    emulator.record_stack(STACK_ID, template, {"PoolId": "us-east-1_<&>"})
    # WHEN asked by id and by name
    by_id = cloudformation.get_template(StackName=STACK_ID)
    by_name = cloudformation.describe_stacks(StackName="Test")
    # THEN
    assert by_id["TemplateBody"] == template
    [stack] = by_name["Stacks"]
    assert (stack["StackName"], stack["StackId"]) == ("Test", STACK_ID)
    assert stack["Parameters"] == [{"ParameterKey": "PoolId", "ParameterValue": "us-east-1_<&>"}]


def test_get_template_fails_for_a_stack_recorded_without_one(emulator: CognitoEmulator, cloudformation: Any) -> None:
    # GIVEN a stack with resources only
    emulator.record_resource(STACK_ID, StackResource("A", "id-1", TYPE, "CREATE_COMPLETE"))
    # WHEN / THEN GetTemplate says how to record one, DescribeStacks answers no parameters
    with pytest.raises(ClientError) as excinfo:
        cloudformation.get_template(StackName=STACK_ID)
    assert "record it with record_stack" in excinfo.value.response["Error"]["Message"]
    assert cloudformation.describe_stacks(StackName=STACK_ID)["Stacks"][0].get("Parameters", []) == []


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        ("AccessDeniedException", "AccessDenied", 403),
        ("TooManyRequestsException", "Throttling", 400),
        ("InternalErrorException", "InternalFailure", 500),
    ],
)
def test_cloudformation_actions_take_injected_faults_unrecorded(
    emulator: CognitoEmulator, cloudformation: Any, error: str, code: str, status: int
) -> None:
    """Emulator contract: a fault injected for a CloudFormation action is answered in CloudFormation's words."""
    # GIVEN a recorded stack and a fault for GetTemplate
    emulator.record_stack(STACK_ID, {"Resources": {}}, {})
    emulator.inject("GetTemplate", error)
    # WHEN asked twice
    with pytest.raises(ClientError) as excinfo:
        cloudformation.get_template(StackName=STACK_ID)
    second = cloudformation.get_template(StackName=STACK_ID)
    # THEN the first answers the fault, the second the template; neither is among the calls
    assert excinfo.value.response["Error"]["Code"] == code
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    if status == 403:
        assert "cloudformation:GetTemplate" in excinfo.value.response["Error"]["Message"]
    assert second["TemplateBody"] == {"Resources": {}}
    assert emulator.calls() == []


def test_post_stacks_records_over_http(emulator: CognitoEmulator, http: Http, cloudformation: Any) -> None:
    """Emulator contract: POST /_emulator/stacks is record_stack(stack_id, template, parameters)."""
    # GIVEN / WHEN a stack posted over HTTP, and one with a bad body
    answer = http("POST", "/_emulator/stacks", {"stack_id": STACK_ID, "template": {"Resources": {}}, "parameters": {}})
    bad = http("POST", "/_emulator/stacks", {"stack_id": STACK_ID, "template": [], "parameters": {}})
    # THEN the first is served, the second refused naming the field
    assert answer.status == 200
    assert cloudformation.get_template(StackName=STACK_ID)["TemplateBody"] == {"Resources": {}}
    assert (bad.status, bad.body) == (400, {"message": "template must be a JSON object; received []"})


def test_post_stack_resources_records_over_http(emulator: CognitoEmulator, http: Http) -> None:
    """Emulator contract: POST /_emulator/stack-resources is record_resource(stack_id, StackResource(...))."""
    # GIVEN a resource posted over HTTP
    body = {"stack_id": STACK_ID, "logical_id": "A", "physical_id": "id-1", "resource_type": TYPE, "status": "X"}
    answer = http("POST", "/_emulator/stack-resources", body)
    # WHEN the record is read back, over HTTP and through the Python API
    listed = http("GET", f"/_emulator/stack-resources?stack_id={STACK_ID}")
    # THEN
    assert (answer.status, listed.status) == (200, 200)
    assert listed.body == {"resources": [{k: v for k, v in body.items() if k != "stack_id"}]}
    assert emulator.stack_resources(STACK_ID) == [StackResource("A", "id-1", TYPE, "X")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param({"logical_id": "A"}, "stack_id must be a non-empty string; received None", id="no-stack"),
        pytest.param(
            {"stack_id": "s", "logical_id": "A", "physical_id": "p", "resource_type": "T"},
            "status must be a non-empty string; received None",
            id="no-status",
        ),
        pytest.param(
            {"stack_id": "s", "logical_id": "", "physical_id": "p", "resource_type": "T", "status": "S"},
            "logical_id must be a non-empty string; received ''",
            id="empty-logical-id",
        ),
    ],
)
def test_post_stack_resources_rejects_bad_body(http: Http, body: dict[str, str], message: str) -> None:
    # GIVEN / WHEN a resource missing a field
    answer = http("POST", "/_emulator/stack-resources", body)
    # THEN 400 with the field named
    assert (answer.status, answer.body) == (400, {"message": message})


def test_reset_forgets_recorded_stacks(emulator: CognitoEmulator) -> None:
    # GIVEN a recorded stack
    emulator.record_resource(STACK_ID, StackResource("A", "id-1", TYPE, "CREATE_COMPLETE"))
    # WHEN / THEN
    emulator.reset()
    assert emulator.stack_resources(STACK_ID) is None


def test_describe_stacks_answers_the_status_set(emulator: CognitoEmulator, http: Http, cloudformation: Any) -> None:
    """Emulator contract: DescribeStacks answers CREATE_COMPLETE until a status is set (set_stack_status or
    POST /_emulator/stack-status), then the status set; a bad body is refused naming the field."""
    # GIVEN a recorded stack
    emulator.record_stack(STACK_ID, {"Resources": {}}, {})
    before = cloudformation.describe_stacks(StackName=STACK_ID)["Stacks"][0]["StackStatus"]
    # WHEN its status is set through the Python API, then over HTTP
    emulator.set_stack_status(STACK_ID, "UPDATE_ROLLBACK_IN_PROGRESS")
    during = cloudformation.describe_stacks(StackName=STACK_ID)["Stacks"][0]["StackStatus"]
    answer = http("POST", "/_emulator/stack-status", {"stack_id": STACK_ID, "status": "UPDATE_ROLLBACK_COMPLETE"})
    bad = http("POST", "/_emulator/stack-status", {"stack_id": STACK_ID, "status": 3})
    # THEN each answer is the status set last
    assert (before, during) == ("CREATE_COMPLETE", "UPDATE_ROLLBACK_IN_PROGRESS")
    assert answer.status == 200
    assert cloudformation.describe_stacks(StackName=STACK_ID)["Stacks"][0]["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert (bad.status, bad.body) == (400, {"message": "status must be a non-empty string; received 3"})
