"""The emulator keeps its behaviour and its data to itself: moto elsewhere in the process stays plain moto.

A user's own ``mock_aws`` tests may run in the same process after the ``cognito_emulator`` fixture started the
emulator; they must see moto's cognito-idp exactly as moto ships it (no SMS MFA refusals, no SMS challenges, no
AdminSetUserSettings), and ``mock_aws`` starting and stopping must not empty the emulator. The cases below are
taken from moto 5.2.5's own cognito-idp tests (``tests/test_cognitoidp/test_cognitoidp.py``), which failed in a
process where the emulator's extension had been installed into moto's classes.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

PASSWORD = "Passw0rd!Passw0rd"


@pytest.fixture
def plain_moto(emulator: CognitoEmulator) -> Iterator[CognitoIdentityProviderClient]:
    """A client of moto's in-process mock, in a process where the emulator is running (and served a request)."""
    emulator_client = boto3.client("cognito-idp", endpoint_url=emulator.endpoint)
    emulator_client.create_user_pool(PoolName="served-by-the-emulator")
    with mock_aws():
        yield boto3.client("cognito-idp", region_name="us-east-1")


def test_mock_aws_enables_sms_mfa_for_user_without_phone_number(plain_moto: CognitoIdentityProviderClient) -> None:
    """moto's test_admin_set_user_mfa_preference: plain moto enables SMS MFA without checking for a phone number."""
    # GIVEN a user without a phone number in moto's in-process mock
    pool_id = plain_moto.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    plain_moto.admin_create_user(UserPoolId=pool_id, Username="alice")

    # WHEN SMS MFA is enabled and preferred
    plain_moto.admin_set_user_mfa_preference(
        UserPoolId=pool_id, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )

    # THEN moto accepted it, as moto does (the emulator would refuse: no delivery config)
    user = plain_moto.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert user["PreferredMfaSetting"] == "SMS_MFA"


def test_mock_aws_signs_in_without_sms_challenge_in_on_pool(plain_moto: CognitoIdentityProviderClient) -> None:
    """moto's sign-in ignores the pool's MfaConfiguration: tokens at once, where the emulator challenges."""
    # GIVEN a pool with MFA ON and a user with a phone number and a password, and a client without auth flows
    pool_id = plain_moto.create_user_pool(PoolName="plain", MfaConfiguration="ON")["UserPool"]["Id"]
    client_id = plain_moto.create_user_pool_client(UserPoolId=pool_id, ClientName="app")["UserPoolClient"]["ClientId"]
    plain_moto.admin_create_user(
        UserPoolId=pool_id, Username="alice", UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}]
    )
    plain_moto.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)

    # WHEN alice signs in with her password
    answer = plain_moto.admin_initiate_auth(
        UserPoolId=pool_id,
        ClientId=client_id,
        AuthFlow="ADMIN_NO_SRP_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )

    # THEN moto answers tokens, with no challenge
    assert "ChallengeName" not in answer
    assert answer["AuthenticationResult"]["IdToken"].count(".") == 2


def test_mock_aws_does_not_serve_admin_set_user_settings(plain_moto: CognitoIdentityProviderClient) -> None:
    """AdminSetUserSettings is the emulator's: moto's mock does not implement it, and reports no MFAOptions."""
    # GIVEN a user in moto's in-process mock
    pool_id = plain_moto.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    plain_moto.admin_create_user(UserPoolId=pool_id, Username="alice")

    # WHEN options are set
    with pytest.raises(NotImplementedError):
        plain_moto.admin_set_user_settings(
            UserPoolId=pool_id,
            Username="alice",
            MFAOptions=[{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
        )

    # THEN moto's AdminGetUser still says what moto says
    assert plain_moto.admin_get_user(UserPoolId=pool_id, Username="alice")["MFAOptions"] == []


def test_mock_aws_leaves_the_emulator_pools_alone(emulator: CognitoEmulator) -> None:
    """moto's mock resets its own backends when it starts and stops; the emulator's pools are not among them."""
    # GIVEN a pool in the emulator
    client = boto3.client("cognito-idp", endpoint_url=emulator.endpoint)
    pool_id = client.create_user_pool(PoolName="kept")["UserPool"]["Id"]

    # WHEN a mock_aws block creates a pool of its own and ends
    with mock_aws():
        mocked = boto3.client("cognito-idp", region_name="us-east-1")
        mocked.create_user_pool(PoolName="mocked")
        assert [pool["Name"] for pool in mocked.list_user_pools(MaxResults=10)["UserPools"]] == ["mocked"]

    # THEN the emulator still holds its pool, and only that one
    assert [pool["Id"] for pool in client.list_user_pools(MaxResults=10)["UserPools"]] == [pool_id]


def test_emulator_keeps_its_behaviour_after_mock_aws(client: CognitoIdentityProviderClient) -> None:
    """The emulator's rules stay on its endpoint whatever moto's mock did before."""
    # GIVEN a mock_aws block that ran first
    with mock_aws():
        boto3.client("cognito-idp", region_name="us-east-1").create_user_pool(PoolName="mocked")
    pool_id = client.create_user_pool(PoolName="emulated")["UserPool"]["Id"]
    client.admin_create_user(UserPoolId=pool_id, Username="alice")

    # WHEN SMS MFA is enabled for a user without a phone number, on the emulator
    with pytest.raises(ClientError) as excinfo:
        client.admin_set_user_mfa_preference(
            UserPoolId=pool_id, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
        )

    # THEN the emulator refuses it, as the service does
    assert excinfo.value.response["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "User does not have delivery config set to turn on SMS_MFA",
    }


def test_moto_reset_route_empties_the_emulator(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient
) -> None:
    """moto server's ``POST /moto-api/reset`` (what moto's own server-mode tests call between tests) resets the
    emulator as ``reset()`` does: no pools pile up."""
    # GIVEN a pool, a recorded call and a pending fault
    client.create_user_pool(PoolName="piled-up")
    emulator.inject("AdminGetUser", "InternalErrorException")

    # WHEN moto's reset route is posted
    request = urllib.request.Request(emulator.endpoint + "/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        status, body = response.status, json.loads(response.read())

    # THEN moto's answer, and the emulator is empty
    assert (status, body) == (200, {"status": "ok"})
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []
    assert emulator.faults() == []
    assert emulator.calls() == ["ListUserPools"]
