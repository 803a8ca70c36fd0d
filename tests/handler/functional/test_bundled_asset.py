"""The asset exactly as the construct bundles it into cdk.out, run in a process that has only boto3.

This is what the Lambda runtime gives the function: the asset folder and boto3. If the asset missed a module
(crhelper, the rule table) the child would fail to import it here as it would in AWS.
"""

from __future__ import annotations

import json
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa.handler_asset import HANDLER_ENTRY
from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_lambda.own_stack import STACK_ID_ENV
from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal import lambda_runner
from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse, ResponseCollector, custom_resource_event
from cognito_sms_mfa_rehearsal.lambda_bootstrap import LambdaContext
from tests.handler.functional.harness import load_handler, record

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
    asset: Path,
    services: tuple[CognitoEmulator, ResponseCollector],
    event: dict[str, Any],
    *,
    timeout_s: float = 120,
    endpoint: str | None = None,
    without: tuple[str, ...] = (),
) -> tuple[CfnResponse, lambda_runner.Invocation]:
    emulator, collector = services
    url = collector.new_url()
    env = lambda_runner.lambda_environment(
        region=REGION,
        endpoint=endpoint or emulator.endpoint,
        function_name="e2e",
        timeout_s=timeout_s,
        extra={"SSL_CERT_FILE": collector.ca_file, STACK_ID_ENV: STACK_ID},
    )
    for name in without:
        del env[name]
    step, logical_id, kind = event["RequestType"].upper(), event["LogicalResourceId"], event["ResourceType"]
    record(emulator, logical_id, event.get("PhysicalResourceId", ""), f"{step}_IN_PROGRESS", STACK_ID, kind)
    invocation = lambda_runner.invoke(
        str(asset), {**event, "ResponseURL": url}, entry=HANDLER_ENTRY, timeout_s=timeout_s, env=env
    )
    response = collector.wait_for(url, timeout_s=1.0)
    done = "COMPLETE" if response.status == "SUCCESS" else "FAILED"
    record(emulator, logical_id, response.physical_id, f"{step}_{done}", STACK_ID, kind)
    return response, invocation


def new_pool(emulator: CognitoEmulator, *users: str) -> tuple[Any, str]:
    """A fresh emulator (no faults) with a pool holding ``users``."""
    emulator.reset()
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="e2e", UsernameAttributes=[])["UserPool"]["Id"]
    for name in users:
        client.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
    return client, pool_id


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


def test_bundled_asset_create_survives_throttling_beyond_three_attempts(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN a crowd's worth of throttling: six reads and five writes refused in a row
    emulator, _ = services
    client, pool_id = new_pool(emulator, "alice")
    emulator.inject("AdminGetUser", "TooManyRequestsException", count=6)
    emulator.inject("AdminSetUserSettings", "TooManyRequestsException", count=5)
    properties = {"UserPoolId": pool_id, "Username": "alice", "MFAOptions": [SMS]}
    # WHEN
    created, invocation = run(asset_dir, services, event("Create", properties))
    # THEN retried until it passed (botocore's three attempts alone answered FAILED)
    assert created.status == "SUCCESS", invocation.logs
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["MFAOptions"] == [SMS]
    assert emulator.calls("AdminSetUserSettings") == ["AdminSetUserSettings"] * 6


def test_bundled_asset_create_succeeds_when_lost_write_answer_is_read_back(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN every write applied but answered HTTP 500, and a 33 s Lambda (3 s of retries before the reserve)
    emulator, _ = services
    client, pool_id = new_pool(emulator, "alice")
    emulator.inject("AdminSetUserSettings", "InternalErrorException", count=1000, applied=True)
    properties = {"UserPoolId": pool_id, "Username": "alice", "MFAOptions": [SMS]}
    # WHEN
    created, invocation = run(asset_dir, services, event("Create", properties), timeout_s=33)
    # THEN the user was read back: the settings are there, so SUCCESS with the user's id
    assert created.status == "SUCCESS", invocation.logs
    assert created.physical_id == f"cognito-sms-mfa:{pool_id}:alice"
    assert "detail=written-read-back" in invocation.logs
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["MFAOptions"] == [SMS]


def test_bundled_asset_create_fails_leaving_user_unchanged_when_write_never_applied(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN every write answered HTTP 500 without being applied
    emulator, _ = services
    client, pool_id = new_pool(emulator, "alice")
    emulator.inject("AdminSetUserSettings", "InternalErrorException", count=1000)
    properties = {"UserPoolId": pool_id, "Username": "alice", "MFAOptions": [SMS]}
    # WHEN
    created, _ = run(asset_dir, services, event("Create", properties), timeout_s=33)
    # THEN FAILED after a read-back, with an id that is not ours (the rollback Delete has nothing to undo)
    assert created.status == "FAILED"
    assert created.reason.startswith(f"UserPoolId {pool_id}: AdminSetUserSettings failed (InternalErrorException: ")
    assert not created.physical_id.startswith("cognito-sms-mfa:")
    assert emulator.calls()[-1] == "AdminGetUser"
    assert "MFAOptions" not in client.admin_get_user(UserPoolId=pool_id, Username="alice")


@pytest.mark.parametrize(
    ("request_type", "physical_id"),
    [
        pytest.param("Create", None, id="create"),
        pytest.param("Update", "cognito-sms-mfa:us-east-1_Old:alice", id="update"),
        pytest.param("Delete", "cognito-sms-mfa:us-east-1_Old:alice", id="delete"),
    ],
)
def test_bundled_asset_start_up_failure_answers_valid_physical_id(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector], request_type: str, physical_id: str | None
) -> None:
    # GIVEN a runtime without a Region: crhelper's init_failure path
    properties = {"UserPoolId": "us-east-1_X", "Username": "alice", "MFAOptions": [SMS]}
    sent = event(request_type, properties, physical_id)
    # WHEN
    response, invocation = run(asset_dir, services, sent, without=("AWS_REGION", "AWS_DEFAULT_REGION"))
    # THEN FAILED with the event's id, or on Create a well-formed id that is not ours
    assert response.status == "FAILED", invocation.logs
    assert response.reason == "You must specify a region."
    assert response.physical_id == (physical_id or f"cognito-sms-mfa-failed-{sent['RequestId']}")


def test_bundled_asset_timeout_timer_answers_valid_physical_id(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN a Cognito endpoint that accepts connections and never answers, and a 3 s Lambda
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}"
        properties = {"UserPoolId": "us-east-1_X", "Username": "alice", "MFAOptions": [SMS]}
        sent = event("Update", properties, "cognito-sms-mfa:us-east-1_X:alice")
        # WHEN
        response, invocation = run(asset_dir, services, sent, timeout_s=3, endpoint=endpoint)
    # THEN crhelper's timer answered, with the event's id
    assert (response.status, response.reason) == ("FAILED", "Execution timed out"), invocation.logs
    assert response.physical_id == "cognito-sms-mfa:us-east-1_X:alice"


def test_bundled_asset_reason_and_logs_mask_phone_number_username(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN a username that is a phone number and is not a user of the pool
    emulator, _ = services
    _, pool_id = new_pool(emulator)
    properties = {"UserPoolId": pool_id, "Username": "+15555550199", "MFAOptions": [SMS]}
    # WHEN
    response, invocation = run(asset_dir, services, event("Create", properties))
    # THEN neither the Reason nor any log line (ours or crhelper's ERROR line) holds the number
    assert response.reason == (
        f"Username '+1*******199' is not a user of pool {pool_id} (AdminGetUser: UserNotFoundException)"
    )
    assert "[ERROR] crhelper.resource_helper: Username '+1*******199' is not a user" in invocation.logs
    assert "5555550199" not in invocation.logs


def test_bundled_asset_reason_masks_email_username(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN an email username with a character Cognito rejects
    properties = {"UserPoolId": "us-east-1_X", "Username": "alice smith@example.com", "MFAOptions": [SMS]}
    # WHEN
    response, invocation = run(asset_dir, services, event("Create", properties))
    # THEN
    assert response.reason == (
        "Username must contain only letters, marks, symbols, numbers and punctuation; received "
        "'alice s***@example.com' with SPACE at position 6"
    )
    assert "smith@" not in invocation.logs


def test_warm_bundled_handler_never_answers_on_an_earlier_requests_url(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector], monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN the bundled handler loaded once (warm) and a first request answered
    emulator, collector = services
    for name, value in lambda_runner.lambda_environment(
        region=REGION, endpoint=emulator.endpoint, function_name="warm", timeout_s=120
    ).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SSL_CERT_FILE", collector.ca_file)
    monkeypatch.setattr(sys, "path", list(sys.path))  # load_handler puts the asset first; undone after the test
    module = load_handler(str(asset_dir))
    first = {**event("Delete", {}, "not-ours"), "ResponseURL": collector.new_url()}
    module.handler(first, LambdaContext(120))
    # WHEN a malformed event (no StackId) and one with an unknown RequestType follow
    no_stack = {**event("Delete", {}, "not-ours"), "ResponseURL": collector.new_url()}
    del no_stack["StackId"]
    odd = {**event("Delete", {}, "not-ours"), "ResponseURL": collector.new_url(), "RequestType": "Rename"}
    module.handler(no_stack, LambdaContext(120))
    module.handler(odd, LambdaContext(120))
    # THEN each got one FAILED answer on its own URL with a valid id; the first URL got only its own answer
    assert [r.status for r in collector.responses(first["ResponseURL"])] == ["SUCCESS"]
    [missing] = collector.responses(no_stack["ResponseURL"])
    [renamed] = collector.responses(odd["ResponseURL"])
    assert (missing.status, missing.reason, missing.physical_id) == (
        "FAILED",
        "StackId is missing from the event",
        "not-ours",
    )
    assert (renamed.status, renamed.reason, renamed.physical_id) == (
        "FAILED",
        "RequestType must be one of Create, Update, Delete; received 'Rename'",
        "not-ours",
    )
    assert str(module.__file__).startswith(str(asset_dir))
