"""Whose user is it? A test user never takes over, changes or deletes a user it does not own.

Each test runs the real bundled asset in a Lambda-like child against the emulator, with the neighbour it must not
touch in the pool, and checks that neighbour afterwards. The rules are the ownership tables of ``docs/design.md``.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_emulator.stacks import StackResource
from cognito_sms_mfa_lambda.resource import TEST_USER_RESOURCE_TYPE
from tests.handler.functional.harness import REGION

if TYPE_CHECKING:
    from tests.handler.functional.deployment import Deployment

PASSWORD = "Str0ng!Passw0rd-1"
ALICE_PASSWORD = "Al1ce!Own-Passw0rd"
OTHER_STACK = f"arn:aws:cloudformation:{REGION}:123456789012:stack/OtherStack/{uuid.uuid4()}"


def alias_pool(deployment: Deployment) -> str:
    """A pool where email, phone number and preferred_username are sign-in aliases, holding alice (her own email,
    phone and password)."""
    pool_id = deployment.idp.create_user_pool(
        PoolName=f"shared-{uuid.uuid4().hex[:6]}",
        MfaConfiguration="OPTIONAL",
        AliasAttributes=["email", "phone_number", "preferred_username"],
    )["UserPool"]["Id"]
    deployment.idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "phone_number", "Value": "+15555550100"},
            {"Name": "phone_number_verified", "Value": "true"},
            {"Name": "preferred_username", "Value": "ally"},
        ],
    )
    deployment.idp.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=ALICE_PASSWORD, Permanent=True
    )
    return pool_id


def sign_in_alice(deployment: Deployment, pool_id: str) -> None:
    """Alice signs in with her own password (raises NotAuthorizedException if it was changed)."""
    client_id = deployment.idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="alice", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    deployment.idp.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": ALICE_PASSWORD},
    )


def snapshot(deployment: Deployment, pool_id: str, username: str) -> dict[str, Any]:
    """What must stay as it was of a neighbour: its attributes, status and MFA preference."""
    user = deployment.idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {key: user.get(key) for key in ("Username", "UserAttributes", "UserStatus", "UserMFASettingList")}


def calls(deployment: Deployment, *actions: str) -> list[str]:
    return [call for action in actions for call in deployment.services[0].calls(action)]


WRITES = (
    "AdminCreateUser",
    "AdminUpdateUserAttributes",
    "AdminDeleteUserAttributes",
    "AdminSetUserPassword",
    "AdminSetUserMFAPreference",
    "AdminDeleteUser",
)


@pytest.mark.parametrize(
    ("username", "reason_start"),
    [
        pytest.param("alice@example.com", "Username or UserAttributes rejected by Cognito for pool", id="email-alias"),
        pytest.param("+15555550100", "Username or UserAttributes rejected by Cognito for pool", id="phone-alias"),
        pytest.param("ally", "Username 'ally' names another user of pool", id="preferred-username"),
        pytest.param("", "Username '", id="sub"),
    ],
)
def test_create_never_takes_a_name_cognito_resolves_to_another_user(
    deployment: Deployment, username: str, reason_start: str
) -> None:
    # GIVEN a shared pool with alice, and a test user named by one of alice's aliases or her sub
    pool_id = alias_pool(deployment)
    alice = snapshot(deployment, pool_id, "alice")
    name = username or {a["Name"]: a["Value"] for a in alice["UserAttributes"]}["sub"]
    deployment.services[0].clear_calls()

    # WHEN the test user is created
    created = deployment.send("Create", deployment.props(UserPoolId=pool_id, Username=name))

    # THEN FAILED, naming the user and why, with no write at all; alice is as she was and her password still works
    assert created.status == "FAILED", deployment.logs
    assert created.reason.startswith(reason_start), created.reason
    assert calls(deployment, *WRITES[1:]) == []
    assert snapshot(deployment, pool_id, "alice") == alice
    sign_in_alice(deployment, pool_id)
    # AND the rollback Delete (crhelper's random id of the failed Create) deletes nothing
    deleted = deployment.send(
        "Delete", deployment.props(UserPoolId=pool_id, Username=name), physical_id=created.physical_id
    )
    assert deleted.status == "SUCCESS"
    assert "detail=not-ours" in deployment.logs
    assert snapshot(deployment, pool_id, "alice") == alice


def test_create_with_another_users_verified_email_fails_and_creates_nobody(deployment: Deployment) -> None:
    # GIVEN a shared pool with alice, and a test user mallory given alice's email (stored verified)
    pool_id = alias_pool(deployment)
    alice = snapshot(deployment, pool_id, "alice")

    # WHEN the test user is created
    created = deployment.send(
        "Create", deployment.props(UserPoolId=pool_id, Username="mallory", Email="alice@example.com")
    )

    # THEN FAILED (the alias is never moved), nobody new, alice untouched
    assert created.status == "FAILED"
    assert created.reason == (
        f"PhoneNumber or Email is already another user's alias in pool {pool_id} (AdminCreateUser: AliasExistsException)"
    )
    with pytest.raises(deployment.idp.exceptions.UserNotFoundException):
        deployment.idp.admin_get_user(UserPoolId=pool_id, Username="mallory")
    assert snapshot(deployment, pool_id, "alice") == alice


def test_create_refuses_another_stacks_user_and_its_rollback_touches_nothing(deployment: Deployment) -> None:
    # GIVEN stack A's test user frank, with its password
    arn = deployment.secret(PASSWORD)
    first_props = deployment.props(Username="frank", PasswordSecretArn=arn)
    first = deployment.send("Create", first_props)
    assert first.status == "SUCCESS", deployment.logs
    deployment.record("Carol", first.physical_id, "CREATE_COMPLETE")
    frank = snapshot(deployment, deployment.pool_id, "frank")

    # WHEN stack B declares a test user frank in the same pool (another phone number)
    deployment.services[0].record_resource(
        OTHER_STACK, StackResource("Frank", "", TEST_USER_RESOURCE_TYPE, "CREATE_IN_PROGRESS")
    )
    second = deployment.send(
        "Create", deployment.props(Username="frank", PhoneNumber="+15555550177"), stack_id=OTHER_STACK
    )

    # THEN FAILED naming the user and the way to adopt it deliberately; frank is as stack A left him
    assert second.status == "FAILED"
    assert second.reason == (
        f"Username 'frank' is an existing user of pool {deployment.pool_id} that this stack did not create; not "
        "taken over (adopt_existing=True takes it deliberately)"
    )
    assert snapshot(deployment, deployment.pool_id, "frank") == frank
    # AND stack B's rollback Delete deletes nothing, and stack A's next Update still finds frank with his password
    assert deployment.send("Delete", {}, physical_id=second.physical_id, stack_id=OTHER_STACK).status == "SUCCESS"
    updated = deployment.send(
        "Update", {**first_props, "Email": "frank@example.com"}, physical_id=first.physical_id, old=first_props
    )
    assert updated.status == "SUCCESS", deployment.logs
    assert updated.physical_id == first.physical_id
    assert deployment.user("frank")["UserStatus"] == "CONFIRMED"
    deployment.sign_in(PASSWORD, "frank")


def test_adopt_existing_takes_the_user_deliberately_and_sets_its_password(deployment: Deployment) -> None:
    # GIVEN a user made by hand
    deployment.idp.admin_create_user(UserPoolId=deployment.pool_id, Username="gina", MessageAction="SUPPRESS")
    sub = {a["Name"]: a["Value"] for a in deployment.user("gina")["UserAttributes"]}["sub"]
    arn = deployment.secret(PASSWORD)

    # WHEN a test user adopts it
    adopted = deployment.send("Create", deployment.props(Username="gina", PasswordSecretArn=arn, AdoptExisting="true"))

    # THEN SUCCESS: the same user (same sub) holds the declared attributes and the secret's password
    assert adopted.status == "SUCCESS", deployment.logs
    assert "detail=adopted" in deployment.logs
    assert adopted.physical_id == f"cognito-test-user:{deployment.pool_id}:{sub}:gina"
    assert deployment.attributes("gina")["phone_number"] == "+15555550123"
    deployment.sign_in(PASSWORD, "gina")


def test_update_after_the_user_was_deleted_by_hand_makes_it_again_with_its_password(deployment: Deployment) -> None:
    # GIVEN a test user with a password, deleted outside the stack
    arn = deployment.secret(PASSWORD)
    old = deployment.props(PasswordSecretArn=arn)
    created = deployment.send("Create", old)
    deployment.idp.admin_delete_user(UserPoolId=deployment.pool_id, Username="carol")

    # WHEN an Update adds an email
    new = {**old, "Email": "carol.qa@example.com"}
    updated = deployment.send("Update", new, physical_id=created.physical_id, old=old)

    # THEN the user is back, confirmed with the secret's password (not FORCE_CHANGE_PASSWORD), under a new id
    assert updated.status == "SUCCESS", deployment.logs
    assert deployment.user()["UserStatus"] == "CONFIRMED"
    deployment.sign_in(PASSWORD)
    assert updated.physical_id != created.physical_id
    # AND CloudFormation's cleanup Delete of the old id leaves the new user (another sub) in place
    deployment.record("Carol", updated.physical_id, "UPDATE_COMPLETE")
    cleanup = deployment.send("Delete", old, physical_id=created.physical_id)
    assert cleanup.status == "SUCCESS"
    assert "detail=other-user" in deployment.logs
    deployment.sign_in(PASSWORD)


def test_update_and_delete_leave_a_user_made_again_by_someone_else(deployment: Deployment) -> None:
    # GIVEN a test user, deleted by hand and made again by a colleague under the same name
    old = deployment.props()
    created = deployment.send("Create", old)
    deployment.idp.admin_delete_user(UserPoolId=deployment.pool_id, Username="carol")
    deployment.idp.admin_create_user(
        UserPoolId=deployment.pool_id,
        Username="carol",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550188"}],
    )
    colleague = snapshot(deployment, deployment.pool_id, "carol")

    # WHEN the stack updates, then deletes the test user
    updated = deployment.send(
        "Update", {**old, "PhoneNumber": "+15555550199"}, physical_id=created.physical_id, old=old
    )
    deployment.record("Carol", created.physical_id, "DELETE_IN_PROGRESS")
    deleted = deployment.send("Delete", old, physical_id=created.physical_id)

    # THEN the Update fails naming why and the Delete succeeds without deleting: the colleague's user is untouched
    assert updated.status == "FAILED"
    assert updated.reason.startswith(f"Username 'carol' in pool {deployment.pool_id} is no longer the user")
    assert deleted.status == "SUCCESS"
    assert "detail=other-user" in deployment.logs
    assert snapshot(deployment, deployment.pool_id, "carol") == colleague


def test_lost_create_answer_then_a_refused_password_removes_the_user_this_request_made(deployment: Deployment) -> None:
    # GIVEN a secret the pool's password policy refuses, and an AdminCreateUser applied whose answer is lost
    arn = deployment.secret("short")
    deployment.services[0].clear_calls()
    deployment.services[0].inject("AdminCreateUser", "InternalErrorException", applied=True)

    # WHEN the test user is created
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn))

    # THEN FAILED, and the user the lost answer hid is gone (it was this request's: new, no password yet)
    assert created.status == "FAILED"
    assert created.reason.startswith("password: the secret's value breaks the password policy")
    assert calls(deployment, "AdminCreateUser") == ["AdminCreateUser"] * 2
    with pytest.raises(deployment.idp.exceptions.UserNotFoundException):
        deployment.user()


def test_lost_create_answer_then_success_keeps_the_user_as_created(deployment: Deployment) -> None:
    # GIVEN an AdminCreateUser applied whose answer is lost
    deployment.services[0].inject("AdminCreateUser", "InternalErrorException", applied=True)
    # WHEN the test user is created
    created = deployment.send("Create", deployment.props())
    # THEN SUCCESS as a creation (its rollback or Delete would remove it), not as a take-over
    assert created.status == "SUCCESS", deployment.logs
    assert "detail=created" in deployment.logs


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param(
            '{"username": "carol", "pass": "Str0ng!Passw0rd-1"}',
            "holds a JSON object without a string `password` field",
            id="json-without-password",
        ),
        pytest.param(
            "Str0ng!Passw0rd-1\n",
            "holds a value that begins or ends with whitespace or a newline (store the password alone)",
            id="trailing-newline",
        ),
    ],
)
def test_secret_without_a_usable_password_fails_before_any_write(
    deployment: Deployment, value: str, problem: str
) -> None:
    # GIVEN a secret whose value holds no usable password
    arn = deployment.secret(value)
    # WHEN the test user is created with it
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn))
    # THEN FAILED naming password and the secret, never the value, and no user was made
    assert created.status == "FAILED"
    assert created.reason == f"password: secret {arn} {problem}"
    assert "Passw0rd" not in deployment.logs
    with pytest.raises(deployment.idp.exceptions.UserNotFoundException):
        deployment.user()


@pytest.mark.parametrize(
    ("overrides", "reason", "secret"),
    [
        pytest.param(
            {"PhoneNumber": 15555550123},
            "PhoneNumber must be a string; received a value of type int",
            "15555550123",
            id="phone-number",
        ),
        pytest.param(
            {"PasswordSecretArn": "hunter2"},
            "PasswordSecretArn must be a Secrets Manager secret ARN (arn:<partition>:secretsmanager:...); received a value of 7 characters",
            "hunter2",
            id="secret-arn",
        ),
    ],
)
def test_personal_and_secret_values_are_never_echoed(
    deployment: Deployment, overrides: dict[str, Any], reason: str, secret: str
) -> None:
    # WHEN a test user is created with a phone number of the wrong type, or a password where the ARN goes
    created = deployment.send("Create", {**deployment.props(), **overrides})
    # THEN the Reason names the property and the rule; the value is in no Reason and no log line
    assert created.status == "FAILED"
    assert created.reason == reason
    assert secret not in deployment.logs


def test_rename_does_not_set_the_same_password_version_again(deployment: Deployment) -> None:
    # GIVEN a test user with a password, held by its (old) logical id
    arn = deployment.secret(PASSWORD)
    props = deployment.props(PasswordSecretArn=arn, PasswordRevision="r1")
    created = deployment.send("Create", props)
    deployment.record("Carol", created.physical_id, "CREATE_COMPLETE")
    deployment.services[0].clear_calls()

    # WHEN the renamed construct's resource is created with the same secret
    renamed = deployment.send("Create", props, logical_id="CarolRenamed")

    # THEN it takes the user over with the same id, without setting the password again
    assert renamed.status == "SUCCESS", deployment.logs
    assert renamed.physical_id == created.physical_id
    assert "detail=handed-over" in deployment.logs
    assert calls(deployment, "AdminSetUserPassword") == []
    deployment.sign_in(PASSWORD)


def test_rename_with_a_new_secret_version_sets_it(deployment: Deployment) -> None:
    # GIVEN a test user held by its old logical id (last updated a minute ago), and then a new value of its secret
    arn = deployment.secret(PASSWORD)
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn, PasswordRevision="r1"))
    holder = StackResource("Carol", created.physical_id, TEST_USER_RESOURCE_TYPE, "CREATE_COMPLETE", time.time() - 60)
    deployment.services[0].record_resource(deployment.stack_id, holder)
    deployment.secrets.put_secret_value(SecretId=arn, SecretString="N3w!Passw0rd-2x")

    # WHEN the renamed resource is created in the same deploy
    renamed = deployment.send(
        "Create", deployment.props(PasswordSecretArn=arn, PasswordRevision="r2"), logical_id="CarolRenamed"
    )

    # THEN the new version is set: the user signs in with it
    assert renamed.status == "SUCCESS", deployment.logs
    deployment.sign_in("N3w!Passw0rd-2x")


def test_rollback_update_that_keeps_the_secret_does_not_set_the_password(deployment: Deployment) -> None:
    # GIVEN a test user with a password, then an Update of its email that a rollback undoes (same secret revision)
    arn = deployment.secret(PASSWORD)
    old = deployment.props(PasswordSecretArn=arn, PasswordRevision="r1")
    created = deployment.send("Create", old)
    new = {**old, "Email": "carol.qa@example.com"}
    deployment.send("Update", new, physical_id=created.physical_id, old=old)
    deployment.services[0].clear_calls()

    # WHEN the rollback sends Update with old and new swapped
    rolled_back = deployment.send("Update", old, physical_id=created.physical_id, old=new)

    # THEN the email is back and the password was not set again
    assert rolled_back.status == "SUCCESS", deployment.logs
    assert deployment.attributes()["email"] == "carol@example.com"
    assert calls(deployment, "AdminSetUserPassword") == []
