"""The asset exactly as the construct bundles it into cdk.out, run in a process that has only boto3.

This is what the Lambda runtime gives the function: the asset folder and boto3. If the asset missed a module
(crhelper, the rule table) the child would fail to import it here as it would in AWS.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa.handler_asset import HANDLER_ENTRY
from cognito_sms_mfa.local import CognitoEmulator, lambda_runner
from cognito_sms_mfa.local.cfn_responses import CfnResponse, ResponseCollector, custom_resource_event
from cognito_sms_mfa.local.rehearsal import emulator_client
from cognito_sms_mfa_lambda.mfa import SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_lambda.mfa_preference import PREFERENCE_RESOURCE_TYPE
from tests.handler.functional.harness import record

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

REGION = "us-east-1"
STACK_ID = f"arn:aws:cloudformation:{REGION}:123456789012:stack/E2E/6f1d2c3b-0a9e-4b8c-9d7e-1f2a3b4c5d6e"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


@pytest.fixture(scope="module")
def asset_dir(example_cloud_assembly: Path) -> Path:
    """The handler function's asset folder, found through the template and the asset manifest."""
    template = json.loads((example_cloud_assembly / "CognitoSmsMfaExample.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    digest = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    return example_cloud_assembly / f"asset.{digest}"


@pytest.fixture(scope="module")
def services() -> Iterator[tuple[CognitoEmulator, ResponseCollector]]:
    with CognitoEmulator(region=REGION) as emulator, ResponseCollector() as collector:
        yield emulator, collector


def run(
    asset: Path, services: tuple[CognitoEmulator, ResponseCollector], event: dict[str, Any]
) -> tuple[CfnResponse, lambda_runner.Invocation]:
    emulator, collector = services
    url = collector.new_url()
    env = lambda_runner.lambda_environment(
        region=REGION,
        endpoint=emulator.endpoint,
        function_name="e2e",
        timeout_s=120,
        extra={"SSL_CERT_FILE": collector.ca_file},
    )
    step, logical_id, kind = event["RequestType"].upper(), event["LogicalResourceId"], event["ResourceType"]
    record(emulator, logical_id, event.get("PhysicalResourceId", ""), f"{step}_IN_PROGRESS", STACK_ID, kind)
    invocation = lambda_runner.invoke(
        str(asset), {**event, "ResponseURL": url}, entry=HANDLER_ENTRY, timeout_s=120, env=env
    )
    response = collector.wait_for(url, timeout_s=1.0)
    done = "COMPLETE" if response.status == "SUCCESS" else "FAILED"
    record(emulator, logical_id, response.physical_id, f"{step}_{done}", STACK_ID, kind)
    return response, invocation


def event(
    request_type: str,
    properties: dict[str, Any],
    physical_id: str | None = None,
    resource_type: str = SETTINGS_RESOURCE_TYPE,
    logical_id: str = "AliceMfa",
) -> dict[str, Any]:
    return custom_resource_event(
        request_type,
        {"ServiceToken": "arn:aws:lambda:x", "ServiceTimeout": "300", **properties},
        response_url="",  # set per invocation by run()
        stack_id=STACK_ID,
        logical_id=logical_id,
        physical_id=physical_id,
        resource_type=resource_type,
    )


def alice(
    services: tuple[CognitoEmulator, ResponseCollector],
) -> tuple[CognitoIdentityProviderClient, str, dict[str, Any]]:
    """A new pool holding alice: a client for reading back, the pool id, and settings properties asking for SMS."""
    client = emulator_client(services[0].endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="e2e")["UserPool"]["Id"]
    client.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    return client, pool_id, {"UserPoolId": pool_id, "Username": "alice", "MFAOptions": [SMS]}


def test_bundled_asset_creates_and_deletes_in_boto3_only_process(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN a pool and a user in the emulator
    client, pool_id, properties = alice(services)
    # WHEN the bundled asset serves Create, then Delete
    created, create_run = run(asset_dir, services, event("Create", properties))
    after_create = client.admin_get_user(UserPoolId=pool_id, Username="alice").get("MFAOptions", [])
    deleted, _ = run(asset_dir, services, event("Delete", properties, created.physical_id))
    after_delete = client.admin_get_user(UserPoolId=pool_id, Username="alice").get("MFAOptions", [])
    # THEN
    assert created.status == "SUCCESS", create_run.logs
    assert created.physical_id == f"cognito-sms-mfa:{pool_id}:alice"
    assert after_create == [SMS]
    assert deleted.status == "SUCCESS"
    assert after_delete == []
    assert "request=Create logical_id=AliceMfa" in create_run.logs
    assert not list(asset_dir.rglob("__pycache__"))


def test_bundled_asset_keeps_options_when_renamed_resource_is_cleaned_up(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN alice's settings created under the logical id "AliceMfa"
    client, pool_id, properties = alice(services)
    old, _ = run(asset_dir, services, event("Create", properties, logical_id="AliceMfa"))
    # WHEN the construct is renamed: CloudFormation creates "Alice", then its cleanup deletes "AliceMfa"
    new, _ = run(asset_dir, services, event("Create", properties, logical_id="Alice"))
    cleanup, cleanup_run = run(asset_dir, services, event("Delete", properties, old.physical_id, logical_id="AliceMfa"))
    # THEN both resources hold the same id, the cleanup succeeds, and alice keeps her options
    assert new.physical_id == old.physical_id == f"cognito-sms-mfa:{pool_id}:alice"
    assert cleanup.status == "SUCCESS", cleanup_run.logs
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice").get("MFAOptions", []) == [SMS]
    assert "request=Delete logical_id=AliceMfa" in cleanup_run.logs
    assert "detail=handed-over" in cleanup_run.logs


def test_bundled_asset_serves_mfa_preference_create_update_delete_and_refusal(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN alice with a phone number and carol without one
    emulator, _ = services
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="e2e-preference", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    client.admin_create_user(UserPoolId=pool_id, Username="carol", MessageAction="SUPPRESS")

    def preference(request_type: str, properties: dict[str, Any], physical_id: str | None = None) -> CfnResponse:
        sent = event(request_type, properties, physical_id, PREFERENCE_RESOURCE_TYPE)
        return run(asset_dir, services, sent)[0]

    def reported() -> tuple[list[str], str | None]:
        user: Any = client.admin_get_user(UserPoolId=pool_id, Username="alice")
        return user.get("UserMFASettingList", []), user.get("PreferredMfaSetting")

    preferred = {"UserPoolId": pool_id, "Username": "alice", "SmsMfa": "PREFERRED"}
    enabled = {**preferred, "SmsMfa": "ENABLED"}
    # WHEN the bundled asset serves Create, Update, Delete, and a Create it must refuse
    created = preference("Create", preferred)
    after_create = reported()
    updated = preference("Update", enabled, created.physical_id)
    after_update = reported()
    deleted = preference("Delete", enabled, created.physical_id)
    after_delete = reported()
    refused = preference("Create", {**preferred, "Username": "carol"})
    # THEN
    assert (created.status, created.physical_id) == ("SUCCESS", f"cognito-mfa-preference:{pool_id}:alice")
    assert after_create == (["SMS_MFA"], "SMS_MFA")
    assert (updated.status, updated.physical_id) == ("SUCCESS", created.physical_id)
    assert after_update == (["SMS_MFA"], None)
    assert deleted.status == "SUCCESS"
    assert after_delete == ([], None)
    assert refused.status == "FAILED"
    assert refused.reason.startswith("SmsMfa for user 'carol': no delivery config: the user has no phone_number")


def test_lambda_like_process_sees_only_asset_and_boto3(asset_dir: Path) -> None:
    # GIVEN the child interpreter the runner starts
    probe = asset_dir.parent / f"probe-{uuid.uuid4().hex}"
    probe.mkdir()
    (probe / "probe.py").write_text(
        "import importlib.util\n"
        "def handler(event, context):\n"
        "    names = ['boto3', 'crhelper', 'moto', 'aws_cdk', 'cognito_sms_mfa', 'pytest']\n"
        "    print({n: importlib.util.find_spec(n) is not None for n in names})\n"
    )
    # WHEN the probe runs next to the asset (crhelper comes from the asset folder only)
    env = lambda_runner.lambda_environment(region=REGION, endpoint=None, function_name="probe", timeout_s=10)
    result = lambda_runner.invoke(str(probe), {}, entry="probe.handler", timeout_s=10, env=env)
    # THEN only boto3 is importable: none of this process's other packages leak in
    assert result.returncode == 0, result.logs
    assert (
        "{'boto3': True, 'crhelper': False, 'moto': False, 'aws_cdk': False, 'cognito_sms_mfa': False, 'pytest': False}"
        in result.stdout
    )
