"""``UserSmsMfaSettings``: the SMS MFA options of one Cognito user, as a CloudFormation resource."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_sms_mfa import checks
from cognito_sms_mfa.sms_mfa_handler import SETTINGS_ACTIONS, SmsMfaHandler
from cognito_sms_mfa.user_resource import UserResource
from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import Duration
    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_logs as logs
    from constructs import Construct

    from cognito_sms_mfa_lambda.rules import MfaOption


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
        literal_username = checks.check_username(
            self, username, "the user's name or an alias; a token such as a Ref passes"
        )
        options = checks.check_mfa_options(self, mfa_options)
        timeout = checks.check_service_timeout(self, service_timeout)
        handler = SmsMfaHandler.of(scope, log_retention=log_retention, requested_by=self)
        pool = checks.check_user_pool(self, user_pool, handler.checked_pools)
        handler.add_pool(user_pool, pool, SETTINGS_ACTIONS, requested_by=self)
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
            timeout,
        )
