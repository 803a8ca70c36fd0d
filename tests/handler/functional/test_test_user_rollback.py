"""A test user's failure paths, played as CloudFormation plays them, through the bundled asset against the emulator.

Each test sends the request that fails (or succeeds and is then rolled back because another resource failed), sets
the stack status of each step in the emulator (the handler may ask ``DescribeStacks``), sends the rollback Update
with old and new properties swapped and the id the failed or succeeded Update answered, then the clean-up Delete
CloudFormation sends, and asserts the users' final state, the stack's end (no ``*_FAILED``) and the neighbours. The
rows are the test-user failure-path table of ``docs/design.md``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.handler.functional.test_test_user_ownership import PASSWORD, snapshot

if TYPE_CHECKING:
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse
    from tests.handler.functional.deployment import Deployment


def status(deployment: Deployment, value: str) -> None:
    """Move the stack to ``value``, as CloudFormation does before the requests of that step."""
    deployment.services[0].set_stack_status(deployment.stack_id, value)


def step(deployment: Deployment, request_type: str, *args: Any, **kwargs: Any) -> CfnResponse:
    """Send one request and record the resource as CloudFormation lists it afterwards."""
    response = deployment.send(request_type, *args, **kwargs)
    if request_type != "Delete":
        done = "COMPLETE" if response.status == "SUCCESS" else "FAILED"
        deployment.record("Carol", response.physical_id, f"{request_type.upper()}_{done}")
    return response


def gone(deployment: Deployment, pool_id: str, username: str) -> bool:
    try:
        deployment.idp.admin_get_user(UserPoolId=pool_id, Username=username)
    except deployment.idp.exceptions.UserNotFoundException:
        return True
    return False


def neighbour(deployment: Deployment) -> dict[str, Any]:
    """bob, a user of the app's pool that no resource manages; what must stay as it is of him."""
    deployment.idp.admin_create_user(UserPoolId=deployment.pool_id, Username="bob", MessageAction="SUPPRESS")
    return snapshot(deployment, deployment.pool_id, "bob")


def other_pool(deployment: Deployment) -> str:
    pool_id = deployment.idp.create_user_pool(PoolName=f"qa2-{uuid.uuid4().hex[:6]}", MfaConfiguration="OPTIONAL")
    return str(pool_id["UserPool"]["Id"])


MOVES = [
    pytest.param(lambda d: {"Username": "dave"}, id="renamed"),
    pytest.param(lambda d: {"UserPoolId": other_pool(d)}, id="other-pool"),
]


@pytest.mark.parametrize("move", MOVES)
def test_a_move_that_fails_on_its_own_is_rolled_back_complete(deployment: Deployment, move: Any) -> None:
    # GIVEN a test user carol with a password, and bob, a user of the app that no resource manages
    pool_id = deployment.pool_id
    bob = neighbour(deployment)
    arn = deployment.secret(PASSWORD)
    old = deployment.props(PasswordSecretArn=arn, PasswordRevision="r1")
    created = step(deployment, "Create", old)
    assert created.status == "SUCCESS", deployment.logs
    carol = snapshot(deployment, pool_id, "carol")

    # WHEN an Update moves it to another user whose password the pool refuses (it fails after making the user)
    status(deployment, "UPDATE_IN_PROGRESS")
    new = {**old, **move(deployment), "PasswordSecretArn": deployment.secret("short"), "PasswordRevision": "r2"}
    failed = step(deployment, "Update", new, physical_id=created.physical_id, old=old)
    assert failed.status == "FAILED"
    # AND CloudFormation rolls it back with old and new swapped and the id the failed Update answered
    status(deployment, "UPDATE_ROLLBACK_IN_PROGRESS")
    rolled_back = step(deployment, "Update", old, physical_id=failed.physical_id, old=new)

    # THEN the rollback ends complete on carol's own id (no replacement, so no clean-up Delete follows)
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    assert rolled_back.physical_id == created.physical_id
    status(deployment, "UPDATE_ROLLBACK_COMPLETE")
    # AND carol is as she was and signs in with her password, the user the failed Update made is gone, and bob is
    # untouched
    assert snapshot(deployment, pool_id, "carol") == carol
    deployment.sign_in(PASSWORD)
    assert gone(deployment, str(new["UserPoolId"]), str(new["Username"]))
    assert snapshot(deployment, pool_id, "bob") == bob


@pytest.mark.parametrize("move", MOVES)
def test_a_move_rolled_back_after_another_resource_failed_ends_complete(deployment: Deployment, move: Any) -> None:
    # GIVEN a test user carol with a password, and bob, a user of the app that no resource manages
    arn = deployment.secret(PASSWORD)
    bob = neighbour(deployment)
    old = deployment.props(PasswordSecretArn=arn)
    created = step(deployment, "Create", old)
    carol = snapshot(deployment, deployment.pool_id, "carol")

    # WHEN an Update moves it to another user and succeeds, and then another resource of the stack fails
    status(deployment, "UPDATE_IN_PROGRESS")
    new = {**old, **move(deployment)}
    moved = step(deployment, "Update", new, physical_id=created.physical_id, old=old)
    assert moved.status == "SUCCESS", deployment.logs
    assert moved.physical_id != created.physical_id
    # AND CloudFormation rolls it back: old and new swapped, the id the Update answered
    status(deployment, "UPDATE_ROLLBACK_IN_PROGRESS")
    rolled_back = step(deployment, "Update", old, physical_id=moved.physical_id, old=new)
    # AND then deletes the new id in the clean-up after the rolled-back replacement
    status(deployment, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    cleanup = deployment.send("Delete", new, physical_id=moved.physical_id)
    status(deployment, "UPDATE_ROLLBACK_COMPLETE")

    # THEN the rollback answers carol's own id again and the clean-up deletes only the user the Update made
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    assert rolled_back.physical_id == created.physical_id
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert "detail=deleted" in deployment.logs
    assert gone(deployment, str(new["UserPoolId"]), str(new["Username"]))
    # AND carol is as she was (same sub, her password), and bob is untouched
    assert snapshot(deployment, deployment.pool_id, "carol") == carol
    deployment.sign_in(PASSWORD)
    assert snapshot(deployment, deployment.pool_id, "bob") == bob


def test_a_successful_rename_deletes_the_old_user_in_the_clean_up(deployment: Deployment) -> None:
    # GIVEN a test user carol, and bob, a user of the app that no resource manages
    bob = neighbour(deployment)
    arn = deployment.secret(PASSWORD)
    old = deployment.props(PasswordSecretArn=arn)
    created = step(deployment, "Create", old)

    # WHEN an Update renames it and the deploy goes on to its clean-up, which deletes the old id
    status(deployment, "UPDATE_IN_PROGRESS")
    new = {**old, "Username": "dave"}
    renamed = step(deployment, "Update", new, physical_id=created.physical_id, old=old)
    dave = snapshot(deployment, deployment.pool_id, "dave")
    status(deployment, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
    cleanup = deployment.send("Delete", old, physical_id=created.physical_id)
    status(deployment, "UPDATE_COMPLETE")

    # THEN carol is gone, dave stays as the Update left him (signs in with the password), bob is untouched
    assert renamed.status == cleanup.status == "SUCCESS", deployment.logs
    assert gone(deployment, deployment.pool_id, "carol")
    assert snapshot(deployment, deployment.pool_id, "dave") == dave
    deployment.sign_in(PASSWORD, "dave")
    assert snapshot(deployment, deployment.pool_id, "bob") == bob


@pytest.mark.parametrize("applied_create_lost", [False, True], ids=["created", "create-answer-lost"])
def test_a_failed_create_removes_its_user_even_when_the_removal_is_throttled(
    deployment: Deployment, applied_create_lost: bool
) -> None:
    # GIVEN a secret the pool refuses, and a throttle waiting for the removal of the user the Create makes
    arn = deployment.secret("short")
    emulator = deployment.services[0]
    emulator.clear_calls()
    if applied_create_lost:
        emulator.inject("AdminCreateUser", "InternalErrorException", applied=True)
    emulator.inject("AdminDeleteUser", "TooManyRequestsException")
    status(deployment, "CREATE_IN_PROGRESS")

    # WHEN the test user is created (it fails after the user was made), and the rollback Delete follows
    created = step(deployment, "Create", deployment.props(PasswordSecretArn=arn))
    status(deployment, "ROLLBACK_IN_PROGRESS")
    deleted = deployment.send("Delete", deployment.props(PasswordSecretArn=arn), physical_id=created.physical_id)

    # THEN the Create failed, the user it made was removed all the same (retried), and the rollback succeeds
    assert created.status == "FAILED"
    assert created.reason.startswith("password: the secret's value breaks the password policy")
    assert emulator.calls("AdminDeleteUser") == ["AdminDeleteUser"] * 2
    assert gone(deployment, deployment.pool_id, "carol")
    assert deleted.status == "SUCCESS"


def test_a_throttle_on_an_updates_first_read_is_retried(deployment: Deployment) -> None:
    # GIVEN a test user, and a throttle waiting for the Update's first AdminGetUser
    old = deployment.props()
    created = step(deployment, "Create", old)
    deployment.services[0].inject("AdminGetUser", "TooManyRequestsException")

    # WHEN an Update changes its phone number
    new = {**old, "PhoneNumber": "+15555550199"}
    updated = step(deployment, "Update", new, physical_id=created.physical_id, old=old)

    # THEN it succeeds in place
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert deployment.attributes()["phone_number"] == "+15555550199"


def test_a_rollback_to_an_id_that_records_no_former_user_asks_the_stack_status(deployment: Deployment) -> None:
    # GIVEN a test user carol moved to dave by an Update whose id records no former user (as an older handler
    # answered it), and bob, a neighbour
    bob = neighbour(deployment)
    old = deployment.props()
    created = step(deployment, "Create", old)
    carol = snapshot(deployment, deployment.pool_id, "carol")
    new = {**old, "Username": "dave"}
    moved = step(deployment, "Update", new, physical_id=created.physical_id, old=old)
    dave_sub = deployment.attributes("dave")["sub"]
    older_id = f"cognito-test-user:{deployment.pool_id}:{dave_sub}:dave"
    deployment.record("Carol", older_id, "UPDATE_COMPLETE")
    assert moved.physical_id != older_id

    # WHEN an Update outside a rollback asks for carol with that id, and then the rollback Update does
    status(deployment, "UPDATE_IN_PROGRESS")
    outside = deployment.send("Update", old, physical_id=older_id, old=new)
    status(deployment, "UPDATE_ROLLBACK_IN_PROGRESS")
    rolled_back = step(deployment, "Update", old, physical_id=older_id, old=new)
    status(deployment, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    cleanup = deployment.send("Delete", new, physical_id=older_id)

    # THEN only the rollback takes carol back (its properties are what the resource held), on her own id; the
    # clean-up deletes dave; carol and bob are as they were
    assert outside.status == "FAILED"
    assert "that this stack did not create" in outside.reason
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    assert rolled_back.physical_id == created.physical_id
    assert cleanup.status == "SUCCESS"
    assert gone(deployment, deployment.pool_id, "dave")
    assert snapshot(deployment, deployment.pool_id, "carol") == carol
    assert snapshot(deployment, deployment.pool_id, "bob") == bob


def test_a_rollback_whose_former_user_was_made_again_by_someone_else_ends_complete(deployment: Deployment) -> None:
    # GIVEN a test user carol moved to dave by an Update that succeeded; meanwhile carol was deleted by hand and a
    # colleague made a user carol of their own
    old = deployment.props()
    created = step(deployment, "Create", old)
    new = {**old, "Username": "dave"}
    moved = step(deployment, "Update", new, physical_id=created.physical_id, old=old)
    deployment.idp.admin_delete_user(UserPoolId=deployment.pool_id, Username="carol")
    deployment.idp.admin_create_user(UserPoolId=deployment.pool_id, Username="carol", MessageAction="SUPPRESS")
    colleague = snapshot(deployment, deployment.pool_id, "carol")

    # WHEN another resource fails and CloudFormation rolls the move back, then cleans up and later deletes the stack
    status(deployment, "UPDATE_ROLLBACK_IN_PROGRESS")
    rolled_back = step(deployment, "Update", old, physical_id=moved.physical_id, old=new)
    detail = deployment.logs
    status(deployment, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
    cleanup = deployment.send("Delete", new, physical_id=moved.physical_id)
    status(deployment, "DELETE_IN_PROGRESS")
    deployment.record("Carol", rolled_back.physical_id, "DELETE_IN_PROGRESS")
    deleted = deployment.send("Delete", old, physical_id=rolled_back.physical_id)

    # THEN every step succeeds: the rollback writes nothing and says so, answering the id of the user it held
    # (so the clean-up deletes dave); the colleague's carol is never touched
    assert rolled_back.status == cleanup.status == deleted.status == "SUCCESS", rolled_back.reason
    assert "detail=not-restored" in detail
    assert rolled_back.data["NotRestored"].startswith("Username 'carol'")
    assert rolled_back.physical_id == created.physical_id
    assert gone(deployment, deployment.pool_id, "dave")
    assert snapshot(deployment, deployment.pool_id, "carol") == colleague


def test_an_in_place_rollback_whose_user_was_made_again_by_someone_else_ends_complete(deployment: Deployment) -> None:
    # GIVEN a test user carol whose phone number an Update changed in place; meanwhile carol was deleted by hand and a
    # colleague made a user carol of their own
    old = deployment.props()
    created = step(deployment, "Create", old)
    new = {**old, "PhoneNumber": "+15555550199"}
    step(deployment, "Update", new, physical_id=created.physical_id, old=old)
    deployment.idp.admin_delete_user(UserPoolId=deployment.pool_id, Username="carol")
    deployment.idp.admin_create_user(UserPoolId=deployment.pool_id, Username="carol", MessageAction="SUPPRESS")
    colleague = snapshot(deployment, deployment.pool_id, "carol")

    # WHEN another resource fails and CloudFormation rolls the Update back
    status(deployment, "UPDATE_ROLLBACK_IN_PROGRESS")
    rolled_back = step(deployment, "Update", old, physical_id=created.physical_id, old=new)

    # THEN the rollback succeeds on the same id without a write, saying why; the colleague's carol is untouched
    assert rolled_back.status == "SUCCESS", rolled_back.reason
    assert rolled_back.physical_id == created.physical_id
    assert rolled_back.data["NotRestored"].startswith("Username 'carol'")
    assert snapshot(deployment, deployment.pool_id, "carol") == colleague
