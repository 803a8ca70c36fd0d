"""A test user that adopts an existing user: its removal policy defaults to RETAIN, so no Delete is ever sent."""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import SmsMfaTestUser

app = App()
stack = Stack(app, "Adopting")
pool = cognito.UserPool(stack, "Pool", mfa=cognito.Mfa.OPTIONAL)
SmsMfaTestUser(stack, "Hank", user_pool=pool, username="hank", phone_number="+15555550150", adopt_existing=True)
SmsMfaTestUser(stack, "Ivy", user_pool=pool, username="ivy", phone_number="+15555550151")
app.synth()
