"""moto's own cognito-idp features still work in the emulator's extended copy of it (see test_emulator_isolation
for moto itself, which stays as it ships)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator


def test_admin_initiate_auth_returns_tokens_in_every_pool(client: CognitoIdentityProviderClient) -> None:
    """AdminInitiateAuth ADMIN_USER_PASSWORD_AUTH answers tokens; pools share moto's signing key once parsed."""
    # GIVEN two pools, each with an app client and a user with a permanent password
    tokens = []
    for name in ("first", "second"):
        pool_id = client.create_user_pool(PoolName=name)["UserPool"]["Id"]
        client_id = client.create_user_pool_client(
            UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        client.admin_create_user(UserPoolId=pool_id, Username="alice")
        client.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password="Correct-h0rse!", Permanent=True)

        # WHEN alice signs in
        answer = client.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "Correct-h0rse!"},
        )
        tokens.append(answer["AuthenticationResult"]["IdToken"])

    # THEN both pools issued a token
    assert all(token.count(".") == 2 for token in tokens)


def test_list_users_with_username_filter_finds_user(client: CognitoIdentityProviderClient, pool_id: str) -> None:
    """ListUsers Filter 'username = "x"' (API reference, ListUsers)."""
    # GIVEN two users
    client.admin_create_user(UserPoolId=pool_id, Username="alice")
    client.admin_create_user(UserPoolId=pool_id, Username="bob")

    # WHEN the users are filtered by username
    users = client.list_users(UserPoolId=pool_id, Filter='username = "bob"')["Users"]

    # THEN only bob is listed
    assert [user["Username"] for user in users] == ["bob"]


def test_admin_delete_user_in_case_insensitive_pool_by_other_case_deletes_user(
    client: CognitoIdentityProviderClient, make_pool: Callable[..., str]
) -> None:
    """AdminDeleteUser resolves Username like the other admin APIs (UsernameConfigurationType)."""
    # GIVEN a case-insensitive pool with "Alice"
    pool_id = make_pool(UsernameConfiguration={"CaseSensitive": False})
    client.admin_create_user(UserPoolId=pool_id, Username="Alice")

    # WHEN "ALICE" is deleted
    client.admin_delete_user(UserPoolId=pool_id, Username="ALICE")

    # THEN "Alice" is gone
    with pytest.raises(ClientError) as excinfo:
        client.admin_get_user(UserPoolId=pool_id, Username="Alice")
    assert excinfo.value.response["Error"]["Code"] == "UserNotFoundException"


def test_action_moto_lacks_fails_with_not_implemented_501(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient
) -> None:
    """Emulator contract: an action moto does not implement answers 501 NotImplementedException, which botocore
    does not retry, instead of moto's HTML 500 page."""
    # GIVEN a running emulator
    # WHEN an action moto lacks is called
    with pytest.raises(ClientError) as excinfo:
        client.admin_forget_device(UserPoolId="us-east-1_Pool1", Username="alice", DeviceKey="us-east-1_device")

    # THEN the gap is named, and the call was counted
    answer = excinfo.value.response
    assert answer["Error"] == {
        "Code": "NotImplementedException",
        "Message": "the local Cognito emulator (moto) does not implement AdminForgetDevice",
    }
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert emulator.calls() == ["AdminForgetDevice"]


def test_request_without_cognito_target_fails_with_unknown_operation(http: Callable[..., Any]) -> None:
    """AWS JSON 1.1 protocol: a request whose X-Amz-Target names no operation is UnknownOperationException."""
    # GIVEN a running emulator
    # WHEN a request without X-Amz-Target is posted
    answer = http("POST", "/", {"Action": "GetCallerIdentity"})

    # THEN it is refused as an unknown operation
    assert answer == (
        400,
        "application/x-amz-json-1.1",
        {
            "__type": "UnknownOperationException",
            "message": "the local Cognito emulator serves cognito-idp and secretsmanager only; X-Amz-Target was ''",
        },
    )
