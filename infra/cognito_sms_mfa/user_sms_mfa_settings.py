"""``UserSmsMfaSettings``: the SMS MFA options of one Cognito user, as a CloudFormation resource."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Duration, Stack, Token

from cognito_sms_mfa.sms_mfa_handler import HANDLER_TIMEOUT, PoolInfo, SmsMfaHandler
from cognito_sms_mfa.user_resource import UserResource
from cognito_sms_mfa_lambda import rules
from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_lambda.rules import MfaOption

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_logs as logs
    from constructs import Construct

DEFAULT_SERVICE_TIMEOUT = Duration.minutes(5)
# CloudFormation must wait at least as long as the handler can run, plus time to deliver the response.
MIN_SERVICE_TIMEOUT_S = int(HANDLER_TIMEOUT.to_seconds()) + 30
MAX_SERVICE_TIMEOUT_S = 3600


class UserSmsMfaSettings(UserResource):
    """The SMS MFA options of one existing Cognito user, applied on deploy and cleared on delete.

    Creates a ``Custom::CognitoUserSmsMfaSettings`` resource served by one Lambda per stack, whose role may call
    ``cognito-idp:AdminGetUser`` and ``cognito-idp:AdminSetUserSettings`` on the pools used in the stack only.

    Parameters
    ----------
    scope
        The parent construct.
    id
        The construct id; the resource is its child ``"Resource"``.
    user_pool
        The pool that holds the user. The pool's ``MfaConfiguration`` must be ``OPTIONAL`` or ``ON`` for SMS MFA
        to take effect. It may be in another Region (the handler calls the Region its id names) but must be in
        the stack's account.
    username
        The user's name or an alias Cognito accepts for admin calls (a token such as ``CfnUserPoolUser.ref`` is
        passed through). The canonical name Cognito reports is :attr:`attr_username`. When the stack itself
        creates the user (a ``CfnUserPoolUser`` or an :class:`SmsMfaTestUser` with the same literal username in
        the same pool), the settings depend on it; ``username=user.ref`` says the same explicitly.
    mfa_options
        The desired options. Default: ``[MfaOption.sms()]``, SMS to the user's ``phone_number``.
        ``[]`` clears the user's SMS MFA options.
    service_timeout
        How long CloudFormation waits for the handler. Default: 5 minutes (CloudFormation's own default is one
        hour). Between 150 seconds (the handler's 2-minute timeout plus delivery) and 3600 seconds; a token is
        passed through unchecked.
    log_retention
        Retention of the stack's handler log group. Default: one month. Every settings construct of a stack shares
        one handler, so all that give it must give the same value (in any order); the others accept it.

    Raises
    ------
    ValueError
        When a literal value breaks a rule of ``AdminSetUserSettings`` or of CloudFormation, or when another
        settings construct of the stack already manages the same pool and username.
    TypeError
        When a value has the wrong type: ``username`` not a string, ``mfa_options`` not a list or tuple of
        :class:`MfaOption` (a string, a dict, a set or a single option would be misread), ``service_timeout``
        not a ``Duration``.

    Examples
    --------
    >>> UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")  # doctest: +SKIP
    >>> UserSmsMfaSettings(stack, "BobMfa", user_pool=pool, username="bob", mfa_options=[])  # doctest: +SKIP
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_pool: cognito.IUserPool,
        username: str,
        mfa_options: Sequence[MfaOption] | None = None,
        service_timeout: Duration | None = None,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        super().__init__(scope, id)
        require_string(self, "username", username, "the user's name or an alias; a token such as a Ref passes")
        options = _options(self, mfa_options)
        literal_username = None if Token.is_unresolved(username) else username
        _validate(self, literal_username, options)
        if service_timeout is not None:  # the default is known to be valid
            validate_service_timeout(self, service_timeout)
        pool = PoolInfo.of(user_pool)
        if pool.literal:
            check_field(self, "user_pool.user_pool_id", rules.user_pool_id_problem(pool.pool_id))
        _check_pool_account(self, user_pool)

        handler = SmsMfaHandler.of(self, log_retention=log_retention, requested_by=self)
        handler.add_pool(user_pool, pool)
        if literal_username is not None:
            handler.claim_user(pool, literal_username, self)
            handler.add_settings(pool, literal_username, self)

        self.user_pool = user_pool
        self.mfa_options = options
        self.resource = handler.custom_resource(
            self,
            SETTINGS_RESOURCE_TYPE,
            {
                "UserPoolId": pool.pool_id,
                "Username": username,
                "MFAOptions": [option.to_properties() for option in options],
            },
            service_timeout or DEFAULT_SERVICE_TIMEOUT,
        )


def require_string(scope: Construct, field: str, value: object, rule: str) -> None:
    """Raise TypeError naming the construct, ``field``, the rule and the value when ``value`` is not a string."""
    if not isinstance(value, str):
        raise TypeError(f"{scope.node.path}: `{field}` must be a string ({rule}); received {rules.show(value)}")


def _options(scope: Construct, mfa_options: object) -> tuple[MfaOption, ...]:
    """The desired options: the default when not given, else a list or tuple (anything else would be misread:
    ``""``, ``{}`` and ``set()`` would silently clear the user's MFA, a single option would be iterated)."""
    if mfa_options is None:
        return (MfaOption.sms(),)
    if not isinstance(mfa_options, (list, tuple)):
        raise TypeError(
            f"{scope.node.path}: `mfa_options` must be a list of MfaOption (`[]` clears the user's options); "
            f"received {rules.show(mfa_options)}"
        )
    return tuple(mfa_options)


def _validate(scope: Construct, literal_username: str | None, options: tuple[MfaOption, ...]) -> None:
    """Check the literal values with the API's rules; tokens are left to the handler."""
    checks: list[tuple[str, str | None]] = []
    if literal_username is not None:
        checks.append(("username", rules.username_problem(literal_username)))
    for index, option in enumerate(options):
        if not isinstance(option, MfaOption):
            raise TypeError(
                f"{scope.node.path}: `mfa_options[{index}]` must be an MfaOption; received {rules.show(option)}"
            )
        checks.append((f"mfa_options[{index}].delivery_medium", rules.delivery_medium_problem(option.delivery_medium)))
        checks.append((f"mfa_options[{index}].attribute_name", rules.attribute_name_problem(option.attribute_name)))
    checks.append(
        ("mfa_options", rules.duplicate_option_problem((o.delivery_medium, o.attribute_name) for o in options))
    )
    for field, problem in checks:
        check_field(scope, field, problem)


def check_field(scope: Construct, field: str, problem: str | None) -> None:
    """Raise ValueError naming the construct path and the field when a rule reports a ``problem``."""
    if problem is not None:
        raise ValueError(f"{scope.node.path}: `{field}` {problem}")


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


def validate_service_timeout(scope: Construct, timeout: object) -> None:
    """Check ``service_timeout``: a Duration (a token one passes), whole seconds, within the handler's range."""
    path = scope.node.path
    if not isinstance(timeout, Duration):
        raise TypeError(
            f"{path}: `service_timeout` must be a Duration (for example Duration.minutes(5)); "
            f"received {rules.show(timeout)}"
        )
    if timeout.is_unresolved():  # a token (for example from a CfnParameter) is CloudFormation's to check
        return
    millis = timeout.to_milliseconds()
    if millis % 1000:
        raise ValueError(f"{path}: `service_timeout` must be a whole number of seconds; received {millis} ms")
    seconds = millis // 1000
    if not MIN_SERVICE_TIMEOUT_S <= seconds <= MAX_SERVICE_TIMEOUT_S:
        raise ValueError(
            f"{path}: `service_timeout` must be {MIN_SERVICE_TIMEOUT_S}-{MAX_SERVICE_TIMEOUT_S} seconds (the handler "
            f"runs up to {int(HANDLER_TIMEOUT.to_seconds())} s); received {timeout.to_human_string()}"
        )
