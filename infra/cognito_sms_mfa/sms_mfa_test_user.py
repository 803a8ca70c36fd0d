"""``SmsMfaTestUser``: a Cognito user with a verified phone number, a password and SMS MFA, in one construct."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from aws_cdk import CustomResource, Stack, Token
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cognito_sms_mfa.sms_mfa_handler import PoolInfo, SmsMfaHandler
from cognito_sms_mfa.user_sms_mfa_settings import DEFAULT_SERVICE_TIMEOUT, UserSmsMfaSettings, require_string
from cognito_sms_mfa_lambda import rules
from cognito_sms_mfa_lambda.resource import TEST_USER_RESOURCE_TYPE
from cognito_sms_mfa_lambda.rules import MfaOption

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_logs as logs


class SmsMfaTestUser(Construct):
    """A test user a QA engineer can sign in with: verified phone number, optional password, SMS MFA.

    Creates a ``Custom::CognitoTestUser`` resource, served by the stack's one handler, that creates the user
    (``MessageAction`` ``SUPPRESS``: no invitation is sent) with ``phone_number`` and the optional ``email``, both
    verified; changes them **in place** (same user, same ``sub``) when they change; sets the permanent password
    read from ``password`` at deploy time; and deletes the user when the construct is removed. By default the user
    gets SMS MFA in both forms Cognito knows: the SMS preference (enabled and preferred, set by the user resource)
    and the legacy options (a :class:`UserSmsMfaSettings` child that depends on the user).

    Parameters
    ----------
    scope
        The parent construct.
    id
        The construct id; the children are ``"Resource"`` (the user) and ``"MfaSettings"``.
    user_pool
        The pool to create the user in.
    username
        The user's name (1-128 letters, marks, symbols, numbers or punctuation). Changing it (or the pool) makes a
        new user and deletes the old one.
    phone_number
        The user's phone number in E.164 form, for example ``"+15555550123"``; it is stored as verified.
    email
        The user's email address, stored as verified. Default: - the user has no email attribute.
    password
        The secret that holds the user's password (its whole ``SecretString``, or the ``password`` field of a JSON
        value). The template holds only the secret's ARN; the handler reads the value at deploy time (the stack's
        handler role gets ``grant_read`` on exactly this secret, so a customer-managed key works too) and sets it as
        the permanent password. A new value that the template makes (for example a changed
        ``generate_secret_string``) is set by the same deploy. Default: - the user has no password and
        **cannot sign in**.
    mfa_options
        The desired SMS MFA options. Default: ``[MfaOption.sms()]``, SMS MFA as preference and as legacy options.
        ``[]`` gives a user without MFA (no settings child; the SMS preference is off).
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
    >>> secret = secretsmanager.Secret(stack, "CarolPassword")  # doctest: +SKIP
    >>> SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123",
    ...                password=secret)  # doctest: +SKIP
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
        password: secretsmanager.ISecret | None = None,
        mfa_options: Sequence[MfaOption] | None = None,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        super().__init__(scope, id)
        require_string(self, "username", username, "the user's name")
        require_string(self, "phone_number", phone_number, "E.164, for example '+15555550123'")
        if email is not None:
            require_string(self, "email", email, "an email address")
        _validate(self.node.path, username, phone_number, email)
        options = tuple(mfa_options) if mfa_options is not None else (MfaOption.sms(),)
        handler = SmsMfaHandler.of(self, log_retention=log_retention, requested_by=self)
        pool = PoolInfo.of(user_pool)
        handler.add_pool(user_pool, pool)
        handler.allow_test_users()
        properties: dict[str, str] = {
            "UserPoolId": pool.pool_id,
            "Username": username,
            "PhoneNumber": phone_number,
            "SmsMfaPreferred": "true" if options else "false",
        }
        if email is not None:
            properties["Email"] = email
        if password is not None:
            properties["PasswordSecretArn"] = password.secret_arn
            revision = _password_revision(password)
            if revision is not None:
                properties["PasswordRevision"] = revision
            password.grant_read(handler.role)
        self.user = CustomResource(
            self,
            "Resource",
            service_token=handler.service_token,
            resource_type=TEST_USER_RESOURCE_TYPE,
            service_timeout=DEFAULT_SERVICE_TIMEOUT,
            properties=properties,
        )
        self.user.node.add_dependency(handler.policy)
        if password is not None:  # grant_read went to the role's default policy
            self.user.node.add_dependency(handler.role)
        self.username = username
        self.password = password
        self.mfa_settings: UserSmsMfaSettings | None = None
        if options:
            self.mfa_settings = UserSmsMfaSettings(
                self,
                "MfaSettings",
                user_pool=user_pool,
                username=self.user.get_att_string("Username"),
                mfa_options=options,
                log_retention=log_retention,
            )
        if not Token.is_unresolved(username):
            if self.mfa_settings is not None:  # the settings see only the GetAtt: claim the literal name here
                handler.claim_user(pool, username, self.mfa_settings)
            handler.add_test_user(pool, username, self.user)


def _password_revision(secret: secretsmanager.ISecret) -> str | None:
    """What changes when the template gives a secret of this stack a new value: a digest of the secret's
    ``GenerateSecretString`` and ``SecretString``. None for a secret defined elsewhere (its new versions reach the
    user at the next deploy that updates it)."""
    cfn = secret.node.default_child
    if not isinstance(cfn, secretsmanager.CfnSecret):
        return None
    stack = Stack.of(cfn)
    definition = {
        "GenerateSecretString": stack.resolve(cfn.generate_secret_string),
        "SecretString": stack.resolve(cfn.secret_string),
    }
    return hashlib.sha256(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()[:16]


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
