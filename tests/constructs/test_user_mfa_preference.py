"""UserMfaPreference: the resource it declares, the permission it adds only when used, and its validation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import Duration, Fn, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Match, Template

from cognito_sms_mfa import MfaFactor, UserMfaPreference, UserSmsMfaSettings
from tests.constructs.test_iam import COGNITO_ACTIONS, cognito_statements, pool_arn

PREFERENCE_ACTION = "cognito-idp:AdminSetUserMFAPreference"

if TYPE_CHECKING:
    from collections.abc import Callable

RESOURCE_TYPE = "Custom::CognitoUserMfaPreference"


def raised_message(error: type[Exception], build: Callable[[], object]) -> str:
    with pytest.raises(error) as raised:
        build()
    return str(raised.value)


def test_preference_defaults_to_sms_preferred_only(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN
    UserMfaPreference(stack, "AliceMfa", user_pool=pool, username="alice")
    # THEN only the SMS factor is sent: the others are not managed
    Template.from_stack(stack).has_resource_properties(
        RESOURCE_TYPE,
        {
            "ServiceToken": Match.any_value(),
            "ServiceTimeout": "300",
            "UserPoolId": {"Ref": Match.any_value()},
            "Username": "alice",
            "SmsMfa": "PREFERRED",
            "EmailMfa": Match.absent(),
            "SoftwareTokenMfa": Match.absent(),
        },
    )


def test_preference_sends_each_managed_factor(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN
    UserMfaPreference(
        stack, "BobMfa", user_pool=pool, username="bob", sms=MfaFactor.DISABLED, email=MfaFactor.PREFERRED
    )
    # THEN
    Template.from_stack(stack).has_resource_properties(
        RESOURCE_TYPE, {"SmsMfa": "DISABLED", "EmailMfa": "PREFERRED", "SoftwareTokenMfa": Match.absent()}
    )


def test_preference_passes_username_token_through(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a username that is a token
    user = cognito.CfnUserPoolUser(stack, "User", user_pool_id=pool.user_pool_id, username="alice")
    # WHEN
    UserMfaPreference(stack, "AliceMfa", user_pool=pool, username=user.ref)
    # THEN
    Template.from_stack(stack).has_resource_properties(RESOURCE_TYPE, {"Username": {"Ref": Match.any_value()}})


def test_preference_shares_the_settings_handler(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN settings and a preference in one stack
    UserSmsMfaSettings(stack, "AliceSettings", user_pool=pool, username="alice")
    UserMfaPreference(stack, "AlicePreference", user_pool=pool, username="alice")
    # WHEN
    template = Template.from_stack(stack)
    # THEN one function serves both
    template.resource_count_is("AWS::Lambda::Function", 1)


def test_cognito_policy_adds_preference_action_only_when_a_preference_exists(
    stack: Stack, pool: cognito.UserPool
) -> None:
    # GIVEN a preference
    UserMfaPreference(stack, "AliceMfa", user_pool=pool, username="alice")
    # WHEN / THEN the read and the preference's write, on the stack's pool only
    assert cognito_statements(Template.from_stack(stack)) == [
        {
            "Action": ["cognito-idp:AdminGetUser", "cognito-idp:DescribeUserPool", PREFERENCE_ACTION],
            "Effect": "Allow",
            "Resource": pool_arn(pool),
        }
    ]


def test_cognito_policy_keeps_two_actions_without_preference(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN settings only
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")
    # WHEN / THEN
    assert cognito_statements(Template.from_stack(stack)) == [
        {"Action": list(COGNITO_ACTIONS), "Effect": "Allow", "Resource": pool_arn(pool)}
    ]


def test_preference_resource_depends_on_cognito_policy(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN
    UserMfaPreference(stack, "AliceMfa", user_pool=pool, username="alice")
    template = Template.from_stack(stack).to_json()["Resources"]
    # THEN Create runs after the grant exists, Delete before it is removed
    [policy] = [
        lid
        for lid, r in template.items()
        if r["Type"] == "AWS::IAM::Policy" and PREFERENCE_ACTION in str(r["Properties"]["PolicyDocument"])
    ]
    [resource] = [r for r in template.values() if r["Type"] == RESOURCE_TYPE]
    assert policy in resource["DependsOn"]


# --- validation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("factors", "message"),
    [
        pytest.param(
            {"sms": MfaFactor.PREFERRED, "email": MfaFactor.PREFERRED},
            "TestStack/Mfa: `sms` and `email`: at most one factor may be PREFERRED; received PREFERRED for 2",
            id="two-preferred",
        ),
        pytest.param(
            {"sms": MfaFactor.PREFERRED, "email": MfaFactor.PREFERRED, "software_token": MfaFactor.PREFERRED},
            "TestStack/Mfa: `sms`, `email` and `software_token`: at most one factor may be PREFERRED; "
            "received PREFERRED for 3",
            id="three-preferred",
        ),
        pytest.param(
            {"sms": None},
            "TestStack/Mfa: `sms`, `email` or `software_token`: at least one factor must be managed; received none "
            "(a factor left out is kept)",
            id="none-managed",
        ),
    ],
)
def test_preference_raises_for_a_set_of_factors_that_is_not_one_preference(
    stack: Stack, pool: cognito.UserPool, factors: dict[str, Any], message: str
) -> None:
    # GIVEN / WHEN / THEN
    assert raised_message(
        ValueError, lambda: UserMfaPreference(stack, "Mfa", user_pool=pool, username="alice", **factors)
    ) == (message)


def test_preference_raises_when_factor_is_a_plain_string(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN / THEN
    assert raised_message(
        TypeError,
        lambda: UserMfaPreference(stack, "Mfa", user_pool=pool, username="alice", sms="PREFERRED"),  # type: ignore[arg-type]
    ) == ("TestStack/Mfa: `sms` must be an MfaFactor or None; received 'PREFERRED'")


def test_preference_raises_when_username_too_long(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN / THEN
    assert raised_message(ValueError, lambda: UserMfaPreference(stack, "Mfa", user_pool=pool, username="a" * 129)) == (
        "TestStack/Mfa: `username` must be 1-128 characters; received 129 characters"
    )


def test_preference_raises_when_service_timeout_too_short(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN / THEN
    assert raised_message(
        ValueError,
        lambda: UserMfaPreference(stack, "Mfa", user_pool=pool, username="alice", service_timeout=Duration.seconds(60)),
    ) == ("TestStack/Mfa: `service_timeout` must be 150-3600 seconds (the handler runs up to 120 s); received 1 minute")


def test_preference_raises_when_a_second_preference_manages_the_same_user(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN alice's preference, and her legacy settings (a different API: allowed)
    UserMfaPreference(stack, "First", user_pool=pool, username="alice")
    UserSmsMfaSettings(stack, "Settings", user_pool=pool, username="alice")
    # WHEN / THEN
    assert raised_message(ValueError, lambda: UserMfaPreference(stack, "Second", user_pool=pool, username="alice")) == (
        "TestStack/Second: `username` must be managed by one construct per pool and setting; received 'alice', "
        "whose MFA preference (`AdminSetUserMFAPreference`) TestStack/First already manages in the same pool"
    )


def test_preference_skips_validation_of_token_pool_id(stack: Stack) -> None:
    # GIVEN a pool imported by a token id
    pool = cognito.UserPool.from_user_pool_id(stack, "Imported", Fn.import_value("PoolId"))
    # WHEN
    UserMfaPreference(stack, "Mfa", user_pool=pool, username="alice")
    # THEN
    Template.from_stack(stack).has_resource_properties(RESOURCE_TYPE, {"UserPoolId": {"Fn::ImportValue": "PoolId"}})
