"""Helpers of the functional tests (and of the request benchmark): the handler's environment, the pool, the event
sender."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from cognito_sms_mfa.handler_asset import BUNDLED_PACKAGES, HANDLER_ENTRY, HANDLER_PACKAGE
from cognito_sms_mfa_emulator.clients import emulator_service_client
from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV
from cognito_sms_mfa_emulator.stacks import StackResource
from cognito_sms_mfa_lambda.own_stack import STACK_ID_ENV
from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal import lambda_runner
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from cognito_sms_mfa_rehearsal.lambda_bootstrap import LambdaContext

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse, ResponseCollector

REGION = "us-east-1"
STACK_ID = f"arn:aws:cloudformation:{REGION}:123456789012:stack/FunctionalTest/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
SERVICE_TOKEN = f"arn:aws:lambda:{REGION}:123456789012:function:functional-handler"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
# Variables that would point boto3 elsewhere than the emulator; unset while the handler runs.
UNSET_ENV = ("AWS_PROFILE", "AWS_ENDPOINT_URL")


def handler_env(emulator: CognitoEmulator, collector: ResponseCollector) -> dict[str, str]:
    """What the Lambda runtime and the construct would set (the function's own stack is ``STACK_ID``, which every
    event of the Deployer carries), with dummy credentials, Cognito, CloudFormation and S3 at the emulator and the
    response CA trusted (``UNSET_ENV`` must be unset too)."""
    return {
        **OFFLINE_AWS_ENV,
        STACK_ID_ENV: STACK_ID,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": emulator.endpoint,
        "AWS_ENDPOINT_URL_CLOUDFORMATION": emulator.endpoint,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": emulator.endpoint,
        "AWS_ENDPOINT_URL_S3": emulator.endpoint,
        "AWS_ENDPOINT_URL_EVENTBRIDGE": emulator.endpoint,
        "AWS_ENDPOINT_URL_LAMBDA": emulator.endpoint,
        "SSL_CERT_FILE": collector.ca_file,
    }


def admin_client(emulator: CognitoEmulator) -> CognitoIdentityProviderClient:
    """A client for setting up and reading back state (no retries, so nothing hides)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=emulator.endpoint,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


def create_pool(client: CognitoIdentityProviderClient) -> str:
    """A case-insensitive pool with email aliases and optional MFA, holding alice and bob (phones verified)."""
    pool_id = client.create_user_pool(
        PoolName="functional",
        AliasAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        MfaConfiguration="OPTIONAL",
    )["UserPool"]["Id"]
    for name, phone in (("alice", "+15555550100"), ("bob", "+15555550101")):
        client.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            MessageAction="SUPPRESS",
            UserAttributes=[
                {"Name": "phone_number", "Value": phone},
                {"Name": "phone_number_verified", "Value": "true"},
                {"Name": "email", "Value": f"{name}@example.com"},
                {"Name": "email_verified", "Value": "true"},
            ],
        )
    return pool_id


@dataclass
class Pool:
    """A case-insensitive pool with email aliases, holding alice and bob."""

    client: CognitoIdentityProviderClient
    id: str

    def options(self, username: str) -> list[dict[str, str]]:
        """The MFAOptions Cognito reports for ``username``."""
        answer: Any = self.client.admin_get_user(UserPoolId=self.id, Username=username)
        return list(answer.get("MFAOptions", []))


def record(
    emulator: CognitoEmulator,
    logical_id: str,
    physical_id: str,
    status: str,
    stack_id: str = STACK_ID,
    resource_type: str = SETTINGS_RESOURCE_TYPE,
) -> None:
    """Record a resource of a stack in the emulator, as CloudFormation would list it."""
    emulator.record_resource(stack_id, StackResource(logical_id, physical_id, resource_type, status))


@dataclass
class Deployer:
    """Sends CloudFormation-shaped events to the handler module and returns the response it PUT.

    Like CloudFormation, it keeps the stack's record in the emulator (what ``ListStackResources`` answers): the
    resource is ``<TYPE>_IN_PROGRESS`` while the handler runs, then ``<TYPE>_COMPLETE`` or ``<TYPE>_FAILED`` with
    the id the response carried.
    """

    module: ModuleType
    collector: ResponseCollector
    emulator: CognitoEmulator
    last_event: dict[str, Any] = field(default_factory=dict)
    keeps_record: bool = True
    invocations: list[None] = field(default_factory=list)  # of the last request: one, or more for a continuation

    def send(
        self,
        request_type: str,
        properties: dict[str, Any],
        *,
        physical_id: str | None = None,
        old_properties: dict[str, Any] | None = None,
        remaining_s: float = 120.0,
        logical_id: str = "AliceMfa",
        resource_type: str = SETTINGS_RESOURCE_TYPE,
    ) -> CfnResponse:
        self.emulator.clear_calls()
        event = custom_resource_event(
            request_type,
            {"ServiceToken": SERVICE_TOKEN, "ServiceTimeout": "300", **properties},
            response_url=self.collector.new_url(),
            stack_id=STACK_ID,
            logical_id=logical_id,
            resource_type=resource_type,
            physical_id=physical_id,
            old_properties=None if old_properties is None else {"ServiceToken": SERVICE_TOKEN, **old_properties},
        )
        self.last_event = event
        step = request_type.upper()
        if self.keeps_record:
            record(self.emulator, logical_id, physical_id or "", f"{step}_IN_PROGRESS", resource_type=resource_type)
        url = event["ResponseURL"]
        self.invocations = lambda_runner.play_eventbridge(
            event,
            lambda payload: self.module.handler(payload, LambdaContext(remaining_s, function_name=DEPLOYER_FUNCTION)),
            function_name=DEPLOYER_FUNCTION,
            answered=lambda: bool(self.collector.responses(url)),
            events=emulator_service_client("events", self.emulator.endpoint, REGION),
        )
        response = self.collector.wait_for(url)
        if self.keeps_record:
            done = "COMPLETE" if response.status == "SUCCESS" else "FAILED"
            record(self.emulator, logical_id, response.physical_id, f"{step}_{done}", resource_type=resource_type)
        return response

    def calls(self) -> list[str]:
        """The Cognito actions the last request made, as the emulator saw them."""
        return self.emulator.calls()


def load_handler(asset_dir: str | None = None) -> ModuleType:
    """Import the handler's entry module afresh, so its start-up reads the current environment.

    With ``asset_dir`` (a staged asset), the handler and crhelper come from that folder, as in Lambda;
    otherwise from this environment.
    """
    if asset_dir is not None and asset_dir not in sys.path:
        sys.path.insert(0, asset_dir)
    for name in list(sys.modules):
        if name.partition(".")[0] in BUNDLED_PACKAGES:
            del sys.modules[name]
    return importlib.import_module(f"{HANDLER_PACKAGE}.index")


def props(pool_id: str, username: str = "alice", options: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """String-valued properties as CloudFormation sends them."""
    return {"UserPoolId": pool_id, "Username": username, "MFAOptions": [SMS] if options is None else options}


ASSET_FUNCTION = "e2e"
DEPLOYER_FUNCTION = "functional-handler"


def run_asset(
    asset: Path,
    services: tuple[CognitoEmulator, ResponseCollector],
    event: dict[str, Any],
    *,
    timeout_s: float = 120,
    own_stack_id: str | None = None,
) -> tuple[CfnResponse, lambda_runner.Invocation]:
    """Invoke the bundled asset in a Lambda-like child (only the asset and boto3) and return its response.

    ``own_stack_id``: the stack the function belongs to (default: the event's, as for the function of that stack).
    """
    response, invocations = run_asset_until_answered(
        asset, services, event, timeout_s=timeout_s, max_polls=0, own_stack_id=own_stack_id
    )
    if response is None:
        raise AssertionError("the asset sent no response:\n" + invocations[0].logs[-3000:])
    return response, invocations[0]


def run_asset_until_answered(
    asset: Path,
    services: tuple[CognitoEmulator, ResponseCollector],
    event: dict[str, Any],
    *,
    timeout_s: float = 120,
    max_polls: int = 50,
    before_poll: Callable[[int], None] | None = None,
    own_stack_id: str | None = None,
) -> tuple[CfnResponse | None, list[lambda_runner.Invocation]]:
    """Invoke the bundled asset, then, while no answer has come, play EventBridge: invoke it again with the input of
    each enabled rule that targets it (a continuation's poll), at once, up to ``max_polls`` times; return the answer
    (None when none came) and every invocation. ``before_poll`` is called with the number of invocations so far
    before each poll (to change the world between invocations). The function's own stack is ``own_stack_id``
    (default: the event's), in the variable the construct sets; ``""`` leaves it unset (an older function)."""
    emulator, collector = services
    url = collector.new_url()
    own = str(event.get("StackId", "")) if own_stack_id is None else own_stack_id
    env = lambda_runner.lambda_environment(
        region=REGION,
        endpoint=emulator.endpoint,
        function_name=ASSET_FUNCTION,
        timeout_s=timeout_s,
        extra={"SSL_CERT_FILE": collector.ca_file, **({STACK_ID_ENV: own} if own else {})},
    )
    invocations = lambda_runner.invoke_until_answered(
        str(asset),
        {**event, "ResponseURL": url},
        entry=HANDLER_ENTRY,
        timeout_s=timeout_s,
        env=env,
        function_name=ASSET_FUNCTION,
        answered=lambda: bool(collector.responses(url)),
        events=emulator_service_client("events", emulator.endpoint, REGION),
        max_invocations=max_polls + 1,
        before_poll=before_poll,
    )
    answers = collector.responses(url)
    return (answers[0] if answers else None), invocations
