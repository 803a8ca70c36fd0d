"""Hand-over on Delete: does another live resource of the stack now hold this request's physical id?

A physical id names what a resource manages (for every type, a pool and a user), so two logical resources can
hold the same id: after a construct is renamed or a list of them reordered, CloudFormation creates the new logical
resource first and then, in its cleanup phase, deletes the old one with the same id. That Delete must leave the
target alone. :func:`another_resource_holds` asks CloudFormation about the request's own stack
(``ListStackResources``, paginated, within the request's time budget); :func:`held_elsewhere` is the decision.
The rules are in ``docs/design.md`` (hand-over on Delete).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from . import retry

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .resource import Request

logger = logging.getLogger(__name__)

# Ask only while this much of the Lambda's time remains (what the Cognito call and the response still need),
# and for at most LOOKUP_BUDGET_S seconds of the request; a stack of 500 resources is 5 pages.
LOOKUP_RESERVE_S = 30.0
LOOKUP_BUDGET_S = 30.0
DELETE_STATUS_PREFIX = "DELETE_"
# The stack statuses in which CloudFormation replays old properties (a rollback Update, a rollback Delete of what a
# failed Create made) or deletes what a rolled-back update created (docs/design.md, failure paths).
ROLLBACK_STATUSES = frozenset(
    {"ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"}
)


def held_elsewhere(summaries: Iterable[Mapping[str, Any]], logical_id: str, physical_id: str) -> bool:
    """Whether a resource other than ``logical_id`` that is not being (or has not been) deleted holds ``physical_id``.

    ``summaries`` are ``StackResourceSummaries`` items of ``ListStackResources``.
    """
    return any(
        item.get("PhysicalResourceId") == physical_id
        and item.get("LogicalResourceId") != logical_id
        and not str(item.get("ResourceStatus", "")).startswith(DELETE_STATUS_PREFIX)
        for item in summaries
    )


def may_ask(elapsed_s: float, remaining_s: float) -> bool:
    """Whether one more ``ListStackResources`` page may be asked for after ``elapsed_s`` seconds of the request."""
    return elapsed_s < LOOKUP_BUDGET_S and remaining_s > LOOKUP_RESERVE_S


def another_resource_holds(request: Request) -> bool | None:
    """True when another resource of the request's stack, not in a DELETE status, has the request's physical id;
    False when none does; None when CloudFormation could not tell within the budget (errors, timeouts).

    Parameters
    ----------
    request
        A Delete (or any request with ``StackId``, ``LogicalResourceId`` and ``PhysicalResourceId``).

    Examples
    --------
    >>> if another_resource_holds(request):  # doctest: +SKIP
    ...     print("another resource manages this user now")
    """
    logical_id = request.event.get("LogicalResourceId")
    physical_id = request.physical_id
    if not isinstance(logical_id, str) or not physical_id:
        return None
    found = False

    def holds(page: list[Mapping[str, Any]]) -> bool:
        nonlocal found
        found = held_elsewhere(page, logical_id, physical_id)
        return found

    return found if stack_resources(request, holds) is not None else None


def find_in_stack(
    request: Request, matches: Callable[[Mapping[str, Any]], bool]
) -> Mapping[str, Any] | Literal[False] | None:
    """The first ``StackResourceSummaries`` item of the request's stack that ``matches``; False when no item does;
    None when CloudFormation could not tell within the budget (errors, timeouts, no ``StackId``)."""
    found: Mapping[str, Any] | None = None

    def stop(page: list[Mapping[str, Any]]) -> bool:
        nonlocal found
        found = next((item for item in page if matches(item)), None)
        return found is not None

    if stack_resources(request, stop) is None:
        return None
    return found if found is not None else False


def stack_resources(
    request: Request, stop: Callable[[list[Mapping[str, Any]]], bool] | None = None
) -> list[Mapping[str, Any]] | None:
    """The ``StackResourceSummaries`` of the request's stack, page by page until ``stop`` says a page suffices;
    None when CloudFormation could not tell within the budget (errors, timeouts) or the event names no stack."""
    stack_id = request.event.get("StackId")
    if not isinstance(stack_id, str):
        return None
    deadline = request.deadline
    kwargs: dict[str, str] = {"StackName": stack_id}
    summaries: list[Mapping[str, Any]] = []
    attempt = 0
    try:
        client = request.clients.client("cloudformation")
        while may_ask(deadline.clock() - deadline.started, deadline.remaining_s()):
            try:
                page = client.list_stack_resources(**kwargs)
            except ClientError as error:  # CloudFormation throttles too when many Deletes ask at once
                attempt += 1
                transient = retry.is_transient(retry.error_code(error), retry.http_status(error))
                if transient and retry.pause_for_retry(attempt, deadline):
                    continue
                raise
            attempt = 0
            items = list(page.get("StackResourceSummaries", []))
            summaries.extend(items)
            token = page.get("NextToken")
            if (stop is not None and stop(items)) or not token:
                return summaries
            kwargs["NextToken"] = token
    except ClientError as error:
        logger.warning("ListStackResources failed: %s", error.response.get("Error", {}).get("Code", "Unknown"))
        return None
    except BotoCoreError as error:
        logger.warning("ListStackResources failed: %s", type(error).__name__)
        return None
    logger.warning("ListStackResources did not answer within the time budget")
    return None


def is_rollback(status: str | None) -> bool:
    """Whether a stack in ``status`` (``DescribeStacks`` ``StackStatus``; None: unknown) is being rolled back."""
    return status in ROLLBACK_STATUSES


def stack_status(request: Request) -> str | None:
    """The ``StackStatus`` of the request's own stack (``DescribeStacks``, transient errors retried within the
    request's deadline), or None when CloudFormation could not tell or the event names no stack.

    A request carries no rollback flag: ask this only where a decision depends on it (a rollback must succeed on
    what was already true), so the happy path makes no extra call.
    """
    stack_id = request.event.get("StackId")
    if not isinstance(stack_id, str):
        return None
    attempt = 0
    try:
        client = request.clients.client("cloudformation")
        while True:
            try:
                stacks = client.describe_stacks(StackName=stack_id).get("Stacks", [])
            except ClientError as error:
                attempt += 1
                transient = retry.is_transient(retry.error_code(error), retry.http_status(error))
                if transient and retry.pause_for_retry(attempt, request.deadline):
                    continue
                raise
            status = stacks[0].get("StackStatus") if stacks else None
            return status if isinstance(status, str) else None
    except ClientError as error:
        logger.warning("DescribeStacks failed: %s", error.response.get("Error", {}).get("Code", "Unknown"))
    except BotoCoreError as error:
        logger.warning("DescribeStacks failed: %s", type(error).__name__)
    return None


def kept_by_delete(request: Request) -> str | None:
    """Why a Delete must leave its target alone, as the log detail, or None when it may go ahead.

    ``handed-over``: another live resource of the stack holds the id. ``kept-unverified``: CloudFormation could
    not tell, so the target is kept (MFA stays on) rather than risk switching it off.
    """
    holder = another_resource_holds(request)
    if holder is None:
        return "kept-unverified"
    return "handed-over" if holder else None
