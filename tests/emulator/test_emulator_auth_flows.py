"""Sign-in takes only the authentication flows the app client allows, as the service does.

API reference, CreateUserPoolClient / UserPoolClientType ``ExplicitAuthFlows``: "If you don't specify a value for
ExplicitAuthFlows, your app client supports ALLOW_REFRESH_TOKEN_AUTH, ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH";
``ALLOW_ADMIN_USER_PASSWORD_AUTH`` enables ``ADMIN_USER_PASSWORD_AUTH`` and "replaces the ADMIN_NO_SRP_AUTH
setting". AdminInitiateAuth: ``ADMIN_NO_SRP_AUTH`` takes the password "if the flow is enabled for calling the app
client". A flow the client does not allow is an InvalidParameterException.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_emulator.mfa_sign_in import allowed_auth_flows

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import AuthFlowTypeType

PASSWORD = "Passw0rd!Passw0rd"
CREDENTIALS = {"USERNAME": "alice", "PASSWORD": PASSWORD}
ADMIN_REFUSAL = "Auth flow not enabled for this client"


def app_client(client: CognitoIdentityProviderClient, pool_id: str, flows: list[str] | None) -> str:
    """An app client of ``pool_id`` with ``ExplicitAuthFlows`` (left out when None); alice has a password."""
    extra: Any = {} if flows is None else {"ExplicitAuthFlows": flows}
    client_id: str = client.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **extra)["UserPoolClient"][
        "ClientId"
    ]
    return client_id


@pytest.fixture
def alice_pool(client: CognitoIdentityProviderClient, pool_id: str) -> str:
    client.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS")
    client.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    return pool_id


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    return dict(excinfo.value.response["Error"])


@pytest.mark.parametrize(
    ("explicit", "allowed"),
    [
        (None, {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
        ([], {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
        (["ALLOW_USER_PASSWORD_AUTH"], {"ALLOW_USER_PASSWORD_AUTH"}),
        (
            ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
        ),
        (["ADMIN_NO_SRP_AUTH"], {"ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
        (["USER_PASSWORD_AUTH"], {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
        (["CUSTOM_AUTH_FLOW_ONLY"], {"ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}),
    ],
)
def test_allowed_auth_flows_follow_explicit_auth_flows(explicit: list[str] | None, allowed: set[str]) -> None:
    assert allowed_auth_flows(explicit) == allowed


def test_initiate_auth_refuses_user_password_auth_for_client_without_flows(
    client: CognitoIdentityProviderClient, alice_pool: str
) -> None:
    # GIVEN an app client created without ExplicitAuthFlows (SRP, custom and refresh only)
    client_id = app_client(client, alice_pool, None)

    # WHEN alice signs in with her password
    with pytest.raises(ClientError) as excinfo:
        client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=CREDENTIALS)

    # THEN the flow is refused, as the service refuses it
    assert error_of(excinfo) == {
        "Code": "InvalidParameterException",
        "Message": "USER_PASSWORD_AUTH flow not enabled for this client",
    }


@pytest.mark.parametrize("flow", ["ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"])
def test_admin_initiate_auth_refuses_admin_password_flow_the_client_lacks(
    client: CognitoIdentityProviderClient, alice_pool: str, flow: AuthFlowTypeType
) -> None:
    # GIVEN an app client that allows only the user password flow
    client_id = app_client(client, alice_pool, ["ALLOW_USER_PASSWORD_AUTH"])

    # WHEN an admin signs alice in with her password
    with pytest.raises(ClientError) as excinfo:
        client.admin_initiate_auth(
            UserPoolId=alice_pool,
            ClientId=client_id,
            AuthFlow=flow,
            AuthParameters=CREDENTIALS,
        )

    # THEN the flow is refused
    assert error_of(excinfo) == {"Code": "InvalidParameterException", "Message": ADMIN_REFUSAL}


def test_flow_is_refused_before_the_password_is_checked(client: CognitoIdentityProviderClient, alice_pool: str) -> None:
    # GIVEN a client without the admin password flow
    client_id = app_client(client, alice_pool, ["ALLOW_USER_SRP_AUTH"])

    # WHEN the admin flow is tried with a wrong password
    with pytest.raises(ClientError) as excinfo:
        client.admin_initiate_auth(
            UserPoolId=alice_pool,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": "wrong"},
        )

    # THEN the answer is about the flow, and says nothing about the password
    assert error_of(excinfo) == {"Code": "InvalidParameterException", "Message": ADMIN_REFUSAL}


@pytest.mark.parametrize(
    ("flows", "flow"),
    [
        (["ALLOW_ADMIN_USER_PASSWORD_AUTH"], "ADMIN_USER_PASSWORD_AUTH"),
        (["ALLOW_ADMIN_USER_PASSWORD_AUTH"], "ADMIN_NO_SRP_AUTH"),
        (["ADMIN_NO_SRP_AUTH"], "ADMIN_USER_PASSWORD_AUTH"),
        (["ADMIN_NO_SRP_AUTH"], "ADMIN_NO_SRP_AUTH"),
    ],
)
def test_admin_initiate_auth_signs_in_with_an_allowed_flow(
    client: CognitoIdentityProviderClient, alice_pool: str, flows: list[str], flow: AuthFlowTypeType
) -> None:
    # GIVEN a client that allows the admin password flow (in its current or its legacy name)
    client_id = app_client(client, alice_pool, flows)

    # WHEN an admin signs alice in
    answer = client.admin_initiate_auth(
        UserPoolId=alice_pool,
        ClientId=client_id,
        AuthFlow=flow,
        AuthParameters=CREDENTIALS,
    )

    # THEN tokens
    assert "IdToken" in answer["AuthenticationResult"]


@pytest.mark.parametrize("flows", [["ALLOW_USER_PASSWORD_AUTH"], ["USER_PASSWORD_AUTH"]])
def test_initiate_auth_signs_in_with_user_password_flow_when_allowed(
    client: CognitoIdentityProviderClient, alice_pool: str, flows: list[str]
) -> None:
    # GIVEN a client that allows the user password flow
    client_id = app_client(client, alice_pool, flows)

    # WHEN alice signs in
    answer = client.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=CREDENTIALS)

    # THEN tokens
    assert "IdToken" in answer["AuthenticationResult"]


@pytest.mark.parametrize(
    ("flows", "refused"),
    [
        (["ALLOW_ADMIN_USER_PASSWORD_AUTH"], True),
        (["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], False),
        (["ADMIN_NO_SRP_AUTH"], False),
    ],
)
def test_refresh_token_auth_follows_allow_refresh_token_auth(
    client: CognitoIdentityProviderClient, alice_pool: str, flows: list[str], refused: bool
) -> None:
    # GIVEN alice signed in through a client, with a refresh token
    client_id = app_client(client, alice_pool, flows)
    tokens = client.admin_initiate_auth(
        UserPoolId=alice_pool, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=CREDENTIALS
    )["AuthenticationResult"]
    refresh = {"REFRESH_TOKEN": tokens["RefreshToken"]}

    # WHEN the refresh token is used
    if refused:
        with pytest.raises(ClientError) as excinfo:
            client.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
        # THEN a client without ALLOW_REFRESH_TOKEN_AUTH (ALLOW_ values given) refuses it
        assert error_of(excinfo) == {
            "Code": "InvalidParameterException",
            "Message": "REFRESH_TOKEN_AUTH flow not enabled for this client",
        }
    else:
        # THEN a client with it, or a legacy client, answers new tokens
        answer = client.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=refresh)
        assert "IdToken" in answer["AuthenticationResult"]


def test_admin_initiate_auth_with_user_password_auth_stays_not_supported(
    client: CognitoIdentityProviderClient, alice_pool: str
) -> None:
    """USER_PASSWORD_AUTH is InitiateAuth's flow: AdminInitiateAuth answers that it does not take it, whatever the
    client allows."""
    # GIVEN a client without the user password flow
    client_id = app_client(client, alice_pool, ["ALLOW_ADMIN_USER_PASSWORD_AUTH"])

    # WHEN AdminInitiateAuth is asked for it
    with pytest.raises(ClientError) as excinfo:
        client.admin_initiate_auth(
            UserPoolId=alice_pool,
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters=CREDENTIALS,
        )

    # THEN the answer is about the method, not the client's flows
    assert error_of(excinfo) == {"Code": "InvalidParameterException", "Message": "Initiate Auth method not supported"}
