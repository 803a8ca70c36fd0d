"""Hand-over on Delete: a Delete leaves the user alone when another live resource of the stack holds the same id.

CloudFormation's sequences are played with the emulator's stack record (what ``ListStackResources`` answers).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_lambda.preference_decisions import current_factors
from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE as PREFERENCE,
)
from cognito_sms_mfa_lambda.resource import (
    SETTINGS_BATCH_RESOURCE_TYPE as BATCH,
)
from cognito_sms_mfa_lambda.resource import (
    SETTINGS_RESOURCE_TYPE as SETTINGS,
)
from cognito_sms_mfa_lambda.resource import (
    TEST_USER_RESOURCE_TYPE as TEST_USER,
)
from cognito_sms_mfa_lambda.rules import SMS_FACTOR
from tests.handler.functional.batch_harness import AssetStack, batch_props
from tests.handler.functional.harness import REGION, SMS, STACK_ID, Deployer, Pool, props, record

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector

SET = "AdminSetUserSettings"


def summary_line(caplog: pytest.LogCaptureFixture) -> str:
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("request=Delete")]
    return line


def test_delete_of_renamed_resource_hands_over_to_the_new_logical_id(
    deploy: Deployer, pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN alice managed by "AliceMfa", then the construct renamed: CloudFormation creates "Alice" (same id)
    old = deploy.send("Create", props(pool.id), logical_id="AliceMfa")
    new = deploy.send("Create", props(pool.id), logical_id="Alice")
    caplog.set_level(logging.INFO)
    # WHEN its cleanup phase deletes the old logical resource, which holds the same id
    cleanup = deploy.send("Delete", props(pool.id), physical_id=old.physical_id, logical_id="AliceMfa")
    # THEN SUCCESS without a Cognito write, alice keeps SMS, and the log line says it handed over
    assert new.physical_id == old.physical_id
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert cleanup.physical_id == old.physical_id
    assert deploy.calls() == []
    assert pool.options("alice") == [SMS]
    assert " outcome=SUCCESS detail=handed-over " in summary_line(caplog)


def test_delete_of_stack_clears_every_user(deploy: Deployer, pool: Pool) -> None:
    # GIVEN two resources for alice and bob
    alice = deploy.send("Create", props(pool.id, "alice"), logical_id="AliceMfa")
    bob = deploy.send("Create", props(pool.id, "bob"), logical_id="BobMfa")
    # WHEN the stack is deleted: every resource goes DELETE_IN_PROGRESS, then each Delete arrives
    record(deploy.emulator, "AliceMfa", alice.physical_id, "DELETE_IN_PROGRESS")
    record(deploy.emulator, "BobMfa", bob.physical_id, "DELETE_IN_PROGRESS")
    deleted = [
        deploy.send("Delete", props(pool.id, "bob"), physical_id=bob.physical_id, logical_id="BobMfa"),
        deploy.send("Delete", props(pool.id, "alice"), physical_id=alice.physical_id, logical_id="AliceMfa"),
    ]
    # THEN both are cleared
    assert [d.status for d in deleted] == ["SUCCESS", "SUCCESS"]
    assert pool.options("alice") == []
    assert pool.options("bob") == []


def test_delete_of_one_of_two_holders_in_stack_deletion_leaves_clearing_to_the_last(
    deploy: Deployer, pool: Pool
) -> None:
    # GIVEN two resources holding alice's id (a rename caught mid-way), then the stack deleted
    first = deploy.send("Create", props(pool.id), logical_id="AliceMfa")
    deploy.send("Create", props(pool.id), logical_id="Alice")
    # WHEN the first Delete runs while the other is still live, then the other's Delete
    handed = deploy.send("Delete", props(pool.id), physical_id=first.physical_id, logical_id="AliceMfa")
    kept = pool.options("alice")
    last = deploy.send("Delete", props(pool.id), physical_id=first.physical_id, logical_id="Alice")
    # THEN the first hands over and the last clears
    assert (handed.status, last.status) == ("SUCCESS", "SUCCESS")
    assert kept == [SMS]
    assert pool.options("alice") == []


def test_delete_keeps_options_when_cloudformation_cannot_tell(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN alice with SMS, and a stack CloudFormation answers ValidationError for (the record lost)
    created = deploy.send("Create", props(pool.id))
    deploy.keeps_record = False
    emulator.forget_stack(STACK_ID)
    caplog.set_level(logging.INFO)
    # WHEN the Delete arrives
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id)
    # THEN it keeps the user's MFA on, answers SUCCESS and says so in the log line
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == []
    assert pool.options("alice") == [SMS]
    assert " outcome=SUCCESS detail=kept-unverified " in summary_line(caplog)
    assert "ListStackResources failed: ValidationError" in caplog.text


def test_delete_keeps_options_when_cloudformation_is_unreachable(
    deploy: Deployer, pool: Pool, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN alice with SMS, and CloudFormation's endpoint refusing connections
    created = deploy.send("Create", props(pool.id))
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:9")
    caplog.set_level(logging.INFO)
    # WHEN the Delete arrives
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id)
    # THEN it keeps the user's MFA on and answers SUCCESS
    assert deleted.status == "SUCCESS", deleted.reason
    assert pool.options("alice") == [SMS]
    assert " outcome=SUCCESS detail=kept-unverified " in summary_line(caplog)
    assert "ListStackResources failed: EndpointConnectionError" in caplog.text


def test_delete_keeps_options_when_too_little_time_remains_to_ask(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice with SMS
    created = deploy.send("Create", props(pool.id))
    # WHEN the Delete arrives with less Lambda time left than the lookup's reserve
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id, remaining_s=20.0)
    # THEN nothing is cleared
    assert deleted.status == "SUCCESS", deleted.reason
    assert pool.options("alice") == [SMS]


def test_delete_asks_every_page_of_a_large_stack(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    # GIVEN alice's new holder listed after 150 other resources (two pages of ListStackResources)
    created = deploy.send("Create", props(pool.id), logical_id="AliceMfa")
    for index in range(150):
        record(emulator, f"Other{index}", f"other-{index}", "CREATE_COMPLETE")
    record(emulator, "Alice", created.physical_id, "CREATE_COMPLETE")
    # WHEN the old resource is deleted
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id, logical_id="AliceMfa")
    # THEN the holder on the second page is found
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == []
    assert pool.options("alice") == [SMS]


# Hand-over across types, through the bundled asset --------------------------------------------------------------
#
# A user moves from one construct to another in one deploy: CloudFormation creates (or updates) the new holder,
# then, in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS, deletes the old resource. The moved user keeps what the new holder
# set; a user the old resource held and nothing else holds any more (the neighbour) is cleared.

PREFERRED = "PREFERRED"


@dataclass
class Moves:
    """A pool of the emulator (email aliases, case-sensitive names), its users, and one stack served by the asset."""

    stack: AssetStack
    idp: CognitoIdentityProviderClient
    pool_id: str

    def batch(self, names: list[str], **kwargs: Any) -> dict[str, Any]:
        return batch_props(self.stack.services[0], self.pool_id, names, **kwargs)

    def state(self, username: str) -> tuple[list[Any], str]:
        """The user's MFAOptions and SMS factor."""
        answer: Any = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return list(answer.get("MFAOptions", [])), current_factors(answer)[SMS_FACTOR].value

    def create(self, resource_type: str, logical_id: str, properties: dict[str, Any]) -> str:
        created = self.stack.send("Create", resource_type, logical_id, properties)
        assert created.status == "SUCCESS", created.reason + self.stack.logs[-1][-2000:]
        return created.physical_id

    def cleanup(self, resource_type: str, logical_id: str, properties: dict[str, Any], physical_id: str) -> str:
        """CloudFormation's clean-up Delete of a resource the new template no longer has; its log detail."""
        self.stack.status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
        deleted = self.stack.send("Delete", resource_type, logical_id, properties, physical_id=physical_id)
        assert deleted.status == "SUCCESS", deleted.reason + self.stack.logs[-1][-2000:]
        [line] = [line for line in self.stack.logs[-1].splitlines() if "request=Delete" in line]
        return line.split(" detail=")[1].split(" cognito_calls=")[0]


@pytest.fixture
def moves(asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]) -> Moves:
    emulator, _ = services
    emulator.reset()
    idp = emulator_client(emulator.endpoint, REGION)
    pool_id = idp.create_user_pool(PoolName="moves", AliasAttributes=["email"], MfaConfiguration="OPTIONAL")[
        "UserPool"
    ]["Id"]
    for index, name in enumerate(("alice", "bob", "carol", "dave")):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "phone_number", "Value": f"+1555555010{index}"},
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    return Moves(AssetStack(asset_dir, services), idp, pool_id)


def test_users_moved_from_single_settings_into_a_batch_keep_their_options(moves: Moves) -> None:
    # GIVEN single settings of alice, bob and dave
    old = {name: props(moves.pool_id, name) for name in ("alice", "bob", "dave")}
    ids = {name: moves.create(SETTINGS, f"{name.title()}Mfa", old[name]) for name in old}
    # WHEN a deploy moves alice and bob (listed by her alias) into a batch and drops dave: the batch is created,
    # then the three singles are deleted in the clean-up phase
    moves.stack.status("UPDATE_IN_PROGRESS")
    moves.create(BATCH, "Staff", moves.batch(["alice", "bob@example.com"]))
    details = {name: moves.cleanup(SETTINGS, f"{name.title()}Mfa", old[name], ids[name]) for name in old}
    # THEN the moved users keep SMS, the neighbour dave is cleared
    assert details == {"alice": "handed-over", "bob": "handed-over", "dave": "cleared"}
    assert [moves.state(name)[0] for name in ("alice", "bob", "dave")] == [[SMS], [SMS], []]


def test_users_moved_from_a_batch_to_single_settings_or_another_batch_keep_their_options(moves: Moves) -> None:
    # GIVEN a batch of alice, bob and dave
    old = moves.batch(["alice", "bob", "dave"])
    old_id = moves.create(BATCH, "Staff", old)
    # WHEN a deploy gives alice single settings, moves bob into another batch and drops dave
    moves.stack.status("UPDATE_IN_PROGRESS")
    moves.create(SETTINGS, "AliceMfa", props(moves.pool_id, "alice"))
    moves.create(BATCH, "Admins", moves.batch(["bob", "carol"]))
    detail = moves.cleanup(BATCH, "Staff", old, old_id)
    # THEN alice and bob keep SMS, dave is cleared
    assert detail == "written=0 unchanged=0 cleared=1 kept=2"
    assert [moves.state(name)[0] for name in ("alice", "bob", "carol", "dave")] == [[SMS], [SMS], [SMS], []]


def test_a_user_moved_between_settings_and_a_test_users_settings_keeps_its_options(moves: Moves) -> None:
    # GIVEN single settings of carol
    old = props(moves.pool_id, "carol")
    old_id = moves.create(SETTINGS, "CarolMfa", old)
    # WHEN a deploy declares carol as a test user (adopted) with its settings, and drops the single settings
    moves.stack.status("UPDATE_IN_PROGRESS")
    tester = {"UserPoolId": moves.pool_id, "Username": "carol", "PhoneNumber": "+15555550102",
              "SmsMfaPreferred": "true", "AdoptExisting": "true"}  # fmt: skip
    moves.create(TEST_USER, "Carol", tester)
    new_id = moves.create(SETTINGS, "CarolMfaSettings", props(moves.pool_id, "carol"))
    detail = moves.cleanup(SETTINGS, "CarolMfa", old, old_id)
    # THEN carol keeps SMS
    assert (detail, moves.state("carol")) == ("handed-over", ([SMS], PREFERRED))
    # AND back: single settings again, the test user's settings dropped (the adopted user is retained)
    moves.stack.status("UPDATE_IN_PROGRESS")
    moves.create(SETTINGS, "CarolMfaAgain", props(moves.pool_id, "carol"))
    detail = moves.cleanup(SETTINGS, "CarolMfaSettings", props(moves.pool_id, "carol"), new_id)
    assert (detail, moves.state("carol")) == ("handed-over", ([SMS], PREFERRED))


def test_a_user_moved_from_a_preference_into_a_batchs_sms_preference_keeps_it(moves: Moves) -> None:
    # GIVEN preferences of alice and dave preferring SMS
    old = {name: {"UserPoolId": moves.pool_id, "Username": name, "SmsMfa": PREFERRED} for name in ("alice", "dave")}
    ids = {name: moves.create(PREFERENCE, f"{name.title()}Pref", old[name]) for name in old}
    # WHEN a deploy moves alice into a batch that prefers SMS and drops dave's preference
    moves.stack.status("UPDATE_IN_PROGRESS")
    moves.create(BATCH, "Staff", moves.batch(["alice", "bob"], sms=PREFERRED))
    details = {name: moves.cleanup(PREFERENCE, f"{name.title()}Pref", old[name], ids[name]) for name in old}
    # THEN alice still prefers SMS, dave's SMS is disabled
    assert details == {"alice": "handed-over", "dave": "disabled"}
    assert [moves.state(name)[1] for name in ("alice", "bob", "dave")] == [PREFERRED, PREFERRED, "DISABLED"]


def test_a_user_moved_from_a_batchs_sms_preference_into_a_preference_keeps_it(moves: Moves) -> None:
    # GIVEN a batch of alice and dave with SMS options and SMS preferred
    old = moves.batch(["alice", "dave"], sms=PREFERRED)
    old_id = moves.create(BATCH, "Staff", old)
    # WHEN a deploy gives alice a preference of SMS (not her options) and drops the batch
    moves.stack.status("UPDATE_IN_PROGRESS")
    moves.create(PREFERENCE, "AlicePref", {"UserPoolId": moves.pool_id, "Username": "alice", "SmsMfa": PREFERRED})
    moves.cleanup(BATCH, "Staff", old, old_id)
    # THEN alice keeps the preference (her options, which nothing holds now, are cleared); dave loses both
    assert moves.state("alice") == ([], PREFERRED)
    assert moves.state("dave") == ([], "DISABLED")


def test_a_rolled_back_move_keeps_the_user_with_its_old_holder(moves: Moves) -> None:
    # GIVEN a batch listing alice, and a deploy that adds single settings of alice and fails later
    batch = moves.batch(["alice", "bob"])
    moves.create(BATCH, "Staff", batch)
    moves.stack.status("UPDATE_IN_PROGRESS")
    new_id = moves.create(SETTINGS, "AliceMfa", props(moves.pool_id, "alice"))
    # WHEN the rollback deletes the resource the failed update created
    moves.stack.status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    deleted = moves.stack.send("Delete", SETTINGS, "AliceMfa", props(moves.pool_id, "alice"), physical_id=new_id)
    # THEN the batch, still live, keeps alice's SMS
    assert deleted.status == "SUCCESS", deleted.reason
    assert moves.state("alice")[0] == [SMS]
