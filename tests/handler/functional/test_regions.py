"""A pool in another Region: the handler calls Cognito in the Region the pool id names, not its own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.config import Config

from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE
from tests.handler.functional.harness import REGION, SMS, Deployer, Pool, props

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

OTHER_REGION = "eu-west-1"


@pytest.fixture
def eu_pool(aws_env: None, emulator: CognitoEmulator) -> Pool:
    """A pool holding alice in eu-west-1 (moto serves the Region each request is signed for)."""
    client: Any = boto3.client(
        "cognito-idp",
        endpoint_url=emulator.endpoint,
        region_name=OTHER_REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    pool_id = client.create_user_pool(PoolName="elsewhere", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
    client.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    return Pool(client, pool_id)


def test_create_and_delete_reach_pool_in_another_region(deploy: Deployer, eu_pool: Pool) -> None:
    # GIVEN a handler in us-east-1 and a pool whose id names eu-west-1
    assert eu_pool.id.startswith(f"{OTHER_REGION}_")
    # WHEN settings are created, then deleted
    created = deploy.send("Create", props(eu_pool.id))
    after_create = eu_pool.options("alice")
    deleted = deploy.send("Delete", props(eu_pool.id), physical_id=created.physical_id)
    # THEN both reached the pool's Region: options set, then cleared
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id == f"cognito-sms-mfa:{eu_pool.id}:alice"
    assert after_create == [SMS]
    assert deleted.status == "SUCCESS", deleted.reason
    assert eu_pool.options("alice") == []


def test_handler_keeps_one_client_per_region(deploy: Deployer, eu_pool: Pool, pool: Pool) -> None:
    # GIVEN pools in two Regions
    # WHEN settings are created in each, twice
    for _ in range(2):
        assert deploy.send("Create", props(eu_pool.id)).status == "SUCCESS"
        assert deploy.send("Create", props(pool.id), logical_id="Home").status == "SUCCESS"
    # THEN the handler holds one Cognito client per Region, and the home one is its start-up client
    clients = deploy.module.clients
    assert clients.cognito(OTHER_REGION).meta.region_name == OTHER_REGION
    assert clients.cognito(REGION) is clients.cognito()
    assert sorted(key for key in clients._clients if key[0] == "cognito-idp") == [
        ("cognito-idp", OTHER_REGION),
        ("cognito-idp", REGION),
    ]


def test_preference_create_and_delete_reach_pool_in_another_region(deploy: Deployer, eu_pool: Pool) -> None:
    # GIVEN a handler in us-east-1 and alice, with a phone number, in a pool whose id names eu-west-1
    eu_pool.client.admin_update_user_attributes(
        UserPoolId=eu_pool.id, Username="alice", UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}]
    )
    properties = {"UserPoolId": eu_pool.id, "Username": "alice", "SmsMfa": "PREFERRED"}
    # WHEN a preference is created, then deleted
    created = deploy.send("Create", properties, resource_type=PREFERENCE_RESOURCE_TYPE)
    after_create = eu_pool.client.admin_get_user(UserPoolId=eu_pool.id, Username="alice").get("PreferredMfaSetting")
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=PREFERENCE_RESOURCE_TYPE)
    # THEN both reached the pool's Region
    assert created.status == "SUCCESS", created.reason
    assert after_create == "SMS_MFA"
    assert deleted.status == "SUCCESS", deleted.reason
    assert eu_pool.client.admin_get_user(UserPoolId=eu_pool.id, Username="alice").get("PreferredMfaSetting") is None
