"""``SmsMfaTestUser``: a Cognito user with a verified phone number and SMS MFA, declared in one construct."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Token
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from cognito_sms_mfa.sms_mfa_handler import PoolInfo, SmsMfaHandler
from cognito_sms_mfa.user_sms_mfa_settings import UserSmsMfaSettings, require_string
from cognito_sms_mfa_lambda import rules

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import aws_logs as logs

    from cognito_sms_mfa_lambda.rules import MfaOption


class SmsMfaTestUser(Construct):
    """A test user whose phone number is verified and whose SMS MFA options are set, for reproducible QA set-ups.

    Creates an ``AWS::Cognito::UserPoolUser`` (``phone_number`` with ``phone_number_verified`` "true", the optional
    ``email`` with ``email_verified`` "true", ``MessageAction`` ``SUPPRESS`` so no invitation is sent) and a
    :class:`UserSmsMfaSettings` for it that depends on the user (``Username`` is the user's ``Ref``).

    Parameters
    ----------
    scope
        The parent construct.
    id
        The construct id; the children are ``"User"`` and ``"MfaSettings"``.
    user_pool
        The pool to create the user in.
    username
        The user's name (1-128 letters, marks, symbols, numbers or punctuation).
    phone_number
        The user's phone number in E.164 form, for example ``"+15555550123"``; it is stored as verified.
    email
        The user's email address, stored as verified. Default: - the user has no email attribute.
    mfa_options
        The desired SMS MFA options. Default: ``[MfaOption.sms()]``.
    log_retention
        Retention of the stack's handler log group, as for :class:`UserSmsMfaSettings`. Default: one month.

    Raises
    ------
    ValueError
        When a literal ``username``, ``phone_number`` or ``email`` breaks its rule.
    TypeError
        When ``username``, ``phone_number`` or a given ``email`` is not a string.

    Examples
    --------
    >>> SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")  # doctest: +SKIP
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        user_pool: cognito.IUserPool,
        username: str,
        phone_number: str,
        email: str | None = None,
        mfa_options: Sequence[MfaOption] | None = None,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        super().__init__(scope, id)
        require_string(self, "username", username, "the user's name")
        require_string(self, "phone_number", phone_number, "E.164, for example '+15555550123'")
        if email is not None:
            require_string(self, "email", email, "an email address")
        _validate(self.node.path, username, phone_number, email)
        attributes = [
            cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value=phone_number),
            cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number_verified", value="true"),
        ]
        if email is not None:
            attributes += [
                cognito.CfnUserPoolUser.AttributeTypeProperty(name="email", value=email),
                cognito.CfnUserPoolUser.AttributeTypeProperty(name="email_verified", value="true"),
            ]
        self.user = cognito.CfnUserPoolUser(
            self,
            "User",
            user_pool_id=user_pool.user_pool_id,
            username=username,
            message_action="SUPPRESS",
            user_attributes=attributes,
        )
        self.mfa_settings = UserSmsMfaSettings(
            self,
            "MfaSettings",
            user_pool=user_pool,
            username=self.user.ref,
            mfa_options=mfa_options,
            log_retention=log_retention,
        )
        if not Token.is_unresolved(username):  # the settings see only the Ref: claim the literal name here
            SmsMfaHandler.of(self, log_retention=None, requested_by=self).claim_user(
                PoolInfo.of(user_pool), username, self.mfa_settings
            )


def _validate(path: str, username: str, phone_number: str, email: str | None) -> None:
    """Check the literal values; tokens are passed through to CloudFormation."""
    checks = [
        ("username", username, rules.username_problem),
        ("phone_number", phone_number, rules.phone_number_problem),
    ]
    if email is not None:
        checks.append(("email", email, rules.email_problem))
    for field, value, problem_of in checks:
        if Token.is_unresolved(value):
            continue
        problem = problem_of(value)
        if problem is not None:
            raise ValueError(f"{path}: `{field}` {problem}")
