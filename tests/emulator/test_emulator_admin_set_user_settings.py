"""AdminSetUserSettings as the emulator serves it: storage, MFAOptions in reads, validation, error codes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import MFAOptionTypeTypeDef

SMS_OPTION: MFAOptionTypeTypeDef = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
USERNAME_PATTERN = r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+"
POOL_ID_PATTERN = r"[\w-]+_[0-9a-zA-Z]+"


@pytest.fixture
def username(client: CognitoIdentityProviderClient, pool_id: str) -> str:
    client.admin_create_user(UserPoolId=pool_id, Username="alice")
    return "alice"


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


def test_set_user_settings_with_sms_option_is_returned_by_get_user(
    client: CognitoIdentityProviderClient, pool_id: str, username: str
) -> None:
    """AdminSetUserSettings stores MFAOptions; AdminGetUser returns them as MFAOptions (API reference)."""
    # GIVEN a user without options
    # WHEN the SMS option is set
    answer = client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[SMS_OPTION])

    # THEN the call answers an empty result and AdminGetUser returns the option
    assert set(answer) == {"ResponseMetadata"}
    assert client.admin_get_user(UserPoolId=pool_id, Username=username)["MFAOptions"] == [SMS_OPTION]


def test_set_user_settings_with_empty_list_clears_options(
    client: CognitoIdentityProviderClient, pool_id: str, username: str
) -> None:
    """AdminSetUserSettings: MFAOptions is a list with no minimum length, so [] is valid and clears (botocore model)."""
    # GIVEN a user with the SMS option
    client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[SMS_OPTION])

    # WHEN the options are set to []
    client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[])

    # THEN AdminGetUser leaves MFAOptions out, as the service does for a user without options
    assert "MFAOptions" not in client.admin_get_user(UserPoolId=pool_id, Username=username)


def test_get_user_without_options_omits_mfa_options(
    client: CognitoIdentityProviderClient, pool_id: str, username: str
) -> None:
    """AdminGetUser: MFAOptions is an optional member, absent when the user has none (API reference)."""
    # GIVEN a new user
    # WHEN the user is read
    user = client.admin_get_user(UserPoolId=pool_id, Username=username)

    # THEN there is no MFAOptions key (nor, without a preference, UserMFASettingList), and the rest is there
    assert "MFAOptions" not in user
    assert "UserMFASettingList" not in user
    assert user["Username"] == "alice"


def test_list_users_after_set_user_settings_returns_options(
    client: CognitoIdentityProviderClient, pool_id: str, username: str
) -> None:
    """ListUsers: UserType carries MFAOptions, like AdminGetUser (botocore model, UserType)."""
    # GIVEN alice with the SMS option and bob without
    client.admin_create_user(UserPoolId=pool_id, Username="bob")
    client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[SMS_OPTION])

    # WHEN the pool's users are listed
    users = client.list_users(UserPoolId=pool_id)["Users"]

    # THEN only alice carries MFAOptions
    assert {user["Username"]: user.get("MFAOptions") for user in users} == {"alice": [SMS_OPTION], "bob": None}


def test_set_user_settings_repeated_keeps_last_options(
    client: CognitoIdentityProviderClient, pool_id: str, username: str
) -> None:
    """AdminSetUserSettings replaces the whole MFAOptions list; it does not append (API reference)."""
    # GIVEN a user with the SMS option
    client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[SMS_OPTION])

    # WHEN the same option is set again
    client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[SMS_OPTION])

    # THEN the user has it once
    assert client.admin_get_user(UserPoolId=pool_id, Username=username)["MFAOptions"] == [SMS_OPTION]


@pytest.mark.parametrize(
    ("user_pool_id", "message"),
    [
        pytest.param(
            "us-east-1",
            "1 validation error detected: Value 'us-east-1' at 'userPoolId' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {POOL_ID_PATTERN}",
            id="no-underscore",
        ),
        pytest.param(
            "us-east-1_abc.def",
            "1 validation error detected: Value 'us-east-1_abc.def' at 'userPoolId' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {POOL_ID_PATTERN}",
            id="dot-in-id",
        ),
        pytest.param(
            "us-east-1_" + "a" * 46,
            f"1 validation error detected: Value 'us-east-1_{'a' * 46}' at 'userPoolId' failed to satisfy constraint: "
            "Member must have length less than or equal to 55",
            id="56-chars",
        ),
        pytest.param(
            "",
            "2 validation errors detected: Value '' at 'userPoolId' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; Value '' at 'userPoolId' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {POOL_ID_PATTERN}",
            id="empty",
        ),
    ],
)
def test_set_user_settings_with_invalid_user_pool_id_fails_with_invalid_parameter(
    unvalidated_client: CognitoIdentityProviderClient, user_pool_id: str, message: str
) -> None:
    """AdminSetUserSettings: UserPoolId length 1-55, pattern [\\w-]+_[0-9a-zA-Z]+ (botocore model)."""
    # GIVEN a malformed pool id
    # WHEN it is sent
    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.admin_set_user_settings(UserPoolId=user_pool_id, Username="alice", MFAOptions=[])

    # THEN the service's validation error comes back, before any lookup
    assert _error(excinfo) == ("InvalidParameterException", message)


@pytest.mark.parametrize(
    ("username", "message"),
    [
        pytest.param(
            "a" * 129,
            "1 validation error detected: Value at 'username' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
            id="129-chars",
        ),
        pytest.param(
            "alice smith",
            "1 validation error detected: Value at 'username' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {USERNAME_PATTERN}",
            id="space",
        ),
        pytest.param(
            "alice\tsmith",
            "1 validation error detected: Value at 'username' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {USERNAME_PATTERN}",
            id="control-char",
        ),
        pytest.param(
            "",
            "2 validation errors detected: Value at 'username' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1; Value at 'username' failed to satisfy "
            f"constraint: Member must satisfy regular expression pattern: {USERNAME_PATTERN}",
            id="empty",
        ),
    ],
)
def test_set_user_settings_with_invalid_username_fails_with_invalid_parameter(
    unvalidated_client: CognitoIdentityProviderClient, pool_id: str, username: str, message: str
) -> None:
    """AdminSetUserSettings: Username 1-128 chars of [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+, sensitive (botocore model).

    A sensitive member's value is left out of the message.
    """
    # GIVEN a malformed username
    # WHEN it is sent
    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=[])

    # THEN the service's validation error comes back, without the value
    assert _error(excinfo) == ("InvalidParameterException", message)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            [{"DeliveryMedium": "VOICE", "AttributeName": "phone_number"}],
            "1 validation error detected: Value 'VOICE' at 'mFAOptions.1.member.deliveryMedium' failed to satisfy "
            "constraint: Member must satisfy enum value set: [SMS, EMAIL]",
            id="medium-not-in-enum",
        ),
        pytest.param(
            [SMS_OPTION, {"DeliveryMedium": "sms", "AttributeName": "phone_number"}],
            "1 validation error detected: Value 'sms' at 'mFAOptions.2.member.deliveryMedium' failed to satisfy "
            "constraint: Member must satisfy enum value set: [SMS, EMAIL]",
            id="second-option-lowercase-medium",
        ),
        pytest.param(
            [{"DeliveryMedium": "SMS", "AttributeName": "x" * 33}],
            f"1 validation error detected: Value '{'x' * 33}' at 'mFAOptions.1.member.attributeName' failed to "
            "satisfy constraint: Member must have length less than or equal to 32",
            id="attribute-33-chars",
        ),
        pytest.param(
            [{"DeliveryMedium": "EMAIL", "AttributeName": "phone_number"}],
            "DeliveryMedium must be SMS in MFAOptions; received 'EMAIL'.",
            id="medium-email",
        ),
        pytest.param(
            [{"DeliveryMedium": "SMS", "AttributeName": "email"}],
            "AttributeName must be phone_number in MFAOptions; received 'email'.",
            id="attribute-email",
        ),
        pytest.param(
            [{"DeliveryMedium": "SMS"}],
            "AttributeName must be phone_number in MFAOptions; received ''.",
            id="attribute-missing",
        ),
    ],
)
def test_set_user_settings_with_invalid_option_fails_with_invalid_parameter(
    unvalidated_client: CognitoIdentityProviderClient,
    pool_id: str,
    username: str,
    options: Any,
    message: str,
) -> None:
    """AdminSetUserSettings: DeliveryMedium enum [SMS, EMAIL], AttributeName 1-32 chars (botocore model);
    only SMS on phone_number may be set (API reference, MFAOptionType)."""
    # GIVEN an option breaking one rule
    # WHEN it is sent for an existing user
    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.admin_set_user_settings(UserPoolId=pool_id, Username=username, MFAOptions=options)

    # THEN the call fails with InvalidParameterException and the user keeps no options
    assert _error(excinfo) == ("InvalidParameterException", message)
    assert "MFAOptions" not in unvalidated_client.admin_get_user(UserPoolId=pool_id, Username=username)


def test_set_user_settings_with_several_invalid_members_lists_each_error(
    unvalidated_client: CognitoIdentityProviderClient,
) -> None:
    """AdminSetUserSettings: all model violations are reported together, "N validation errors detected" (service)."""
    # GIVEN a bad pool id, a bad username and a bad medium
    options: Any = [{"DeliveryMedium": "FAX", "AttributeName": "phone_number"}]

    # WHEN they are sent together
    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.admin_set_user_settings(UserPoolId="pool", Username="a b", MFAOptions=options)

    # THEN one message lists the three violations
    assert _error(excinfo) == (
        "InvalidParameterException",
        "3 validation errors detected: "
        f"Value 'pool' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression "
        f"pattern: {POOL_ID_PATTERN}; "
        f"Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: "
        f"{USERNAME_PATTERN}; "
        "Value 'FAX' at 'mFAOptions.1.member.deliveryMedium' failed to satisfy constraint: Member must satisfy "
        "enum value set: [SMS, EMAIL]",
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        pytest.param(
            "MFAOptions",
            "1 validation error detected: Value null at 'mFAOptions' failed to satisfy constraint: "
            "Member must not be null",
            id="mfa-options",
        ),
        pytest.param(
            "Username",
            "1 validation error detected: Value null at 'username' failed to satisfy constraint: "
            "Member must not be null",
            id="username",
        ),
        pytest.param(
            "UserPoolId",
            "1 validation error detected: Value null at 'userPoolId' failed to satisfy constraint: "
            "Member must not be null",
            id="user-pool-id",
        ),
    ],
)
def test_set_user_settings_without_required_member_fails_with_invalid_parameter(
    unvalidated_client: CognitoIdentityProviderClient, pool_id: str, username: str, missing: str, message: str
) -> None:
    """AdminSetUserSettings: UserPoolId, Username and MFAOptions are required (botocore model)."""
    # GIVEN a request without one required member
    request: Any = {"UserPoolId": pool_id, "Username": username, "MFAOptions": [SMS_OPTION]}
    del request[missing]

    # WHEN it is sent
    with pytest.raises(ClientError) as excinfo:
        unvalidated_client.admin_set_user_settings(**request)

    # THEN the service's null-member error comes back
    assert _error(excinfo) == ("InvalidParameterException", message)


@pytest.mark.parametrize(
    ("members", "message"),
    [
        pytest.param({"Username": 7, "MFAOptions": []}, "Username must be a JSON string; received int.", id="username"),
        pytest.param({"Username": "alice", "MFAOptions": "SMS"}, "MFAOptions must be a JSON array.", id="options"),
        pytest.param({"Username": "alice", "MFAOptions": ["SMS"]}, "MFAOptions[0] must be a JSON object.", id="option"),
    ],
)
def test_set_user_settings_with_wrong_json_type_fails_with_serialization_exception(
    http: Callable[..., Any], pool_id: str, members: dict[str, Any], message: str
) -> None:
    """AWS JSON 1.1 protocol: a member of the wrong JSON type is a SerializationException (service behaviour)."""
    # GIVEN a raw request with a member of the wrong type (botocore would refuse to serialise it)
    # WHEN it is sent
    answer = http("POST", "/", {"UserPoolId": pool_id, **members}, target="AdminSetUserSettings")

    # THEN it is rejected before validation
    assert (answer.status, answer.body) == (400, {"__type": "SerializationException", "message": message})


def test_set_user_settings_on_unknown_pool_fails_with_resource_not_found(
    client: CognitoIdentityProviderClient,
) -> None:
    """AdminSetUserSettings: a well-formed id of no pool is ResourceNotFoundException (API reference, Errors)."""
    # GIVEN a well-formed id that names no pool
    # WHEN options are set in it
    with pytest.raises(ClientError) as excinfo:
        client.admin_set_user_settings(UserPoolId="us-east-1_Missing1", Username="alice", MFAOptions=[SMS_OPTION])

    # THEN the pool is reported missing
    assert _error(excinfo) == ("ResourceNotFoundException", "User pool us-east-1_Missing1 does not exist.")


def test_set_user_settings_on_unknown_user_fails_with_user_not_found(
    client: CognitoIdentityProviderClient, pool_id: str, username: str
) -> None:
    """AdminSetUserSettings: a username of no user is UserNotFoundException (API reference, Errors)."""
    # GIVEN a pool where only alice exists
    # WHEN options are set for bob
    with pytest.raises(ClientError) as excinfo:
        client.admin_set_user_settings(UserPoolId=pool_id, Username="bob", MFAOptions=[SMS_OPTION])

    # THEN the user is reported missing
    assert _error(excinfo) == ("UserNotFoundException", "User does not exist.")
