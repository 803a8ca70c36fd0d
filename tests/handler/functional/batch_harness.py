"""Helpers of the batch tests: users in bulk, a list uploaded to the emulator's S3, the batch's properties."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa.handler_asset import HANDLER_ENTRY
from cognito_sms_mfa_emulator.clients import emulator_service_client
from cognito_sms_mfa_lambda.manifest import manifest_bytes, sha256
from cognito_sms_mfa_rehearsal import lambda_runner
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.harness import ASSET_FUNCTION, REGION, SMS, STACK_ID, record, run_asset

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse, ResponseCollector

BUCKET = "cdk-hnb659fds-assets-123456789012-us-east-1"


def add_users(client: CognitoIdentityProviderClient, pool_id: str, names: Sequence[str], *, phone: bool = True) -> None:
    """Users of ``pool_id``, each with a phone number unless ``phone`` is false."""
    for index, name in enumerate(names):
        attributes: list[Any] = [{"Name": "phone_number", "Value": f"+1555{index:07d}"}] if phone else []
        client.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", UserAttributes=attributes)


def upload(emulator: CognitoEmulator, names: Sequence[str], key: str | None = None) -> dict[str, str]:
    """Put the list of ``names`` into the emulator's S3 as the construct would; return its location properties."""
    data = manifest_bytes(names)
    digest = sha256(data)
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET)
    key = key or f"{digest}.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return {"ManifestBucket": BUCKET, "ManifestKey": key, "ManifestSha256": digest, "UserCount": str(len(names))}


def batch_props(
    emulator: CognitoEmulator,
    pool_id: str,
    names: Sequence[str],
    *,
    options: list[dict[str, str]] | None = None,
    sms: str | None = None,
    rates: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The properties CloudFormation sends for a batch of ``names`` (the list uploaded first)."""
    props: dict[str, Any] = {
        "UserPoolId": pool_id,
        **upload(emulator, names),
        "MFAOptions": [SMS] if options is None else options,
        "MaxRequestsPerSecond": rates or {"UserRead": "1000", "UserUpdate": "1000"},
        "Record": "1",
    }
    if sms is not None:
        props["SmsMfa"] = sms
    return props


def options_of(client: CognitoIdentityProviderClient, pool_id: str, names: Sequence[str]) -> dict[str, list[Any]]:
    """Each user's MFAOptions."""
    return {n: list(client.admin_get_user(UserPoolId=pool_id, Username=n).get("MFAOptions", [])) for n in names}


def invoke_as_is(
    asset: Path, services: tuple[CognitoEmulator, ResponseCollector], event: dict[str, Any], *, timeout_s: float = 120
) -> lambda_runner.Invocation:
    """Invoke the bundled asset once with ``event`` as it is, its ResponseURL kept: a delivery EventBridge or
    Lambda may repeat (at least once)."""
    emulator, collector = services
    env = lambda_runner.lambda_environment(
        region=REGION,
        endpoint=emulator.endpoint,
        function_name=ASSET_FUNCTION,
        timeout_s=timeout_s,
        extra={"SSL_CERT_FILE": collector.ca_file},
    )
    return lambda_runner.invoke(
        str(asset), event, entry=HANDLER_ENTRY, timeout_s=timeout_s, env=env, function_name=ASSET_FUNCTION
    )


@dataclass
class AssetStack:
    """One stack's custom resources of any type, served by the bundled asset in a Lambda-like child, with the stack's
    record kept as CloudFormation keeps it (what ``ListStackResources`` and ``DescribeStacks`` answer).

    ``send`` records the resource ``<STEP>_IN_PROGRESS`` while the handler runs, then ``_COMPLETE`` or ``_FAILED``
    with the id the answer carried; ``status`` sets the stack's status for the steps that follow.
    """

    asset: Path
    services: tuple[CognitoEmulator, ResponseCollector]
    stack_id: str = STACK_ID
    logs: list[str] = field(default_factory=list)

    def status(self, status: str) -> None:
        self.services[0].set_stack_status(self.stack_id, status)

    def send(
        self,
        request_type: str,
        resource_type: str,
        logical_id: str,
        properties: dict[str, Any],
        *,
        physical_id: str | None = None,
        old_properties: dict[str, Any] | None = None,
    ) -> CfnResponse:
        token = {"ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:e2e", "ServiceTimeout": "300"}
        event = custom_resource_event(
            request_type,
            {**token, **properties},
            response_url="",
            stack_id=self.stack_id,
            logical_id=logical_id,
            resource_type=resource_type,
            physical_id=physical_id,
            old_properties=None if old_properties is None else {**token, **old_properties},
        )
        emulator = self.services[0]
        step = request_type.upper()
        record(emulator, logical_id, physical_id or "", f"{step}_IN_PROGRESS", self.stack_id, resource_type)
        response, invocation = run_asset(self.asset, self.services, event)
        self.logs.append(invocation.logs)
        done = "COMPLETE" if response.status == "SUCCESS" else "FAILED"
        record(emulator, logical_id, response.physical_id, f"{step}_{done}", self.stack_id, resource_type)
        return response
