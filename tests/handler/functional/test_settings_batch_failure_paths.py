"""A batch's failure paths through the real bundled asset, each played as CloudFormation plays it: the request that
fails, the rollback with old and new properties swapped and the stack's status of that step, the clean-up Delete
(docs/design.md, batches, failure paths). Each asserts the users' final state, that no rollback or clean-up answered
FAILED, and the neighbours: a listed user that had SMS before the batch, and a user the batch never listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import UserSmsMfaSettingsBatch
from cognito_sms_mfa_emulator.clients import emulator_client, emulator_service_client
from cognito_sms_mfa_emulator.continuations import due_polls
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.batch_harness import BUCKET, add_users, batch_props, invoke_as_is, options_of
from tests.handler.functional.harness import ASSET_FUNCTION, REGION, SMS, STACK_ID, record, run_asset_until_answered

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse, ResponseCollector

    Services = tuple[CognitoEmulator, ResponseCollector]

MEMBERS = [f"member{i:02d}" for i in range(12)]
HAD_SMS = "hadsms"  # listed, and held SMS before the batch listed it: keeps it whatever the batch does
OUTSIDER = "outsider"  # never listed (another resource's user): never touched
LOGICAL_ID = "Members"
# 2 s of work per invocation (the function's time less the handler's 30 s reserve): a continuation takes several.
SHORT_TIMEOUT_S = 32.0


@pytest.fixture(scope="module")
def code(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handler asset folder as the construct bundles it into a cloud assembly."""
    app = App(outdir=str(tmp_path_factory.mktemp("cdk") / "cdk.out"))
    stack = Stack(app, "BatchFailures", env=Environment(account="123456789012", region=REGION))
    pool = cognito.UserPool.from_user_pool_id(stack, "Pool", "us-east-1_Stand1n")
    UserSmsMfaSettingsBatch(stack, LOGICAL_ID, user_pool=pool, usernames=MEMBERS)
    assembly = Path(app.synth().directory)
    template = json.loads((assembly / "BatchFailures.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    [batch] = [r for r in template["Resources"].values() if r["Type"] == SETTINGS_BATCH_RESOURCE_TYPE]
    assert batch["Properties"]["Record"] == "1"  # what the tests' properties carry too (batch_props)
    return assembly / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"


def _event(request_type: str, properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return custom_resource_event(request_type, properties, response_url="", stack_id=STACK_ID,
                                 logical_id=LOGICAL_ID, resource_type=SETTINGS_BATCH_RESOURCE_TYPE, **extra)  # fmt: skip


def _pool(services: Services, extra: list[str]) -> tuple[CognitoIdentityProviderClient, str]:
    """A pool of the members, the user that had SMS before, the outsider (SMS too) and ``extra`` users."""
    emulator, _ = services
    emulator.reset()
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="batch-failures")["UserPool"]["Id"]
    add_users(client, pool_id, [*MEMBERS, HAD_SMS, OUTSIDER, *extra])
    for name in (HAD_SMS, OUTSIDER):
        client.admin_set_user_settings(UserPoolId=pool_id, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
    return client, pool_id


def _step(code: Path, services: Services, status: str, event: dict[str, Any], *, timeout_s: float = 120) -> CfnResponse:
    """One request of the stack operation in ``status``: its one answer (a continuation played to the end)."""
    emulator, _ = services
    emulator.set_stack_status(STACK_ID, status)
    answer, runs = run_asset_until_answered(code, services, event, timeout_s=timeout_s)
    logs = "".join(run.logs for run in runs)
    assert answer is not None, logs[-3000:]
    return answer


def _live(emulator: CognitoEmulator, physical_id: str, status: str) -> None:
    record(emulator, LOGICAL_ID, physical_id, status, STACK_ID, SETTINGS_BATCH_RESOURCE_TYPE)


def _neighbours(client: CognitoIdentityProviderClient, pool_id: str) -> dict[str, list[Any]]:
    return options_of(client, pool_id, [HAD_SMS, OUTSIDER])


def test_a_listed_user_gone_since_the_create_is_skipped_by_an_update_and_its_rollback(
    code: Path, services: Services
) -> None:
    # GIVEN a created batch, then one member deleted and one member's phone number removed by hand
    emulator, _ = services
    client, pool_id = _pool(services, ["newcomer"])
    listed = [*MEMBERS, HAD_SMS]
    old = batch_props(emulator, pool_id, listed)
    created = _step(code, services, "CREATE_IN_PROGRESS", _event("Create", old))
    assert created.status == "SUCCESS", created.reason
    client.admin_delete_user(UserPoolId=pool_id, Username="member03")
    client.admin_delete_user_attributes(UserPoolId=pool_id, Username="member04", UserAttributeNames=["phone_number"])
    # WHEN an Update adds a newcomer (a new list: a new id)
    new = batch_props(emulator, pool_id, [*listed, "newcomer"])
    event = _event("Update", new, physical_id=created.physical_id, old_properties=old)
    updated = _step(code, services, "UPDATE_IN_PROGRESS", event)
    # THEN it succeeds, writes the newcomer and reports the two users it left as they are
    assert updated.status == "SUCCESS", updated.reason
    assert (updated.data["Written"], updated.data["Skipped"]) == ("1", "2")
    assert "'member03' (not a user)" in updated.data["Report"]
    assert "'member04' (no phone_number)" in updated.data["Report"]
    # WHEN another resource fails: the rollback Update (old and new swapped) goes back to the old list
    _live(emulator, updated.physical_id, "UPDATE_COMPLETE")
    event = _event("Update", old, physical_id=updated.physical_id, old_properties=new)
    rolled_back = _step(code, services, "UPDATE_ROLLBACK_IN_PROGRESS", event)
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    assert rolled_back.physical_id == created.physical_id
    assert rolled_back.data["Skipped"] == "2"
    # and the clean-up Delete of the new id puts back the newcomer only
    _live(emulator, created.physical_id, "UPDATE_COMPLETE")
    cleanup = _step(code, services, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                    _event("Delete", new, physical_id=updated.physical_id))  # fmt: skip
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert options_of(client, pool_id, ["newcomer", "member00"]) == {"newcomer": [], "member00": [SMS]}
    # WHEN the stack is deleted
    _live(emulator, created.physical_id, "DELETE_IN_PROGRESS")
    deleted = _step(code, services, "DELETE_IN_PROGRESS", _event("Delete", old, physical_id=created.physical_id))
    # THEN every member that is left is clear, and the neighbours keep their SMS
    assert deleted.status == "SUCCESS", deleted.reason
    left = [name for name in MEMBERS if name != "member03"]
    assert all(options == [] for options in options_of(client, pool_id, left).values())
    assert _neighbours(client, pool_id) == {HAD_SMS: [SMS], OUTSIDER: [SMS]}


def test_a_newly_listed_missing_user_fails_the_update_before_any_write_and_the_rollback_succeeds(
    code: Path, services: Services
) -> None:
    # GIVEN a created batch, and a member deleted since
    emulator, _ = services
    client, pool_id = _pool(services, ["newcomer"])
    listed = [*MEMBERS, HAD_SMS]
    old = batch_props(emulator, pool_id, listed)
    created = _step(code, services, "CREATE_IN_PROGRESS", _event("Create", old))
    client.admin_delete_user(UserPoolId=pool_id, Username="member05")
    # WHEN an Update lists a user that does not exist (and a newcomer that does)
    new = batch_props(emulator, pool_id, [*listed, "newcomer", "ghost"])
    event = _event("Update", new, physical_id=created.physical_id, old_properties=old)
    emulator.clear_calls()
    failed = _step(code, services, "UPDATE_IN_PROGRESS", event)
    # THEN it fails before any write, naming the new user only, and keeps the old id
    assert failed.status == "FAILED"
    assert (
        failed.reason == f"1 of {len(listed) + 2} users of {pool_id} failed, nothing was written: 'ghost' (not a user)"
    )
    assert failed.physical_id == created.physical_id
    assert "AdminSetUserSettings" not in emulator.calls()
    # WHEN CloudFormation rolls back: the old properties, the failed ones as old, the same id
    event = _event("Update", old, physical_id=created.physical_id, old_properties=new)
    rolled_back = _step(code, services, "UPDATE_ROLLBACK_IN_PROGRESS", event)
    # THEN the rollback succeeds (the gone member reported) and puts nobody back that the failed update never wrote
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    assert rolled_back.data["Skipped"] == "1"
    assert options_of(client, pool_id, ["newcomer"]) == {"newcomer": []}
    # WHEN the stack is deleted
    _live(emulator, created.physical_id, "DELETE_IN_PROGRESS")
    deleted = _step(code, services, "DELETE_IN_PROGRESS", _event("Delete", old, physical_id=created.physical_id))
    assert deleted.status == "SUCCESS", deleted.reason
    assert _neighbours(client, pool_id) == {HAD_SMS: [SMS], OUTSIDER: [SMS]}


def test_the_rollback_of_a_create_that_failed_half_way_puts_back_only_what_it_wrote(
    code: Path, services: Services
) -> None:
    # GIVEN the quota taken by other traffic (1 write/s) and little time: the Create writes some members and fails
    emulator, _ = services
    client, pool_id = _pool(services, [])
    properties = batch_props(emulator, pool_id, [*MEMBERS, HAD_SMS])
    emulator.set_rate_limits({"UserUpdate": 1})
    created = _step(code, services, "CREATE_IN_PROGRESS", _event("Create", properties), timeout_s=34)
    assert created.status == "FAILED"
    assert created.physical_id.startswith("cognito-sms-mfa-batch:"), created.physical_id
    assert any(options_of(client, pool_id, MEMBERS).values())
    emulator.set_rate_limits({})
    # WHEN CloudFormation rolls back: Delete with the id the Create answered
    _live(emulator, created.physical_id, "DELETE_IN_PROGRESS")
    event = _event("Delete", properties, physical_id=created.physical_id)
    deleted = _step(code, services, "ROLLBACK_IN_PROGRESS", event)
    # THEN the members are clear again, and the user that had SMS before keeps it
    assert deleted.status == "SUCCESS", deleted.reason
    assert all(options == [] for options in options_of(client, pool_id, MEMBERS).values())
    assert _neighbours(client, pool_id) == {HAD_SMS: [SMS], OUTSIDER: [SMS]}


def test_an_update_rolled_back_for_another_resource_and_the_stack_deletion_keep_sms_that_was_there(
    code: Path, services: Services
) -> None:
    # GIVEN a created batch, and an Update that adds a newcomer and a second user that had SMS before; it succeeds
    emulator, _ = services
    client, pool_id = _pool(services, ["newcomer", "hadsms2"])
    client.admin_set_user_settings(UserPoolId=pool_id, Username="hadsms2", MFAOptions=[SMS])  # type: ignore[list-item]
    old = batch_props(emulator, pool_id, [*MEMBERS, HAD_SMS])
    created = _step(code, services, "CREATE_IN_PROGRESS", _event("Create", old))
    new = batch_props(emulator, pool_id, [*MEMBERS, HAD_SMS, "newcomer", "hadsms2"])
    updated = _step(code, services, "UPDATE_IN_PROGRESS",
                    _event("Update", new, physical_id=created.physical_id, old_properties=old))  # fmt: skip
    assert updated.status == "SUCCESS", updated.reason
    # WHEN another resource fails: the rollback Update, then the clean-up Delete of the id the update made
    _live(emulator, updated.physical_id, "UPDATE_COMPLETE")
    rolled_back = _step(code, services, "UPDATE_ROLLBACK_IN_PROGRESS",
                        _event("Update", old, physical_id=updated.physical_id, old_properties=new))  # fmt: skip
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    _live(emulator, created.physical_id, "UPDATE_COMPLETE")
    cleanup = _step(code, services, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
                    _event("Delete", new, physical_id=updated.physical_id))  # fmt: skip
    # THEN the newcomer is clear, the second user that had SMS keeps it
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert options_of(client, pool_id, ["newcomer", "hadsms2"]) == {"newcomer": [], "hadsms2": [SMS]}
    # WHEN the stack is deleted
    _live(emulator, created.physical_id, "DELETE_IN_PROGRESS")
    deleted = _step(code, services, "DELETE_IN_PROGRESS", _event("Delete", old, physical_id=created.physical_id))
    # THEN the members are clear, the users that had SMS before keep it
    assert deleted.status == "SUCCESS", deleted.reason
    assert all(options == [] for options in options_of(client, pool_id, MEMBERS).values())
    assert _neighbours(client, pool_id) == {HAD_SMS: [SMS], OUTSIDER: [SMS]}


def _continuing(emulator: CognitoEmulator, pool_id: str) -> dict[str, Any]:
    """Properties of a batch that goes on over several invocations of SHORT_TIMEOUT_S (13 writes at 2/s)."""
    props = batch_props(emulator, pool_id, [*MEMBERS, HAD_SMS], rates={"UserRead": "100", "UserUpdate": "2"})
    return {**props, "Continuation": "true"}


def test_a_create_that_fails_in_a_later_invocation_answers_its_own_id_so_the_rollback_undoes_it(
    code: Path, services: Services
) -> None:
    # GIVEN a Create over several invocations, whose list cannot be read in its second invocation
    emulator, _ = services
    client, pool_id = _pool(services, [])
    properties = _continuing(emulator, pool_id)
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    good = s3.get_object(Bucket=BUCKET, Key=properties["ManifestKey"])["Body"].read()

    def break_the_list(invocations: int) -> None:
        if invocations == 1:
            s3.put_object(Bucket=BUCKET, Key=properties["ManifestKey"], Body=b"{}")

    emulator.set_stack_status(STACK_ID, "CREATE_IN_PROGRESS")
    created, runs = run_asset_until_answered(code, services, _event("Create", properties),
                                             timeout_s=SHORT_TIMEOUT_S, before_poll=break_the_list)  # fmt: skip
    # THEN it answers FAILED with the batch's own id (members were written in the first invocation)
    assert created is not None, "".join(run.logs for run in runs)[-3000:]
    assert created.status == "FAILED"
    assert created.reason.startswith("ManifestSha256: "), created.reason
    assert created.physical_id.startswith("cognito-sms-mfa-batch:"), created.physical_id
    assert any(options_of(client, pool_id, MEMBERS).values())
    # WHEN the list is readable again and CloudFormation rolls back: Delete with that id
    s3.put_object(Bucket=BUCKET, Key=properties["ManifestKey"], Body=good)
    _live(emulator, created.physical_id, "DELETE_IN_PROGRESS")
    deleted = _step(code, services, "ROLLBACK_IN_PROGRESS", _event("Delete", properties,
                                                                    physical_id=created.physical_id),
                    timeout_s=SHORT_TIMEOUT_S)  # fmt: skip
    # THEN what the Create wrote is put back, and the neighbours keep their SMS
    assert deleted.status == "SUCCESS", deleted.reason
    assert all(options == [] for options in options_of(client, pool_id, MEMBERS).values())
    assert _neighbours(client, pool_id) == {HAD_SMS: [SMS], OUTSIDER: [SMS]}


def test_a_continuation_delivered_twice_writes_once_and_answers_once(code: Path, services: Services) -> None:
    # GIVEN a Create over several invocations, after its first invocation
    emulator, collector = services
    client, pool_id = _pool(services, [])
    properties = _continuing(emulator, pool_id)
    emulator.set_stack_status(STACK_ID, "CREATE_IN_PROGRESS")
    event = {**_event("Create", properties), "ResponseURL": collector.new_url()}
    invoke_as_is(code, services, event, timeout_s=SHORT_TIMEOUT_S)
    events = emulator_service_client("events", emulator.endpoint, REGION)
    [first_poll] = due_polls(events, ASSET_FUNCTION)
    # WHEN EventBridge delivers that poll twice
    invoke_as_is(code, services, first_poll.event, timeout_s=SHORT_TIMEOUT_S)
    emulator.clear_calls()
    repeated = invoke_as_is(code, services, first_poll.event, timeout_s=SHORT_TIMEOUT_S)
    # THEN the repeat makes no Cognito call and answers nothing
    assert emulator.calls() == [], repeated.logs[-3000:]
    assert "outcome=DUPLICATE" in repeated.logs
    assert collector.responses(event["ResponseURL"]) == []
    # WHEN the rule goes on until the answer, and then the first poll arrives once more
    while not collector.responses(event["ResponseURL"]):
        [poll] = due_polls(events, ASSET_FUNCTION)
        invoke_as_is(code, services, poll.event, timeout_s=SHORT_TIMEOUT_S)
    emulator.clear_calls()
    late = invoke_as_is(code, services, first_poll.event, timeout_s=SHORT_TIMEOUT_S)
    # THEN CloudFormation got one answer, SUCCESS, and the late repeat did nothing
    [answer] = collector.responses(event["ResponseURL"])
    assert answer.status == "SUCCESS", answer.reason
    assert emulator.calls() == [], late.logs[-3000:]
    assert all(options == [SMS] for options in options_of(client, pool_id, MEMBERS).values())
    assert due_polls(events, ASSET_FUNCTION) == []


def test_a_create_delivered_again_after_its_answer_does_nothing(code: Path, services: Services) -> None:
    # GIVEN a Create that answered
    emulator, collector = services
    client, pool_id = _pool(services, [])
    properties = batch_props(emulator, pool_id, [*MEMBERS, HAD_SMS])
    emulator.set_stack_status(STACK_ID, "CREATE_IN_PROGRESS")
    event = {**_event("Create", properties), "ResponseURL": collector.new_url()}
    invoke_as_is(code, services, event)
    [first] = collector.responses(event["ResponseURL"])
    assert first.status == "SUCCESS", first.reason
    # WHEN Lambda delivers the same event again
    emulator.clear_calls()
    again = invoke_as_is(code, services, event)
    # THEN no Cognito call, no second answer
    assert emulator.calls() == [], again.logs[-3000:]
    assert len(collector.responses(event["ResponseURL"])) == 1
    assert all(options == [SMS] for options in options_of(client, pool_id, MEMBERS).values())


def test_a_poll_arriving_after_the_answer_stays_silent_without_a_record(code: Path, services: Services) -> None:
    # GIVEN a Create over several invocations of a batch made before records, answered
    emulator, collector = services
    _, pool_id = _pool(services, [])
    properties = {name: value for name, value in _continuing(emulator, pool_id).items() if name != "Record"}
    event = {**_event("Create", properties), "ResponseURL": collector.new_url()}
    invoke_as_is(code, services, event, timeout_s=SHORT_TIMEOUT_S)
    events = emulator_service_client("events", emulator.endpoint, REGION)
    [first_poll] = due_polls(events, ASSET_FUNCTION)
    while not collector.responses(event["ResponseURL"]):
        [poll] = due_polls(events, ASSET_FUNCTION)
        invoke_as_is(code, services, poll.event, timeout_s=SHORT_TIMEOUT_S)
    # WHEN the first poll is delivered again, after crhelper removed the rule
    emulator.clear_calls()
    late = invoke_as_is(code, services, first_poll.event, timeout_s=SHORT_TIMEOUT_S)
    # THEN it finds the rule gone: no Cognito call, no second answer
    assert "outcome=DUPLICATE" in late.logs, late.logs[-3000:]
    assert emulator.calls() == []
    [answer] = collector.responses(event["ResponseURL"])
    assert answer.status == "SUCCESS", answer.reason
