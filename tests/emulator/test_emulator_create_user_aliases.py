"""AdminCreateUser meeting another user's alias, refused as Cognito refuses it.

The service's rules, from the AdminCreateUser API reference and the user-pool attribute guide:

- "If email is selected as an alias, a username can't be in email format. Similarly, if phone number is selected as
  an alias, a username that matches the phone number format won't be accepted by the user pool" (the service answers
  ``InvalidParameterException: Username cannot be of email format, since user pool is configured for email alias.``);
- ``ForceAliasCreation``: "If this parameter is set to False, the API throws an AliasExistsException error if the
  alias already exists. The default value is False." With True, the alias moves to the new user;
- admin APIs' ``Username`` "can be any of their alias attributes. If username isn't an alias attribute in your user
  pool, this value must be the sub of a local user": a name that resolves to an existing user exists already.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

ALIASES = {"AliasAttributes": ["email", "phone_number", "preferred_username"]}

MakePool = Callable[..., str]


def _attributes(**values: str) -> list[AttributeTypeTypeDef]:
    return [{"Name": name, "Value": value} for name, value in values.items()]


def _alice(client: CognitoIdentityProviderClient, pool_id: str) -> None:
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=_attributes(
            email="alice@example.com",
            email_verified="true",
            phone_number="+15555550100",
            phone_number_verified="true",
            preferred_username="ally",
        ),
    )


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.mark.parametrize(
    ("username", "message"),
    [
        pytest.param(
            "alice@example.com",
            "Username cannot be of email format, since user pool is configured for email alias.",
            id="email",
        ),
        pytest.param(
            "+15555550100",
            "Username cannot be of phone number format, since user pool is configured for phone number alias.",
            id="phone",
        ),
    ],
)
def test_create_user_with_alias_shaped_username_is_invalid_in_an_alias_pool(
    client: CognitoIdentityProviderClient, make_pool: MakePool, username: str, message: str
) -> None:
    # GIVEN a pool with email and phone aliases, holding alice
    pool_id = make_pool(**ALIASES)
    _alice(client, pool_id)

    # WHEN a user is created with a name shaped as an alias (alice's own email or phone)
    with pytest.raises(ClientError) as excinfo:
        client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")

    # THEN InvalidParameterException, as the service answers, and alice is untouched
    assert _error(excinfo) == ("InvalidParameterException", message)
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["Username"] == "alice"


def test_create_user_with_alias_shaped_username_is_allowed_without_aliases(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    # GIVEN a pool without aliases
    pool_id = make_pool()
    # WHEN a user is created with an email-shaped name
    made = client.admin_create_user(UserPoolId=pool_id, Username="bob@example.com", MessageAction="SUPPRESS")
    # THEN it is a plain username
    assert made["User"]["Username"] == "bob@example.com"


@pytest.mark.parametrize(
    "name",
    [pytest.param("ally", id="preferred-username"), pytest.param("", id="sub")],
)
def test_create_user_whose_name_resolves_to_another_user_exists_already(
    client: CognitoIdentityProviderClient, make_pool: MakePool, name: str
) -> None:
    # GIVEN alice, with a preferred_username and her sub
    pool_id = make_pool(**ALIASES)
    _alice(client, pool_id)
    attributes = {
        a["Name"]: a["Value"] for a in client.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    }
    username = name or attributes["sub"]

    # WHEN a user of that name is created, and the name is read
    with pytest.raises(ClientError) as excinfo:
        client.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    found = client.admin_get_user(UserPoolId=pool_id, Username=username)

    # THEN it exists already: the name is alice's (the canonical name tells)
    assert _error(excinfo)[0] == "UsernameExistsException"
    assert found["Username"] == "alice"


def test_create_user_with_another_users_verified_email_is_alias_exists(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    # GIVEN alice, whose verified email is an alias
    pool_id = make_pool(**ALIASES)
    _alice(client, pool_id)

    # WHEN another user is created with the same verified email and no ForceAliasCreation
    with pytest.raises(ClientError) as excinfo:
        client.admin_create_user(
            UserPoolId=pool_id,
            Username="mallory",
            MessageAction="SUPPRESS",
            UserAttributes=_attributes(email="alice@example.com", email_verified="true"),
        )

    # THEN AliasExistsException, nobody is created, and alice keeps her alias
    assert _error(excinfo)[0] == "AliasExistsException"
    with pytest.raises(client.exceptions.UserNotFoundException):
        client.admin_get_user(UserPoolId=pool_id, Username="mallory")
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice@example.com")["Username"] == "alice"


def test_create_user_with_force_alias_creation_moves_the_alias(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    # GIVEN alice, whose verified email is an alias
    pool_id = make_pool(**ALIASES)
    _alice(client, pool_id)

    # WHEN another user takes the same verified email with ForceAliasCreation
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="bob",
        MessageAction="SUPPRESS",
        ForceAliasCreation=True,
        UserAttributes=_attributes(email="alice@example.com", email_verified="true"),
    )

    # THEN the email signs in as bob now, and alice's email is no longer verified
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice@example.com")["Username"] == "bob"
    alice = {
        a["Name"]: a["Value"] for a in client.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]
    }
    assert alice["email_verified"] == "false"
