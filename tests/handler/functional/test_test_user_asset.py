"""``Custom::CognitoTestUser`` through the bundled asset in a Lambda-like child, against the emulator over HTTP.

The password comes from the emulator's Secrets Manager; the user can then sign in with it (a password flow of the
emulator), which is what a QA engineer needs.
"""

from __future__ import annotations

import pytest

from tests.handler.functional.deployment import Deployment
from tests.handler.functional.harness import REGION

PASSWORD = "Str0ng!Passw0rd-1"
NEW_PASSWORD = "An0ther!Passw0rd-2"
MISSING_SECRET = f"arn:aws:secretsmanager:{REGION}:123456789012:secret:nowhere-AbCdEf"


def test_create_makes_a_confirmed_user_with_the_secret_password_and_sms_preference(deployment: Deployment) -> None:
    # GIVEN a secret that holds the password
    arn = deployment.secret(PASSWORD)
    # WHEN the asset creates the test user
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn))
    # THEN the user exists, is confirmed with that password, verified, and prefers SMS MFA
    assert created.status == "SUCCESS", deployment.logs
    user = deployment.user()
    assert user["UserStatus"] == "CONFIRMED"
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert user["PreferredMfaSetting"] == "SMS_MFA"
    attributes = deployment.attributes()
    assert attributes["phone_number_verified"] == "true"
    assert attributes["email_verified"] == "true"
    assert created.data == {"Username": "carol", "UserPoolId": deployment.pool_id, "Sub": attributes["sub"]}
    assert created.physical_id == f"cognito-test-user:{deployment.pool_id}:{attributes['sub']}:carol"
    deployment.sign_in(PASSWORD)  # accepted (tokens or an MFA challenge)
    with pytest.raises(deployment.idp.exceptions.NotAuthorizedException):
        deployment.sign_in(NEW_PASSWORD)
    # AND the password is in no log line and no response
    assert PASSWORD not in deployment.logs
    assert PASSWORD not in str(created)
    assert "request=Create logical_id=Carol" in deployment.logs


def test_update_changes_phone_and_email_in_place_keeping_the_sub(deployment: Deployment) -> None:
    # GIVEN a test user
    old = deployment.props()
    created = deployment.send("Create", old)
    sub = deployment.attributes()["sub"]
    # WHEN the phone number and the email change
    new = deployment.props(PhoneNumber="+15555550199", Email="carol.qa@example.com")
    updated = deployment.send("Update", new, physical_id=created.physical_id, old=old)
    # THEN the same user (same id, same sub) holds the new verified values
    assert updated.status == "SUCCESS", deployment.logs
    assert updated.physical_id == created.physical_id
    attributes = deployment.attributes()
    assert attributes["sub"] == sub
    assert attributes["phone_number"] == "+15555550199"
    assert attributes["email"] == "carol.qa@example.com"
    assert attributes["phone_number_verified"] == attributes["email_verified"] == "true"
    assert "detail=attributes" in deployment.logs
    assert "+15555550199" not in deployment.logs


def test_update_with_a_new_password_revision_sets_the_secret_new_value(deployment: Deployment) -> None:
    # GIVEN a test user whose password came from a secret
    arn = deployment.secret(PASSWORD)
    old = deployment.props(PasswordSecretArn=arn, PasswordRevision="r1")
    created = deployment.send("Create", old)
    # WHEN the secret gets a new version and the template a new revision
    deployment.secrets.put_secret_value(SecretId=arn, SecretString=NEW_PASSWORD)
    updated = deployment.send("Update", {**old, "PasswordRevision": "r2"}, physical_id=created.physical_id, old=old)
    # THEN the user signs in with the new password only
    assert updated.status == "SUCCESS", deployment.logs
    assert "detail=password" in deployment.logs
    deployment.sign_in(NEW_PASSWORD)
    with pytest.raises(deployment.idp.exceptions.NotAuthorizedException):
        deployment.sign_in(PASSWORD)


def test_delete_deletes_the_user_and_succeeds_when_it_is_gone(deployment: Deployment) -> None:
    # GIVEN a test user that the stack is deleting
    created = deployment.send("Create", deployment.props())
    deployment.record("Carol", created.physical_id, "DELETE_IN_PROGRESS")
    # WHEN the asset deletes it twice
    deleted = deployment.send("Delete", deployment.props(), physical_id=created.physical_id)
    first_logs = deployment.logs
    again = deployment.send("Delete", deployment.props(), physical_id=created.physical_id)
    # THEN the user is gone and both answers are SUCCESS
    assert deleted.status == again.status == "SUCCESS"
    assert "detail=deleted" in first_logs
    assert "detail=gone" in deployment.logs
    with pytest.raises(deployment.idp.exceptions.UserNotFoundException):
        deployment.user()


def test_missing_secret_fails_naming_password_and_the_secret_without_creating_the_user(
    deployment: Deployment,
) -> None:
    # GIVEN a secret ARN that names no secret
    # WHEN the asset creates a test user with it
    created = deployment.send("Create", deployment.props(PasswordSecretArn=MISSING_SECRET))
    # THEN FAILED, the Reason names the property and the secret, and no user was left behind
    assert created.status == "FAILED"
    assert created.reason == f"password: secret {MISSING_SECRET} not found (GetSecretValue: ResourceNotFoundException)"
    with pytest.raises(deployment.idp.exceptions.UserNotFoundException):
        deployment.user()


def test_unreadable_secret_fails_without_its_value(deployment: Deployment) -> None:
    # GIVEN a secret that is scheduled for deletion (GetSecretValue refuses it)
    arn = deployment.secret(PASSWORD)
    deployment.secrets.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    # WHEN the asset creates a test user with it
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn))
    # THEN FAILED with a Reason that names password and the secret, never the value
    assert created.status == "FAILED"
    assert created.reason == f"password: secret {arn} could not be read (GetSecretValue: InvalidRequestException)"
    assert PASSWORD not in deployment.logs


def test_password_the_pool_refuses_fails_and_removes_the_user_it_created(deployment: Deployment) -> None:
    # GIVEN a secret whose value breaks the pool's default password policy
    arn = deployment.secret("short")
    # WHEN the asset creates a test user with it
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn))
    # THEN FAILED, and the user this request created is gone (the rollback Delete could not find it)
    assert created.status == "FAILED"
    assert created.reason == (
        f"password: the secret's value breaks the password policy of pool {deployment.pool_id} "
        "(AdminSetUserPassword: InvalidPasswordException)"
    )
    with pytest.raises(deployment.idp.exceptions.UserNotFoundException):
        deployment.user()
    assert "short" not in created.reason


def test_create_over_a_user_the_stack_holds_under_another_logical_id_takes_it_in_place(
    deployment: Deployment,
) -> None:
    # GIVEN a user the stack already holds under another logical id (a renamed construct)
    first = deployment.send("Create", deployment.props())
    sub = deployment.attributes()["sub"]
    deployment.record("CarolOld", first.physical_id, "CREATE_COMPLETE")
    # WHEN the renamed resource's Create runs before the old one's Delete
    adopted = deployment.send("Create", deployment.props(PhoneNumber="+15555550177"))
    # THEN it takes the same user over, same id and sub, with its own attributes
    assert adopted.status == "SUCCESS", deployment.logs
    assert "detail=handed-over" in deployment.logs
    assert adopted.physical_id == first.physical_id
    attributes = deployment.attributes()
    assert attributes["sub"] == sub
    assert attributes["phone_number"] == "+15555550177"


def test_update_to_another_username_creates_a_new_user_and_new_id(deployment: Deployment) -> None:
    # GIVEN a test user carol
    old = deployment.props()
    created = deployment.send("Create", old)
    # WHEN the username changes
    updated = deployment.send("Update", deployment.props(Username="carla"), physical_id=created.physical_id, old=old)
    # THEN a new user and a new id that records the pool and sub of the user it replaced, for a rollback (and
    # CloudFormation's cleanup Delete then removes carol)
    assert updated.status == "SUCCESS", deployment.logs
    carla, carol = deployment.attributes("carla")["sub"], deployment.attributes("carol")["sub"]
    pool = deployment.pool_id
    assert updated.physical_id == f"cognito-test-user:{pool}:{carla}/{pool}/{carol}:carla"
    assert deployment.user("carla")["Username"] == "carla"
    assert deployment.user("carol")["Username"] == "carol"


def test_delete_after_a_rename_hands_the_user_over(deployment: Deployment) -> None:
    # GIVEN a user created under the old logical id, then adopted by the renamed construct's resource
    created = deployment.send("Create", deployment.props())
    sub = deployment.attributes()["sub"]
    deployment.record("CarolRenamed", created.physical_id, "CREATE_COMPLETE")
    deployment.record("Carol", created.physical_id, "DELETE_IN_PROGRESS")
    # WHEN CloudFormation's cleanup deletes the old logical id
    deleted = deployment.send("Delete", deployment.props(), physical_id=created.physical_id)
    # THEN SUCCESS without deleting: the renamed resource keeps the same user
    assert deleted.status == "SUCCESS"
    assert "detail=handed-over" in deployment.logs
    assert deployment.attributes()["sub"] == sub
