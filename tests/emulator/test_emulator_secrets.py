"""Secrets Manager on the emulator's endpoint: what the handler needs to read a test user's password."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
import pytest

from tests.emulator.conftest import NO_RETRIES

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator


def test_secrets_are_served_beside_cognito_and_not_recorded(
    emulator: CognitoEmulator, session: boto3.session.Session
) -> None:
    # GIVEN a Secrets Manager client pointed at the emulator
    secrets = session.client("secretsmanager", endpoint_url=emulator.endpoint, config=NO_RETRIES)
    # WHEN a secret is created and read
    arn = secrets.create_secret(Name="carol-password", SecretString="Pa55word!")["ARN"]
    value = secrets.get_secret_value(SecretId=arn)["SecretString"]
    # THEN the value comes back, and the Cognito call record holds nothing of it
    assert arn.startswith("arn:aws:secretsmanager:us-east-1:")
    assert value == "Pa55word!"
    assert emulator.calls() == []


def test_reset_forgets_secrets(emulator: CognitoEmulator, session: boto3.session.Session) -> None:
    # GIVEN a secret in the emulator
    secrets = session.client("secretsmanager", endpoint_url=emulator.endpoint, config=NO_RETRIES)
    arn = secrets.create_secret(Name="to-forget", SecretString="x")["ARN"]
    # WHEN the emulator is reset
    emulator.reset()
    # THEN the secret is gone
    with pytest.raises(secrets.exceptions.ResourceNotFoundException):
        secrets.get_secret_value(SecretId=arn)
