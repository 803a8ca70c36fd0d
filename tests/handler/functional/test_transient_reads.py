"""Reads of Secrets Manager and S3 retried as Cognito's calls are: the denial of the seconds after a policy change,
throttling, 5xx (``retry.call``), through the bundled asset against the emulator (docs/design.md, failure paths)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.batch_harness import add_users, batch_props, options_of
from tests.handler.functional.harness import REGION, SMS, STACK_ID, record, run_asset
from tests.handler.functional.test_test_user_ownership import PASSWORD

if TYPE_CHECKING:
    from pathlib import Path

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector
    from tests.handler.functional.deployment import Deployment

NAMES = [f"member{i:02d}" for i in range(5)]


def test_a_test_users_secret_is_read_through_a_denial_and_a_throttle(deployment: Deployment) -> None:
    # GIVEN a secret whose first read is denied (the grant not yet propagated) and whose second is throttled
    arn = deployment.secret(PASSWORD)
    deployment.services[0].inject("GetSecretValue", "AccessDeniedException")
    deployment.services[0].inject("GetSecretValue", "TooManyRequestsException")
    # WHEN the test user is created with it
    created = deployment.send("Create", deployment.props(PasswordSecretArn=arn))
    # THEN it succeeds and the user signs in with the secret's password
    assert created.status == "SUCCESS", created.reason
    assert deployment.services[0].faults() == []
    deployment.sign_in(PASSWORD)


def test_a_batch_reads_its_list_through_a_denial_right_after_the_grant(
    asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]
) -> None:
    # GIVEN a batch's list in S3 whose first two reads are denied (S3 says AccessDenied), and a user not listed
    emulator, _ = services
    emulator.reset()
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="batch-denied")["UserPool"]["Id"]
    add_users(client, pool_id, [*NAMES, "outsider"])
    properties = {"ServiceToken": "arn:aws:lambda:x", **batch_props(emulator, pool_id, NAMES)}
    emulator.inject("GetObject", "AccessDeniedException", count=2)

    # WHEN the batch is created, and later deleted
    def send(request_type: str, physical_id: str | None = None) -> tuple[str, str, str]:
        event = custom_resource_event(request_type, properties, response_url="", stack_id=STACK_ID,
                                      logical_id="Members", resource_type=SETTINGS_BATCH_RESOURCE_TYPE,
                                      physical_id=physical_id)  # fmt: skip
        response, _ = run_asset(asset_dir, services, event)
        return response.status, response.reason, response.physical_id

    status, reason, physical_id = send("Create")
    after_create = options_of(client, pool_id, NAMES)
    record(emulator, "Members", physical_id, "DELETE_IN_PROGRESS", STACK_ID, SETTINGS_BATCH_RESOURCE_TYPE)
    deleted, _, _ = send("Delete", physical_id)

    # THEN the Create read the list after the denials and gave every member SMS; the Delete cleared them again;
    # the user not listed never changed
    assert status == "SUCCESS", reason
    assert emulator.faults() == []
    assert after_create == {name: [SMS] for name in NAMES}
    assert deleted == "SUCCESS"
    assert options_of(client, pool_id, NAMES) == {name: [] for name in NAMES}
    assert options_of(client, pool_id, ["outsider"]) == {"outsider": []}
