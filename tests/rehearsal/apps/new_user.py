"""An app as a new user writes one (issue 19): long construct ids, a stack pinned to a Region, a pool whose MFA
is off, and a stack on an imported pool.

Synthesized by the rehearsal tests as ``python app.py`` runs it: without ``aws:cdk:path`` metadata (the tests
add it through ``CDK_CONTEXT_JSON`` where they need construct paths), so the table shows logical ids.
"""

from __future__ import annotations

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager

from cognito_sms_mfa import MfaFactor, SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings

app = App()

# A stack pinned to a Region: its pools must be made there.
qa = Stack(app, "QaUsers", env=Environment(region="eu-west-1"))
checkout = cognito.UserPool(
    qa,
    "CheckoutPool",
    mfa=cognito.Mfa.OPTIONAL,
    mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False),
)
for name, phone in (("qa-alpha-user", "+15555550160"), ("qa-bravo-user", "+15555550161")):
    SmsMfaTestUser(
        qa,
        name,
        user_pool=checkout,
        username=name,
        phone_number=phone,
        password=secretsmanager.Secret(qa, f"{name}-password"),
    )
charlie = cognito.CfnUserPoolUser(
    qa,
    "qa-charlie-user",
    user_pool_id=checkout.user_pool_id,
    username="qa-charlie-user",
    message_action="SUPPRESS",
    user_attributes=[cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value="+15555550162")],
)
UserMfaPreference(qa, "qa-charlie-user-preference", user_pool=checkout, username=charlie.ref, sms=MfaFactor.PREFERRED)

# A pool whose MFA configuration is OFF (the default): SMS MFA settings have no effect at sign-in there.
off = Stack(app, "MfaOffUsers")
SmsMfaTestUser(
    off,
    "qa-delta-user",
    user_pool=cognito.UserPool(off, "PlainPool"),
    username="qa-delta-user",
    phone_number="+15555550163",
    password=secretsmanager.Secret(off, "qa-delta-user-password"),
)

# One settings resource on a pool imported by id.
legacy = Stack(app, "LegacyAdminMfa")
UserSmsMfaSettings(
    legacy,
    "AdminMfa",
    user_pool=cognito.UserPool.from_user_pool_id(legacy, "Pool", "eu-west-1_AbC123"),
    username="admin",
)
app.synth()
