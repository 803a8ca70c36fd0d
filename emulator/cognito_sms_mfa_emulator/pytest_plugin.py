"""A pytest plugin (entry point ``pytest11``, installed with the ``local`` extra) with a ``cognito_emulator``
fixture: the local Cognito emulator, started once per session, reset before each test, with the environment
set so that any boto3 ``cognito-idp`` client the code under test builds reaches it.

Importing this module loads neither moto nor boto3: the emulator starts when a test first asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa_emulator.offline import DUMMY_CREDENTIALS

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"


@pytest.fixture(scope="session")
def cognito_emulator_session() -> Iterator[CognitoEmulator]:
    """The emulator of the test session, started on first use (127.0.0.1, any free port)."""
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

    with CognitoEmulator() as emulator:
        yield emulator


@pytest.fixture
def cognito_emulator(cognito_emulator_session: CognitoEmulator, monkeypatch: pytest.MonkeyPatch) -> CognitoEmulator:
    """The emulator, emptied (no pools, faults or recorded calls), with ``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``
    pointing at it, dummy credentials and its Region set for the test; the variables are restored afterwards."""
    monkeypatch.setenv(ENDPOINT_VARIABLE, cognito_emulator_session.endpoint)
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", cognito_emulator_session.region)
    cognito_emulator_session.reset()
    return cognito_emulator_session
