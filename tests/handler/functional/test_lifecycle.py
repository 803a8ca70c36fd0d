"""Every CloudFormation request type, end to end through crhelper, against the emulator over HTTP."""

from __future__ import annotations

import pytest

from tests.handler.functional.harness import SMS, Deployer, Pool, props

GET, SET = "AdminGetUser", "AdminSetUserSettings"


def test_create_applies_options_and_names_canonical_user(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice without MFA options
    # WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN
    assert response.status == "SUCCESS", response.reason
    assert response.physical_id == f"cognito-sms-mfa:{pool.id}:alice"
    assert response.data == {"Username": "alice", "UserPoolId": pool.id}
    assert deploy.calls() == [GET, SET]
    assert pool.options("alice") == [SMS]


def test_create_skips_write_when_already_desired(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice already has SMS MFA
    pool.client.admin_set_user_settings(UserPoolId=pool.id, Username="alice", MFAOptions=[SMS])  # type: ignore[list-item]
    # WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN one read, no write
    assert response.status == "SUCCESS", response.reason
    assert deploy.calls() == [GET]


def test_update_of_options_keeps_physical_id(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice created with no options
    created = deploy.send("Create", props(pool.id, options=[]))
    # WHEN the options change
    updated = deploy.send(
        "Update", props(pool.id), physical_id=created.physical_id, old_properties=props(pool.id, options=[])
    )
    # THEN in place
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert pool.options("alice") == [SMS]


def test_update_to_empty_options_clears_in_place(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice with SMS MFA
    created = deploy.send("Create", props(pool.id))
    # WHEN
    updated = deploy.send(
        "Update", props(pool.id, options=[]), physical_id=created.physical_id, old_properties=props(pool.id)
    )
    # THEN
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert deploy.calls() == [GET, SET]
    assert pool.options("alice") == []


def test_update_to_other_user_replaces_and_cleanup_clears_old_user_only(deploy: Deployer, pool: Pool) -> None:
    # GIVEN settings on alice
    created = deploy.send("Create", props(pool.id, "alice"))
    # WHEN the resource moves to bob, and CloudFormation's cleanup deletes the old id
    updated = deploy.send(
        "Update", props(pool.id, "bob"), physical_id=created.physical_id, old_properties=props(pool.id)
    )
    cleanup = deploy.send("Delete", props(pool.id, "alice"), physical_id=created.physical_id)
    # THEN bob has the options, alice's are cleared
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == f"cognito-sms-mfa:{pool.id}:bob"
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert pool.options("bob") == [SMS]
    assert pool.options("alice") == []


@pytest.mark.parametrize(
    "spelling",
    [pytest.param("ALICE", id="case-variant"), pytest.param("alice@example.com", id="email-alias")],
)
def test_update_to_other_spelling_of_same_user_keeps_id(deploy: Deployer, pool: Pool, spelling: str) -> None:
    # GIVEN settings on alice
    created = deploy.send("Create", props(pool.id, "alice", options=[]))
    # WHEN the template addresses her by another spelling and changes the options
    updated = deploy.send(
        "Update", props(pool.id, spelling), physical_id=created.physical_id, old_properties=props(pool.id, options=[])
    )
    # THEN the id is kept, so CloudFormation sends no cleanup Delete that would wipe the options
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert updated.data["Username"] == "alice"
    assert pool.options("alice") == [SMS]


def test_rollback_update_restores_old_settings(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice cleared, then an update that set SMS MFA and was later rolled back by the stack
    created = deploy.send("Create", props(pool.id, options=[]))
    deploy.send("Update", props(pool.id), physical_id=created.physical_id, old_properties=props(pool.id, options=[]))
    # WHEN CloudFormation rolls back: old and new properties swapped
    rollback = deploy.send(
        "Update", props(pool.id, options=[]), physical_id=created.physical_id, old_properties=props(pool.id)
    )
    # THEN the old (cleared) state is back, in place
    assert rollback.status == "SUCCESS", rollback.reason
    assert rollback.physical_id == created.physical_id
    assert pool.options("alice") == []


def test_rollback_of_user_move_restores_old_user_and_cleanup_clears_new(deploy: Deployer, pool: Pool) -> None:
    # GIVEN settings moved from alice to bob by an update that is then rolled back
    created = deploy.send("Create", props(pool.id, "alice"))
    moved = deploy.send("Update", props(pool.id, "bob"), physical_id=created.physical_id, old_properties=props(pool.id))
    # WHEN the rollback Update returns to alice and the cleanup deletes bob's id
    rollback = deploy.send(
        "Update", props(pool.id, "alice"), physical_id=moved.physical_id, old_properties=props(pool.id, "bob")
    )
    cleanup = deploy.send("Delete", props(pool.id, "bob"), physical_id=moved.physical_id)
    # THEN alice has her options back and bob's are cleared
    assert rollback.physical_id == created.physical_id
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert pool.options("alice") == [SMS]
    assert pool.options("bob") == []


def test_delete_clears_with_one_call(deploy: Deployer, pool: Pool) -> None:
    # GIVEN
    created = deploy.send("Create", props(pool.id))
    # WHEN
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id)
    # THEN
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.physical_id == created.physical_id
    assert deploy.calls() == [SET]
    assert pool.options("alice") == []


def test_delete_succeeds_when_user_already_gone(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice's settings, then alice deleted out of band
    created = deploy.send("Create", props(pool.id))
    pool.client.admin_delete_user(UserPoolId=pool.id, Username="alice")
    # WHEN
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id)
    # THEN
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == [SET]


def test_delete_succeeds_when_pool_already_gone(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice's settings, then the whole pool deleted out of band
    created = deploy.send("Create", props(pool.id))
    pool.client.delete_user_pool(UserPoolId=pool.id)
    # WHEN
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id)
    # THEN
    assert deleted.status == "SUCCESS", deleted.reason


@pytest.mark.parametrize(
    "physical_id",
    [
        pytest.param("FunctionalTest_AliceMfa_Q1W2E3R4", id="crhelper-random-after-failed-create"),
        pytest.param("", id="empty"),
    ],
)
def test_delete_of_foreign_id_succeeds_without_calls(deploy: Deployer, pool: Pool, physical_id: str) -> None:
    # GIVEN an id the handler did not make
    # WHEN
    deleted = deploy.send("Delete", props(pool.id), physical_id=physical_id)
    # THEN
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.physical_id
    assert deploy.calls() == []


def test_create_fails_when_user_missing_and_rollback_delete_is_a_no_op(deploy: Deployer, pool: Pool) -> None:
    # GIVEN no user carol
    # WHEN
    created = deploy.send("Create", props(pool.id, "carol"))
    rollback = deploy.send("Delete", props(pool.id, "carol"), physical_id=created.physical_id)
    # THEN FAILED with a precise reason, crhelper's random id, and a rollback Delete with no call
    assert created.status == "FAILED"
    assert created.reason == f"Username 'carol' is not a user of pool {pool.id} (AdminGetUser: UserNotFoundException)"
    assert not created.physical_id.startswith("cognito-sms-mfa:")
    assert rollback.status == "SUCCESS"
    assert deploy.calls() == []
