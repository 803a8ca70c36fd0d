"""Fixtures of the drift check's tests: one running emulator per module (reset before each test), dummy credentials
and no shared config files, and a deployment recorded in the emulator as CloudFormation would hold it."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_cli import drift
from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_emulator.stacks import StackResource
from tests.emulator.conftest import REGION, dummy_aws_env, emulator, running_emulator

# The emulator tests' fixtures: dummy credentials for the module, one running emulator, reset before each test.
__all__ = ["dummy_aws_env", "emulator", "running_emulator"]

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ACCOUNT = "000000000000"


@pytest.fixture
def cognito(emulator: CognitoEmulator) -> CognitoIdentityProviderClient:
    return emulator_client(emulator.endpoint, REGION)


@dataclass
class Result:
    status: int
    out: str
    err: str

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.out)
        return parsed

    def verdicts(self) -> dict[str, str]:
        """Verdict by ``stack/logical id`` (from the ``--json`` output)."""
        return {
            f"{stack['stack']}/{row['resource']}": row["verdict"]
            for stack in self.json["stacks"]
            for row in stack["resources"]
        }


@pytest.fixture
def run_drift(emulator: CognitoEmulator, capsys: pytest.CaptureFixture[str]) -> Any:
    """``cognito-sms-mfa drift --endpoint-url <emulator> ARGS`` in this process; returns a :class:`Result`."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        status = drift.main(["--endpoint-url", emulator.endpoint, "--max-rps", "2000", *args])
        out, err = capsys.readouterr()
        return Result(status, out, err)

    return run


@dataclass
class Deployment:
    """A stack recorded in the emulator: its template, its resources' physical ids and its parameter values."""

    emulator: CognitoEmulator
    name: str = "Users"
    resources: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stack_id = f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{self.name}/{uuid.uuid4()}"

    def add(self, logical_id: str, kind: str, physical_id: str, properties: dict[str, Any] | None = None,
            status: str = "CREATE_COMPLETE") -> None:  # fmt: skip
        """Declare a resource in the template and record it as deployed."""
        self.resources[logical_id] = {"Type": kind, "Properties": properties or {}}
        self.emulator.record_resource(self.stack_id, StackResource(logical_id, physical_id, kind, status))

    def record(self) -> None:
        template = {"Parameters": self.parameters, "Resources": self.resources}
        self.emulator.record_stack(self.stack_id, template, self.values)
