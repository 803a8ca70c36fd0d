"""How admin APIs resolve ``Username``: exact, case-insensitive pools, aliases, email/phone sign-in pools."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef, MFAOptionTypeTypeDef

SMS_OPTION: MFAOptionTypeTypeDef = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
CASE_INSENSITIVE = {"UsernameConfiguration": {"CaseSensitive": False}}
ALIASES = {"AliasAttributes": ["email", "phone_number", "preferred_username"]}

MakePool = Callable[..., str]


def _attributes(**values: str) -> list[AttributeTypeTypeDef]:
    return [{"Name": name, "Value": value} for name, value in values.items()]


def test_get_user_in_case_insensitive_pool_returns_stored_username(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    """UsernameConfiguration CaseSensitive=false: any capitalisation finds the user (UsernameConfigurationType)."""
    # GIVEN a case-insensitive pool with the user "Alice"
    pool_id = make_pool(**CASE_INSENSITIVE)
    client.admin_create_user(UserPoolId=pool_id, Username="Alice")

    # WHEN the user is read as "aLICE"
    user = client.admin_get_user(UserPoolId=pool_id, Username="aLICE")

    # THEN the answer names the user as stored
    assert user["Username"] == "Alice"


def test_set_user_settings_in_case_insensitive_pool_updates_stored_user(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    """UsernameConfiguration CaseSensitive=false applies to every admin API's Username (UsernameConfigurationType)."""
    # GIVEN a case-insensitive pool with the user "Alice"
    pool_id = make_pool(**CASE_INSENSITIVE)
    client.admin_create_user(UserPoolId=pool_id, Username="Alice")

    # WHEN options are set for "ALICE"
    client.admin_set_user_settings(UserPoolId=pool_id, Username="ALICE", MFAOptions=[SMS_OPTION])

    # THEN "Alice" has them
    assert client.admin_get_user(UserPoolId=pool_id, Username="Alice")["MFAOptions"] == [SMS_OPTION]


def test_create_user_in_case_insensitive_pool_with_other_case_fails_with_username_exists(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    """CaseSensitive=false: a case variant is the same user, so it cannot be created twice (UsernameConfiguration)."""
    # GIVEN a case-insensitive pool with the user "Alice"
    pool_id = make_pool(**CASE_INSENSITIVE)
    client.admin_create_user(UserPoolId=pool_id, Username="Alice")

    # WHEN "alice" is created
    with pytest.raises(ClientError) as excinfo:
        client.admin_create_user(UserPoolId=pool_id, Username="alice")

    # THEN the name is taken
    assert excinfo.value.response["Error"]["Code"] == "UsernameExistsException"


@pytest.mark.parametrize(
    "settings",
    [
        pytest.param({"UsernameConfiguration": {"CaseSensitive": True}}, id="case-sensitive"),
        pytest.param({}, id="api-default"),
    ],
)
def test_get_user_in_case_sensitive_pool_with_other_case_fails_with_user_not_found(
    client: CognitoIdentityProviderClient, make_pool: MakePool, settings: dict[str, Any]
) -> None:
    """CaseSensitive=true, the CreateUserPool default: only the exact username matches (UsernameConfigurationType)."""
    # GIVEN a case-sensitive pool with the user "Alice"
    pool_id = make_pool(**settings)
    client.admin_create_user(UserPoolId=pool_id, Username="Alice")

    # WHEN the user is read as "alice"
    with pytest.raises(ClientError) as excinfo:
        client.admin_get_user(UserPoolId=pool_id, Username="alice")

    # THEN no user matches
    assert excinfo.value.response["Error"] == {"Code": "UserNotFoundException", "Message": "User does not exist."}


@pytest.mark.parametrize(
    ("attributes", "alias"),
    [
        pytest.param(_attributes(email="alice@example.com", email_verified="true"), "alice@example.com", id="email"),
        pytest.param(
            _attributes(phone_number="+15555550100", phone_number_verified="true"), "+15555550100", id="phone"
        ),
        pytest.param(_attributes(preferred_username="ally"), "ally", id="preferred-username"),
    ],
)
def test_get_user_by_alias_returns_username(
    client: CognitoIdentityProviderClient, make_pool: MakePool, attributes: list[AttributeTypeTypeDef], alias: str
) -> None:
    """AliasAttributes: admin APIs accept a verified email/phone or a preferred_username as Username (user pool
    attributes, "Customizing sign-in attributes")."""
    # GIVEN a pool with aliases and the user "alice" owning the alias
    pool_id = make_pool(**ALIASES)
    client.admin_create_user(UserPoolId=pool_id, Username="alice", UserAttributes=attributes)

    # WHEN the user is read by the alias
    user = client.admin_get_user(UserPoolId=pool_id, Username=alias)

    # THEN the answer names the user by username
    assert user["Username"] == "alice"


def test_set_user_settings_by_alias_updates_user(client: CognitoIdentityProviderClient, make_pool: MakePool) -> None:
    """AliasAttributes: AdminSetUserSettings also accepts an alias as Username ("Customizing sign-in attributes")."""
    # GIVEN a pool with aliases and alice with a verified email
    pool_id = make_pool(**ALIASES)
    verified = _attributes(email="alice@example.com", email_verified="true")
    client.admin_create_user(UserPoolId=pool_id, Username="alice", UserAttributes=verified)

    # WHEN options are set through the email
    client.admin_set_user_settings(UserPoolId=pool_id, Username="alice@example.com", MFAOptions=[SMS_OPTION])

    # THEN alice has them
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["MFAOptions"] == [SMS_OPTION]


@pytest.mark.parametrize(
    ("attributes", "alias"),
    [
        pytest.param(_attributes(email="alice@example.com"), "alice@example.com", id="email-unverified"),
        pytest.param(
            _attributes(phone_number="+15555550100", phone_number_verified="false"), "+15555550100", id="phone-false"
        ),
    ],
)
def test_get_user_by_unverified_alias_fails_with_user_not_found(
    client: CognitoIdentityProviderClient, make_pool: MakePool, attributes: list[AttributeTypeTypeDef], alias: str
) -> None:
    """AliasAttributes: an email or phone number is an alias only once verified ("Customizing sign-in attributes")."""
    # GIVEN a pool with aliases and alice whose contact attribute is not verified
    pool_id = make_pool(**ALIASES)
    client.admin_create_user(UserPoolId=pool_id, Username="alice", UserAttributes=attributes)

    # WHEN the user is read by it
    with pytest.raises(ClientError) as excinfo:
        client.admin_get_user(UserPoolId=pool_id, Username=alias)

    # THEN no user matches
    assert excinfo.value.response["Error"]["Code"] == "UserNotFoundException"


def test_get_user_by_alias_in_pool_without_aliases_fails_with_user_not_found(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    """Without AliasAttributes, a verified email is only an attribute, not a sign-in name (CreateUserPool)."""
    # GIVEN a pool without aliases and alice with a verified email
    pool_id = make_pool()
    verified = _attributes(email="alice@example.com", email_verified="true")
    client.admin_create_user(UserPoolId=pool_id, Username="alice", UserAttributes=verified)

    # WHEN the user is read by the email
    with pytest.raises(ClientError) as excinfo:
        client.admin_get_user(UserPoolId=pool_id, Username="alice@example.com")

    # THEN no user matches
    assert excinfo.value.response["Error"]["Code"] == "UserNotFoundException"


@pytest.mark.parametrize(
    ("case_settings", "lookup", "found"),
    [
        pytest.param(CASE_INSENSITIVE, "ALICE@Example.com", True, id="case-insensitive-pool"),
        pytest.param({}, "ALICE@Example.com", False, id="case-sensitive-pool"),
    ],
)
def test_get_user_by_email_alias_in_other_case_matches_only_in_case_insensitive_pool(
    client: CognitoIdentityProviderClient,
    make_pool: MakePool,
    case_settings: dict[str, Any],
    lookup: str,
    found: bool,
) -> None:
    """CaseSensitive=false also makes the email and preferred_username aliases case-insensitive
    (UsernameConfigurationType)."""
    # GIVEN a pool with aliases and alice with a verified email
    pool_id = make_pool(**ALIASES, **case_settings)
    verified = _attributes(email="alice@example.com", email_verified="true")
    client.admin_create_user(UserPoolId=pool_id, Username="alice", UserAttributes=verified)

    # WHEN the user is read by the email in another case
    try:
        outcome = client.admin_get_user(UserPoolId=pool_id, Username=lookup)["Username"]
    except ClientError as error:
        outcome = error.response["Error"]["Code"]

    # THEN only the case-insensitive pool finds alice
    assert outcome == ("alice" if found else "UserNotFoundException")


def test_get_user_in_email_sign_in_pool_returns_sub_as_username(
    client: CognitoIdentityProviderClient, make_pool: MakePool
) -> None:
    """UsernameAttributes=[email]: the user is created and found by email; Username is the sub (AdminGetUser)."""
    # GIVEN a pool where users sign in with their email
    pool_id = make_pool(UsernameAttributes=["email"])
    created = client.admin_create_user(UserPoolId=pool_id, Username="alice@example.com")["User"]
    sub = {attribute["Name"]: attribute["Value"] for attribute in created["Attributes"]}["sub"]

    # WHEN options are set through the email and the user is read by the email
    client.admin_set_user_settings(UserPoolId=pool_id, Username="alice@example.com", MFAOptions=[SMS_OPTION])
    user = client.admin_get_user(UserPoolId=pool_id, Username="alice@example.com")

    # THEN the canonical username is the sub, and it finds the same user with the options
    assert user["Username"] == sub
    assert client.admin_get_user(UserPoolId=pool_id, Username=sub)["MFAOptions"] == [SMS_OPTION]


@pytest.mark.parametrize(
    ("user_pool_id", "username", "message"),
    [
        pytest.param(
            "YOUR_USER_POOL_ID!",
            "alice",
            "1 validation error detected: Value 'YOUR_USER_POOL_ID!' at 'userPoolId' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+",
            id="user-pool-id",
        ),
        pytest.param(
            "us-east-1_Missing1",
            "alice smith",
            "1 validation error detected: Value at 'username' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+",
            id="username",
        ),
    ],
)
def test_get_user_with_malformed_member_fails_with_invalid_parameter(
    client: CognitoIdentityProviderClient, user_pool_id: str, username: str, message: str
) -> None:
    """AdminGetUser: UserPoolId [\\w-]+_[0-9a-zA-Z]+ (1-55), Username [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+ (1-128)
    (botocore model); checked before the pool is looked up."""
    # GIVEN a malformed member (moto alone would answer ResourceNotFoundException)
    # WHEN the user is read
    with pytest.raises(ClientError) as excinfo:
        client.admin_get_user(UserPoolId=user_pool_id, Username=username)

    # THEN the service's validation error comes back
    assert excinfo.value.response["Error"] == {"Code": "InvalidParameterException", "Message": message}
