"""Two stacks: an email sign-in pool (the canonical username is the ``sub``) and a stack with two pools."""

from __future__ import annotations

from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import MfaOption, SmsMfaTestUser, UserSmsMfaSettings

app = App()

first = Stack(app, "QaUsers")
email_pool = cognito.UserPool(first, "EmailPool", sign_in_aliases=cognito.SignInAliases(email=True))
SmsMfaTestUser(first, "Dana", user_pool=email_pool, username="dana@example.com", phone_number="+15555550140")

second = Stack(app, "TwoPools")
for index in (1, 2):
    pool = cognito.UserPool(second, f"Pool{index}", sign_in_case_sensitive=False)
    user = cognito.CfnUserPoolUser(second, f"User{index}", user_pool_id=pool.user_pool_id, username=f"Erin{index}")
    settings = UserSmsMfaSettings(
        second,
        f"Erin{index}Mfa",
        user_pool=pool,
        username=f"erin{index}",
        mfa_options=[MfaOption.sms()] if index == 1 else [],
    )
    settings.node.add_dependency(user)
app.synth()
