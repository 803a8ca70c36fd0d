"""An app with batch resources: 120 existing users of a pool with SMS MFA (and its preference), 50 cleared, and a
single settings construct of one more user. The staff batch is paced at raised rates, to keep the test short.

Synthesized by the rehearsal tests (``CDK_OUTDIR`` set).
"""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import MfaFactor, UserSmsMfaSettings, UserSmsMfaSettingsBatch

app = App()
stack = Stack(app, "Batches")
pool = cognito.UserPool(
    stack, "Pool", mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False)
)
UserSmsMfaSettingsBatch(
    stack,
    "Staff",
    user_pool=pool,
    usernames=[f"staff{i:04d}" for i in range(120)],
    sms_preference=MfaFactor.PREFERRED,
    max_requests_per_second={"UserRead": 200, "UserUpdate": 100},
)
UserSmsMfaSettingsBatch(
    stack, "Former", user_pool=pool, usernames=[f"former{i:03d}" for i in range(50)], mfa_options=[]
)
cognito.CfnUserPoolUser(
    stack,
    "Dana",
    user_pool_id=pool.user_pool_id,
    username="dana",
    user_attributes=[cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value="+15555550142")],
)
UserSmsMfaSettings(stack, "DanaMfa", user_pool=pool, username="dana")
app.synth()
