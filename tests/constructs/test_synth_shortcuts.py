"""What the constructs work out without asking jsii (the per-user synth cost): a literal username, and the stack's
handler; each gives the answer jsii would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Aws, Fn, NestedStack, Stack, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template
from constructs import Construct

from cognito_sms_mfa import (
    MfaFactor,
    SmsMfaTestUser,
    UserMfaPreference,
    UserSmsMfaSettings,
    UserSmsMfaSettingsBatch,
)
from cognito_sms_mfa.checks import literal
from cognito_sms_mfa.sms_mfa_handler import SINGLETON_ID, SmsMfaHandler

if TYPE_CHECKING:
    from collections.abc import Callable


def test_literal_is_what_token_is_unresolved_says(new_stack: Callable[[], Stack]) -> None:
    # GIVEN strings with and without tokens of each kind
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool")
    values = [
        "alice",
        "a${Token-like}b",
        pool.user_pool_id,
        f"user-{Aws.REGION}",
        Fn.select(0, Fn.split("_", pool.user_pool_id)),
    ]
    # WHEN each is read as a literal
    # THEN only the strings jsii calls resolved are literal
    assert [literal(value) for value in values] == [None if Token.is_unresolved(v) else v for v in values]
    assert [literal(value) is not None for value in values] == [True, True, False, False, False]


def test_constructs_of_a_stack_share_its_handler_whatever_their_scope(new_stack: Callable[[], Stack]) -> None:
    # GIVEN settings in the stack itself and in a construct inside it, and a second stack of the same app
    stack = new_stack()
    other = Stack(stack.node.scope, "Other")  # type: ignore[arg-type]
    group = Construct(stack, "Group")
    pool = cognito.UserPool(stack, "Pool", mfa=cognito.Mfa.OPTIONAL)
    other_pool = cognito.UserPool(other, "Pool", mfa=cognito.Mfa.OPTIONAL)
    UserSmsMfaSettings(stack, "A", user_pool=pool, username="a")
    UserSmsMfaSettings(group, "B", user_pool=pool, username="b")
    UserSmsMfaSettings(other, "C", user_pool=other_pool, username="c")
    # WHEN the handlers are looked for in each stack's tree
    handlers = [child for child in stack.node.children if isinstance(child, SmsMfaHandler)]
    # THEN one per stack, at its id, serving every settings resource of its stack
    assert [handler.node.id for handler in handlers] == [SINGLETON_ID]
    assert isinstance(other.node.try_find_child(SINGLETON_ID), SmsMfaHandler)
    Template.from_stack(stack).resource_count_is("AWS::Lambda::Function", 1)
    Template.from_stack(stack).resource_count_is("Custom::CognitoUserSmsMfaSettings", 2)
    Template.from_stack(other).resource_count_is("AWS::Lambda::Function", 1)


def test_the_declared_users_are_the_ones_find_all_finds(new_stack: Callable[[], Stack]) -> None:
    # GIVEN users at the stack's root, in a group, under the pool construct and in a nested stack, beside settings,
    # a test user, a preference and a batch (which make their own children)
    stack = new_stack()
    pool = cognito.UserPool(stack, "Pool", mfa=cognito.Mfa.OPTIONAL)
    group = Construct(stack, "Group")
    nested = NestedStack(stack, "Nested")
    users = [
        cognito.CfnUserPoolUser(stack, "Root", user_pool_id=pool.user_pool_id, username="root"),
        cognito.CfnUserPoolUser(group, "InGroup", user_pool_id=pool.user_pool_id, username="in-group"),
        cognito.CfnUserPoolUser(pool, "UnderPool", user_pool_id=pool.user_pool_id, username="under-pool"),
        cognito.CfnUserPoolUser(Construct(nested, "Deep"), "Nested", user_pool_id="us-east-1_abc", username="nested"),
    ]
    UserSmsMfaSettings(stack, "A", user_pool=pool, username="root")
    UserSmsMfaSettings(group, "B", user_pool=pool, username="in-group")
    SmsMfaTestUser(stack, "Tester", user_pool=pool, username="tester", phone_number="+15555550100")
    UserMfaPreference(stack, "Preference", user_pool=pool, username="under-pool", sms=MfaFactor.PREFERRED)
    UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=["b1", "b2"])
    handler = SmsMfaHandler.of(stack, log_retention=None, requested_by=stack)
    # WHEN the handler walks the tree for the users
    walked = handler.declared_users()
    # THEN it finds exactly the users find_all finds, and no other construct
    every = [node for node in stack.node.find_all() if isinstance(node, cognito.CfnUserPoolUser)]
    assert {id(user) for user in walked} == {id(user) for user in every} == {id(user) for user in users}
    assert len(walked) == len(users)
