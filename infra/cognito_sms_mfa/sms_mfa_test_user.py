"""``SmsMfaTestUser``: a Cognito user with a verified phone number, a password and SMS MFA, in one construct."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from aws_cdk import RemovalPolicy, Stack
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_sms_mfa import checks
from cognito_sms_mfa.sms_mfa_handler import SETTINGS_ACTIONS, TEST_USER_POOL_ACTIONS, SmsMfaHandler
from cognito_sms_mfa.user_resource import UserResource
from cognito_sms_mfa.user_sms_mfa_settings import UserSmsMfaSettings
from cognito_sms_mfa_lambda import rules
from cognito_sms_mfa_lambda.resource import TEST_USER_RESOURCE_TYPE

if TYPE_CHECKING:
    from collections.abc import Sequence

    from aws_cdk import aws_cognito as cognito
    from aws_cdk import aws_logs as logs
    from constructs import Construct

    from cognito_sms_mfa_lambda.rules import MfaOption


class SmsMfaTestUser(UserResource):
    """A test user a QA engineer can sign in with: verified phone number, optional password, SMS MFA.

    Creates a ``Custom::CognitoTestUser`` resource, served by the stack's one handler, that creates the user
    (``MessageAction`` ``SUPPRESS``: no invitation is sent) with ``phone_number`` and the optional ``email``, both
    verified; changes them **in place** (same user, same ``sub``) when they change; sets the permanent password
    read from ``password`` at deploy time; and deletes the user when the construct is removed.

    It never takes over a user it did not create: a Create that meets an existing user of the same name fails
    (naming the user and why), unless another resource of the same stack holds that user (a renamed construct)
    or ``adopt_existing`` is set. A username that Cognito resolves to another user (an email or phone alias, a
    ``preferred_username``, a ``sub``) is never taken. Update and Delete act only on the user whose ``sub`` this
    resource created or adopted (see ``docs/design.md``, "Ownership"). By default the user
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
    adopt_existing
        Take over a user of this name that already exists in the pool (created by hand, by another tool or by a
        stack that let go of it with ``RemovalPolicy.RETAIN``): its attributes, password and SMS preference are set
        as declared. Default: False - a Create that finds the user fails and changes nothing.
    removal_policy
        What happens to the user when the resource leaves the stack. ``DESTROY`` deletes it (only the user this
        resource created or adopted, by its ``sub``); ``RETAIN`` leaves it in place (CloudFormation then sends no
        Delete), for example before moving the construct to another stack. Default: ``DESTROY``, or ``RETAIN``
        with ``adopt_existing``.
    log_retention
        Retention of the stack's handler log group, as for :class:`UserSmsMfaSettings`. Default: one month.

    Attributes
    ----------
    resource
        The ``Custom::CognitoTestUser`` resource (its ``ref`` is the physical id; use :attr:`attr_username`).
    attr_username, attr_sub, attr_user_pool_id
        The canonical username, the user's ``sub`` and the pool id, as ``Fn::GetAtt`` tokens.

    Raises
    ------
    ValueError
        When a literal ``username``, ``phone_number``, ``email``, ``mfa_options`` or pool id breaks its rule, the
        pool is of another account, another test user of the stack has the same pool and username, or a
        :class:`UserMfaPreference` of the same user contradicts the test user's SMS preference.
    TypeError
        When ``username``, ``phone_number`` or a given ``email`` is not a string, ``user_pool`` is not an
        ``IUserPool``, ``password`` is not an ``ISecret``, ``mfa_options`` is not a list or tuple of
        :class:`MfaOption`, ``adopt_existing`` is not a bool or ``removal_policy`` not a ``RemovalPolicy``.

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
        adopt_existing: bool = False,
        removal_policy: RemovalPolicy | None = None,
        log_retention: logs.RetentionDays | None = None,
    ) -> None:
        super().__init__(scope, id)
        literal_username = checks.check_username(self, username, "the user's name")
        checks.require_string(self, "phone_number", phone_number, "E.164, for example '+15555550123'")
        if email is not None:
            checks.require_string(self, "email", email, "an email address")
        _validate(self, phone_number, email)
        options = checks.check_mfa_options(self, mfa_options)
        secret = None if password is None else checks.check_secret(self, "password", password)
        adopt = checks.check_bool(self, "adopt_existing", adopt_existing)
        policy = _removal_policy(self, removal_policy, adopt=adopt)
        handler = SmsMfaHandler.of(scope, log_retention=log_retention, requested_by=self)
        pool = checks.check_user_pool(self, user_pool, handler.checked_pools)
        handler.add_pool(
            user_pool, pool, TEST_USER_POOL_ACTIONS + (SETTINGS_ACTIONS if options else ()), requested_by=self
        )
        sms_state = "PREFERRED" if options else "DISABLED"
        if literal_username is not None:
            handler.claim_user(pool, literal_username, self, kind="test user")
            handler.claim_sms_preference(pool, literal_username, self, {"sms": sms_state}, test_user=True)
        properties: dict[str, str] = {
            "UserPoolId": pool.pool_id,
            "Username": username,
            "PhoneNumber": phone_number,
            "SmsMfaPreferred": "true" if options else "false",
        }
        if email is not None:
            properties["Email"] = email
        if adopt:
            properties["AdoptExisting"] = "true"
        if secret is not None:
            properties["PasswordSecretArn"] = secret.secret_arn
            revision = _password_revision(secret)
            if revision is not None:
                properties["PasswordRevision"] = revision
            secret.grant_read(handler.role)
        self.resource = handler.custom_resource(
            self, TEST_USER_RESOURCE_TYPE, properties, checks.DEFAULT_SERVICE_TIMEOUT
        )
        self.resource.apply_removal_policy(policy)
        if secret is not None:  # grant_read went to the role's default policy
            self.resource.node.add_dependency(handler.role)
        self.user_pool = user_pool
        self.username = username
        self.password = secret
        self.mfa_settings: UserSmsMfaSettings | None = None
        if options:
            self.mfa_settings = UserSmsMfaSettings(
                self,
                "MfaSettings",
                user_pool=user_pool,
                username=self.attr_username,
                mfa_options=options,
                log_retention=log_retention,
            )
            self.mfa_settings.resource.apply_removal_policy(policy)
        if literal_username is not None:
            if self.mfa_settings is not None:  # the settings see only the GetAtt: claim the literal name here
                handler.claim_user(pool, literal_username, self.mfa_settings)
            handler.add_test_user(pool, literal_username, self.resource)

    @property
    def attr_sub(self) -> str:
        """The user's ``sub`` (``Fn::GetAtt`` on ``Sub``): the same for the user's whole life, new when replaced."""
        return self.resource.get_att_string("Sub")


def _removal_policy(scope: Construct, value: object, *, adopt: bool) -> RemovalPolicy:
    """The removal policy: ``value`` when given (DESTROY or RETAIN), else RETAIN for an adopted user, DESTROY
    otherwise."""
    if value is None:
        return RemovalPolicy.RETAIN if adopt else RemovalPolicy.DESTROY
    if value not in (RemovalPolicy.DESTROY, RemovalPolicy.RETAIN):
        raise TypeError(
            f"{scope.node.path}: `removal_policy` must be RemovalPolicy.DESTROY or RemovalPolicy.RETAIN; "
            f"received {value if isinstance(value, RemovalPolicy) else rules.show(value)}"
        )
    return value


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


def _validate(scope: Construct, phone_number: str, email: str | None) -> None:
    """Check the literal phone number and email; tokens are passed through to CloudFormation."""
    for field, value, problem_of in (
        ("phone_number", phone_number, rules.phone_number_problem),
        ("email", email, rules.email_problem),
    ):
        name = None if value is None else checks.literal(value)
        if name is not None:
            checks.check_field(scope, field, problem_of(name))
