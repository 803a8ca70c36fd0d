"""Only our own stack: the handler refuses what another stack's custom resources ask of it, and Update ids it did
not make, through the bundled asset against the emulator (the rows of "Only our own stack" in ``docs/design.md``).

Another stack of the account can name this function's ARN as its custom resource's ``ServiceToken``; CloudFormation
then sends that stack's own ``StackId``. The construct gives the function its own stack's id in an environment
variable, which these tests set as it does.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_lambda import ownership
from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.harness import REGION, run_asset
from tests.handler.functional.test_test_user_ownership import snapshot

if TYPE_CHECKING:
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse
    from tests.handler.functional.deployment import Deployment

FOREIGN = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Intruder/{uuid.uuid4()}"
FOREIGN_REASON = "StackId: stack Intruder may not use this handler; it serves only the custom resources of stack E2E"


def alice(deployment: Deployment) -> dict[str, Any]:
    """alice, a user of the pool with SMS MFA (options and preference) and her own phone number."""
    idp, pool = deployment.idp, deployment.pool_id
    idp.admin_create_user(
        UserPoolId=pool,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}],
    )
    idp.admin_set_user_settings(
        UserPoolId=pool, Username="alice", MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    )
    idp.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    return whole(deployment, "alice")


def whole(deployment: Deployment, username: str) -> dict[str, Any]:
    user = deployment.idp.admin_get_user(UserPoolId=deployment.pool_id, Username=username)
    return {**snapshot(deployment, deployment.pool_id, username), "MFAOptions": user.get("MFAOptions")}


def settings(
    deployment: Deployment, request_type: str, *, stack_id: str, physical_id: str | None = None, **props: Any
) -> CfnResponse:
    """A ``Custom::CognitoUserSmsMfaSettings`` request from ``stack_id`` to the function of the deployment's stack."""
    properties = {"ServiceToken": "arn:aws:lambda:x", "UserPoolId": deployment.pool_id, "Username": "alice", **props}
    event = custom_resource_event(
        request_type,
        properties,
        response_url="",
        stack_id=stack_id,
        logical_id="AliceMfa",
        resource_type=SETTINGS_RESOURCE_TYPE,
        physical_id=physical_id,
        old_properties=properties if request_type == "Update" else None,
    )
    response, invocation = run_asset(deployment.asset, deployment.services, event, own_stack_id=deployment.stack_id)
    deployment.logs = invocation.logs
    return response


def cognito_calls(deployment: Deployment) -> list[str]:
    return deployment.services[0].calls()


@pytest.fixture
def e2e(deployment: Deployment) -> Deployment:
    """The deployment, with a stack of its own (named E2E, which the reasons name)."""
    deployment.stack_id = f"arn:aws:cloudformation:{REGION}:123456789012:stack/E2E/{uuid.uuid4()}"
    return deployment


def test_another_stacks_test_user_cannot_adopt_a_user_and_its_rollback_succeeds(e2e: Deployment) -> None:
    # GIVEN alice, a user of the pool with her own phone number and SMS MFA
    before = alice(e2e)
    e2e.services[0].clear_calls()

    # WHEN a custom resource of another stack, pointed at this function, adopts alice with another phone number
    props = e2e.props(Username="alice", PhoneNumber="+15555550177", AdoptExisting="true")
    created = e2e.send("Create", props, stack_id=FOREIGN, function_of=e2e.stack_id)
    # AND that stack rolls back (a Delete of the id the failed Create answered)
    deleted = e2e.send("Delete", props, physical_id=created.physical_id, stack_id=FOREIGN, function_of=e2e.stack_id)

    # THEN the Create is refused before any Cognito call, naming both stacks; the Delete succeeds without a call
    assert created.status == "FAILED"
    assert created.reason.startswith(FOREIGN_REASON), created.reason
    assert deleted.status == "SUCCESS"
    assert "detail=foreign-stack" in e2e.logs
    assert cognito_calls(e2e) == []
    assert whole(e2e, "alice") == before


def test_another_stack_cannot_clear_a_users_mfa(e2e: Deployment) -> None:
    # GIVEN alice with SMS MFA
    before = alice(e2e)
    e2e.services[0].clear_calls()
    # WHEN another stack's settings resource asks this function to give alice no options, and then to change them
    created = settings(e2e, "Create", stack_id=FOREIGN, MFAOptions=[])
    forged = f"cognito-sms-mfa:{e2e.pool_id}:alice"
    updated = settings(e2e, "Update", stack_id=FOREIGN, physical_id=forged, MFAOptions=[])
    deleted = settings(e2e, "Delete", stack_id=FOREIGN, physical_id=forged, MFAOptions=[])
    # THEN Create and Update are refused, the Delete succeeds, and no Cognito call was made: alice keeps SMS MFA
    assert created.status == updated.status == "FAILED"
    assert created.reason.startswith(FOREIGN_REASON)
    assert updated.reason.startswith(FOREIGN_REASON)
    assert deleted.status == "SUCCESS"
    assert cognito_calls(e2e) == []
    assert whole(e2e, "alice") == before


@pytest.mark.parametrize(
    "physical_id",
    [
        pytest.param("E2E_Carol_AbCdEfGh", id="crhelper-random-id"),
        pytest.param("cognito-sms-mfa:{pool}:carol", id="another-types-id"),
        pytest.param("cognito-sms-mfa-failed-1234", id="a-failed-creates-id"),
    ],
)
def test_an_update_of_an_id_this_handler_did_not_make_is_refused(e2e: Deployment, physical_id: str) -> None:
    # GIVEN carol, a user of the pool
    old = e2e.props()
    e2e.send("Create", old)
    carol = whole(e2e, "carol")
    e2e.services[0].clear_calls()
    # WHEN the stack's own Update names an id this handler never answers for a test user
    updated = e2e.send(
        "Update", {**old, "PhoneNumber": "+15555550199"}, physical_id=physical_id.format(pool=e2e.pool_id), old=old
    )
    # THEN it is refused before any Cognito call
    assert updated.status == "FAILED"
    assert updated.reason.startswith("PhysicalResourceId is not an id this handler made for Custom::CognitoTestUser")
    assert cognito_calls(e2e) == []
    assert whole(e2e, "carol") == carol


def test_ids_of_older_formats_and_functions_without_the_variable_still_work(e2e: Deployment) -> None:
    # GIVEN carol, held under an id written before the sub was recorded
    old = e2e.props()
    created = e2e.send("Create", old)
    legacy = f"{ownership.PHYSICAL_ID_PREFIX}{e2e.pool_id}:carol"
    assert created.physical_id != legacy
    # WHEN the stack's own Update names that id, and then a function deployed without the variable gets one
    updated = e2e.send("Update", {**old, "PhoneNumber": "+15555550199"}, physical_id=legacy, old=old)
    older = e2e.send("Update", {**old, "PhoneNumber": "+15555550198"}, physical_id=legacy, old=old, function_of="")
    # THEN both change carol in place, keeping the id
    assert updated.status == older.status == "SUCCESS", updated.reason
    assert updated.physical_id == older.physical_id == legacy
    assert e2e.attributes()["phone_number"] == "+15555550198"
