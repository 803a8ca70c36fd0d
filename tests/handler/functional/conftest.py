"""The handler in this process against the local Cognito emulator over HTTP, answering a local TLS endpoint.

Nothing here can reach AWS: dummy credentials, no shared config files, the Cognito endpoint on 127.0.0.1,
and the ResponseURL served by a throwaway CA that ``SSL_CERT_FILE`` makes crhelper trust.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.config import Config

from cognito_sms_mfa.local import CognitoEmulator
from cognito_sms_mfa.local.cfn_responses import ResponseCollector
from cognito_sms_mfa.local.lambda_runner import OFFLINE_AWS_ENV
from tests.handler.functional.harness import REGION, Deployer, Pool, load_handler

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

DUMMY_ENV = {**OFFLINE_AWS_ENV, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}


@pytest.fixture(scope="session")
def emulator() -> Iterator[CognitoEmulator]:
    with CognitoEmulator(region=REGION) as running:
        yield running


@pytest.fixture(scope="session")
def collector() -> Iterator[ResponseCollector]:
    with ResponseCollector() as running:
        yield running


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, emulator: CognitoEmulator, collector: ResponseCollector) -> None:
    """What the Lambda runtime would set, pointed at the emulator; the response CA trusted."""
    for name, value in DUMMY_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", emulator.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", emulator.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", emulator.endpoint)
    monkeypatch.setenv("SSL_CERT_FILE", collector.ca_file)
    emulator.reset()


@pytest.fixture
def idp(aws_env: None, emulator: CognitoEmulator) -> CognitoIdentityProviderClient:
    """A client for setting up and reading back state (no retries, so nothing hides)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=emulator.endpoint,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


@pytest.fixture
def pool(idp: CognitoIdentityProviderClient, emulator: CognitoEmulator) -> Pool:
    pool_id = idp.create_user_pool(
        PoolName="functional",
        AliasAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
        MfaConfiguration="OPTIONAL",
    )["UserPool"]["Id"]
    for name, phone in (("alice", "+15555550100"), ("bob", "+15555550101")):
        idp.admin_create_user(
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
    emulator.clear_calls()
    return Pool(idp, pool_id)


@pytest.fixture
def deploy(aws_env: None, collector: ResponseCollector, emulator: CognitoEmulator) -> Deployer:
    return Deployer(load_handler(), collector, emulator)


@pytest.fixture(scope="module")
def asset_dir(example_cloud_assembly: Path) -> Path:
    """The handler function's asset folder, found through the template and the asset manifest."""
    template = json.loads((example_cloud_assembly / "CognitoSmsMfaExample.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    digest = function["Properties"]["Code"]["S3Key"].removesuffix(".zip")
    return example_cloud_assembly / f"asset.{digest}"


@pytest.fixture(scope="module")
def services() -> Iterator[tuple[CognitoEmulator, ResponseCollector]]:
    """An emulator and a response collector of their own, for the bundled asset in a child process."""
    with CognitoEmulator(region=REGION) as emulator, ResponseCollector() as collector:
        yield emulator, collector
