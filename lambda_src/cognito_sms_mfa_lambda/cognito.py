"""The Cognito calls of the handler: apply the desired options, clear them, and map errors to reasons.

:func:`call` (retry of AccessDenied within the budget) and :func:`call_unless_gone` (a Delete's undoing call)
serve every resource type. The client is passed in (``index.py`` builds it once); the decisions come from
``mfa.py``.
Only botocore's exception type is imported here, so the module runs with the Lambda runtime's boto3.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from botocore.exceptions import ClientError

from . import mfa

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

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


@dataclass(frozen=True)
class Applied:
    """What Create/Update did: the canonical user and whether AdminSetUserSettings ran."""

    user: mfa.UserRef
    written: bool


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
    call("AdminSetUserSettings", request, deadline, lambda: client.admin_set_user_settings(**kwargs))
    return Applied(user, written=True)


def clear_settings(client: CognitoIdentityProviderClient, user: mfa.UserRef) -> bool:
    """Clear the user's options; return False when the user or the pool no longer exists."""
    return call_unless_gone(
        "AdminSetUserSettings", user, lambda: client.admin_set_user_settings(**mfa.settings_kwargs(user, ()))
    )


def call_unless_gone(
    operation: str, user: mfa.UserRef, send: Callable[[], object], reason: Reason = mfa.client_error_reason
) -> bool:
    """Run one undoing call of a Delete; return False when the user or the pool no longer exists.

    An AccessDeniedException is not retried here: IAM propagation concerns a fresh grant (Create/Update),
    while a Delete that is denied (for example the cleanup of a user in a pool the stack no longer grants)
    will stay denied, so it answers at once instead of spending the retry budget.
    """
    try:
        send()
    except ClientError as error:
        if error_code(error) in GONE:
            return False
        raise _as_handler_error(operation, error, user, reason) from None
    return True


def call(
    operation: str,
    subject: mfa.Subject,
    deadline: Deadline,
    send: Callable[[], T],
    reason: Reason = mfa.client_error_reason,
) -> T:
    """Run one Cognito call; retry AccessDeniedException within the budget, map other errors with ``reason``.

    Throttling and 5xx answers are retried inside botocore (standard retry mode, see ``clients.py``).
    """
    attempt = 0
    while True:
        try:
            return send()
        except ClientError as error:
            attempt += 1
            elapsed = deadline.clock() - deadline.started
            if error_code(error) == "AccessDeniedException" and mfa.may_retry_access_denied(
                elapsed, deadline.remaining_s()
            ):
                deadline.sleep(mfa.backoff_s(attempt))
                continue
            raise _as_handler_error(operation, error, subject, reason) from None


def error_code(error: ClientError) -> str:
    """The error code of a botocore ClientError (``Unknown`` when it has none)."""
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def _as_handler_error(operation: str, error: ClientError, subject: mfa.Subject, reason: Reason) -> mfa.HandlerError:
    message = str(error.response.get("Error", {}).get("Message", ""))
    return mfa.HandlerError(reason(operation, error_code(error), message, subject))
