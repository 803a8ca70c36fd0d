"""A parent stack holding the pool and a nested stack holding the users' MFA: every resource type of the library
in the nested stack, whose pool id arrives as a parameter of the nested stack (a Ref the drift check resolves
from DescribeStacks)."""

from __future__ import annotations

from aws_cdk import App, NestedStack, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings

app = App()
parent = Stack(app, "Parent")
pool = cognito.UserPool(parent, "Pool")
phone = cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value="+15555550152")
cognito.CfnUserPoolUser(parent, "Olga", user_pool_id=pool.user_pool_id, username="olga", user_attributes=[phone])
inner = NestedStack(parent, "Inner")
UserSmsMfaSettings(inner, "OlgaMfa", user_pool=pool, username="olga")
UserMfaPreference(inner, "OlgaPreference", user_pool=pool, username="olga")
SmsMfaTestUser(inner, "Nora", user_pool=pool, username="nora", phone_number="+15555550150")
app.synth()
