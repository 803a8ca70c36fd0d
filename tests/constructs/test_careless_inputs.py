"""Careless synth-time inputs: wrong types fail at construction with the path, the field, the rule and the value.

Each of these used to pass silently (``mfa_options=""`` rendered ``[]``, which clears the user's MFA) or fail with
a bare Python or jsii error; a pool of another account used to fail only at deploy. Tokens still pass through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App, CfnParameter, Duration, Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Match, Template

from cognito_sms_mfa import MfaOption, SmsMfaTestUser, UserSmsMfaSettings

if TYPE_CHECKING:
    from collections.abc import Callable

RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettings"
OPTIONS_RULE = "TestStack/Mfa: `mfa_options` must be a list of MfaOption (`[]` clears the user's options); received "


def raised_message(error: type[Exception], build: Callable[[], object]) -> str:
    with pytest.raises(error) as raised:
        build()
    return str(raised.value)


@pytest.mark.parametrize(
    ("username", "received"),
    [pytest.param(None, "NoneType None", id="none"), pytest.param(42, "int 42", id="int")],
)
def test_settings_raises_when_username_not_a_string(
    stack: Stack, pool: cognito.UserPool, username: Any, received: str
) -> None:
    # GIVEN a username that is not a string
    # WHEN settings are declared with it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username=username)

    # THEN construction fails naming the field, the rule and the value
    assert raised_message(TypeError, build) == (
        "TestStack/Mfa: `username` must be a string (the user's name or an alias; a token such as a Ref passes); "
        f"received {received}"
    )


@pytest.mark.parametrize(
    ("options", "received"),
    [
        pytest.param("", "''", id="empty-string"),
        pytest.param({}, "dict {}", id="empty-dict"),
        pytest.param(set(), "set set()", id="empty-set"),
        pytest.param(
            MfaOption.sms(),
            "MfaOption MfaOption(delivery_medium='...",
            id="single-option",
        ),
        pytest.param(1, "int 1", id="int"),
    ],
)
def test_settings_raises_when_mfa_options_not_a_list(
    stack: Stack, pool: cognito.UserPool, options: Any, received: str
) -> None:
    # GIVEN options that are not a list or tuple (an empty one used to render [], which clears the user's MFA)
    # WHEN settings are declared with them
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", mfa_options=options)

    # THEN construction fails naming the field, the rule and the value
    assert raised_message(TypeError, build) == OPTIONS_RULE + received


def test_settings_tuple_of_options_is_accepted(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN options as a tuple
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", mfa_options=(MfaOption.sms(),))
    # WHEN / THEN they render as the list CloudFormation takes
    Template.from_stack(stack).has_resource_properties(
        RESOURCE_TYPE, {"MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}
    )


def test_settings_raises_when_service_timeout_not_a_duration(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a timeout in plain seconds
    # WHEN settings are declared with it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice", service_timeout=300)  # type: ignore[arg-type]

    # THEN construction fails naming the field, the rule and the value
    assert raised_message(TypeError, build) == (
        "TestStack/Mfa: `service_timeout` must be a Duration (for example Duration.minutes(5)); received int 300"
    )


def test_settings_service_timeout_from_token_passes_through(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a timeout that comes from a parameter (a token, unknown until deploy)
    seconds = CfnParameter(stack, "Timeout", type="Number")
    # WHEN settings are declared with it
    UserSmsMfaSettings(
        stack, "Mfa", user_pool=pool, username="alice", service_timeout=Duration.seconds(seconds.value_as_number)
    )
    # THEN it is not checked and the template carries the parameter
    Template.from_stack(stack).has_resource_properties(RESOURCE_TYPE, {"ServiceTimeout": {"Ref": "Timeout"}})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        pytest.param(
            {"phone_number": None},
            "TestStack/Carol: `phone_number` must be a string (E.164, for example '+15555550123'); "
            "received NoneType None",
            id="phone-none",
        ),
        pytest.param(
            {"phone_number": 15555550123},
            "TestStack/Carol: `phone_number` must be a string (E.164, for example '+15555550123'); "
            "received int 15555550123",
            id="phone-int",
        ),
        pytest.param(
            {"username": None},
            "TestStack/Carol: `username` must be a string (the user's name); received NoneType None",
            id="username-none",
        ),
        pytest.param(
            {"email": 7},
            "TestStack/Carol: `email` must be a string (an email address); received int 7",
            id="email-int",
        ),
    ],
)
def test_test_user_raises_when_field_not_a_string(
    stack: Stack, pool: cognito.UserPool, fields: dict[str, Any], message: str
) -> None:
    # GIVEN a test user with one field of the wrong type
    values: dict[str, Any] = {"username": "carol", "phone_number": "+15555550123", "email": None, **fields}

    # WHEN it is declared
    def build() -> object:
        return SmsMfaTestUser(stack, "Carol", user_pool=pool, **values)

    # THEN construction fails naming the field, the rule and the value
    assert raised_message(TypeError, build) == message


def test_settings_raises_when_pool_arn_names_another_account(new_app: Callable[[], App]) -> None:
    # GIVEN a stack in account 111111111111 and a pool imported by an ARN of account 999999999999
    stack = Stack(new_app(), "TestStack", env=Environment(account="111111111111", region="us-east-1"))
    arn = "arn:aws:cognito-idp:eu-west-1:999999999999:userpool/eu-west-1_AbC123"
    pool = cognito.UserPool.from_user_pool_arn(stack, "Pool", arn)

    # WHEN settings are declared for it
    def build() -> object:
        return UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice")

    # THEN construction fails naming the field, the account and why
    assert raised_message(ValueError, build) == (
        "TestStack/Mfa: `user_pool` must be in the stack's account 111111111111 (the handler calls Cognito with "
        "its own role, which cannot be granted another account's pool); received a pool of account 999999999999"
    )


@pytest.mark.parametrize(
    "env",
    [
        pytest.param(Environment(account="111111111111", region="us-east-1"), id="same-account"),
        pytest.param(None, id="environment-agnostic-stack"),
    ],
)
def test_settings_pool_in_another_region_is_accepted(new_app: Callable[[], App], env: Environment | None) -> None:
    # GIVEN a us-east-1 (or environment-agnostic) stack and a pool of the same account in eu-west-1
    stack = Stack(new_app(), "TestStack", env=env)
    arn = "arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_AbC123"
    pool = cognito.UserPool.from_user_pool_arn(stack, "Pool", arn)
    # WHEN settings are declared for it
    UserSmsMfaSettings(stack, "Mfa", user_pool=pool, username="alice")
    # THEN the resource names the pool id (whose Region the handler calls) and the policy lists the pool's ARN
    template = Template.from_stack(stack)
    template.has_resource_properties(RESOURCE_TYPE, {"UserPoolId": "eu-west-1_AbC123"})
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": Match.array_with([Match.object_like({"Resource": arn})])}},
    )
