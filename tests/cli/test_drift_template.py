"""Which resources of a deployed stack the drift check reads, for which user, with which resolved properties."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_cli.drift_template import DeployedStack, Target, targets
from cognito_sms_mfa_lambda.manifest import ManifestLocation
from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)

POOL = "us-east-1_AbC123"
SUB = "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b"
STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/Users/7c9e6679-7425-40de-944b-e07fc1f90ae7"
SERVICE_TOKEN = {"Fn::GetAtt": ["Handler", "Arn"]}


def stack(resources: dict[str, Any], listed: list[dict[str, str]]) -> DeployedStack:
    return DeployedStack("Users", STACK_ID, {"Resources": resources}, listed)


def summary(logical_id: str, physical_id: str, kind: str, status: str = "CREATE_COMPLETE") -> dict[str, str]:
    return {"LogicalResourceId": logical_id, "PhysicalResourceId": physical_id, "ResourceType": kind,
            "ResourceStatus": status}  # fmt: skip


def settings(**properties: Any) -> dict[str, Any]:
    props = {"ServiceToken": SERVICE_TOKEN, "UserPoolId": {"Ref": "Pool"}, "Username": "alice", "MFAOptions": []}
    return {"Type": SETTINGS_RESOURCE_TYPE, "Properties": {**props, **properties}}


def one(
    resource: dict[str, Any],
    physical_id: str = f"cognito-sms-mfa:{POOL}:alice",
    parameters: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
) -> Target:
    """The target of one resource ``Mfa`` in a stack that also holds the pool ``Pool``."""
    listed = [summary("Pool", POOL, "AWS::Cognito::UserPool"), summary("Mfa", physical_id, resource["Type"])]
    template = {"Parameters": parameters or {}, "Resources": {"Mfa": resource}}
    [target] = targets(DeployedStack("Users", STACK_ID, template, listed, values or {}))
    return target


def test_settings_target_names_the_physical_ids_user_and_resolves_refs_to_resources() -> None:
    # GIVEN / WHEN a settings resource whose pool is a Ref to the stack's pool
    target = one(settings(MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]))
    # THEN the framework properties are left out, the Ref is the pool's physical id, scalars are strings
    assert target == Target(
        "Users", "Mfa", SETTINGS_RESOURCE_TYPE, POOL, "alice", None,
        {"UserPoolId": POOL, "Username": "alice", "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]},
    )  # fmt: skip


def test_parameters_resolve_from_describe_stacks_then_their_default() -> None:
    # GIVEN a nested stack's resource whose pool and username come from parameters (one with a default only)
    parameters = {"PoolParam": {"Type": "String"}, "NameParam": {"Type": "String", "Default": "alice"}}
    resource = settings(UserPoolId={"Ref": "PoolParam"}, Username={"Ref": "NameParam"})
    listed = [summary("Mfa", f"cognito-sms-mfa:{POOL}:alice", SETTINGS_RESOURCE_TYPE)]
    deployed = DeployedStack("P/Inner", STACK_ID, {"Parameters": parameters, "Resources": {"Mfa": resource}}, listed,
                             {"PoolParam": POOL})  # fmt: skip
    # WHEN / THEN
    [target] = targets(deployed)
    assert (target.properties["UserPoolId"], target.properties["Username"]) == (POOL, "alice")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"Fn::Join": ["", ["al", "ice"]]}, "alice", id="join"),
        pytest.param({"Fn::Select": [1, ["bob", "alice"]]}, "alice", id="select"),
        pytest.param({"Fn::Select": [0, {"Fn::Split": ["-", "alice-x"]}]}, "alice", id="split"),
        pytest.param({"Fn::Sub": "${AWS::Region}-${!Literal}"}, "eu-west-1-${Literal}", id="sub-pseudo"),
        pytest.param({"Fn::Sub": ["${Who}", {"Who": "alice"}]}, "alice", id="sub-variables"),
        pytest.param({"Ref": "AWS::AccountId"}, "123456789012", id="account"),
        pytest.param({"Ref": "AWS::StackName"}, "Users", id="stack-name"),
    ],
)
def test_intrinsics_resolve(value: Any, expected: str) -> None:
    # GIVEN / WHEN a test user's Email built by an intrinsic (a property the check reads)
    resource = {"Type": TEST_USER_RESOURCE_TYPE, "Properties": {"UserPoolId": POOL, "Username": "alice",
                "PhoneNumber": "+15555550100", "SmsMfaPreferred": True, "Email": value}}  # fmt: skip
    target = one(resource, f"cognito-test-user:{POOL}:{SUB}:alice")
    # THEN it resolves; a boolean becomes the string CloudFormation passes; the sub comes from the id
    assert (target.properties["Email"], target.properties["SmsMfaPreferred"], target.sub) == (expected, "true", SUB)


def test_no_value_drops_the_property() -> None:
    target = one(settings(MFAOptions=[{"Ref": "AWS::NoValue"}], Extra={"Ref": "AWS::NoValue"}))
    assert target.properties["MFAOptions"] == []
    assert "Extra" not in target.properties


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param({"Fn::If": ["C", [], []]}, "MFAOptions: Fn::If is not resolved by the drift check", id="if"),
        pytest.param({"Fn::ImportValue": "X"}, "MFAOptions: Fn::ImportValue is not resolved", id="import"),
        pytest.param(
            {"Ref": "Nothing"}, "MFAOptions: Ref 'Nothing' is not resolvable from the deployed stack", id="ref"
        ),
        pytest.param(
            {"Fn::GetAtt": ["Other", "Options"]},
            "MFAOptions: Fn::GetAtt Other.Options is a resource attribute",
            id="getatt",
        ),
    ],
)
def test_unsupported_intrinsic_is_not_checked_with_the_reason(value: Any, reason: str) -> None:
    target = one(settings(MFAOptions=value))
    assert not target.checkable
    assert target.reason.startswith(reason)


def test_no_echo_parameter_is_not_resolved() -> None:
    parameters = {"Options": {"Type": "String", "NoEcho": True}}
    target = one(settings(MFAOptions={"Ref": "Options"}), parameters=parameters, values={"Options": "****"})
    assert target.reason == "MFAOptions: Ref 'Options' is a NoEcho parameter from the deployed stack"


def test_unresolved_user_properties_come_from_the_physical_id() -> None:
    # GIVEN settings whose username is another resource's attribute (a test user's canonical name)
    target = one(settings(Username={"Fn::GetAtt": ["Carol", "Username"]}), f"cognito-sms-mfa:{POOL}:carol")
    # WHEN / THEN the physical id's canonical username stands in
    assert target.checkable
    assert target.properties["Username"] == "carol"


@pytest.mark.parametrize(
    ("listed", "reason"),
    [
        pytest.param([], "in the template, but not among the stack's resources (ListStackResources)", id="unlisted"),
        pytest.param(
            [summary("Mfa", "x", SETTINGS_RESOURCE_TYPE, "CREATE_FAILED")],
            "resource status CREATE_FAILED: not deployed as the template declares",
            id="failed",
        ),
        pytest.param(
            [summary("Mfa", "random-id", SETTINGS_RESOURCE_TYPE)],
            "physical id 'random-id' names no user (not an id the handler answers)",
            id="foreign-id",
        ),
    ],
)
def test_resources_not_deployed_as_declared_are_not_checked(listed: list[dict[str, str]], reason: str) -> None:
    [target] = targets(stack({"Mfa": settings()}, listed))
    assert (target.checkable, target.reason) == (False, reason)


def test_conditional_resource_not_created_is_left_out_and_other_types_are_ignored() -> None:
    resources = {
        "Maybe": {**settings(), "Condition": "IsProd"},
        "Pool": {"Type": "AWS::Cognito::UserPool"},
        "Pref": {
            "Type": PREFERENCE_RESOURCE_TYPE,
            "Properties": {"UserPoolId": POOL, "Username": "bob", "SmsMfa": "ENABLED"},
        },
    }
    listed = [summary("Pref", f"cognito-mfa-preference:{POOL}:bob", PREFERENCE_RESOURCE_TYPE)]
    assert [t.logical_id for t in targets(stack(resources, listed))] == ["Pref"]


def test_nested_stacks_are_the_listed_stack_resources_not_being_deleted() -> None:
    listed = [
        summary("Inner", "arn:aws:cloudformation:eu-west-1:1:stack/Users-Inner/1", "AWS::CloudFormation::Stack"),
        summary(
            "Gone",
            "arn:aws:cloudformation:eu-west-1:1:stack/Users-Gone/2",
            "AWS::CloudFormation::Stack",
            "DELETE_COMPLETE",
        ),
    ]
    assert stack({}, listed).nested_stacks() == [("Inner", "arn:aws:cloudformation:eu-west-1:1:stack/Users-Inner/1")]


DIGEST = "0" * 63 + "1"
BATCH_ID = f"cognito-sms-mfa-batch:{POOL}:{DIGEST}:1000:s3://cdk-hnb659fds-assets-123456789012-eu-west-1/{DIGEST}.json"


def batch(**properties: Any) -> dict[str, Any]:
    """A batch resource as the construct declares it (the asset bucket built with Fn::Sub)."""
    props = {
        "ServiceToken": SERVICE_TOKEN,
        "UserPoolId": {"Ref": "Pool"},
        "ManifestBucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"},
        "ManifestKey": f"{DIGEST}.json",
        "ManifestSha256": DIGEST,
        "UserCount": 1000,
        "MFAOptions": [],
    }
    return {"Type": SETTINGS_BATCH_RESOURCE_TYPE, "Properties": {**props, **properties}}


def test_batch_target_names_the_list_its_physical_id_names() -> None:
    # GIVEN / WHEN a deployed batch
    target = one(batch(), BATCH_ID)
    # THEN the pool and the list come from the id, the properties are resolved as CloudFormation resolved them
    assert (target.user_pool_id, target.username, target.reason) == (POOL, "", "")
    assert target.manifest == ManifestLocation(
        "cdk-hnb659fds-assets-123456789012-eu-west-1", f"{DIGEST}.json", DIGEST, 1000
    )
    assert target.properties["ManifestBucket"] == "cdk-hnb659fds-assets-123456789012-eu-west-1"
    assert target.properties["UserCount"] == "1000"


def test_batch_location_it_cannot_resolve_is_taken_from_the_id_and_other_properties_are_not() -> None:
    taken = one(batch(ManifestBucket={"Fn::ImportValue": "AssetBucket"}), BATCH_ID)
    refused = one(batch(MFAOptions={"Fn::If": ["C", [], []]}), BATCH_ID)
    assert taken.properties["ManifestBucket"] == "cdk-hnb659fds-assets-123456789012-eu-west-1"
    assert refused.reason.startswith("MFAOptions: Fn::If is not resolved by the drift check")


@pytest.mark.parametrize(
    "physical_id",
    [
        pytest.param("StaffMfa-1A2B3C4D", id="random"),
        pytest.param(f"cognito-sms-mfa:{POOL}:alice", id="settings-id"),
        pytest.param(f"cognito-sms-mfa-batch:{POOL}:{DIGEST}:many:s3://b/k", id="count"),
    ],
)
def test_batch_whose_id_is_not_a_batch_id_is_not_checked(physical_id: str) -> None:
    target = one(batch(), physical_id)
    assert target.reason == (
        f"physical id {physical_id[:60]!r} is not a batch id "
        "(cognito-sms-mfa-batch:<pool>:<sha256>:<count>:s3://<bucket>/<key>)"
    )
