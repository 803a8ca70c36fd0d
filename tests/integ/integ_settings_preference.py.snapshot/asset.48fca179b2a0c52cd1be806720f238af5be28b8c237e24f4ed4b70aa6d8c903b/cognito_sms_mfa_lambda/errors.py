"""The handler's errors and the wording of their FAILED reasons, shared by every resource type.

A :class:`HandlerError`'s message is the FAILED Reason CloudFormation shows: masked (no phone number or email)
and cut to fit. :func:`client_error_reason` words a Cognito error that ends a request; each type's decisions
module words its own cases first and falls back to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import rules

if TYPE_CHECKING:
    from .properties import Subject

REASON_MAX_LENGTH = 199


class HandlerError(Exception):
    """A request that cannot succeed; its message becomes the FAILED Reason (under 200 characters, masked).

    ``physical_id``, when given, is the id the FAILED response carries instead of the default (crhelper keeps
    the event's id, or on Create answers an id that is not ours). ``out_of_time`` is set by :func:`.retry.call`
    when a transient error (throttling, 5xx, a lost connection) ended a call because the time left could not fit
    another attempt: the same call may succeed with more time.
    """

    def __init__(self, message: str, physical_id: str | None = None) -> None:
        super().__init__(short_reason(rules.mask_personal(message)))
        self.physical_id = physical_id
        self.out_of_time = False


class OutcomeUnknownError(HandlerError):
    """A call that failed in a way that does not tell whether Cognito applied it (5xx, timeout, lost connection)."""


def short_reason(message: str) -> str:
    """Cut a reason to REASON_MAX_LENGTH characters, keeping its beginning (which names the property)."""
    if len(message) <= REASON_MAX_LENGTH:
        return message
    return message[: REASON_MAX_LENGTH - 3] + "..."


def client_error_reason(operation: str, code: str, message: str, request: Subject) -> str:
    """The FAILED reason for a Cognito error that ends a request; begins with the property it concerns."""
    pool = request.user_pool_id
    if code == "UserNotFoundException":
        return f"Username {rules.show(request.username)} is not a user of pool {pool} ({operation}: {code})"
    if code == "ResourceNotFoundException":
        return f"UserPoolId {pool} is not a user pool in this account and Region ({operation}: {code})"
    if code == "InvalidParameterException":
        return f"MFAOptions rejected by Cognito for pool {pool} ({operation}: {code}: {message})"
    if code == "AccessDeniedException":
        return f"UserPoolId {pool}: {operation} denied ({code}); the handler role needs cognito-idp:{operation}"
    return f"UserPoolId {pool}: {operation} failed ({code}: {message})"
