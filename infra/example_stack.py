"""The example stack: a pool with optional SMS MFA and a few users whose MFA state is declared in code."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_cdk import Acknowledgment, RemovalPolicy, Stack, Validations
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_sms_mfa import SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings

if TYPE_CHECKING:
    from constructs import Construct, IConstruct


class ExampleStack(Stack):
    """A user pool, two plain users (one with SMS MFA, one with it cleared) and one SmsMfaTestUser with a password.

    Alice's SMS MFA is declared in both forms: the legacy options (``UserSmsMfaSettings``) and the preference
    Cognito enforces at sign-in (``UserMfaPreference``).
    """

    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        pool = cognito.UserPool(
            self,
            "Pool",
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False),
            sign_in_case_sensitive=False,
            password_policy=cognito.PasswordPolicy(
                min_length=12, require_digits=True, require_lowercase=True, require_uppercase=True, require_symbols=True
            ),
            removal_policy=RemovalPolicy.DESTROY,
        )
        acknowledge(
            pool,
            {
                "AwsSolutions-COG2": "The example shows optional SMS MFA: one user has it, one has it cleared.",
                "AwsSolutions-COG8": "A pool of test users does not need the Plus feature plan's threat protection.",
            },
        )
        acknowledge(
            pool.node.find_child("smsRole"),
            {
                "AwsSolutions-IAM5[Resource::*]": "Cognito's SMS role publishes to phone numbers, which have no ARN.",
            },
        )
        users = {
            name: cognito.CfnUserPoolUser(
                self,
                f"{name.capitalize()}User",
                user_pool_id=pool.user_pool_id,
                username=name,
                message_action="SUPPRESS",
                user_attributes=[
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value=phone),
                    cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number_verified", value="true"),
                ],
            )
            for name, phone in (("alice", "+15555550100"), ("bob", "+15555550101"))
        }
        # username=user.ref: the settings depend on the user the stack creates (a literal name would too).
        UserSmsMfaSettings(self, "AliceMfa", user_pool=pool, username=users["alice"].ref)
        UserSmsMfaSettings(self, "BobMfa", user_pool=pool, username="bob", mfa_options=[])
        alice_preference = UserMfaPreference(self, "AlicePreference", user_pool=pool, username="alice")
        alice_preference.node.add_dependency(users["alice"])
        carol_password = secretsmanager.Secret(
            self,
            "CarolPassword",
            description="Password of the test user carol",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=20, exclude_characters="\"'`\\"
            ),
        )
        acknowledge(
            carol_password,
            {"AwsSolutions-SMG4": "A test user's password changes with the template, not by a rotation Lambda."},
        )
        SmsMfaTestUser(
            self,
            "Carol",
            user_pool=pool,
            username="carol",
            phone_number="+15555550123",
            email="carol@example.com",
            password=carol_password,
        )


def acknowledge(scope: IConstruct, reasons: dict[str, str]) -> None:
    """Acknowledge cdk-nag findings on ``scope``, each with its written reason."""
    for rule, reason in reasons.items():
        Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason))
