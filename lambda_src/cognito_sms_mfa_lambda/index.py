"""Lambda entry point of Custom::CognitoUserSmsMfaSettings: crhelper wiring only.

The design (request types, physical ids, failure paths) is in ``docs/design.md``; the decisions are in
``mfa.py`` and the Cognito calls in ``cognito.py``. Module start-up builds one Cognito client; anything that
fails there is reported through crhelper's ``init_failure`` so CloudFormation gets FAILED instead of waiting.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from crhelper import CfnResource

from . import cognito, mfa

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

logger = logging.getLogger(__name__)

# Standard mode retries TooManyRequestsException (HTTP 400) and 5xx whatever botocore the runtime bundles
# (legacy mode, the default before botocore 1.44, does not retry throttling). The timeouts keep one call,
# retries included, well inside mfa.RESERVE_S.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=3,
    read_timeout=5,
)


@contextmanager
def _without_polling_clients() -> Iterator[None]:
    """Construct crhelper without the lambda/events/logs clients that only its polling mode uses.

    crhelper's constructor skips them when AWS_SAM_LOCAL is set; this handler registers no poll
    functions, so the flag changes nothing else. It saves three client creations at every cold start
    (see docs/benchmarks.md). The variable is restored at once.
    """
    previous = os.environ.get("AWS_SAM_LOCAL")
    os.environ["AWS_SAM_LOCAL"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["AWS_SAM_LOCAL"]
        else:
            os.environ["AWS_SAM_LOCAL"] = previous


with _without_polling_clients():
    helper = CfnResource(json_logging=False, log_level="INFO", boto_level="ERROR", sleep_on_delete=0)


class CallCounter:
    """Counts the Cognito operations a request makes (``before-call``) and the HTTP attempts (``before-send``)."""

    def __init__(self) -> None:
        self.calls = 0
        self.attempts = 0

    def on_call(self, **_: Any) -> None:
        self.calls += 1

    def on_send(self, **_: Any) -> None:
        self.attempts += 1


counter = CallCounter()
client: CognitoIdentityProviderClient | None = None
try:
    client = boto3.client("cognito-idp", config=CLIENT_CONFIG)
    client.meta.events.register("before-call", counter.on_call)
    client.meta.events.register("before-send", counter.on_send)
except Exception as error:  # any start-up failure must reach CloudFormation as FAILED
    helper.init_failure(error)


def _cognito() -> CognitoIdentityProviderClient:
    if client is None:  # init_failure already answers FAILED before any request function runs
        raise mfa.HandlerError("the Cognito client could not be created at start-up")
    return client


def _deadline(context: Any) -> cognito.Deadline:
    return cognito.Deadline(time.monotonic(), lambda: context.get_remaining_time_in_millis() / 1000.0)


def _logged(event: dict[str, Any], pool: object, work: Callable[[], tuple[str | None, str]]) -> str | None:
    """Run one request's work and log one line about it; the line never holds the URL or phone numbers."""
    counter.calls = counter.attempts = 0
    started = time.monotonic()
    outcome, detail = "FAILED", "error"
    try:
        physical_id, detail = work()
        outcome = "SUCCESS"
        return physical_id
    finally:
        logger.info(
            "request=%s logical_id=%s pool=%s outcome=%s detail=%s cognito_calls=%d attempts=%d duration_ms=%.0f",
            event.get("RequestType"),
            event.get("LogicalResourceId"),
            pool if isinstance(pool, str) else "-",
            outcome,
            detail,
            counter.calls,
            counter.attempts,
            (time.monotonic() - started) * 1000,
        )


@helper.create
@helper.update
def apply(event: dict[str, Any], context: Any) -> str | None:
    """Create/Update: give the user exactly the desired options and return the id naming pool and user."""
    props = event.get("ResourceProperties") or {}

    def work() -> tuple[str | None, str]:
        applied = cognito.apply_settings(_cognito(), mfa.parse_properties(props), _deadline(context))
        helper.Data.update(mfa.response_data(applied.user))
        new_id = mfa.physical_id(applied.user)
        replaced = event["RequestType"] == "Update" and new_id != event.get("PhysicalResourceId")
        return new_id, ("written" if applied.written else "unchanged") + ("+replaced" if replaced else "")

    return _logged(event, props.get("UserPoolId"), work)


@helper.delete
def delete(event: dict[str, Any], context: Any) -> str | None:
    """Delete: clear the options of the user the id names; ids that are not ours need no call."""
    physical_id = event.get("PhysicalResourceId") or mfa.NO_PHYSICAL_ID
    user = mfa.parse_physical_id(physical_id)

    def work() -> tuple[str | None, str]:
        if user is None:
            return physical_id, "not-ours"
        cleared = cognito.clear_settings(_cognito(), user)
        return physical_id, "cleared" if cleared else "gone"

    return _logged(event, user.user_pool_id if user else None, work)


def handler(event: dict[str, Any], context: Any) -> None:
    """The Lambda handler: crhelper answers CloudFormation for every request, success or failure."""
    helper(event, context)
