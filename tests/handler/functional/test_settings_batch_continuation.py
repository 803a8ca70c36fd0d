"""A batch request longer than one invocation, through the real assets: the handler asset bundled into cdk.out in a
process with only boto3, the list staged by the construct, EventBridge and Lambda's permissions in the emulator.

The construct marks a batch whose least time does not fit one invocation (here by a slow declared pace); the test
then runs it at a fast pace with a short function timeout, so each invocation has about 2 s of work and the
request goes on over several, as crhelper's polling does (docs/design.md, batches, time).
"""

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
from tests.handler.functional.batch_harness import BUCKET, add_users, options_of
from tests.handler.functional.harness import (
    ASSET_FUNCTION,
    REGION,
    SMS,
    STACK_ID,
    record,
    run_asset_until_answered,
)

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector

NAMES = [f"member{i:03d}" for i in range(60)]
# 2 s of work per invocation: the function's time less the handler's 30 s reserve.
SHORT_TIMEOUT_S = 32.0
FAST = {"UserRead": "100", "UserUpdate": "20"}
RULE_INPUT_LIMIT = 8192  # crhelper's rule input, EventBridge's limit for a target's Input


def _synth(out: Path, pool_id: str) -> tuple[Path, Path, dict[str, Any]]:
    """The handler asset folder, the staged list and the batch's properties: declared at a pace too slow for one
    invocation (60 writes at 0.05/s), so the construct lets it continue."""
    app = App(outdir=str(out))
    stack = Stack(app, "BatchContinues", env=Environment(account="123456789012", region=REGION))
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", pool_id)
    UserSmsMfaSettingsBatch(
        stack, "Members", user_pool=pool, usernames=NAMES, max_requests_per_second={"UserUpdate": 0.05}
    )
    assembly = Path(app.synth().directory)
    template = json.loads((assembly / "BatchContinues.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    [batch] = [r for r in template["Resources"].values() if r["Type"] == SETTINGS_BATCH_RESOURCE_TYPE]
    properties = {**batch["Properties"], "ManifestBucket": BUCKET, "MaxRequestsPerSecond": FAST}
    properties.pop("ServiceToken")
    code = assembly / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    return code, assembly / f"asset.{properties['ManifestKey']}", properties


def _event(request_type: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return custom_resource_event(request_type, properties, response_url="", stack_id=STACK_ID,
                                 logical_id="Members", resource_type=SETTINGS_BATCH_RESOURCE_TYPE, **extra)  # fmt: skip


def _setup(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> tuple[Any, str, Path, dict[str, Any]]:
    emulator, _ = services
    emulator.reset()
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="batch-continues")["UserPool"]["Id"]
    add_users(client, pool_id, [*NAMES, "neighbour"])
    client.admin_set_user_settings(UserPoolId=pool_id, Username="neighbour", MFAOptions=[SMS])  # type: ignore[list-item]
    code, staged, properties = _synth(tmp_path / "cdk.out", pool_id)
    assert properties["Continuation"] == "true"
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=properties["ManifestKey"], Body=staged.read_bytes())
    return client, pool_id, code, properties


def _rules(emulator: CognitoEmulator) -> list[dict[str, Any]]:
    events = emulator_service_client("events", emulator.endpoint, REGION)
    return list(events.list_rules()["Rules"])


def test_a_create_longer_than_one_invocation_goes_on_until_done_and_leaves_no_rule(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    # GIVEN a batch whose writes take 3 s, and invocations with 2 s of work each
    emulator, _ = services
    client, pool_id, code, properties = _setup(services, tmp_path)
    # WHEN CloudFormation sends Create and EventBridge fires the rule until the answer comes
    created, runs = run_asset_until_answered(code, services, _event("Create", properties), timeout_s=SHORT_TIMEOUT_S)
    logs = "".join(run.logs for run in runs)
    # THEN it took several invocations, wrote every member once, and answered like a one-invocation request
    assert created is not None, logs[-3000:]
    assert created.status == "SUCCESS", created.reason + logs[-3000:]
    assert len(runs) >= 2, logs[-3000:]
    assert created.data["Invocations"] == str(len(runs))
    assert (created.data["Written"], created.data["Unchanged"]) == ("60", "0")
    assert "Continuation" not in created.data
    assert "PhysicalResourceId" not in created.data
    assert created.physical_id.startswith("cognito-sms-mfa-batch:")
    assert all(options == [SMS] for options in options_of(client, pool_id, NAMES).values())
    assert logs.count("outcome=CONTINUES") == len(runs) - 1
    # and crhelper removed its rule and the permission
    assert _rules(emulator) == []
    assert emulator.lambda_permissions.statements(ASSET_FUNCTION) == []

    # WHEN the stack is deleted, which also goes on over several invocations
    record(emulator, "Members", created.physical_id, "DELETE_IN_PROGRESS", STACK_ID, SETTINGS_BATCH_RESOURCE_TYPE)
    deleted, runs = run_asset_until_answered(
        code, services, _event("Delete", properties, physical_id=created.physical_id), timeout_s=SHORT_TIMEOUT_S
    )
    # THEN every member is clear, and the neighbour, which the list never held, keeps its options
    assert deleted is not None
    assert deleted.status == "SUCCESS", "".join(run.logs for run in runs)[-3000:]
    assert len(runs) >= 2
    assert deleted.data["Cleared"] == "60"
    assert all(options == [] for options in options_of(client, pool_id, NAMES).values())
    assert options_of(client, pool_id, ["neighbour"]) == {"neighbour": [SMS]}
    assert _rules(emulator) == []


def test_the_first_invocation_leaves_a_small_rule_input_and_one_permission(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    emulator, _ = services
    _, _, code, properties = _setup(services, tmp_path)
    # WHEN only the first invocation runs
    answer, [run] = run_asset_until_answered(
        code, services, _event("Create", properties), timeout_s=SHORT_TIMEOUT_S, max_polls=0
    )
    # THEN nothing is answered yet; one enabled rule named after the logical id targets the function
    assert answer is None, run.logs[-3000:]
    [rule] = _rules(emulator)
    assert rule["Name"].startswith("Members")
    assert len(rule["Name"]) == len("Members") + 8
    assert (rule["State"], rule["ScheduleExpression"]) == ("ENABLED", "rate(1 minute)")
    events = emulator_service_client("events", emulator.endpoint, REGION)
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"].endswith(f":function:{ASSET_FUNCTION}")
    # and its input is the event with the progress, far under EventBridge's limit
    assert len(target["Input"]) < RULE_INPUT_LIMIT // 2
    state = json.loads(target["Input"])["CrHelperData"]["Continuation"]
    assert state["phase"] in ("check", "write")
    assert state["request"] == json.loads(target["Input"])["RequestId"]
    [statement] = emulator.lambda_permissions.statements(ASSET_FUNCTION)
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == rule["Arn"]


def test_a_user_deleted_between_invocations_fails_the_create_with_its_own_id(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    # GIVEN a create whose check passed in its first invocation
    emulator, _ = services
    client, pool_id, code, properties = _setup(services, tmp_path)

    def delete_the_last_member(invocations: int) -> None:
        if invocations == 1:  # after the check, before the last member's write
            client.admin_delete_user(UserPoolId=pool_id, Username=NAMES[-1])

    # WHEN the last member is deleted by hand before the next invocation
    created, runs = run_asset_until_answered(
        code, services, _event("Create", properties), timeout_s=SHORT_TIMEOUT_S, before_poll=delete_the_last_member
    )
    # THEN the write reads each user again, and the answer counts the missing one after all the others, with the
    # batch's own id, so that the rollback Delete clears what was written
    assert created is not None
    assert created.status == "FAILED", "".join(run.logs for run in runs)[-3000:]
    assert created.reason == f"1 of 60 users of {pool_id} failed, 59 written: 'member059' (not a user)"
    assert created.physical_id.startswith("cognito-sms-mfa-batch:")
    assert len(runs) >= 2
    assert _rules(emulator) == []
    assert sum(options == [SMS] for options in options_of(client, pool_id, NAMES[:-1]).values()) == 59


def test_an_update_over_several_invocations_reads_each_user_once_and_writes_only_the_changed(
    services: tuple[CognitoEmulator, ResponseCollector], tmp_path: Path
) -> None:
    # GIVEN a created batch, and two members changed by hand since
    emulator, _ = services
    client, pool_id, code, properties = _setup(services, tmp_path)
    created, _ = run_asset_until_answered(code, services, _event("Create", properties), timeout_s=SHORT_TIMEOUT_S)
    assert created is not None
    assert created.status == "SUCCESS"
    for name in NAMES[:2]:
        client.admin_set_user_settings(UserPoolId=pool_id, Username=name, MFAOptions=[])
    record(emulator, "Members", created.physical_id, "UPDATE_IN_PROGRESS", STACK_ID, SETTINGS_BATCH_RESOURCE_TYPE)
    emulator.clear_calls()
    # WHEN an Update of the same list (a new pace) runs at a pace that needs several invocations for the reads
    slower = {**properties, "MaxRequestsPerSecond": {"UserRead": "20", "UserUpdate": "20"}}
    event = _event("Update", slower, physical_id=created.physical_id, old_properties=properties)
    updated, runs = run_asset_until_answered(code, services, event, timeout_s=SHORT_TIMEOUT_S)
    # THEN the check read everyone once, and a later invocation read again and wrote only the two changed users
    assert updated is not None
    assert updated.status == "SUCCESS", updated.reason
    assert len(runs) >= 2
    assert (updated.data["Written"], updated.data["Unchanged"]) == ("2", "58")
    calls = emulator.calls()
    assert calls.count("AdminGetUser") <= len(NAMES) + 2
    assert calls.count("AdminSetUserSettings") == 2
    assert all(options == [SMS] for options in options_of(client, pool_id, NAMES).values())
