"""The stack's one handler: function, role and log group, and what every settings resource waits for."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_logs as logs
from aws_cdk.assertions import Match, Template

from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings
from cognito_sms_mfa_lambda.own_stack import STACK_ID_ENV
from tests.constructs.test_iam import COGNITO_ACTIONS as SETTINGS_ACTIONS
from tests.constructs.test_iam import TEST_USER_ACTIONS

if TYPE_CHECKING:
    from collections.abc import Callable

RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettings"
# The stack of these tests has a test user: the settings' three actions, then user management.
COGNITO_ACTIONS = SETTINGS_ACTIONS + TEST_USER_ACTIONS
OWN_STACK_STATEMENT = {
    "Action": ["cloudformation:DescribeStacks", "cloudformation:ListStackResources"],
    "Effect": "Allow",
    "Resource": {"Ref": "AWS::StackId"},
}
LAMBDA_TRUST = {
    "Statement": [
        {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}},
    ],
    "Version": "2012-10-17",
}


def only_logical_id(template: Template, resource_type: str, props: Any = None) -> str:
    """The logical id of the one resource of ``resource_type`` (matching ``props``, if given) in ``template``."""
    (resource_id,) = template.find_resources(resource_type, props)
    return resource_id


def handler_role_id(template: Template) -> str:
    """The logical id of the role Lambda assumes (the pools' SMS roles trust Cognito instead)."""
    return only_logical_id(template, "AWS::IAM::Role", {"Properties": {"AssumeRolePolicyDocument": LAMBDA_TRUST}})


def cognito_policy_id(template: Template) -> str:
    """The logical id of the IAM policy that grants the Cognito actions."""
    statement = Match.array_with([Match.object_like({"Action": COGNITO_ACTIONS})])
    return only_logical_id(template, "AWS::IAM::Policy", {"Properties": {"PolicyDocument": {"Statement": statement}}})


def properties_of(template: Template, resource_id: str) -> dict[str, Any]:
    properties: dict[str, Any] = template.to_json()["Resources"][resource_id].get("Properties", {})
    return properties


@pytest.fixture(scope="module")
def template(new_stack: Callable[[], Stack]) -> Template:
    """A stack with two pools, plain settings in both and a test user: everything shares one handler."""
    stack = new_stack()
    first = cognito.UserPool(stack, "First")
    second = cognito.UserPool(stack, "Second")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=first, username="alice")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=second, username="bob", mfa_options=[])
    UserSmsMfaSettings(stack, "AliceInSecondMfa", user_pool=second, username="alice")
    SmsMfaTestUser(stack, "Carol", user_pool=first, username="carol", phone_number="+15555550123")
    return Template.from_stack(stack)


def test_handler_many_settings_and_pools_share_one_function(template: Template) -> None:
    # GIVEN four settings (one of them inside a test user) across two pools
    # WHEN the stack is synthesized
    # THEN there is one function, one role for it, one log group and two policies (logs, Cognito)
    template.resource_count_is(RESOURCE_TYPE, 4)
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.resource_count_is("AWS::Logs::LogGroup", 1)
    template.resource_count_is("AWS::IAM::Policy", 2)
    template.resource_count_is("AWS::IAM::ManagedPolicy", 0)
    assert handler_role_id(template)


def test_handler_each_stack_gets_its_own_function(new_app: Callable[[], App]) -> None:
    # GIVEN settings in two stacks of one app
    app = new_app()
    first, second = Stack(app, "TestStack"), Stack(app, "OtherStack")
    for stack in (first, second):
        pool = cognito.UserPool(stack, "Pool")
        UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")

    # WHEN both are synthesized
    templates = [Template.from_stack(stack) for stack in (first, second)]

    # THEN each stack has exactly one function of its own
    for synthesized in templates:
        synthesized.resource_count_is("AWS::Lambda::Function", 1)


def test_handler_function_runs_index_handler_on_python_3_14_for_120_seconds(template: Template) -> None:
    # GIVEN the stack's handler
    function_id = only_logical_id(template, "AWS::Lambda::Function")

    # WHEN the stack is synthesized
    properties = properties_of(template, function_id)

    # THEN it runs cognito_sms_mfa_lambda.index.handler on python3.14 for at most 120 s, as its own role
    assert properties["Runtime"] == "python3.14"
    assert properties["Handler"] == "cognito_sms_mfa_lambda.index.handler"
    assert properties["Timeout"] == 120
    assert properties["Role"] == {"Fn::GetAtt": [handler_role_id(template), "Arn"]}


def test_handler_function_knows_its_own_stack_id(template: Template) -> None:
    # GIVEN the stack's handler
    function_id = only_logical_id(template, "AWS::Lambda::Function")

    # WHEN the stack is synthesized
    properties = properties_of(template, function_id)

    # THEN its only variable is its own stack's id (a pseudo parameter: no dependency), so it can refuse the
    # requests of other stacks' custom resources
    assert properties["Environment"] == {"Variables": {STACK_ID_ENV: {"Ref": "AWS::StackId"}}}


def test_handler_function_logs_to_its_own_log_group(template: Template) -> None:
    # GIVEN the stack's handler
    function_id = only_logical_id(template, "AWS::Lambda::Function")

    # WHEN the stack is synthesized
    properties = properties_of(template, function_id)

    # THEN its LoggingConfig names the explicit log group
    assert properties["LoggingConfig"] == {"LogGroup": {"Ref": only_logical_id(template, "AWS::Logs::LogGroup")}}


def test_handler_role_has_no_managed_or_inline_policies(template: Template) -> None:
    # GIVEN the handler's role
    role_id = handler_role_id(template)

    # WHEN the stack is synthesized
    properties = properties_of(template, role_id)

    # THEN it only trusts Lambda: no ManagedPolicyArns (no AWSLambdaBasicExecutionRole) and no inline Policies
    assert properties == {
        "AssumeRolePolicyDocument": LAMBDA_TRUST,
        "Description": "Manages Cognito users' SMS MFA settings, preferences and test users (cdk-cognito-sms-mfa)",
    }


def test_handler_role_may_write_to_its_log_group_only(template: Template) -> None:
    # GIVEN the policies attached to the handler's role
    role = {"Ref": handler_role_id(template)}
    policies = template.find_resources("AWS::IAM::Policy", {"Properties": {"Roles": [role]}})

    # WHEN all their statements are collected
    statements = [
        statement for policy in policies.values() for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]

    # THEN besides the Cognito grant and the look-up in its own stack there is one statement, writing to the
    # handler's log group only
    log_group_arn = {"Fn::GetAtt": [only_logical_id(template, "AWS::Logs::LogGroup"), "Arn"]}
    cognito = [s for s in statements if str(s["Action"]).startswith("['cognito-idp:")]
    others = [s for s in statements if s not in cognito and s != OWN_STACK_STATEMENT]
    assert others == [
        {"Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Effect": "Allow", "Resource": log_group_arn}
    ]
    assert len(statements) == 2 + len(cognito)
    assert [s["Action"] for s in cognito] == [COGNITO_ACTIONS, SETTINGS_ACTIONS]  # first pool: a test user


def test_handler_may_list_resources_of_its_own_stack_only(template: Template) -> None:
    # GIVEN the policy every settings resource depends on
    statements = properties_of(template, cognito_policy_id(template))["PolicyDocument"]["Statement"]

    # WHEN its CloudFormation statements are picked
    stack_statements = [s for s in statements if "cloudformation:" in str(s["Action"])]

    # THEN one statement: DescribeStacks and ListStackResources on exactly this stack's ARN (AWS::StackId, no
    # wildcard), so a Delete can ask who holds its id, a request whether the stack is rolling back, and the
    # permission goes away only after the last Delete
    assert stack_statements == [OWN_STACK_STATEMENT]


def test_handler_log_group_retention_defaults_to_30_days(template: Template) -> None:
    # GIVEN settings that do not give log_retention
    # WHEN the stack is synthesized
    properties = properties_of(template, only_logical_id(template, "AWS::Logs::LogGroup"))

    # THEN the log group keeps logs for one month
    assert properties == {"RetentionInDays": 30}


@pytest.mark.parametrize(
    ("retention", "expected"),
    [
        pytest.param(logs.RetentionDays.ONE_WEEK, {"RetentionInDays": 7}, id="one-week"),
        pytest.param(logs.RetentionDays.ONE_YEAR, {"RetentionInDays": 365}, id="one-year"),
        pytest.param(logs.RetentionDays.INFINITE, {}, id="infinite"),
    ],
)
def test_handler_log_group_retention_follows_log_retention(
    stack: Stack, pool: cognito.UserPool, retention: logs.RetentionDays, expected: dict[str, int]
) -> None:
    # GIVEN two settings that both give the same log_retention
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice", log_retention=retention)
    UserSmsMfaSettings(stack, "BobMfa", user_pool=pool, username="bob", log_retention=retention)

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)

    # THEN the one log group has that retention
    assert properties_of(template, only_logical_id(template, "AWS::Logs::LogGroup")) == expected


@pytest.mark.parametrize(
    "first_gives_none",
    [
        pytest.param(
            lambda stack, pool: UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice"), id="settings"
        ),
        pytest.param(
            lambda stack, pool: SmsMfaTestUser(
                stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123"
            ),
            id="test-user",
        ),
    ],
)
def test_handler_log_group_retention_applies_when_given_after_constructs_without_it(
    stack: Stack, pool: cognito.UserPool, first_gives_none: Callable[[Stack, cognito.UserPool], object]
) -> None:
    # GIVEN a first construct that gives no log_retention (the handler is created with the default)
    first_gives_none(stack, pool)
    # WHEN a later construct gives one
    UserSmsMfaSettings(stack, "BobMfa", user_pool=pool, username="bob", log_retention=logs.RetentionDays.ONE_WEEK)
    template = Template.from_stack(stack)
    # THEN the order does not matter: the one log group has the given retention
    assert properties_of(template, only_logical_id(template, "AWS::Logs::LogGroup")) == {"RetentionInDays": 7}


def test_handler_log_group_retention_from_test_user(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN / WHEN a test user that gives log_retention
    SmsMfaTestUser(
        stack,
        "Carol",
        user_pool=pool,
        username="carol",
        phone_number="+15555550123",
        log_retention=logs.RetentionDays.INFINITE,
    )
    template = Template.from_stack(stack)
    # THEN
    assert properties_of(template, only_logical_id(template, "AWS::Logs::LogGroup")) == {}


def test_settings_each_resource_depends_on_cognito_policy(template: Template) -> None:
    # GIVEN four settings resources, one of them created by a test user
    # WHEN the stack is synthesized
    resources = template.find_resources(RESOURCE_TYPE)

    # THEN each one DependsOn the Cognito policy: Create after the grant, Delete before it is removed
    policy_id = cognito_policy_id(template)
    assert {resource_id: resource["DependsOn"] for resource_id, resource in resources.items()} == {
        resource_id: [policy_id] for resource_id in resources
    }
