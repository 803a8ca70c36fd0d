"""``UserMfaPreference``: a Cognito user's MFA factors (``AdminSetUserMFAPreference``) as a CloudFormation resource."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_sms_mfa import checks
from cognito_sms_mfa.sms_mfa_handler import PREFERENCE_ACTIONS, SmsMfaHandler
from cognito_sms_mfa.user_resource import UserResource
from cognito_sms_mfa_lambda import rules
from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE
from cognito_sms_mfa_lambda.rules import EMAIL_FACTOR, SMS_FACTOR, SOFTWARE_TOKEN_FACTOR, MfaFactor

if TYPE_CHECKING:
    from aws_cdk import Duration
    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_logs as logs
    from constructs import Construct


class UserMfaPreference(UserResource):
    """The MFA factors of one existing Cognito user, the way Cognito enforces them at sign-in.

    Creates a ``Custom::CognitoUserMfaPreference`` resource served by the stack's one handler (the same function
    as ``UserSmsMfaSettings``), whose role then may also call ``cognito-idp:AdminSetUserMFAPreference`` on the
    pools used in the stack. Create and Update write only when a managed factor differs from what ``AdminGetUser``
    reports; Delete disables the managed factors (not enabled, not preferred) and succeeds when the user or the
    pool is gone. A factor given as ``None`` is not managed: it is left as it is and never sent.

    Parameters
    ----------
    scope
        The parent construct.
    id
        The construct id; the resource is its child ``"Resource"``.
    user_pool
        The pool that holds the user. Its ``MfaConfiguration`` must be ``OPTIONAL`` or ``ON`` for a factor to be
        challenged at sign-in.
    username
        The user's name or an alias Cognito accepts for admin calls (a token is passed through). The canonical
        name Cognito reports is :attr:`attr_username`.
    sms
        SMS MFA to the user's ``phone_number``. Default: ``MfaFactor.PREFERRED``. The user must have a
        ``phone_number`` to enable it (Cognito refuses otherwise: "no delivery config").
    email
        Email MFA. Default: not managed. Needs a pool on the Essentials plan or above with email sending
        configured (Amazon SES); Cognito refuses it otherwise.
    software_token
        TOTP MFA. Default: not managed. ``ENABLED``/``PREFERRED`` only for a user who has already associated and
        verified a TOTP token: an admin cannot enrol one, and Cognito refuses otherwise.
    service_timeout
        How long CloudFormation waits for the handler. Default: 5 minutes. Between 150 and 3600 seconds; a token
        is passed through unchecked.
    log_retention
        Retention of the stack's handler log group. Default: one month. Shared with every construct of the stack
        that uses the handler: all that give it must give the same value.

    Raises
    ------
    ValueError
        When more than one factor is ``PREFERRED``, when no factor is managed, when a literal value breaks a rule
        of the API or of CloudFormation, when another ``UserMfaPreference`` of the stack already manages the
        same pool and username, or when an :class:`SmsMfaTestUser` of the same user sets a contradicting SMS
        preference (they would undo each other on every deploy).
    TypeError
        When a factor is neither an :class:`MfaFactor` nor ``None``, ``username`` is not a string, ``user_pool`` is
        not an ``IUserPool`` or ``service_timeout`` not a ``Duration``.

    Examples
    --------
    >>> UserMfaPreference(stack, "AliceMfa", user_pool=pool, username="alice")  # doctest: +SKIP
    >>> UserMfaPreference(  # doctest: +SKIP
    ...     stack, "BobMfa", user_pool=pool, username="bob", sms=MfaFactor.ENABLED, email=MfaFactor.PREFERRED
    ... )
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_pool: cognito.IUserPool,
        username: str,
        sms: MfaFactor | None = MfaFactor.PREFERRED,
        email: MfaFactor | None = None,
        software_token: MfaFactor | None = None,
        service_timeout: Duration | None = None,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        super().__init__(scope, id)
        factors = {SMS_FACTOR: sms, EMAIL_FACTOR: email, SOFTWARE_TOKEN_FACTOR: software_token}
        for factor, state in factors.items():
            if state is not None and not isinstance(state, MfaFactor):
                raise TypeError(
                    f"{self.node.path}: `{factor.keyword}` must be an MfaFactor or None; received {rules.show(state)}"
                )
        problem = rules.factor_set_problem({f"`{f.keyword}`": state for f, state in factors.items()})
        if problem is not None:
            raise ValueError(f"{self.node.path}: {problem}")
        literal_username = checks.check_username(self, username, "the user's name or an alias; a token passes")
        timeout = checks.check_service_timeout(self, service_timeout)
        handler = SmsMfaHandler.of(scope, log_retention=log_retention, requested_by=self)
        pool = checks.check_user_pool(self, user_pool, handler.checked_pools)
        handler.add_pool(user_pool, pool, PREFERENCE_ACTIONS, requested_by=self)
        self.factors = {factor.keyword: state for factor, state in factors.items() if state is not None}
        if literal_username is not None:
            handler.claim_user(pool, literal_username, self, kind="UserMfaPreference")
            managed = {keyword: state.value for keyword, state in self.factors.items()}
            handler.claim_sms_preference(pool, literal_username, self, managed, test_user=False)

        self.user_pool = user_pool
        self.resource = handler.custom_resource(
            self,
            PREFERENCE_RESOURCE_TYPE,
            {
                "UserPoolId": pool.pool_id,
                "Username": username,
                **{factor.property: state.value for factor, state in factors.items() if state is not None},
            },
            timeout,
        )
