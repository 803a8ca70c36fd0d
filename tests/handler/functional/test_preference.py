"""Custom::CognitoUserMfaPreference through crhelper and the handler's dispatch, against the emulator over HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse
    from tests.handler.functional.harness import Deployer, Pool

GET, SET = "AdminGetUser", "AdminSetUserMFAPreference"


def props(pool_id: str, username: str = "alice", **factors: str) -> dict[str, Any]:
    """String-valued properties as CloudFormation sends them (default: SMS preferred)."""
    return {"UserPoolId": pool_id, "Username": username, **(factors or {"SmsMfa": "PREFERRED"})}


def send(deploy: Deployer, request_type: str, properties: dict[str, Any], **kwargs: Any) -> CfnResponse:
    return deploy.send(request_type, properties, resource_type=PREFERENCE_RESOURCE_TYPE, **kwargs)


def factors(pool: Pool, username: str = "alice") -> tuple[list[str], str | None]:
    """``UserMFASettingList`` and ``PreferredMfaSetting`` as Cognito reports them."""
    user: Any = pool.client.admin_get_user(UserPoolId=pool.id, Username=username)
    return list(user.get("UserMFASettingList", [])), user.get("PreferredMfaSetting")


def test_create_prefers_sms_and_names_canonical_user(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice without MFA, named by another spelling
    # WHEN
    response = send(deploy, "Create", props(pool.id, "ALICE"))
    # THEN
    assert response.status == "SUCCESS", response.reason
    assert response.physical_id == f"cognito-mfa-preference:{pool.id}:alice"
    assert response.data == {"Username": "alice", "UserPoolId": pool.id}
    assert deploy.calls() == [GET, SET]
    assert factors(pool) == (["SMS_MFA"], "SMS_MFA")


def test_create_skips_write_when_factors_already_desired(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice already prefers SMS
    send(deploy, "Create", props(pool.id))
    # WHEN
    response = send(deploy, "Create", props(pool.id))
    # THEN one read, no write
    assert response.status == "SUCCESS", response.reason
    assert deploy.calls() == [GET]


def test_update_to_enabled_keeps_physical_id_and_drops_preferred(deploy: Deployer, pool: Pool) -> None:
    # GIVEN SMS preferred
    created = send(deploy, "Create", props(pool.id))
    # WHEN SMS becomes enabled only
    updated = send(
        deploy,
        "Update",
        props(pool.id, SmsMfa="ENABLED"),
        physical_id=created.physical_id,
        old_properties=props(pool.id),
    )
    # THEN in place
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id == created.physical_id
    assert deploy.calls() == [GET, SET]
    assert factors(pool) == (["SMS_MFA"], None)


def test_update_to_other_user_replaces_and_cleanup_delete_disables_old_user_only(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice prefers SMS through the resource
    created = send(deploy, "Create", props(pool.id))
    # WHEN the resource moves to bob, and CloudFormation cleans up the old id with the old properties
    updated = send(
        deploy, "Update", props(pool.id, "bob"), physical_id=created.physical_id, old_properties=props(pool.id)
    )
    cleanup = send(deploy, "Delete", props(pool.id), physical_id=created.physical_id)
    # THEN
    assert updated.physical_id == f"cognito-mfa-preference:{pool.id}:bob"
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert factors(pool, "alice") == ([], None)
    assert factors(pool, "bob") == (["SMS_MFA"], "SMS_MFA")


def test_delete_disables_managed_factors_and_leaves_legacy_options(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice prefers SMS through the resource and also has legacy options of another resource
    created = send(deploy, "Create", props(pool.id))
    pool.client.admin_set_user_settings(
        UserPoolId=pool.id,
        Username="alice",
        MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
    )
    # WHEN
    deleted = send(deploy, "Delete", props(pool.id), physical_id=created.physical_id)
    # THEN one call; the preference is off, the options are not this resource's
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == [SET]
    assert factors(pool) == ([], None)
    assert pool.options("alice") == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]


def test_delete_succeeds_when_user_already_gone(deploy: Deployer, pool: Pool) -> None:
    # GIVEN the user was deleted out of band
    created = send(deploy, "Create", props(pool.id))
    pool.client.admin_delete_user(UserPoolId=pool.id, Username="alice")
    # WHEN
    deleted = send(deploy, "Delete", props(pool.id), physical_id=created.physical_id)
    # THEN
    assert deleted.status == "SUCCESS", deleted.reason


@pytest.mark.parametrize(
    "physical_id",
    [
        pytest.param("FunctionalTest_AliceMfa_ABCDEFGH", id="crhelper-random-id"),
        pytest.param("cognito-sms-mfa:us-east-1_Example1:alice", id="settings-id"),
    ],
)
def test_delete_of_an_id_not_ours_makes_no_call(deploy: Deployer, pool: Pool, physical_id: str) -> None:
    # GIVEN / WHEN
    deleted = send(deploy, "Delete", props(pool.id), physical_id=physical_id)
    # THEN
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == []


def test_create_fails_before_any_call_with_two_preferred_factors(deploy: Deployer, pool: Pool) -> None:
    # GIVEN / WHEN
    response = send(deploy, "Create", props(pool.id, SmsMfa="PREFERRED", EmailMfa="PREFERRED"))
    # THEN
    assert response.status == "FAILED"
    assert response.reason == "SmsMfa and EmailMfa: at most one factor may be PREFERRED; received PREFERRED for 2"
    assert deploy.calls() == []


def test_create_fails_plainly_for_user_without_phone_number(deploy: Deployer, pool: Pool) -> None:
    # GIVEN carol has no phone number
    pool.client.admin_create_user(UserPoolId=pool.id, Username="carol", MessageAction="SUPPRESS")
    # WHEN
    response = send(deploy, "Create", props(pool.id, "carol"))
    # THEN
    assert response.status == "FAILED"
    assert response.reason == (
        "SmsMfa for user 'carol': no delivery config: the user has no phone_number "
        "(InvalidParameterException: User does not have delivery config set to turn on SMS_MFA)"
    )


def test_create_fails_plainly_for_totp_never_verified(deploy: Deployer, pool: Pool) -> None:
    # GIVEN / WHEN
    response = send(deploy, "Create", props(pool.id, SoftwareTokenMfa="ENABLED"))
    # THEN
    assert response.status == "FAILED"
    assert response.reason.startswith(
        "SoftwareTokenMfa for user 'alice': the user has not verified a TOTP token; an admin cannot enrol one"
    )


def test_create_fails_plainly_for_email_on_lite_plan(deploy: Deployer, pool: Pool) -> None:
    # GIVEN / WHEN
    response = send(deploy, "Create", props(pool.id, EmailMfa="PREFERRED"))
    # THEN
    assert response.status == "FAILED"
    assert response.reason.startswith(
        "EmailMfa for user 'alice': needs the Essentials plan or above, email sending (SES) and the user's email"
    )


def test_create_fails_for_unknown_user(deploy: Deployer, pool: Pool) -> None:
    # GIVEN / WHEN
    response = send(deploy, "Create", props(pool.id, "nobody"))
    # THEN
    assert response.status == "FAILED"
    assert response.reason == f"Username 'nobody' is not a user of pool {pool.id} (AdminGetUser: UserNotFoundException)"


def test_access_denied_after_deploy_is_retried_until_granted(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN the new action not yet propagated for two calls
    emulator.inject(SET, "AccessDeniedException", count=2)
    # WHEN
    response = send(deploy, "Create", props(pool.id))
    # THEN
    assert response.status == "SUCCESS", response.reason
    assert deploy.calls() == [GET, SET, SET, SET]


def test_delete_denied_fails_at_once(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    # GIVEN
    created = send(deploy, "Create", props(pool.id))
    emulator.inject(SET, "AccessDeniedException", count=3)
    # WHEN
    deleted = send(deploy, "Delete", props(pool.id), physical_id=created.physical_id)
    # THEN
    assert deleted.status == "FAILED"
    assert deleted.reason == (
        f"UserPoolId {pool.id}: AdminSetUserMFAPreference denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminSetUserMFAPreference"
    )
    assert deploy.calls() == [SET]


def test_created_preference_makes_sign_in_challenge(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    # GIVEN alice with a password in the OPTIONAL pool, and the resource created
    pool.client.admin_set_user_password(
        UserPoolId=pool.id, Username="alice", Password="Passw0rd!Passw0rd", Permanent=True
    )
    app = pool.client.create_user_pool_client(
        UserPoolId=pool.id, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    send(deploy, "Create", props(pool.id))
    # WHEN alice signs in
    answer = pool.client.admin_initiate_auth(
        UserPoolId=pool.id,
        ClientId=app,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": "Passw0rd!Passw0rd"},
    )
    # THEN Cognito asks for the SMS code
    assert answer["ChallengeName"] == "SMS_MFA"
    assert emulator.sms_outbox()[-1]["username"] == "alice"


def test_delete_with_properties_that_name_no_factor_succeeds_without_call(deploy: Deployer, pool: Pool) -> None:
    # GIVEN an id of ours whose properties manage no factor (no Create could have succeeded with them)
    physical_id = f"cognito-mfa-preference:{pool.id}:alice"
    # WHEN
    deleted = send(deploy, "Delete", {"UserPoolId": pool.id, "Username": "alice"}, physical_id=physical_id)
    # THEN a Delete never fails on its input
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == []


def test_delete_of_renamed_preference_hands_over_to_the_new_logical_id(deploy: Deployer, pool: Pool) -> None:
    # GIVEN alice's preference managed by "AlicePreference", then the construct renamed: CloudFormation creates
    # "AlicePref" with the same id first
    old = send(deploy, "Create", props(pool.id), logical_id="AlicePreference")
    new = send(deploy, "Create", props(pool.id), logical_id="AlicePref")
    # WHEN its cleanup phase deletes the old logical resource
    cleanup = send(deploy, "Delete", props(pool.id), physical_id=old.physical_id, logical_id="AlicePreference")
    # THEN SUCCESS without a Cognito write, and alice still prefers SMS
    assert new.physical_id == old.physical_id
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert deploy.calls() == []
    assert factors(pool) == (["SMS_MFA"], "SMS_MFA")
