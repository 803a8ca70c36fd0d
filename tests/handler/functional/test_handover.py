"""Hand-over on Delete: a Delete leaves the user alone when another live resource of the stack holds the same id.

CloudFormation's sequences are played with the emulator's stack record (what ``ListStackResources`` answers).
"""

from __future__ import annotations

import logging

import pytest

from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from tests.handler.functional.harness import SMS, STACK_ID, Deployer, Pool, props, record

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
