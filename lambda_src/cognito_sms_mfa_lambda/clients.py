"""The handler's AWS clients: each one is created when a request first needs it, then kept for warm invocations.

A Cognito client for the Lambda's own Region is made at start-up (almost every request needs it; a failure
there reaches CloudFormation through crhelper's ``init_failure``). Any other client (Cognito in another Region,
CloudFormation, Secrets Manager) is made on first use, so a cold start costs what a bare boto3 client costs.
Every client counts the operations it calls and the HTTP attempts it sends, for the request's log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import boto3
from botocore.config import Config

from .rules import pool_region

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

# One attempt per call: the handler's own loop (retry.call) retries throttling, 5xx and lost connections
# until a deadline derived from the Lambda's remaining time, which a fixed number of attempts cannot follow.
# The mode is named so that no botocore version's default applies. The timeouts keep one attempt well inside
# pacing.RESERVE_S.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 1},
    connect_timeout=3,
    read_timeout=5,
)
# crhelper's polling calls (EventBridge's PutRule/PutTargets/EnableRule/DisableRule..., Lambda's AddPermission...)
# are made inside crhelper, where retry.call cannot reach: botocore's standard mode retries their throttling and
# 5xx answers (5 attempts, exponential backoff with jitter, about 10 s at the most), well inside pacing.RESERVE_S.
POLLING_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 5},
    connect_timeout=3,
    read_timeout=5,
)


class CallCounter:
    """Counts the operations a request makes (``before-call``) and the HTTP attempts (``before-send``)."""

    def __init__(self) -> None:
        self.calls = 0
        self.attempts = 0

    def reset(self) -> None:
        self.calls = self.attempts = 0

    def on_call(self, **_: Any) -> None:
        self.calls += 1

    def on_send(self, **_: Any) -> None:
        self.attempts += 1


class Clients:
    """boto3 clients by service and Region, each created on first use and counted by one :class:`CallCounter`."""

    def __init__(self, home_region: str | None = None) -> None:
        self.home_region = home_region
        self.counter = CallCounter()
        self._clients: dict[tuple[str, str | None], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` in ``region`` (default: the Lambda's own), created on first use."""
        key = (service, region or self.home_region)
        found = self._clients.get(key)
        if found is None:
            make: Any = boto3.client  # typed per literal service name; this method takes any
            found = make(service, region_name=key[1], config=CLIENT_CONFIG)
            found.meta.events.register("before-call", self.counter.on_call)
            found.meta.events.register("before-send", self.counter.on_send)
            self._clients[key] = found
        return found

    def cognito(self, region: str | None = None) -> CognitoIdentityProviderClient:
        """The cognito-idp client of ``region`` (default: the Lambda's own)."""
        return cast("CognitoIdentityProviderClient", self.client("cognito-idp", region))

    def for_pool(self, user_pool_id: str) -> CognitoIdentityProviderClient:
        """The cognito-idp client of the Region a pool id names (the Lambda's own when it names none)."""
        return self.cognito(pool_region(user_pool_id))
