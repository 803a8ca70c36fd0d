"""A batch's whole life through the real assets: the handler asset as bundled into cdk.out, in a process that has
only boto3, reading the list the construct staged into the same cloud assembly from the emulator's S3."""

from __future__ import annotations

import contextlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import UserSmsMfaSettingsBatch
from cognito_sms_mfa_emulator.clients import emulator_client, emulator_service_client
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS
from cognito_sms_mfa_lambda.pacing import DEFAULT_SHARE
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.batch_harness import BUCKET, add_users, options_of, upload
from tests.handler.functional.harness import REGION, SMS, STACK_ID, record, run_asset

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector

NAMES = [f"member{i:03d}" for i in range(40)]


def _synth(out: Path, pool_id: str, batches: dict[str, list[str]]) -> tuple[Path, dict[str, dict[str, Any]]]:
    """Synthesize a fresh app with ``batches`` (construct id to names) of one imported pool; put each staged list into
    the emulator's S3 where its properties say. The handler asset folder and each batch's properties (bucket
    resolved), by logical id."""
    app = App(outdir=str(out))
    stack = Stack(app, "BatchAsset", env=Environment(account="123456789012", region=REGION))
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", pool_id)
    for construct_id, names in batches.items():
        UserSmsMfaSettingsBatch(stack, construct_id, user_pool=pool, usernames=names)
    assembly = Path(app.synth().directory)
    template = json.loads((assembly / "BatchAsset.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    found = {key: {**r["Properties"], "ManifestBucket": BUCKET} for key, r in template["Resources"].items()
             if r["Type"] == SETTINGS_BATCH_RESOURCE_TYPE}  # fmt: skip
    code = assembly / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    return code, found


def _stage(emulator: CognitoEmulator, code: Path, properties: dict[str, Any]) -> None:
    """Put a batch's list, as the construct staged it next to ``code``, into the emulator's S3."""
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET)
    staged = code.parent / f"asset.{properties['ManifestKey']}"
    s3.put_object(Bucket=BUCKET, Key=properties["ManifestKey"], Body=staged.read_bytes())


def _fresh_pool(emulator: CognitoEmulator, names: list[str]) -> tuple[CognitoIdentityProviderClient, str]:
    """The emulator emptied, then a pool holding ``names`` (each with a phone); a client and the pool's id."""
    emulator.reset()
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="batch-e2e")["UserPool"]["Id"]
    add_users(client, pool_id, names)
    return client, pool_id


def _event(request_type: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return custom_resource_event(request_type, properties, response_url="", stack_id=STACK_ID,
                                 logical_id="Members", resource_type=SETTINGS_BATCH_RESOURCE_TYPE, **extra)  # fmt: skip


def test_create_update_delete_through_the_bundled_assets(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    emulator, _ = services
    client, pool_id = _fresh_pool(emulator, [*NAMES, "late"])
    code, found = _synth(tmp_path / "cdk.out", pool_id, {"Members": NAMES})
    [properties] = found.values()
    _stage(emulator, code, properties)

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


@pytest.mark.slow
def test_two_batches_of_a_stack_deployed_together_share_the_quota_unthrottled(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    # GIVEN a stack with two batches of 60 users each, and the emulator enforcing Cognito's default quotas
    emulator, _ = services
    staff, admins = [f"staff{i:02d}" for i in range(60)], [f"admin{i:02d}" for i in range(60)]
    client, pool_id = _fresh_pool(emulator, [*staff, *admins])
    code, batches = _synth(tmp_path / "cdk.out", pool_id, {"Staff": staff, "Admins": admins})
    for properties in batches.values():
        _stage(emulator, code, properties)
    emulator.set_rate_limits(SERVICE_QUOTAS)

    # WHEN CloudFormation creates both at once (they do not depend on each other: two invocations in parallel)
    def create(logical_id: str) -> tuple[str, str]:
        event = custom_resource_event("Create", batches[logical_id], response_url="", stack_id=STACK_ID,
                                      logical_id=logical_id, resource_type=SETTINGS_BATCH_RESOURCE_TYPE)  # fmt: skip
        response, run = run_asset(code, services, event)
        return response.status, response.reason + run.logs[-1500:]

    with ThreadPoolExecutor(max_workers=2) as pool_of_two:
        answers = list(pool_of_two.map(create, batches))

    # THEN together they pace at 80 % of each quota, no call is throttled, and every user has SMS
    assert [status for status, _ in answers] == ["SUCCESS", "SUCCESS"], answers
    assert emulator.throttled() == {"UserUpdate": 0, "UserRead": 0}
    total = {category: sum(float(p["MaxRequestsPerSecond"][category]) for p in batches.values())
             for category in SERVICE_QUOTAS}  # fmt: skip
    assert total == {category: quota * DEFAULT_SHARE for category, quota in SERVICE_QUOTAS.items()}
    assert all(options == [SMS] for options in options_of(client, pool_id, [*staff, *admins]).values())
