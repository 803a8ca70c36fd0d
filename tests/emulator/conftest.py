"""Fixtures for the emulator's own tests: one running emulator per module, reset before each test.

Every client here signs with dummy credentials and talks to 127.0.0.1 only; the AWS environment variables
and config files are replaced for the whole module, so nothing can reach real AWS or read ``~/.aws``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple

import boto3
import pytest
from botocore.config import Config

from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

REGION = "us-east-1"
DUMMY_ENV = {**OFFLINE_AWS_ENV, "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION}
UNSET_ENV = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
)
# botocore's ``max_attempts`` counts retries (1 means two attempts); ``total_max_attempts`` counts attempts.
NO_RETRIES = Config(retries={"mode": "standard", "total_max_attempts": 1}, connect_timeout=5, read_timeout=10)

ClientFactory = Callable[..., "CognitoIdentityProviderClient"]


@pytest.fixture(scope="module", autouse=True)
def dummy_aws_env() -> Iterator[None]:
    """Dummy credentials and no shared config files, for every test of the module."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in DUMMY_ENV.items():
            patch.setenv(name, value)
        for name in UNSET_ENV:
            patch.delenv(name, raising=False)
        yield


@pytest.fixture(scope="module")
def running_emulator(dummy_aws_env: None) -> Iterator[CognitoEmulator]:
    with CognitoEmulator(region=REGION) as emulator:
        yield emulator


@pytest.fixture
def emulator(running_emulator: CognitoEmulator) -> CognitoEmulator:
    """The module's emulator with no user pools, no pending faults and no recorded calls."""
    running_emulator.reset()
    return running_emulator


@pytest.fixture(scope="module")
def session(dummy_aws_env: None) -> boto3.session.Session:
    """One session per module, so that botocore loads the service model once."""
    return boto3.session.Session(region_name=REGION)


@pytest.fixture
def make_client(emulator: CognitoEmulator, session: boto3.session.Session) -> ClientFactory:
    """Build a cognito-idp client for the emulator; without retries unless a Config says otherwise."""

    def build(config: Config = NO_RETRIES) -> CognitoIdentityProviderClient:
        return session.client("cognito-idp", endpoint_url=emulator.endpoint, config=config)

    return build


@pytest.fixture
def client(make_client: ClientFactory) -> CognitoIdentityProviderClient:
    return make_client()


@pytest.fixture
def unvalidated_client(make_client: ClientFactory) -> CognitoIdentityProviderClient:
    """A client that skips botocore's own checks (required, min length, types), as a raw HTTP caller would."""
    return make_client(NO_RETRIES.merge(Config(parameter_validation=False)))


@pytest.fixture
def make_pool(client: CognitoIdentityProviderClient) -> Callable[..., str]:
    """Create a user pool (keyword arguments go to CreateUserPool) and return its id."""

    def create(**settings: Any) -> str:
        return client.create_user_pool(PoolName="emulator-test", **settings)["UserPool"]["Id"]

    return create


@pytest.fixture
def pool_id(make_pool: Callable[..., str]) -> str:
    """A default pool (case-sensitive usernames, no aliases)."""
    return make_pool()


Http = Callable[..., "HttpAnswer"]


class HttpAnswer(NamedTuple):
    """What the emulator answered to a raw HTTP request."""

    status: int
    content_type: str
    body: Any


@pytest.fixture
def http(emulator: CognitoEmulator) -> Http:
    """Send one raw HTTP request to the emulator: ``http(method, path, body=None, target=None)``.

    ``body`` is sent as JSON; ``target`` names a cognito-idp action for ``X-Amz-Target``. The request is not
    signed (moto does not check signatures), so botocore's own checks and serialisation are bypassed.
    """

    def send(method: str, path: str, body: object = None, target: str | None = None) -> HttpAnswer:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(emulator.endpoint + path, data=data, method=method)
        if target is not None:
            request.add_header("X-Amz-Target", f"AWSCognitoIdentityProviderService.{target}")
            request.add_header("Content-Type", "application/x-amz-json-1.1")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return HttpAnswer(response.status, response.headers["Content-Type"], json.loads(response.read()))
        except urllib.error.HTTPError as error:
            return HttpAnswer(error.code, error.headers["Content-Type"], json.loads(error.read()))

    return send
