"""boto3 (botocore) clients for the emulator, with the dummy credentials and no ``~/.aws`` read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.config import Config

from cognito_sms_mfa_emulator.offline import DUMMY_CREDENTIALS

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def emulator_client(endpoint: str, region: str) -> CognitoIdentityProviderClient:
    """A cognito-idp client for the emulator with dummy credentials that never reads ``~/.aws`` or the
    environment's keys."""
    return cast("CognitoIdentityProviderClient", emulator_service_client("cognito-idp", endpoint, region))


def emulator_service_client(service: str, endpoint: str, region: str) -> Any:
    """A client of ``service`` for the emulator, as :func:`emulator_client`."""
    session = botocore.session.Session()
    session.set_config_variable("config_file", "/dev/null")
    session.set_config_variable("credentials_file", "/dev/null")
    return session.create_client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=DUMMY_CREDENTIALS["AWS_SESSION_TOKEN"],
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )
