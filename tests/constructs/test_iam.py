"""The handler's permissions: each Cognito action only on the pools whose constructs call it (user management only
on pools that hold a test user), in the Region the pool id names; the pools of its own stack only; a test user's
password secret readable only when one is given."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import App, CfnElement, Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from cognito_sms_mfa import SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings
from cognito_sms_mfa.sms_mfa_handler import SmsMfaHandler

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from constructs import IConstruct

DESCRIBE = "cognito-idp:DescribeUserPool"  # a not-found reason says whether the pool's names are case-sensitive
COGNITO_ACTIONS = ["cognito-idp:AdminGetUser", "cognito-idp:AdminSetUserSettings", DESCRIBE]

# A test user (with its settings child) reads, writes the legacy options, sets the SMS preference (the same action
# as a UserMfaPreference) and manages the user.
TEST_USER_ACTIONS = [
    "cognito-idp:AdminSetUserMFAPreference",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDeleteUserAttributes",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUpdateUserAttributes",
]


def cognito_statements(template: Template) -> list[dict[str, Any]]:
    """Every statement, in any IAM policy of the template, that names a cognito-idp action."""
    return [s for s in all_statements(template) if any(a.startswith("cognito-idp:") for a in listed(s, "Action"))]


def all_statements(template: Template) -> Iterator[dict[str, Any]]:
    """Every statement of every policy document in the template: policies, managed policies and inline role policies."""
    for resource in template.to_json()["Resources"].values():
        properties = resource.get("Properties", {})
        if resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            yield from properties["PolicyDocument"]["Statement"]
        elif resource["Type"] == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                yield from policy["PolicyDocument"]["Statement"]


def listed(statement: dict[str, Any], key: str) -> list[Any]:
    """A statement's ``Action`` or ``Resource`` as a list (the template writes a single value bare)."""
    value = statement.get(key, [])
    return value if isinstance(value, list) else [value]


def allow(resource: Any, actions: list[str] = COGNITO_ACTIONS) -> list[dict[str, Any]]:
    """The one Cognito statement expected, on ``resource``."""
    return [{"Action": actions, "Effect": "Allow", "Resource": resource}]


def secret_statements(template: Template) -> list[dict[str, Any]]:
    """Every statement that names a secretsmanager or kms action."""
    return [
        s
        for s in all_statements(template)
        if any(a.startswith(("secretsmanager:", "kms:")) for a in listed(s, "Action"))
    ]


def pool_arn(pool: cognito.UserPool) -> dict[str, Any]:
    """A pool's ARN as the template spells it: ``Fn::GetAtt`` on its logical id."""
    return {"Fn::GetAtt": [logical_id(pool.node.default_child), "Arn"]}


def logical_id(element: IConstruct | None) -> str:
    """The logical id of a CloudFormation element (for example a construct's ``node.default_child``)."""
    assert isinstance(element, CfnElement)
    return element.stack.get_logical_id(element)


def test_cognito_policy_one_pool_lists_that_pool_only(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN settings for two users of one pool
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=pool, username="bob")

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN the two actions are allowed on that pool's ARN, listed once
    assert statements == allow(pool_arn(pool))


def test_cognito_policy_two_pools_lists_exactly_both(stack: Stack) -> None:
    # GIVEN settings in two pools, one of them through a test user
    first = cognito.UserPool(stack, "First")
    second = cognito.UserPool(stack, "Second")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=first, username="alice")
    SmsMfaTestUser(stack, "Carol", user_pool=second, username="carol", phone_number="+15555550123")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=second, username="bob")

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN each pool is listed once, and user management only on the pool that holds the test user
    assert statements == allow(pool_arn(first)) + allow(pool_arn(second), COGNITO_ACTIONS + TEST_USER_ACTIONS)


def test_cognito_policy_user_management_only_on_pools_with_a_test_user(stack: Stack) -> None:
    # GIVEN a pool with settings only, a pool with a preference only, and a pool with a test user without MFA
    settings_pool = cognito.UserPool(stack, "SettingsPool")
    preference_pool = cognito.UserPool(stack, "PreferencePool")
    users_pool = cognito.UserPool(stack, "UsersPool")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=settings_pool, username="alice")
    UserMfaPreference(stack, "BobPreference", user_pool=preference_pool, username="bob")
    SmsMfaTestUser(stack, "Carol", user_pool=users_pool, username="carol", phone_number="+15555550123", mfa_options=[])

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN each pool gets exactly the actions its constructs call: no AdminCreateUser/AdminDeleteUser on the
    # settings or the preference pool, no AdminSetUserSettings on the test user's pool (it has no settings child)
    assert statements == [
        *allow(pool_arn(settings_pool)),
        *allow(
            pool_arn(preference_pool),
            ["cognito-idp:AdminGetUser", DESCRIBE, "cognito-idp:AdminSetUserMFAPreference"],
        ),
        *allow(pool_arn(users_pool), ["cognito-idp:AdminGetUser", *TEST_USER_ACTIONS]),
    ]


def test_cognito_policy_imported_pool_of_another_region_lists_its_own_region(stack: Stack) -> None:
    # GIVEN a stack in us-east-1 (from its environment) using a pool imported by an id of eu-west-1
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "eu-west-1_AbC123")
    SmsMfaTestUser(stack, "Carol", user_pool=imported, username="carol", phone_number="+15555550123")

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN the ARN names eu-west-1, the Region the handler calls for that pool (not the stack's Region)
    [statement] = statements
    assert statement["Resource"] == {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":cognito-idp:eu-west-1:",
                {"Ref": "AWS::AccountId"},
                ":userpool/eu-west-1_AbC123",
            ],
        ]
    }


def test_cognito_policy_imported_pool_lists_its_formatted_arn(stack: Stack) -> None:
    # GIVEN a pool imported by its id, used by two settings and imported a second time under another id
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "eu-west-1_AbC123")
    again = cognito.UserPool.from_user_pool_id(stack, "ImportedAgain", "eu-west-1_AbC123")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=imported, username="alice")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=again, username="bob")

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN the pool's ARN is formatted in the stack's partition and account and the Region its id names, and
    # listed once
    assert statements == allow(
        {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    ":cognito-idp:eu-west-1:",
                    {"Ref": "AWS::AccountId"},
                    ":userpool/eu-west-1_AbC123",
                ],
            ]
        }
    )


def test_cognito_policy_stack_with_environment_lists_literal_arn(new_app: Callable[[], App]) -> None:
    # GIVEN a stack with an explicit account and Region, and a pool imported into it
    stack = Stack(new_app(), "Pinned", env=Environment(account="123456789012", region="eu-west-1"))
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "eu-west-1_AbC123")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=imported, username="alice")

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN the ARN names that account and Region (the partition stays a reference)
    assert statements == allow(
        {
            "Fn::Join": [
                "",
                ["arn:", {"Ref": "AWS::Partition"}, ":cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123"],
            ]
        }
    )


def test_cognito_policy_lists_only_pools_of_its_own_stack(new_app: Callable[[], App]) -> None:
    # GIVEN two stacks of one app, each with its own pool and settings
    app = new_app()
    first, second = Stack(app, "TestStack"), Stack(app, "OtherStack")
    pools = {}
    for stack in (first, second):
        pools[stack.stack_name] = cognito.UserPool(stack, "Pool")
        UserSmsMfaSettings(stack, "AliceMfa", user_pool=pools[stack.stack_name], username="alice")

    # WHEN both are synthesized
    statements = {stack.stack_name: cognito_statements(Template.from_stack(stack)) for stack in (first, second)}

    # THEN each policy lists its own pool only
    assert statements == {stack.stack_name: allow(pool_arn(pools[stack.stack_name])) for stack in (first, second)}


def test_iam_no_statement_allows_cognito_idp_on_any_resource(new_stack: Callable[[], Stack]) -> None:
    # GIVEN a stack with a pool (whose SMS role has a `*` statement of its own), an imported pool and a test user
    stack = new_stack()
    pool = cognito.UserPool(
        stack, "Pool", mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False)
    )
    imported = cognito.UserPool.from_user_pool_id(stack, "Imported", "eu-west-1_AbC123")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")
    UserSmsMfaSettings(stack, "BobMfa", user_pool=imported, username="bob")
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")

    # WHEN the statements on `*` are collected from every policy of the template
    on_everything = [s for s in all_statements(Template.from_stack(stack)) if "*" in listed(s, "Resource")]

    # THEN the pool's own `sns:Publish` is there (the scan sees inline policies), and nothing for cognito-idp
    assert [listed(s, "Action") for s in on_everything] == [["sns:Publish"]]


def test_test_user_without_password_grants_no_secret_read(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a test user without a password and settings of another user
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)

    # THEN user management is allowed on the pool, and no statement reads a secret
    assert cognito_statements(template) == allow(pool_arn(pool), COGNITO_ACTIONS + TEST_USER_ACTIONS)
    assert secret_statements(template) == []


def test_test_user_password_grants_read_of_that_secret_and_its_key(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a test user whose password secret is encrypted with a customer-managed key, and another secret
    key = kms.Key(stack, "Key", enable_key_rotation=True)
    secret = secretsmanager.Secret(stack, "CarolPassword", encryption_key=key)
    secretsmanager.Secret(stack, "Unrelated")
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123", password=secret)

    # WHEN the stack is synthesized
    template = Template.from_stack(stack)
    statements = secret_statements(template)

    # THEN the role may read exactly that secret, and the key lets the role decrypt through Secrets Manager
    read = [s for s in statements if "secretsmanager:GetSecretValue" in listed(s, "Action")]
    assert [listed(s, "Resource") for s in read] == [[{"Ref": logical_id(secret.node.default_child)}]]
    key_policy = template.to_json()["Resources"][logical_id(key.node.default_child)]["Properties"]["KeyPolicy"]
    role = SmsMfaHandler.of(stack, log_retention=None, requested_by=stack).role
    role_arn = {"Fn::GetAtt": [logical_id(role.node.default_child), "Arn"]}
    decrypt = [s for s in key_policy["Statement"] if s["Principal"]["AWS"] == role_arn]
    assert [listed(s, "Action") for s in decrypt] == [["kms:Decrypt"]]


def test_settings_only_stack_keeps_the_two_cognito_actions(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a stack with settings and no test user
    UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")

    # WHEN the stack is synthesized
    statements = cognito_statements(Template.from_stack(stack))

    # THEN only AdminGetUser, AdminSetUserSettings and DescribeUserPool (for a not-found reason) are allowed
    assert statements == allow(pool_arn(pool))
