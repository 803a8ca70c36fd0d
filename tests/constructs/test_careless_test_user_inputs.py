"""Careless inputs to the three constructs alike, and the test user's ownership props, at synth time.

Each used to fail with a bare Python error (``AttributeError: 'str' object has no attribute 'secret_arn'``,
``TypeError: 'MfaOption' object is not iterable``) or pass silently (``mfa_options=""`` meaning no MFA, two test
users of one name when they had no MFA, a preference that contradicts a test user's SMS preference).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk import Environment, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template

from cognito_sms_mfa import MfaFactor, MfaOption, SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings
from tests.constructs.test_iam import logical_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from aws_cdk import App

PHONE = "+15555550123"
OPTIONS_RULE = "`mfa_options` must be a list of MfaOption (`[]` clears the user's options); received "


def raised_message(error: type[Exception], build: Callable[[], object]) -> str:
    with pytest.raises(error) as raised:
        build()
    return str(raised.value)


def build_each(kind: str, stack: Stack, **fields: Any) -> object:
    """One construct of ``kind`` for user carol, with ``fields`` over valid defaults."""
    if kind == "settings":
        values = {"user_pool": cognito.UserPool(stack, "Pool"), "username": "carol", **fields}
        return UserSmsMfaSettings(stack, "Carol", **values)
    if kind == "preference":
        values = {"user_pool": cognito.UserPool(stack, "Pool"), "username": "carol", **fields}
        return UserMfaPreference(stack, "Carol", **values)
    values = {"user_pool": cognito.UserPool(stack, "Pool"), "username": "carol", "phone_number": PHONE, **fields}
    return SmsMfaTestUser(stack, "Carol", **values)


KINDS = [pytest.param(kind, id=kind) for kind in ("settings", "preference", "test-user")]


@pytest.mark.parametrize("kind", KINDS)
def test_each_construct_raises_when_user_pool_is_a_pool_id(stack: Stack, kind: str) -> None:
    # GIVEN a pool id string where a pool is expected
    # WHEN any of the three constructs is declared with it
    message = raised_message(TypeError, lambda: build_each(kind, stack, user_pool="us-east-1_abc"))

    # THEN construction fails with the library's message, naming the field, the rule, the fix and the value
    assert message == (
        "TestStack/Carol: `user_pool` must be an IUserPool (for a pool id, use "
        "cognito.UserPool.from_user_pool_id(...)); received 'us-east-1_abc'"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_each_construct_raises_when_username_is_not_a_string(stack: Stack, kind: str) -> None:
    # GIVEN a username that is a number
    # WHEN any of the three constructs is declared with it
    message = raised_message(TypeError, lambda: build_each(kind, stack, username=42))

    # THEN construction fails naming the field and the value
    assert message.startswith("TestStack/Carol: `username` must be a string (")
    assert message.endswith("received int 42")


@pytest.mark.parametrize("kind", KINDS)
def test_each_construct_raises_when_pool_is_of_another_account(new_app: Callable[[], App], kind: str) -> None:
    # GIVEN a stack of account 111111111111 and a pool of account 999999999999
    stack = Stack(new_app(), "TestStack", env=Environment(account="111111111111", region="us-east-1"))
    arn = "arn:aws:cognito-idp:us-east-1:999999999999:userpool/us-east-1_AbC123"
    pool = cognito.UserPool.from_user_pool_arn(stack, "Imported", arn)

    # WHEN any of the three constructs is declared for it
    message = raised_message(ValueError, lambda: build_each(kind, stack, user_pool=pool))

    # THEN construction fails naming the account (the preference and the test user used to skip this check)
    assert message.startswith("TestStack/Carol: `user_pool` must be in the stack's account 111111111111")


@pytest.mark.parametrize(
    ("password", "kind"),
    [
        pytest.param("hunter2", "str", id="string"),
        pytest.param({"password": "hunter2"}, "dict", id="dict"),
        pytest.param(None, "UserPool", id="pool"),
    ],
)
def test_test_user_raises_when_password_is_not_a_secret(
    stack: Stack, pool: cognito.UserPool, password: Any, kind: str
) -> None:
    # GIVEN a password given as plain text, a dict or a pool instead of a secret
    value: Any = pool if password is None else password

    # WHEN the test user is declared
    def build() -> object:
        return SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE, password=value)

    # THEN construction fails naming the field and the type, never echoing the value
    message = raised_message(TypeError, build)
    assert message == (
        "TestStack/Carol: `password` must be an ISecret (for example secretsmanager.Secret(...) or "
        f"Secret.from_secret_complete_arn(...)); received a value of type {kind}"
    )
    assert "hunter2" not in message


@pytest.mark.parametrize(
    ("options", "received"),
    [
        pytest.param(MfaOption.sms(), "MfaOption MfaOption(delivery_medium='...", id="single-option"),
        pytest.param("", "''", id="empty-string"),
        pytest.param({}, "dict {}", id="empty-dict"),
    ],
)
def test_test_user_raises_when_mfa_options_not_a_list(
    stack: Stack, pool: cognito.UserPool, options: Any, received: str
) -> None:
    # GIVEN options that are not a list or tuple ("" used to mean "no MFA", a single option a TypeError)
    # WHEN a test user is declared with them
    def build() -> object:
        return SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE, mfa_options=options)

    # THEN it fails with the same message as the settings construct
    assert raised_message(TypeError, build) == "TestStack/Carol: " + OPTIONS_RULE + received


def test_two_test_users_of_one_name_without_mfa_are_rejected(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a test user carol without MFA (no settings child, which used to hold the duplicate check)
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE, mfa_options=[])

    # WHEN a second test user of the same pool and username is declared
    def build() -> object:
        return SmsMfaTestUser(stack, "CarolAgain", user_pool=pool, username="carol", phone_number=PHONE, mfa_options=[])

    # THEN it fails, naming the first
    assert raised_message(ValueError, build) == (
        "TestStack/CarolAgain: `username` must be managed by one construct per pool and setting; received 'carol', "
        "whose user itself (a test user) TestStack/Carol already manages in the same pool"
    )


@pytest.mark.parametrize(
    "test_user_first", [pytest.param(True, id="test-user-first"), pytest.param(False, id="preference-first")]
)
def test_preference_contradicting_a_test_users_sms_preference_is_rejected(
    stack: Stack, pool: cognito.UserPool, test_user_first: bool
) -> None:
    # GIVEN a test user that prefers SMS and a preference that disables SMS for the same user, in either order
    def test_user() -> object:
        return SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE)

    def preference() -> object:
        return UserMfaPreference(stack, "CarolPreference", user_pool=pool, username="carol", sms=MfaFactor.DISABLED)

    first, second = (test_user, preference) if test_user_first else (preference, test_user)
    first()

    # WHEN the second is declared
    message = raised_message(ValueError, second)

    # THEN it fails, naming both constructs and what they would fight over
    if test_user_first:
        assert message == (
            "TestStack/CarolPreference: a UserMfaPreference with `sms` DISABLED contradicts TestStack/Carol (a test "
            "user with SMS MFA preferred) for the same pool and username 'carol': they would undo each other on "
            "every deploy (SMS MFA PREFERRED against DISABLED)"
        )
    else:
        assert message == (
            "TestStack/Carol: a test user with SMS MFA preferred contradicts TestStack/CarolPreference (a "
            "UserMfaPreference with `sms` DISABLED) for the same pool and username 'carol': they would undo each "
            "other on every deploy (SMS MFA PREFERRED against DISABLED)"
        )


def test_preference_preferring_email_beside_a_test_user_preferring_sms_is_rejected(
    stack: Stack, pool: cognito.UserPool
) -> None:
    # GIVEN a test user preferring SMS
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE)

    # WHEN a preference of the same user prefers email (SMS not managed)
    def build() -> object:
        return UserMfaPreference(
            stack, "CarolPreference", user_pool=pool, username="carol", sms=None, email=MfaFactor.PREFERRED
        )

    # THEN it fails: only one factor can be preferred
    assert raised_message(ValueError, build).endswith("(only one factor can be preferred: SMS and email)")


@pytest.mark.parametrize(
    ("mfa_options", "sms"),
    [
        pytest.param(None, MfaFactor.PREFERRED, id="both-prefer-sms"),
        pytest.param([], MfaFactor.DISABLED, id="both-disable-sms"),
        pytest.param(None, None, id="sms-not-managed"),
    ],
)
def test_preference_agreeing_with_a_test_user_is_accepted(
    stack: Stack, pool: cognito.UserPool, mfa_options: list[MfaOption] | None, sms: MfaFactor | None
) -> None:
    # GIVEN a test user and a preference for the same user that agree on SMS
    SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE, mfa_options=mfa_options)
    UserMfaPreference(
        stack, "CarolPreference", user_pool=pool, username="carol", sms=sms, software_token=MfaFactor.DISABLED
    )
    # WHEN / THEN the stack synthesizes with both
    Template.from_stack(stack).resource_count_is("Custom::CognitoUserMfaPreference", 1)


def test_test_user_default_destroys_and_does_not_adopt(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a test user with the defaults
    carol = SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE)

    # WHEN the stack is synthesized
    resources = Template.from_stack(stack).to_json()["Resources"]
    user = resources[logical_id(carol.resource.node.default_child)]

    # THEN the user is deleted with the resource, and never adopted
    assert user["DeletionPolicy"] == "Delete"
    assert "AdoptExisting" not in user["Properties"]


@pytest.mark.parametrize(
    ("removal_policy", "deletion_policy"),
    [
        pytest.param(None, "Retain", id="default-retain"),
        pytest.param(RemovalPolicy.DESTROY, "Delete", id="destroy"),
    ],
)
def test_test_user_adopt_existing_retains_by_default(
    stack: Stack, pool: cognito.UserPool, removal_policy: RemovalPolicy | None, deletion_policy: str
) -> None:
    # GIVEN a test user that adopts an existing user
    secret = secretsmanager.Secret(stack, "Password")
    carol = SmsMfaTestUser(
        stack,
        "Carol",
        user_pool=pool,
        username="carol",
        phone_number=PHONE,
        password=secret,
        adopt_existing=True,
        removal_policy=removal_policy,
    )

    # WHEN the stack is synthesized
    resources = Template.from_stack(stack).to_json()["Resources"]
    user = resources[logical_id(carol.resource.node.default_child)]
    assert carol.mfa_settings is not None
    settings = resources[logical_id(carol.mfa_settings.resource.node.default_child)]

    # THEN the resource says so, and the user (with its settings) stays when the resource goes unless told otherwise
    assert user["Properties"]["AdoptExisting"] == "true"
    assert (user["DeletionPolicy"], settings["DeletionPolicy"]) == (deletion_policy, deletion_policy)


@pytest.mark.parametrize(
    ("fields", "error", "message"),
    [
        pytest.param(
            {"adopt_existing": "yes"},
            TypeError,
            "TestStack/Carol: `adopt_existing` must be True or False; received 'yes'",
            id="adopt-not-bool",
        ),
        pytest.param(
            {"removal_policy": RemovalPolicy.SNAPSHOT},
            TypeError,
            "TestStack/Carol: `removal_policy` must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN; received "
            "RemovalPolicy.SNAPSHOT",
            id="snapshot",
        ),
    ],
)
def test_test_user_raises_on_bad_ownership_props(
    stack: Stack, pool: cognito.UserPool, fields: dict[str, Any], error: type[Exception], message: str
) -> None:
    # GIVEN an ownership prop of the wrong kind
    # WHEN the test user is declared
    def build() -> object:
        return SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE, **fields)

    # THEN it fails naming the field and the value
    assert raised_message(error, build) == message


def test_test_user_attributes_are_username_and_sub(stack: Stack, pool: cognito.UserPool) -> None:
    # GIVEN a test user
    carol = SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number=PHONE)

    # WHEN its attributes are resolved
    user_id = logical_id(carol.resource.node.default_child)

    # THEN they read the canonical username and the sub from the resource (not its physical id)
    assert stack.resolve(carol.attr_username) == {"Fn::GetAtt": [user_id, "Username"]}
    assert stack.resolve(carol.attr_sub) == {"Fn::GetAtt": [user_id, "Sub"]}
