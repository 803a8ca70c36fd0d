"""The handler in this process against the local Cognito emulator over HTTP, answering a local TLS endpoint.

Nothing here can reach AWS: dummy credentials, no shared config files, the Cognito endpoint on 127.0.0.1,
and the ResponseURL served by a throwaway CA that ``SSL_CERT_FILE`` makes crhelper trust.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector
from tests.handler.functional.deployment import deployment
from tests.handler.functional.harness import (
    REGION,
    UNSET_ENV,
    Deployer,
    Pool,
    admin_client,
    create_pool,
    handler_env,
    load_handler,
)

__all__ = ["deployment"]  # a test user's deployment (tests/handler/functional/deployment.py)

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


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
    for name, value in handler_env(emulator, collector).items():
        monkeypatch.setenv(name, value)
    for name in UNSET_ENV:
        monkeypatch.delenv(name, raising=False)
    emulator.reset()


@pytest.fixture
def idp(aws_env: None, emulator: CognitoEmulator) -> CognitoIdentityProviderClient:
    """A client for setting up and reading back state (no retries, so nothing hides)."""
    return admin_client(emulator)


@pytest.fixture
def pool(idp: CognitoIdentityProviderClient, emulator: CognitoEmulator) -> Pool:
    pool_id = create_pool(idp)
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
