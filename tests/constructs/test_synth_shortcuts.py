"""What the constructs work out without asking jsii (the per-user synth cost): a literal username, and the stack's
handler; each gives the answer jsii would."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Aws, Fn, Stack, Token
from aws_cdk import aws_cognito as cognito
from aws_cdk.assertions import Template
from constructs import Construct

from cognito_sms_mfa import UserSmsMfaSettings
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
