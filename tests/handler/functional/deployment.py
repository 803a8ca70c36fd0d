"""A test-user deployment for the functional tests: the bundled asset, an emulator pool, its secrets and a stack.

Events are shaped as CloudFormation sends them; ``send`` runs the real asset in a Lambda-like child.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_emulator.clients import emulator_client, emulator_service_client
from cognito_sms_mfa_lambda.resource import TEST_USER_RESOURCE_TYPE as TEST_USER
from cognito_sms_mfa_rehearsal.cfn_responses import custom_resource_event
from tests.handler.functional.harness import REGION, record, run_asset

if TYPE_CHECKING:
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse, ResponseCollector


@dataclass
class Deployment:
    """The bundled asset, an emulator pool and its secrets, and the stack id the events carry."""

    asset: Path
    services: tuple[CognitoEmulator, ResponseCollector]
    idp: CognitoIdentityProviderClient
    secrets: Any
    pool_id: str
    client_id: str
    stack_id: str = f"arn:aws:cloudformation:{REGION}:123456789012:stack/E2E/{uuid.uuid4()}"
    logs: str = ""

    def send(
        self,
        request_type: str,
        properties: dict[str, Any],
        *,
        physical_id: str | None = None,
        old: dict[str, Any] | None = None,
        logical_id: str = "Carol",
        stack_id: str | None = None,
        function_of: str | None = None,
    ) -> CfnResponse:
        """Send one request from ``stack_id`` (default: the deployment's) to the function of ``function_of``
        (default: the same stack, as a stack's own construct deploys it)."""
        event = custom_resource_event(
            request_type,
            {"ServiceToken": "arn:aws:lambda:x", "ServiceTimeout": "300", **properties},
            response_url="",
            stack_id=stack_id or self.stack_id,
            logical_id=logical_id,
            resource_type=TEST_USER,
            physical_id=physical_id,
            old_properties=old,
        )
        response, invocation = run_asset(self.asset, self.services, event, own_stack_id=function_of)
        self.logs = invocation.logs
        return response

    def record(self, logical_id: str, physical_id: str, status: str) -> None:
        """Record a resource of the events' stack, as CloudFormation would list it to the hand-over question."""
        record(self.services[0], logical_id, physical_id, status, stack_id=self.stack_id, resource_type=TEST_USER)

    def user(self, username: str = "carol") -> dict[str, Any]:
        found: Any = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return dict(found)

    def attributes(self, username: str = "carol") -> dict[str, str]:
        return {a["Name"]: a["Value"] for a in self.user(username)["UserAttributes"]}

    def sign_in(self, password: str, username: str = "carol") -> dict[str, Any]:
        answer: Any = self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return dict(answer)

    def secret(self, value: str) -> str:
        return str(self.secrets.create_secret(Name=f"pw-{uuid.uuid4().hex[:8]}", SecretString=value)["ARN"])

    def props(self, **overrides: str) -> dict[str, str]:
        base = {
            "UserPoolId": self.pool_id,
            "Username": "carol",
            "PhoneNumber": "+15555550123",
            "Email": "carol@example.com",
            "SmsMfaPreferred": "true",
        }
        return {**base, **overrides}


@pytest.fixture
def deployment(asset_dir: Path, services: tuple[CognitoEmulator, ResponseCollector]) -> Deployment:
    emulator, _ = services
    idp = emulator_client(emulator.endpoint, REGION)
    pool_id = idp.create_user_pool(PoolName=f"qa-{uuid.uuid4().hex[:6]}", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="qa", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    secrets = emulator_service_client("secretsmanager", emulator.endpoint, REGION)
    return Deployment(asset_dir, services, idp, secrets, pool_id, client_id)
