"""One synthesis in a fresh process: ``python synth_child.py VARIANT USERS OUTDIR [LIMIT]`` (``synth.py``).

Variants, each a user pool plus ``USERS`` users:

- ``floor``: the users as bare ``CfnUserPoolUser``, nothing else;
- ``ours``: each user a ``CfnUserPoolUser`` plus a ``UserSmsMfaSettings`` that depends on it;
- ``testuser``: each user an ``SmsMfaTestUser`` (its own ``CfnUserPoolUser`` and settings);
- ``bare``: each user a ``CfnUserPoolUser`` plus a bare ``CustomResource`` with the same properties and a fixed
  service token, depending on it: the least any design with one custom resource per user builds (no handler,
  no policy, no checks);
- ``awscr``: each user a ``CfnUserPoolUser`` plus an ``AwsCustomResource`` calling AdminSetUserSettings
  (cleared on delete), its policy scoped to the pool with ``AwsCustomResourcePolicy.from_sdk_calls``. The
  service is named by its SDK v3 package: the short name ``CognitoIdentityProvider`` would make
  ``from_sdk_calls`` grant ``cognitoidentityprovider:AdminSetUserSettings``, an action IAM does not know.

``LIMIT`` is the stack's resource limit (context ``@aws-cdk/core:stackResourceLimit``; ``0`` turns the check
off). Default: - the CDK's own, 500. The app reports its version (``AWS::CDK::Metadata``), as it does when
the CDK CLI runs it.

Prints one JSON line: the phase times (imports with jsii start-up, building the constructs, ``app.synth()``),
the number of requests Python sent to jsii while building, the template's resources by type and its size,
the Lambda functions' asset folders and timeouts, and the Cognito actions its IAM policies grant; or the
synthesis error.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402 (the clock starts before any import)
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from aws_cdk import App, CustomResource, RemovalPolicy, Stack  # noqa: E402
from aws_cdk import aws_cognito as cognito  # noqa: E402
from aws_cdk import custom_resources as cr  # noqa: E402
from jsii._kernel.providers import process as jsii_process  # noqa: E402

from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings  # noqa: E402

STACK_NAME = "Bench"
RESOURCE_LIMIT = "@aws-cdk/core:stackResourceLimit"
BARE_SERVICE_TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:bench-bare"
IMPORTED = time.perf_counter()


class JsiiCalls:
    """Counts the requests Python sends to jsii's Node process (wraps an internal of the jsii runtime)."""

    def __init__(self) -> None:
        self.count = 0
        original = jsii_process._NodeProcess.send
        calls = self

        def send(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls.count += 1
            return original(self, *args, **kwargs)

        setattr(jsii_process._NodeProcess, "send", send)  # noqa: B010 (mypy forbids assigning a method)


def phone(index: int) -> str:
    return f"+1555{index:07d}"


def user(stack: Stack, pool: cognito.UserPool, index: int) -> cognito.CfnUserPoolUser:
    return cognito.CfnUserPoolUser(
        stack,
        f"User{index}",
        user_pool_id=pool.user_pool_id,
        username=f"user{index}",
        message_action="SUPPRESS",
        user_attributes=[
            cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number", value=phone(index)),
            cognito.CfnUserPoolUser.AttributeTypeProperty(name="phone_number_verified", value="true"),
        ],
    )


def aws_custom_resource(stack: Stack, pool: cognito.UserPool, index: int) -> cr.AwsCustomResource:
    def call(options: list[dict[str, str]]) -> cr.AwsSdkCall:
        return cr.AwsSdkCall(
            service="@aws-sdk/client-cognito-identity-provider",
            action="AdminSetUserSettings",
            parameters={"UserPoolId": pool.user_pool_id, "Username": f"user{index}", "MFAOptions": options},
            physical_resource_id=cr.PhysicalResourceId.of(f"user{index}"),
        )

    sms = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    return cr.AwsCustomResource(
        stack,
        f"Mfa{index}",
        on_create=call(sms),
        on_update=call(sms),
        on_delete=call([]),
        policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=[pool.user_pool_arn]),
        install_latest_aws_sdk=False,
    )


def bare_custom_resource(stack: Stack, pool: cognito.UserPool, index: int) -> CustomResource:
    return CustomResource(
        stack,
        f"Mfa{index}",
        service_token=BARE_SERVICE_TOKEN,
        resource_type="Custom::CognitoUserSmsMfaSettings",
        properties={
            "UserPoolId": pool.user_pool_id,
            "Username": f"user{index}",
            "MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}],
        },
    )


def build(app: App, variant: str, users: int) -> None:
    stack = Stack(app, STACK_NAME)
    pool = cognito.UserPool(
        stack,
        "Pool",
        mfa=cognito.Mfa.OPTIONAL,
        mfa_second_factor=cognito.MfaSecondFactor(sms=True, otp=False),
        removal_policy=RemovalPolicy.DESTROY,
    )
    for index in range(users):
        if variant == "testuser":
            SmsMfaTestUser(stack, f"User{index}", user_pool=pool, username=f"user{index}", phone_number=phone(index))
            continue
        pool_user = user(stack, pool, index)
        if variant == "ours":
            UserSmsMfaSettings(stack, f"Mfa{index}", user_pool=pool, username=f"user{index}").node.add_dependency(
                pool_user
            )
        elif variant == "awscr":
            aws_custom_resource(stack, pool, index).node.add_dependency(pool_user)
        elif variant == "bare":
            bare_custom_resource(stack, pool, index).node.add_dependency(pool_user)
        elif variant != "floor":
            raise SystemExit(f"unknown variant {variant!r}")


def describe(outdir: Path) -> dict[str, Any]:
    template_path = outdir / f"{STACK_NAME}.template.json"
    template = json.loads(template_path.read_text())
    resources: dict[str, Any] = template.get("Resources", {})
    functions = {  # the asset folder is named after the hash that names the zip in S3
        logical_id: str(outdir / ("asset." + str(resource["Properties"]["Code"]["S3Key"]).removesuffix(".zip")))
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    timeouts = {
        logical_id: resource["Properties"].get("Timeout")
        for logical_id, resource in resources.items()
        if resource["Type"] == "AWS::Lambda::Function"
    }
    cognito_actions: set[str] = set()
    for resource in resources.values():
        if resource["Type"] == "AWS::IAM::Policy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                actions = statement["Action"]
                for action in [actions] if isinstance(actions, str) else actions:
                    if action.lower().startswith("cognito"):
                        cognito_actions.add(action)
    return {
        "resources": len(resources),
        "by_type": dict(sorted(Counter(resource["Type"] for resource in resources.values()).items())),
        "template_bytes": template_path.stat().st_size,
        "functions": functions,
        "function_timeouts": timeouts,
        "cognito_actions": sorted(cognito_actions),
    }


def main() -> None:
    variant, users, outdir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    context = {RESOURCE_LIMIT: int(sys.argv[4])} if len(sys.argv) > 4 else {}
    jsii_calls = JsiiCalls()
    app = App(outdir=str(outdir), analytics_reporting=True, context=context)
    build(app, variant, users)
    built, build_calls = time.perf_counter(), jsii_calls.count
    try:
        app.synth()
    except Exception as error:  # jsii raises the CDK's validation errors as RuntimeError
        print(json.dumps({"error": str(error)}))
        return
    synthesized = time.perf_counter()
    result = {
        "import_s": IMPORTED - STARTED,
        "build_s": built - IMPORTED,
        "synth_s": synthesized - built,
        "jsii_calls_build": build_calls,
        **describe(outdir),
    }
    print(json.dumps(result))


main()
