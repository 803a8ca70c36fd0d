"""Integration test (integ-runner): the legacy SMS options and the MFA preference of a ``CfnUserPoolUser``.

Deploys a pool with optional SMS MFA, one user made by CloudFormation, a ``UserSmsMfaSettings`` and a
``UserMfaPreference`` for it, then asserts what ``AdminGetUser`` reports: the legacy ``MFAOptions`` and the
preference (``UserMFASettingList``, ``PreferredMfaSetting``). Nothing here sends an SMS.
"""

from __future__ import annotations

from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk.integ_tests_alpha import ExpectedResult, IntegTest

from cognito_sms_mfa import UserMfaPreference, UserSmsMfaSettings

# The assertion stack reads the pool id from the test stack: weak references (Fn::GetStackOutput), as cdk.json
# says for the example app (integ-runner does not read it), so a new snapshot never fights an export in use.
app = App(context={"@aws-cdk/core:defaultCrossStackReferences": "weak"})
stack = Stack(app, "CognitoSmsMfaIntegSettings")
pool = cognito.UserPool(
    stack,
    "Pool",
    mfa=cognito.Mfa.OPTIONAL,
    mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False),
    removal_policy=RemovalPolicy.DESTROY,
)
user = cognito.CfnUserPoolUser(
    stack,
    "DanaUser",
    user_pool_id=pool.user_pool_id,
    username="dana",
    message_action="SUPPRESS",
    user_attributes=[
        cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value="+15555550142"),
        cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number_verified", value="true"),
    ],
)
UserSmsMfaSettings(stack, "DanaMfa", user_pool=pool, username=user.ref)
UserMfaPreference(stack, "DanaPreference", user_pool=pool, username=user.ref)

integ = IntegTest(app, "SettingsAndPreference", test_cases=[stack])
integ.assertions.aws_api_call(
    "CognitoIdentityServiceProvider", "adminGetUser", {"UserPoolId": pool.user_pool_id, "Username": "dana"}
).expect(
    ExpectedResult.object_like(
        {
            "Username": "dana",
            "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
            "UserMFASettingList": ["SMS_MFA"],
            "PreferredMfaSetting": "SMS_MFA",
        }
    )
)
app.synth()
