"""Integration test (integ-runner): an ``SmsMfaTestUser`` with a password signs in to an SMS challenge.

Deploys a pool with optional SMS MFA, an app client that allows ``ADMIN_USER_PASSWORD_AUTH``, a generated password
in Secrets Manager and a test user with SMS MFA, then asserts what ``AdminGetUser`` reports (confirmed, the legacy
options and the SMS preference) and that ``AdminInitiateAuth`` with the secret's password answers with an
``SMS_MFA`` challenge. That challenge makes Cognito send one SMS code to the user's phone number (a fictional
+1 555 01xx number): the test stops at the challenge and never answers it.
"""

from __future__ import annotations

from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.integ_tests_alpha import ExpectedResult, IntegTest

from cognito_sms_mfa import SmsMfaTestUser

# Weak cross-stack references, as in integ_settings_preference.py.
app = App(context={"@aws-cdk/core:defaultCrossStackReferences": "weak"})
stack = Stack(app, "CognitoSmsMfaIntegTestUser")
pool = cognito.UserPool(
    stack,
    "Pool",
    mfa=cognito.Mfa.OPTIONAL,
    mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False),
    removal_policy=RemovalPolicy.DESTROY,
)
client = pool.add_client("SignIn", auth_flows=cognito.AuthFlow(admin_user_password=True))
password = secretsmanager.Secret(
    stack,
    "ErinPassword",
    description="Password of the integration test user erin",
    # No quote or backslash: the password travels inside the JSON of AdminInitiateAuth's AuthParameters.
    generate_secret_string=secretsmanager.SecretStringGenerator(password_length=20, exclude_characters="\"'`\\"),
    removal_policy=RemovalPolicy.DESTROY,
)
SmsMfaTestUser(stack, "Erin", user_pool=pool, username="erin", phone_number="+15555550143", password=password)

integ = IntegTest(app, "TestUserSignIn", test_cases=[stack])
integ.assertions.aws_api_call(
    "CognitoIdentityServiceProvider", "adminGetUser", {"UserPoolId": pool.user_pool_id, "Username": "erin"}
).expect(
    ExpectedResult.object_like(
        {
            "Username": "erin",
            "UserStatus": "CONFIRMED",
            "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
            "UserMFASettingList": ["SMS_MFA"],
            "PreferredMfaSetting": "SMS_MFA",
        }
    )
)
secret_value = integ.assertions.aws_api_call(
    "SecretsManager", "getSecretValue", {"SecretId": password.secret_arn}, ["SecretString"]
)
# assert_at_path keeps only ChallengeName in the assertion's response (not the Session token).
integ.assertions.aws_api_call(
    "CognitoIdentityServiceProvider",
    "adminInitiateAuth",
    {
        "UserPoolId": pool.user_pool_id,
        "ClientId": client.user_pool_client_id,
        "AuthFlow": "ADMIN_USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "erin", "PASSWORD": secret_value.get_att_string("SecretString")},
    },
).assert_at_path("ChallengeName", ExpectedResult.string_like_regexp("^SMS_MFA$"))
app.synth()
