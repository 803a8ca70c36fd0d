"""The Cognito calls of the handler: apply the desired options, clear them, and map errors to reasons.

:func:`call` (the retries: throttling, 5xx and lost connections until the request's :class:`Deadline`,
AccessDenied within its budget) and :func:`call_unless_gone` (a Delete's undoing call) serve every resource
type. The client is passed in (``index.py`` builds it once); the decisions come from ``mfa.py``.
Only botocore's exception types are imported here, so the module runs with the Lambda runtime's boto3.
The client makes one attempt per call (``clients.CLIENT_CONFIG``); see ``docs/design.md``, "Time budget".
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import ClientError, HTTPClientError

from . import mfa

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .rules import MfaOption

T = TypeVar("T")
# Turns a Cognito error (operation, code, message, subject) into a FAILED Reason.
Reason = Callable[[str, str, str, "mfa.Subject"], str]
GONE = frozenset({"UserNotFoundException", "ResourceNotFoundException"})


@dataclass(frozen=True)
class Deadline:
    """The request's clock: when it started and how much Lambda time is left."""

    started: float
    remaining_s: Callable[[], float]
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    jitter: Callable[[], float] = random.random


@dataclass(frozen=True)
class Applied:
    """What Create/Update did: the canonical user, whether AdminSetUserSettings ran, and whether its outcome
    was only known by reading the user back."""

    user: mfa.UserRef
    written: bool
    read_back: bool = False


def apply_settings(client: CognitoIdentityProviderClient, request: mfa.MfaRequest, deadline: Deadline) -> Applied:
    """Give the user exactly ``request.mfa_options``: look the user up, then write only if they differ."""
    found = call(
        "AdminGetUser",
        request,
        deadline,
        lambda: client.admin_get_user(UserPoolId=request.user_pool_id, Username=request.username),
    )
    user = mfa.UserRef(request.user_pool_id, found["Username"])
    if not mfa.needs_write(mfa.current_options(found), request.mfa_options):
        return Applied(user, written=False)
    kwargs = mfa.settings_kwargs(user, request.mfa_options)
    try:
        call("AdminSetUserSettings", request, deadline, lambda: client.admin_set_user_settings(**kwargs))
    except mfa.OutcomeUnknownError as error:
        return _read_back(client, user, mfa.current_options(found), request, deadline, error)
    return Applied(user, written=True)


def _read_back(
    client: CognitoIdentityProviderClient,
    user: mfa.UserRef,
    before: tuple[MfaOption, ...],
    request: mfa.MfaRequest,
    deadline: Deadline,
    error: mfa.OutcomeUnknownError,
) -> Applied:
    """After a write whose outcome is unknown, answer from what the user holds now.

    The desired options: the write happened, SUCCESS. The options from before: it did not, FAILED with the
    usual id (nothing to undo). Anything else, or no answer: FAILED carrying the user's own physical id, so that
    CloudFormation's rollback Delete (after a Create) clears the options the write may have set.
    """
    try:
        found = call(
            "AdminGetUser",
            request,
            deadline,
            lambda: client.admin_get_user(UserPoolId=user.user_pool_id, Username=user.username),
        )
    except mfa.HandlerError:
        found = None
    now = None if found is None else mfa.current_options(found)
    if now is not None and not mfa.needs_write(now, request.mfa_options):
        return Applied(user, written=True, read_back=True)
    if now is not None and not mfa.needs_write(now, before):
        raise error
    raise mfa.HandlerError(f"{error} (the options may have changed)", physical_id=mfa.physical_id(user)) from None


def clear_settings(client: CognitoIdentityProviderClient, user: mfa.UserRef, deadline: Deadline) -> bool:
    """Clear the user's options; return False when the user or the pool no longer exists."""
    kwargs = mfa.settings_kwargs(user, ())
    return call_unless_gone("AdminSetUserSettings", user, deadline, lambda: client.admin_set_user_settings(**kwargs))


def call_unless_gone(
    operation: str,
    user: mfa.UserRef,
    deadline: Deadline,
    send: Callable[[], object],
    reason: Reason = mfa.client_error_reason,
) -> bool:
    """Run one undoing call of a Delete; return False when the user or the pool no longer exists.

    Throttling and other transient errors are retried as for Create. An AccessDeniedException is not retried
    here: IAM propagation concerns a fresh grant (Create/Update), while a Delete that is denied (for example the
    cleanup of a user in a pool the stack no longer grants) will stay denied, so it answers at once.
    """
    try:
        call(operation, user, deadline, send, reason, gone=True)
    except _GoneError:
        return False
    return True


class _GoneError(Exception):
    """The user or the pool no longer exists (raised by ``call(..., gone=True)``)."""


def call(
    operation: str,
    subject: mfa.Subject,
    deadline: Deadline,
    send: Callable[[], T],
    reason: Reason = mfa.client_error_reason,
    *,
    gone: bool = False,
) -> T:
    """Run one Cognito call with the handler's retries, and map the error that ends it with ``reason``.

    With ``gone`` (Delete), a missing user or pool raises :class:`_GoneError` and AccessDeniedException is not
    retried; otherwise AccessDeniedException is retried within its own budget (IAM propagation). Throttling, 5xx
    answers and lost connections are retried with full-jitter backoff while enough Lambda time remains to
    answer; when they end the call, a 5xx or a lost connection raises :class:`mfa.OutcomeUnknownError` (the
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
            if (
                not gone
                and code == "AccessDeniedException"
                and mfa.may_retry_access_denied(elapsed, deadline.remaining_s())
            ):
                deadline.sleep(mfa.backoff_s(attempt))
                continue
            if mfa.is_transient(code, status) and pause_for_retry(attempt, deadline):
                continue
            failure = _as_handler_error(operation, error, subject, reason)
            if status >= 500:
                raise mfa.OutcomeUnknownError(str(failure)) from None
            raise failure from None
        except HTTPClientError as error:
            attempt += 1
            if pause_for_retry(attempt, deadline):
                continue
            raise mfa.OutcomeUnknownError(reason(operation, type(error).__name__, "no answer", subject)) from None


def pause_for_retry(attempt: int, deadline: Deadline) -> bool:
    """Sleep before retry ``attempt`` of a transient error and return True, or return False when time is short."""
    pause = mfa.transient_pause_s(attempt, deadline.jitter())
    if not mfa.may_retry_transient(deadline.remaining_s(), pause):
        return False
    deadline.sleep(pause)
    return True


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def http_status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def _as_handler_error(operation: str, error: ClientError, subject: mfa.Subject, reason: Reason) -> mfa.HandlerError:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return mfa.HandlerError(reason(operation, error_code(error), message, subject))
