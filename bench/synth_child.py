"""One synthesis in a fresh process: ``python synth_child.py VARIANT USERS OUTDIR [LIMIT]`` (``synth.py``).

Variants (a user pool plus ``USERS`` users): ``floor``, ``ours``, ``ours_by_hand``, ``bare`` and ``awscr`` as
``synth.py`` describes them, and ``testuser`` (each user an ``SmsMfaTestUser``). ``LIMIT`` is the stack's resource
limit (``0`` turns the check off; default: the CDK's own, 500). Prints one JSON line: the phase times, the requests
Python sent to jsii while building, where ``cognito_sms_mfa`` came from, and what the template holds; or the
synthesis error.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import hashlib  # noqa: E402 (the clock starts before any import)
import json  # noqa: E402
import sys  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from aws_cdk import App, CustomResource, RemovalPolicy, Stack  # noqa: E402
from aws_cdk import aws_cognito as cognito  # noqa: E402
from aws_cdk import custom_resources as cr  # noqa: E402
from jsii._kernel.providers import process as jsii_process  # noqa: E402

import cognito_sms_mfa  # noqa: E402
from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings  # noqa: E402
from cognito_sms_mfa.sms_mfa_handler import SINGLETON_ID  # noqa: E402
from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE  # noqa: E402

STACK_NAME = "Bench"
BARE_SERVICE_TOKEN = "arn:aws:lambda:us-east-1:123456789012:function:bench-bare"
SMS = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
IMPORTED = time.perf_counter()
jsii_calls = 0


def _count_jsii_calls() -> None:
    """Count the requests Python sends to jsii's Node process. jsii has no public counter (``JSII_DEBUG`` prints
    every request from Node, which would slow the very phase being timed), so this wraps its one send method."""
    send = jsii_process._NodeProcess.send

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        global jsii_calls
        jsii_calls += 1
        return send(self, *args, **kwargs)

    setattr(jsii_process._NodeProcess, "send", counted)  # noqa: B010 (mypy forbids assigning a method)


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
        name, phone = f"user{index}", f"+1555{index:07d}"
        if variant == "testuser":
            SmsMfaTestUser(stack, f"User{index}", user_pool=pool, username=name, phone_number=phone)
            continue
        attributes = {"phone_number": phone, "phone_number_verified": "true"}
        user = cognito.CfnUserPoolUser(
            stack,
            f"User{index}",
            user_pool_id=pool.user_pool_id,
            username=name,
            message_action="SUPPRESS",
            user_attributes=[
                cognito.CfnUserPoolUser.AttributeTypeProperty(name=k, value=v) for k, v in attributes.items()
            ],
        )
        settings: Any = None
        if variant in ("ours", "ours_by_hand"):
            settings = UserSmsMfaSettings(stack, f"Mfa{index}", user_pool=pool, username=name)
        elif variant == "bare":
            properties = {"UserPoolId": pool.user_pool_id, "Username": name, "MFAOptions": SMS}
            settings = CustomResource(
                stack,
                f"Mfa{index}",
                service_token=BARE_SERVICE_TOKEN,
                resource_type=SETTINGS_RESOURCE_TYPE,
                properties=properties,
            )
        elif variant == "awscr":  # the SDK v3 package name: "CognitoIdentityProvider" would grant an unknown action

            def call(options: list[dict[str, str]], name: str = name) -> cr.AwsSdkCall:
                return cr.AwsSdkCall(
                    service="@aws-sdk/client-cognito-identity-provider",
                    action="AdminSetUserSettings",
                    parameters={"UserPoolId": pool.user_pool_id, "Username": name, "MFAOptions": options},
                    physical_resource_id=cr.PhysicalResourceId.of(name),
                )

            settings = cr.AwsCustomResource(
                stack,
                f"Mfa{index}",
                on_create=call(SMS),
                on_update=call(SMS),
                on_delete=call([]),
                policy=cr.AwsCustomResourcePolicy.from_sdk_calls(resources=[pool.user_pool_arn]),
                install_latest_aws_sdk=False,
            )
        elif variant != "floor":
            raise SystemExit(f"unknown variant {variant!r}")
        # The settings depend on the user by themselves (same literal username and pool), as the construct documents;
        # ``ours_by_hand`` also writes it, as a user who did not know would (the template is the same).
        if settings is not None and variant != "ours":
            settings.node.add_dependency(user)


def describe(outdir: Path) -> dict[str, Any]:
    template_path = outdir / f"{STACK_NAME}.template.json"
    resources: dict[str, Any] = json.loads(template_path.read_text()).get("Resources", {})
    functions = {  # the asset folder is named after the hash that names the zip in S3
        logical_id: {
            "asset": str(outdir / ("asset." + str(one["Properties"]["Code"]["S3Key"]).removesuffix(".zip"))),
            "timeout": one["Properties"].get("Timeout"),
        }
        for logical_id, one in resources.items()
        if one["Type"] == "AWS::Lambda::Function"
    }
    actions = {
        action
        for one in resources.values()
        if one["Type"] == "AWS::IAM::Policy"
        for statement in one["Properties"]["PolicyDocument"]["Statement"]
        for action in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
        if action.lower().startswith("cognito")
    }
    return {
        "template_sha256": hashlib.sha256(template_path.read_bytes()).hexdigest(),
        "resources": len(resources),
        "by_type": dict(sorted(Counter(one["Type"] for one in resources.values()).items())),
        "functions": functions,
        "handler": next((one for logical_id, one in functions.items() if logical_id.startswith(SINGLETON_ID)), None),
        "cognito_actions": sorted(actions),
    }


def main() -> None:
    variant, users, outdir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    context = {"@aws-cdk/core:stackResourceLimit": int(sys.argv[4])} if len(sys.argv) > 4 else {}
    _count_jsii_calls()
    app = App(outdir=str(outdir), analytics_reporting=True, context=context)
    build(app, variant, users)
    built, build_calls = time.perf_counter(), jsii_calls
    try:
        app.synth()
    except Exception as error:  # jsii raises the CDK's validation errors as RuntimeError
        print(json.dumps({"error": str(error)}))
        return
    result = {
        "import_s": IMPORTED - STARTED,
        "build_s": built - IMPORTED,
        "synth_s": time.perf_counter() - built,
        "jsii_calls_build": build_calls,
        "constructs_from": str(Path(cognito_sms_mfa.__file__).parent),
        **describe(outdir),
    }
    print(json.dumps(result))


main()
