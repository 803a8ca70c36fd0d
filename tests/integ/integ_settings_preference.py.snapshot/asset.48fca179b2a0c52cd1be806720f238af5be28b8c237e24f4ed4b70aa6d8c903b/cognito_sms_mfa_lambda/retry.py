"""The retry loop every AWS call of the handler goes through, and its budgets.

:func:`call` retries throttling, request timeouts, 5xx answers and lost connections until the request's
:class:`Deadline`, and a denial (Cognito's and Secrets Manager's AccessDeniedException, S3's AccessDenied) within
its own budget; :func:`call_unless_gone` runs a Delete's undoing call. The budgets and the backoff arithmetic are the
plain functions below them. The client is passed in by each resource type; only botocore's exception types are
imported here, so the module runs with the Lambda runtime's boto3. The client makes one attempt per call
(``clients.CLIENT_CONFIG``); see ``docs/design.md``, "Time budget".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import ClientError, HTTPClientError

from .errors import HandlerError, OutcomeUnknownError, client_error_reason
from .pacing import RESERVE_S

if TYPE_CHECKING:
    from .properties import Subject

T = TypeVar("T")
# Turns a Cognito error (operation, code, message, subject) into a FAILED Reason.
Reason = Callable[[str, str, str, "Subject"], str]
GONE = frozenset({"UserNotFoundException", "ResourceNotFoundException"})

# A denial right after a deploy is usually IAM propagation: Cognito and Secrets Manager answer
# AccessDeniedException, S3 (GetObject of a batch's list) AccessDenied. Retry it for at most
# ACCESS_DENIED_BUDGET_S seconds, and never when fewer than RESERVE_S seconds of the Lambda's time remain
# (what the remaining Cognito calls and the response need, with the client's timeouts and retries).
ACCESS_DENIED_BUDGET_S = 60.0
FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 8.0
# Throttling, 5xx answers and lost connections are retried while more than RESERVE_S seconds of Lambda time
# would remain after the pause, with "full jitter": pause n is drawn uniformly from
# [0, min(TRANSIENT_CAP_S, TRANSIENT_BASE_S * 2 ** (n - 1))], so a crowd of handlers spreads out.
TRANSIENT_BASE_S = 0.2
TRANSIENT_CAP_S = 4.0
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
THROTTLING_CODES = frozenset(
    {"TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException", "SlowDown"}
)
# Answers of HTTP 400 that say the request did not get through in time (S3 and others): retried as throttling is.
TIMEOUT_CODES = frozenset({"RequestTimeout", "RequestTimeoutException"})


@dataclass(frozen=True)
class Deadline:
    """The request's clock: when it started and how much Lambda time is left."""

    started: float
    remaining_s: Callable[[], float]
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random
    wall_clock: Callable[[], float] = time.time  # seconds since the epoch, to compare with Cognito's dates


def call_unless_gone(
    operation: str,
    user: Subject,
    deadline: Deadline,
    send: Callable[[], object],
    reason: Reason = client_error_reason,
) -> bool:
    """Run one undoing call of a Delete; return False when the user or the pool no longer exists.

    Throttling and other transient errors are retried as for Create. An AccessDeniedException is not retried
    here: IAM propagation concerns a fresh grant (Create/Update), while a Delete that is denied (for example the
    cleanup of a user in a pool the stack no longer grants) will stay denied, so it answers at once.
    """
    return call_or_none(operation, user, deadline, send, reason) is not None


def call_or_none(
    operation: str,
    user: Subject,
    deadline: Deadline,
    send: Callable[[], T],
    reason: Reason = client_error_reason,
) -> T | None:
    """A Delete's call (retried as :func:`call_unless_gone` does) and its answer; None when the user or the pool
    no longer exists (boto3 answers a dict, never None)."""
    try:
        return call(operation, user, deadline, send, reason, gone=True)
    except _GoneError:
        return None


class _GoneError(Exception):
    """The user or the pool no longer exists (raised by ``call(..., gone=True)``)."""


def call(
    operation: str,
    subject: Subject,
    deadline: Deadline,
    send: Callable[[], T],
    reason: Reason = client_error_reason,
    *,
    gone: bool = False,
) -> T:
    """Run one Cognito call with the handler's retries, and map the error that ends it with ``reason``.

    With ``gone`` (Delete), a missing user or pool raises :class:`_GoneError` and AccessDeniedException is not
    retried; otherwise AccessDeniedException is retried within its own budget (IAM propagation). Throttling, 5xx
    answers and lost connections are retried with full-jitter backoff while enough Lambda time remains to
    answer; when they end the call, a 5xx or a lost connection raises :class:`.errors.OutcomeUnknownError` (the
    call may have been applied). The calls retried are idempotent: reads, and writes of a complete state.
    """
    attempt = 0
    while True:
        try:
            return send()
        except ClientError as error:
            attempt += 1
            code, status = error_code(error), http_status(error)
            if gone and code in GONE:
                raise _GoneError from None
            elapsed = deadline.clock() - deadline.started
            if not gone and code in ACCESS_DENIED_CODES and may_retry_access_denied(elapsed, deadline.remaining_s()):
                deadline.sleep(backoff_s(attempt))
                continue
            transient = is_transient(code, status)
            if transient and pause_for_retry(attempt, deadline):
                continue
            failure = _as_handler_error(operation, error, subject, reason)
            if status >= 500:
                failure = OutcomeUnknownError(str(failure))
            failure.out_of_time = transient
            raise failure from None
        except HTTPClientError as error:
            attempt += 1
            if pause_for_retry(attempt, deadline):
                continue
            lost = OutcomeUnknownError(reason(operation, type(error).__name__, "no answer", subject))
            lost.out_of_time = True
            raise lost from None


def pause_for_retry(attempt: int, deadline: Deadline) -> bool:
    """Sleep before retry ``attempt`` of a transient error and return True, or return False when time is short."""
    pause = transient_pause_s(attempt, deadline.jitter())
    if not may_retry_transient(deadline.remaining_s(), pause):
        return False
    deadline.sleep(pause)
    return True


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def http_status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _as_handler_error(operation: str, error: ClientError, subject: Subject, reason: Reason) -> HandlerError:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return HandlerError(reason(operation, error_code(error), message, subject))


def may_retry_access_denied(elapsed_s: float, remaining_s: float) -> bool:
    """Whether an AccessDeniedException may be retried after ``elapsed_s`` seconds of this request."""
    return elapsed_s < ACCESS_DENIED_BUDGET_S and remaining_s > RESERVE_S


def is_transient(code: str, http_status: int) -> bool:
    """Whether an AWS error is worth retrying: throttling (HTTP 400), a request timeout, or any 5xx answer."""
    return code in THROTTLING_CODES or code in TIMEOUT_CODES or http_status >= 500


def transient_pause_s(attempt: int, fraction: float) -> float:
    """The pause before retry number ``attempt`` (1-based) of a transient error; ``fraction`` is uniform in [0, 1)."""
    ceiling = min(TRANSIENT_CAP_S, TRANSIENT_BASE_S * 2.0 ** min(attempt - 1, 16))
    return fraction * ceiling


def may_retry_transient(remaining_s: float, pause_s: float) -> bool:
    """Whether a transient error may be retried after a pause of ``pause_s``: enough time must remain to answer."""
    return remaining_s - pause_s > RESERVE_S


def backoff_s(attempt: int) -> float:
    """The pause before retry number ``attempt`` (1-based) of an AccessDeniedException."""
    return float(min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** (attempt - 1)))
