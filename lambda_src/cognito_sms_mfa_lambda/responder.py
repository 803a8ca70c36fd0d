"""crhelper's ``CfnResource``, made to answer every request once, on its own ResponseURL, with a valid id.

crhelper answers FAILED with an empty PhysicalResourceId after a start-up failure (``init_failure``), from its
timeout timer and for an event it cannot read, and CloudFormation rejects an empty id instead of showing the
Reason. It also keeps the previous request's ResponseURL when the next event lacks a field it reads first, and
its timer thread reads whatever request is current when it fires. :class:`Responder` closes those gaps; the
decisions are the pure functions :func:`event_problem` and :func:`fallback_physical_id`.

It also turns crhelper's polling mode on per request instead of per handler: a request that goes on in a further
invocation says so with :meth:`Responder.continue_later`; only then does crhelper put its rule (and only then are
the lambda and events clients made). Each poll disables the rule while it works (:meth:`Responder.pause_polling`)
and puts its new state into the rule's input before enabling it again (docs/design.md, batches, time).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import boto3
from botocore.exceptions import ClientError
from crhelper import CfnResource
from crhelper.resource_helper import FAILED

from . import rules
from .clients import POLLING_CLIENT_CONFIG
from .resource import CONTINUATION_KEY, POLL_MARK

logger = logging.getLogger(__name__)

REQUEST_TYPES = ("Create", "Update", "Delete")
REQUIRED_EVENT_FIELDS = ("ResponseURL", "StackId", "RequestId", "LogicalResourceId")
# The id a FAILED Create answers when no id of ours applies: well-formed, never parsed as ours.
FAILED_CREATE_ID_PREFIX = "cognito-sms-mfa-failed-"
REQUEST_ID_KEPT = re.compile(r"[^A-Za-z0-9-]")
REQUEST_ID_MAX = 64


def event_problem(event: object) -> str | None:
    """Why ``event`` is not a CloudFormation custom-resource request crhelper can serve, or None."""
    if not isinstance(event, Mapping):
        return f"the event must be an object; received {type(event).__name__}"
    for name in REQUIRED_EVENT_FIELDS:
        if not isinstance(event.get(name), str) or not event[name]:
            return f"{name} is missing from the event"
    if event.get("RequestType") not in REQUEST_TYPES:
        return f"RequestType must be one of {', '.join(REQUEST_TYPES)}; received {rules.show(event.get('RequestType'))}"
    return None


def fallback_physical_id(event: object) -> str:
    """The id of a response whose request produced none: the event's own id, or on Create one that is not ours."""
    if not isinstance(event, Mapping):
        return FAILED_CREATE_ID_PREFIX + "unknown"
    own = event.get("PhysicalResourceId")
    if isinstance(own, str) and own:
        return own
    request_id = REQUEST_ID_KEPT.sub("", str(event.get("RequestId") or ""))[:REQUEST_ID_MAX]
    return FAILED_CREATE_ID_PREFIX + (request_id or "unknown")


@contextmanager
def _without_polling_clients() -> Iterator[None]:
    """Construct crhelper without the lambda/events/logs clients that only its polling mode uses.

    crhelper's constructor skips them when AWS_SAM_LOCAL is set. It saves three client creations at every cold
    start (see docs/benchmarks.md); a request that continues makes the two it needs then. The variable is restored
    at once.
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


def rule_name(event: Mapping[str, Any]) -> str:
    """The name of the rule crhelper put for a continuing request (its ARN is ``CrHelperRule`` in the event)."""
    return str(event.get("CrHelperRule", "")).rpartition("/")[2]


class Responder(CfnResource):
    """crhelper's resource helper that answers each request at most once, on its own URL, with a non-empty id."""

    def __init__(self, **kwargs: Any) -> None:
        self._answer_lock = threading.RLock()
        self._answered: object = None
        self._continuing = False
        with _without_polling_clients():
            super().__init__(**kwargs)
        self._sam_local = os.environ.get("AWS_SAM_LOCAL")

    def continue_later(self, state: dict[str, Any]) -> None:
        """This request goes on in a further invocation, which receives ``state``; nothing is answered now."""
        self._continuing = True
        self.Data[CONTINUATION_KEY] = state

    def pause_polling(self) -> bool:
        """Disable the rule that fired this poll, so that no other poll starts while this one works; False when the
        rule is gone: crhelper removes it when it answers, so this poll is a late duplicate of an answered one."""
        self._polling_clients()
        try:
            self._events_client.disable_rule(Name=rule_name(self._event))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return False
            raise
        return True

    def already_answered(self) -> None:
        """Another delivery of this invocation answers (or goes on): this one sends nothing."""
        with self._answer_lock:
            self._answered = self._event

    def _polling_clients(self) -> None:
        if getattr(self, "_events_client", None) is None:
            region = os.environ.get("AWS_REGION")  # what crhelper's constructor would have used
            self._lambda_client = boto3.client("lambda", region_name=region, config=POLLING_CLIENT_CONFIG)
            self._events_client = boto3.client("events", region_name=region, config=POLLING_CLIENT_CONFIG)

    def _poll_enabled(self) -> bool:
        return self._continuing or POLL_MARK in self._event

    def _polling_init(self, event: Any) -> None:
        self._polling_clients()
        if POLL_MARK in event and self._continuing and self.Status != FAILED:
            # The next poll resumes from the new state: crhelper's own target, with the event as it is now.
            cast("Any", self)._put_targets(cast("Any", self)._context.function_name)
            self._events_client.enable_rule(Name=rule_name(event))
        cast("Any", super())._polling_init(event)

    def __call__(self, event: Any, context: Any) -> None:
        with self._answer_lock:
            # From here on, a timer left by an earlier request sees another request and stays silent.
            self._event = event
            self._answered = None
            self._continuing = False
        problem = event_problem(event)
        if problem is None:
            super().__call__(event, context)
            return
        url = event.get("ResponseURL") if isinstance(event, Mapping) else None
        if not isinstance(url, str) or not url:
            logger.error("cannot answer a request: %s", problem)
            return
        self._response_url = url
        self.PhysicalResourceId = ""
        self.Data = {}
        self.StackId, self.RequestId, self.LogicalResourceId = (
            str(event.get(name) or "") for name in ("StackId", "RequestId", "LogicalResourceId")
        )
        logger.error("cannot serve a request: %s", problem)
        self._send(FAILED, problem)

    def _send(self, status: str | None = None, reason: str = "", **kwargs: Any) -> None:
        with self._answer_lock:
            if self._answered is self._event:
                logger.warning("request already answered; a second answer was not sent")
                return
            if not self.PhysicalResourceId:
                self.PhysicalResourceId = fallback_physical_id(self._event)
            self.Reason = rules.mask_personal(str(self.Reason))
            # crhelper's type stubs leave out its private members, hence the casts here and below.
            cast("Any", super())._send(status, rules.mask_personal(reason), **kwargs)
            self._answered = self._event

    def _set_timeout(self) -> None:
        remaining_s = cast("Any", self)._context.get_remaining_time_in_millis() / 1000.0
        self._timer = threading.Timer(remaining_s - 0.5, self._time_out, args=(self._event,))
        self._timer.daemon = True
        self._timer.start()

    def _time_out(self, event: object) -> None:
        with self._answer_lock:
            if self._event is not event:
                return
            logger.error("Execution is about to time out, sending failure message")
            self._send(FAILED, "Execution timed out")
