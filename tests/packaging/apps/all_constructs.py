"""A CDK app with every public construct of the library, as a user's app would hold them (synth only).

Run by the base-install tests: with boto3, botocore and moto blocked, and in a clean virtualenv with the wheel and
nothing else. Prints the custom resource types of its template, one line of JSON.
"""

import json

from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import MfaFactor, SmsMfaTestUser, UserMfaPreference, UserSmsMfaSettings, UserSmsMfaSettingsBatch

app = App()
stack = Stack(app, "AllConstructs")
pool = cognito.UserPool(
    stack, "Pool", mfa=cognito.Mfa.OPTIONAL, mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False)
)
UserSmsMfaSettings(stack, "AliceMfa", user_pool=pool, username="alice")
UserMfaPreference(stack, "AlicePreference", user_pool=pool, username="alice", sms=MfaFactor.PREFERRED)
SmsMfaTestUser(stack, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")
UserSmsMfaSettingsBatch(stack, "Staff", user_pool=pool, usernames=[f"staff{i:03}" for i in range(20)])
assembly = app.synth()

resources = assembly.get_stack_by_name("AllConstructs").template["Resources"].values()
types = sorted({r["Type"] for r in resources if r["Type"].startswith("Custom::")})
print(json.dumps({"custom_types": types, "functions": sum(r["Type"] == "AWS::Lambda::Function" for r in resources)}))
