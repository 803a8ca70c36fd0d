"""A CDK app shaped like a platform team's: the cases the rehearsal must follow or explain, one stack each.

Synthesized by the rehearsal tests (``CDK_OUTDIR`` set), with the construct paths the CDK CLI writes.
"""

from __future__ import annotations

from aws_cdk import App, CfnResource, CrossStackReferences, NestedStack, ReferenceStrength, Stack, Stage
from aws_cdk import aws_cognito as cognito

from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings
from cognito_sms_mfa_rehearsal.assembly import USER_TYPE

app = App(context={"aws:cdk:enable-path-metadata": True})

# A pool shared with two other stacks: through an export (Fn::ImportValue) and a weak reference
# (Fn::GetStackOutput).
producer = Stack(app, "Producer")
shared_pool = cognito.UserPool(producer, "SharedPool")
cognito.CfnUserPoolUser(producer, "Gina", user_pool_id=shared_pool.user_pool_id, username="gina")
UserSmsMfaSettings(Stack(app, "Consumer"), "GinaMfa", user_pool=shared_pool, username="gina")
weak_consumer = Stack(app, "WeakConsumer")
CrossStackReferences.of(weak_consumer).consume(ReferenceStrength.WEAK)
UserSmsMfaSettings(weak_consumer, "GinaMfa", user_pool=shared_pool, username="gina", mfa_options=[])

# A pool that is not defined in this app.
imported = Stack(app, "Imported")
imported_pool = cognito.UserPool.from_user_pool_id(imported, "Pool", "us-east-1_AbCdEf123")
UserSmsMfaSettings(imported, "IvyMfa", user_pool=imported_pool, username="ivy")

# Test users in a nested stack, in the parent's pool.
parent = Stack(app, "Parent")
parent_pool = cognito.UserPool(parent, "ParentPool")
SmsMfaTestUser(
    NestedStack(parent, "Inner"), "Nora", user_pool=parent_pool, username="nora", phone_number="+15555550150"
)

# A stack inside a stage (its own nested cloud assembly).
staged = Stack(Stage(app, "Staging"), "StagedUsers")
SmsMfaTestUser(staged, "Sam", user_pool=cognito.UserPool(staged, "Pool"), username="sam", phone_number="+15555550151")

# Settings declared before the user they configure, without a dependency on it: the user is a plain CfnResource
# (as another library or an escape hatch may make it), which the settings construct does not recognise as a user.
missing = Stack(app, "MissingDependency")
missing_pool = cognito.UserPool(missing, "Pool")
UserSmsMfaSettings(missing, "MiaMfa", user_pool=missing_pool, username="mia")
CfnResource(
    missing,
    "Mia",
    type=USER_TYPE,
    properties={"UserPoolId": missing_pool.user_pool_id, "Username": "mia"},
)

# Settings of "frank" where the stack declares "Frank", in a pool whose usernames are case-sensitive (the default):
# two names, so a dependency would not help; the rehearsal's hint and the handler's reason say so.
letter_case = Stack(app, "LetterCase")
letter_case_pool = cognito.UserPool(letter_case, "Pool")
cognito.CfnUserPoolUser(letter_case, "Frank", user_pool_id=letter_case_pool.user_pool_id, username="Frank")
UserSmsMfaSettings(letter_case, "FrankMfa", user_pool=letter_case_pool, username="frank")

app.synth()
