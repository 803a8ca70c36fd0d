"""Lambda entry point of the cdk-cognito-sms-mfa custom resources: crhelper wiring and dispatch only.

The design (request types, physical ids, failure paths) is in ``docs/design.md``. Each resource type lives in
its own module (:mod:`.settings` for ``Custom::CognitoUserSmsMfaSettings``, :mod:`.preference` for
``Custom::CognitoUserMfaPreference``, :mod:`.test_user` for ``Custom::CognitoTestUser``) and is picked from
:data:`RESOURCE_TYPES` by the event's ``ResourceType``. Module start-up builds crhelper (as
:class:`.responder.Responder`, which answers every request once, on its own URL, with a valid id) and the Cognito
client of the Lambda's Region; anything that fails there is reported through crhelper's ``init_failure`` so
CloudFormation gets FAILED instead of waiting. Other clients are made when a request first needs them
(:mod:`.clients`).
"""

from __future__ import annotations

import importlib
import logging
import os
import time
from typing import TYPE_CHECKING, Any

from . import own_stack
from .clients import Clients
from .errors import HandlerError
from .properties import NO_PHYSICAL_ID
from .resource import (
    CONTINUATION_KEY,
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    SINGLE_REQUEST_BUDGET_S,
    TEST_USER_RESOURCE_TYPE,
    Request,
)
from .responder import Responder
from .retry import Deadline

if TYPE_CHECKING:
    from collections.abc import Callable

    from .resource import ResourceType

logger = logging.getLogger(__name__)

# Each type's module is imported when a request of that type first arrives: the asset's modules are compiled at
# every cold start (Lambda's file system is read-only), so a cold start pays only for the type it serves. Importing
# all three at start-up cost 21-30 ms more, 6-10% of a bare boto3 client (docs/benchmarks.md, cold init, `eager`).
# tests/handler/functional/test_resource_types.py resolves every entry, so a misspelt module fails the tests.
RESOURCE_TYPES: dict[str, str] = {
    SETTINGS_RESOURCE_TYPE: "settings",
    PREFERENCE_RESOURCE_TYPE: "preference",
    TEST_USER_RESOURCE_TYPE: "test_user",
    SETTINGS_BATCH_RESOURCE_TYPE: "settings_batch",
}
# The types that may use the function's whole timeout; every other request works within SINGLE_REQUEST_BUDGET_S.
WHOLE_TIMEOUT_TYPES = frozenset({SETTINGS_BATCH_RESOURCE_TYPE})


helper = Responder(json_logging=False, log_level="INFO", boto_level="ERROR", sleep_on_delete=0, polling_interval=1)

clients = Clients(os.environ.get("AWS_REGION"))
try:
    clients.cognito()
except Exception as error:  # any start-up failure must reach CloudFormation as FAILED
    helper.init_failure(error)


def resource_type(event: dict[str, Any]) -> ResourceType:
    """The resource type that serves ``event`` (its module imported on first use); HandlerError for another."""
    name = event.get("ResourceType")
    module = RESOURCE_TYPES.get(name) if isinstance(name, str) else None
    if module is None:
        served = ", ".join(sorted(RESOURCE_TYPES))
        raise HandlerError(f"ResourceType {name!r} is not served by this handler; it serves {served}")
    found: ResourceType = importlib.import_module(f".{module}", __package__).RESOURCE
    return found


def _remaining(event: dict[str, Any], context: Any, started: float) -> Callable[[], float]:
    """The request's time left: the invocation's, and for a single-user type at most its own budget."""
    if event.get("ResourceType") in WHOLE_TIMEOUT_TYPES:
        return lambda: float(context.get_remaining_time_in_millis()) / 1000.0
    return lambda: min(
        context.get_remaining_time_in_millis() / 1000.0, SINGLE_REQUEST_BUDGET_S - (time.monotonic() - started)
    )


def _answer_failure_with(physical_id: str) -> None:
    """A Create's FAILED answer, whoever sends it (the request, crhelper's timer), carries ``physical_id``."""
    helper.PhysicalResourceId = physical_id


def _keep_id(_: str) -> None:
    """An Update or Delete answers the event's id."""


def _run(event: dict[str, Any], context: Any) -> str | None:
    """Run one request and log one line about it; the line never holds the URL, usernames or phone numbers.

    Any error becomes a masked :class:`.errors.HandlerError` (crhelper logs its text and answers it as the Reason);
    one that names a physical id makes a failed Create answer that id, so its rollback Delete undoes the request.
    """
    clients.counter.reset()
    started = time.monotonic()
    request = Request(
        event,
        clients,
        Deadline(started, _remaining(event, context, started)),
        answers_failure_with=_answer_failure_with if event.get("RequestType") == "Create" else _keep_id,
        pause_polling=helper.pause_polling,
    )
    outcome, detail, subject = "FAILED", "error", "-"
    try:
        resource = resource_type(event)
        subject = resource.log_subject(request)
        own = os.environ.get(own_stack.STACK_ID_ENV)
        if own is not None and own_stack.is_foreign(event.get("StackId"), own):
            if request.request_type == "Delete":  # its Create was refused, so there is nothing to undo
                outcome, detail = "SUCCESS", "foreign-stack"
                return request.physical_id or NO_PHYSICAL_ID
            raise HandlerError(own_stack.refusal(event.get("StackId"), own))
        if request.request_type == "Update" and not resource.made(request.physical_id):
            raise HandlerError(own_stack.unproven_id_reason(str(event.get("ResourceType"))))
        result = resource.delete(request) if request.request_type == "Delete" else resource.apply(request)
        helper.Data.pop(CONTINUATION_KEY, None)
        if result.duplicate:  # another delivery ran this invocation: it answers, or the rule goes on
            helper.already_answered()
            outcome, detail = "DUPLICATE", result.detail
            return None
        if result.continuation is not None:
            helper.continue_later(result.continuation)
            outcome, detail = "CONTINUES", result.detail
            return None
        helper.Data.update(result.data)
        outcome, detail = "SUCCESS", result.detail
        return result.physical_id
    except HandlerError as error:
        if error.physical_id is not None and request.request_type == "Create":
            helper.PhysicalResourceId = error.physical_id
            detail = "error-own-id"
        raise
    except Exception as error:  # unexpected: its text may hold a username, so it leaves masked
        raise HandlerError(f"{type(error).__name__}: {error}") from None
    finally:
        if outcome == "FAILED":
            helper.Data.pop(CONTINUATION_KEY, None)  # not part of an answer
        logger.info(
            "request=%s logical_id=%s pool=%s outcome=%s detail=%s cognito_calls=%d attempts=%d duration_ms=%.0f",
            event.get("RequestType"),
            event.get("LogicalResourceId"),
            subject,
            outcome,
            detail,
            clients.counter.calls,
            clients.counter.attempts,
            (time.monotonic() - started) * 1000,
        )


helper.create(_run)
helper.update(_run)
helper.delete(_run)
# A request that goes on in further invocations (Responder.continue_later) is served by the same function: the
# request's own state says where it stands.
helper.poll_create(_run)
helper.poll_update(_run)
helper.poll_delete(_run)


def handler(event: dict[str, Any], context: Any) -> None:
    """The Lambda handler: crhelper answers CloudFormation for every request, success or failure."""
    helper(event, context)
