"""A batch's whole life through the real assets: the handler asset as bundled into cdk.out, in a process that has
only boto3, reading the list the construct staged into the same cloud assembly from the emulator's S3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import UserSmsMfaSettingsBatch
from cognito_sms_mfa_emulator.clients import emulator_client, emulator_service_client
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.batch_harness import BUCKET, add_users, options_of, upload
from tests.handler.functional.harness import REGION, SMS, STACK_ID, record, run_asset

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector

NAMES = [f"member{i:03d}" for i in range(40)]


def _synth(out: Path, pool_id: str, names: list[str]) -> tuple[Path, Path, dict[str, Any]]:
    """The handler asset folder, the staged list and the batch's properties (bucket resolved) of a fresh app."""
    app = App(outdir=str(out))
    stack = Stack(app, "BatchAsset", env=Environment(account="123456789012", region=REGION))
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", pool_id)
    UserSmsMfaSettingsBatch(stack, "Members", user_pool=pool, usernames=names)
    assembly = Path(app.synth().directory)
    template = json.loads((assembly / "BatchAsset.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    [batch] = [r for r in template["Resources"].values() if r["Type"] == SETTINGS_BATCH_RESOURCE_TYPE]
    properties = {**batch["Properties"], "ManifestBucket": BUCKET}
    code = assembly / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    return code, assembly / f"asset.{properties['ManifestKey']}", properties


def _event(request_type: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return custom_resource_event(request_type, properties, response_url="", stack_id=STACK_ID,
                                 logical_id="Members", resource_type=SETTINGS_BATCH_RESOURCE_TYPE, **extra)  # fmt: skip


def test_create_update_delete_through_the_bundled_assets(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    emulator, _ = services
    emulator.reset()
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="batch-e2e")["UserPool"]["Id"]
    add_users(client, pool_id, [*NAMES, "late"])
    code, staged, properties = _synth(tmp_path / "cdk.out", pool_id, NAMES)
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=properties["ManifestKey"], Body=staged.read_bytes())

    # Create: every member gets SMS
    created, run = run_asset(code, services, _event("Create", properties))
    assert created.status == "SUCCESS", created.reason + run.logs[-2000:]
    assert "batch totals written=40" in run.logs
    assert all(options == [SMS] for options in options_of(client, pool_id, NAMES).values())

    # Update: member000 leaves, "late" joins (a new list: a new id); then CloudFormation's cleanup of the old id
    new = {**properties, **upload(emulator, [*NAMES[1:], "late"])}
    updated, run = run_asset(code, services, _event("Update", new, physical_id=created.physical_id,
                                                    old_properties=properties))  # fmt: skip
    assert updated.status == "SUCCESS", updated.reason + run.logs[-2000:]
    assert updated.physical_id != created.physical_id
    assert updated.data["Written"] == "1"
    record(emulator, "Members", updated.physical_id, "UPDATE_COMPLETE", STACK_ID, SETTINGS_BATCH_RESOURCE_TYPE)
    cleanup, run = run_asset(code, services, _event("Delete", properties, physical_id=created.physical_id))
    assert cleanup.status == "SUCCESS", cleanup.reason + run.logs[-2000:]
    assert options_of(client, pool_id, ["member000", "member001", "late"]) == {
        "member000": [], "member001": [SMS], "late": [SMS]}  # fmt: skip

    # Delete: everyone clear
    record(emulator, "Members", updated.physical_id, "DELETE_IN_PROGRESS", STACK_ID, SETTINGS_BATCH_RESOURCE_TYPE)
    deleted, run = run_asset(code, services, _event("Delete", new, physical_id=updated.physical_id))
    assert deleted.status == "SUCCESS", deleted.reason + run.logs[-2000:]
    assert all(options == [] for options in options_of(client, pool_id, [*NAMES, "late"]).values())
