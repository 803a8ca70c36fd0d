"""The synth-time checks every construct of the library shares: plain functions, one home, one message style.

Each check raises at construction with the construct's path, the field (the Python keyword), the rule and the
value received (``TestStack/Mfa: `username` must be 1-128 characters; received 130 characters``); a value that
is still a token is left to CloudFormation and the handler. A value that may be secret or personal (a password,
a secret) is described by its type, never echoed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Duration, Stack, Token

from cognito_sms_mfa.sms_mfa_handler import HANDLER_TIMEOUT, PoolInfo
from cognito_sms_mfa_lambda import rules
from cognito_sms_mfa_lambda.pacing import MAX_SERVICE_TIMEOUT_S
from cognito_sms_mfa_lambda.rules import MfaOption

if TYPE_CHECKING:
    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_secretsmanager as secretsmanager
    from constructs import Construct

DEFAULT_SERVICE_TIMEOUT = Duration.minutes(5)
# CloudFormation must wait at least as long as the handler can run, plus time to deliver the response.
MIN_SERVICE_TIMEOUT_S = int(HANDLER_TIMEOUT.to_seconds()) + 30
# What a user pool and a secret offer (jsii interfaces cannot be checked with isinstance).
USER_POOL_MEMBERS = ("user_pool_id", "user_pool_arn", "grant")
SECRET_MEMBERS = ("secret_arn", "grant_read")


def check_field(scope: Construct, field: str, problem: str | None) -> None:
    """Raise ValueError naming the construct path and the field when a rule reports a ``problem``."""
    if problem is not None:
        raise ValueError(f"{scope.node.path}: `{field}` {problem}")


def require_string(scope: Construct, field: str, value: object, rule: str) -> None:
    """Raise TypeError naming the construct, ``field``, the rule and the value when ``value`` is not a string."""
    if not isinstance(value, str):
        raise TypeError(f"{scope.node.path}: `{field}` must be a string ({rule}); received {rules.show(value)}")


# How aws-cdk-lib encodes a token in a string (``${Token[NAME.1]}``) and in a list element (``#{Token[...]}``): a
# string without either is a literal, known without asking jsii (a round trip per construct).
TOKEN_MARKERS = ("${Token[", "#{Token[")


def literal(value: str) -> str | None:
    """``value`` when it is a literal string, None when it is a token (resolved only at deploy time)."""
    if not any(marker in value for marker in TOKEN_MARKERS):
        return value
    return None if Token.is_unresolved(value) else value


def check_username(scope: Construct, username: object, rule: str) -> str | None:
    """Check ``username``: a string, and when literal, one Cognito accepts; return the literal or None."""
    require_string(scope, "username", username, rule)
    assert isinstance(username, str)
    name = literal(username)
    if name is not None:
        check_field(scope, "username", rules.username_problem(name))
    return name


def check_user_pool(scope: Construct, user_pool: object, checked: dict[int, tuple[object, PoolInfo]]) -> PoolInfo:
    """Check ``user_pool``: an ``IUserPool``, a literal id shaped as Cognito's, and in the stack's account.

    ``checked`` (the stack's handler keeps it) remembers the pools already checked in the stack, by object: every
    user of a pool then costs no jsii call here (a pool's id, ARN and the stack's account are the same for all).

    Raises
    ------
    TypeError
        When ``user_pool`` is not a user pool (a pool id string, for example).
    ValueError
        When its literal id breaks the id rule, or its literal ARN names another account than the stack's.
    """
    known = checked.get(id(user_pool))
    if known is not None and known[0] is user_pool:
        return known[1]
    if isinstance(user_pool, (str, bytes, int, float, dict, list, tuple)) or not all(
        _offers(user_pool, member) for member in USER_POOL_MEMBERS
    ):
        hint = " (for a pool id, use cognito.UserPool.from_user_pool_id(...))" if isinstance(user_pool, str) else ""
        raise TypeError(f"{scope.node.path}: `user_pool` must be an IUserPool{hint}; received {rules.show(user_pool)}")
    pool: cognito.IUserPool = user_pool  # type: ignore[assignment]  # checked by its members above
    info = PoolInfo.of(pool)
    if info.literal:
        check_field(scope, "user_pool.user_pool_id", rules.user_pool_id_problem(info.pool_id))
    _check_pool_account(scope, pool)
    checked[id(user_pool)] = (user_pool, info)  # the pool is kept, so its id() is not reused
    return info


def _offers(value: object, member: str) -> bool:
    """Whether ``value`` has ``member``: looked up on its class first (no jsii call), then on the value (a jsii
    dynamic proxy, such as an imported pool, has its members only there)."""
    return hasattr(type(value), member) or hasattr(value, member)


def _check_pool_account(scope: Construct, user_pool: cognito.IUserPool) -> None:
    """Reject a pool whose literal ARN names another account than the stack's literal account (tokens pass)."""
    arn = user_pool.user_pool_arn
    stack_account = Stack.of(scope).account
    if Token.is_unresolved(arn) or Token.is_unresolved(stack_account):
        return
    parts = arn.split(":")
    account = parts[4] if len(parts) > 5 else ""
    if account and account != stack_account:
        raise ValueError(
            f"{scope.node.path}: `user_pool` must be in the stack's account {stack_account} (the handler calls "
            f"Cognito with its own role, which cannot be granted another account's pool); received a pool of "
            f"account {account}"
        )


def check_mfa_options(scope: Construct, mfa_options: object) -> tuple[MfaOption, ...]:
    """The desired options: the default ``[MfaOption.sms()]`` when not given, else a list or tuple of
    :class:`MfaOption` that the API accepts (``""``, ``{}`` and ``set()`` would silently clear the user's MFA, a
    single option would be iterated)."""
    if mfa_options is None:
        return (MfaOption.sms(),)
    if not isinstance(mfa_options, (list, tuple)):
        raise TypeError(
            f"{scope.node.path}: `mfa_options` must be a list of MfaOption (`[]` clears the user's options); "
            f"received {rules.show(mfa_options)}"
        )
    options = tuple(mfa_options)
    for index, option in enumerate(options):
        if not isinstance(option, MfaOption):
            raise TypeError(
                f"{scope.node.path}: `mfa_options[{index}]` must be an MfaOption; received {rules.show(option)}"
            )
        check_field(
            scope, f"mfa_options[{index}].delivery_medium", rules.delivery_medium_problem(option.delivery_medium)
        )
        check_field(scope, f"mfa_options[{index}].attribute_name", rules.attribute_name_problem(option.attribute_name))
    check_field(
        scope, "mfa_options", rules.duplicate_option_problem((o.delivery_medium, o.attribute_name) for o in options)
    )
    return options


def check_secret(scope: Construct, field: str, secret: object) -> secretsmanager.ISecret:
    """Check that ``secret`` is an ``ISecret``; the value is described by its type only (it may be a password).

    Raises
    ------
    TypeError
        When ``secret`` is a string, a dict or anything else that is not a Secrets Manager secret.
    """
    if isinstance(secret, (str, bytes, dict)) or not all(_offers(secret, member) for member in SECRET_MEMBERS):
        raise TypeError(
            f"{scope.node.path}: `{field}` must be an ISecret (for example secretsmanager.Secret(...) or "
            f"Secret.from_secret_complete_arn(...)); received a value of type {type(secret).__name__}"
        )
    checked: secretsmanager.ISecret = secret  # type: ignore[assignment]  # checked by its members above
    return checked


def check_service_timeout(scope: Construct, timeout: object) -> Duration:
    """Check ``service_timeout``: a Duration (a token one passes), whole seconds, within the handler's range;
    None gives :data:`DEFAULT_SERVICE_TIMEOUT`."""
    if timeout is None:
        return DEFAULT_SERVICE_TIMEOUT
    path = scope.node.path
    if not isinstance(timeout, Duration):
        raise TypeError(
            f"{path}: `service_timeout` must be a Duration (for example Duration.minutes(5)); "
            f"received {rules.show(timeout)}"
        )
    if timeout.is_unresolved():  # a token (for example from a CfnParameter) is CloudFormation's to check
        return timeout
    millis = timeout.to_milliseconds()
    if millis % 1000:
        raise ValueError(f"{path}: `service_timeout` must be a whole number of seconds; received {millis} ms")
    seconds = millis // 1000
    if not MIN_SERVICE_TIMEOUT_S <= seconds <= MAX_SERVICE_TIMEOUT_S:
        raise ValueError(
            f"{path}: `service_timeout` must be {MIN_SERVICE_TIMEOUT_S}-{MAX_SERVICE_TIMEOUT_S} seconds (the handler "
            f"runs up to {int(HANDLER_TIMEOUT.to_seconds())} s); received {timeout.to_human_string()}"
        )
    return timeout


def check_bool(scope: Construct, field: str, value: Any) -> bool:
    """Check that ``value`` is a bool (``"false"`` or ``0`` would be misread)."""
    if not isinstance(value, bool):
        raise TypeError(f"{scope.node.path}: `{field}` must be True or False; received {rules.show(value)}")
    return value
