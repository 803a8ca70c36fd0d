"""What a request that goes on over several invocations needs offline: EventBridge rules and Lambda permissions.

crhelper's polling mode (``docs/design.md``, batches, time) puts an EventBridge rule whose target is the function
with the event as its input, lets the rule invoke the function (``lambda:AddPermission``), and removes both when
the request is answered. Offline, the rules are moto's own events backend; the two Lambda permission calls are
answered by :class:`LambdaPermissions`, which keeps each function's statements (moto's Lambda backend would want
the function itself first). Nobody fires a rule on a schedule: whoever plays EventBridge (the rehearsal, a test)
asks :func:`due_polls` which enabled rules target a function and invokes it with each input, at once.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

EVENTS_SERVICE = "events"
LAMBDA_SERVICE = "lambda"
_POLICY_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/policy(?:/(?P<sid>[^/]+))?/?$")


def reset_moto_events() -> None:
    """Forget every rule and target of moto's events backend, in every account and Region of this process."""
    from moto.events.models import events_backends

    for account_backends in list(events_backends.values()):
        account_backends.reset()


def _error(status: int, code: str, message: str) -> Response:
    response = Response(json.dumps({"Type": "User", "message": message}), status, content_type="application/json")
    response.headers["x-amzn-ErrorType"] = code
    return response


class LambdaPermissions:
    """The WSGI application that answers ``AddPermission``, ``RemovePermission`` and ``GetPolicy`` of any function
    name, keeping the statements in memory (one store per emulator)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._statements: dict[str, dict[str, dict[str, Any]]] = {}

    def statements(self, function_name: str) -> list[dict[str, Any]]:
        """The statements of ``function_name``'s resource policy, in the order they were added."""
        with self._lock:
            return list(self._statements.get(function_name, {}).values())

    def reset(self) -> None:
        with self._lock:
            self._statements.clear()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        found = _POLICY_PATH.match(request.path)
        if found is None:
            response = _error(
                501, "NotImplementedException", f"the local emulator answers Lambda's policy calls only; {request.path}"
            )
            return response(environ, start_response)
        name, sid = found["name"].rpartition(":")[2], found["sid"]
        response = self._serve(request.method, name, sid, request.get_data(as_text=True))
        return response(environ, start_response)

    def _serve(self, method: str, name: str, sid: str | None, body: str) -> Response:
        with self._lock:
            policy = self._statements.setdefault(name, {})
            if method == "POST" and sid is None:
                given = json.loads(body or "{}")
                new_sid = str(given.get("StatementId", ""))
                if new_sid in policy:
                    return _error(
                        409, "ResourceConflictException", f"The statement id ({new_sid}) provided already exists"
                    )
                statement = {
                    "Sid": new_sid,
                    "Effect": "Allow",
                    "Principal": {"Service": given.get("Principal")},
                    "Action": given.get("Action"),
                    "Resource": name,
                    "Condition": {"ArnLike": {"AWS:SourceArn": given.get("SourceArn")}},
                }
                policy[new_sid] = statement
                return Response(json.dumps({"Statement": json.dumps(statement)}), 201, content_type="application/json")
            if method == "DELETE" and sid is not None:
                if policy.pop(sid, None) is None:
                    return _error(404, "ResourceNotFoundException", f"Statement {sid} is not found in resource policy.")
                return Response(b"", 204)
            if method == "GET" and sid is None:
                document = {"Version": "2012-10-17", "Statement": list(policy.values())}
                return Response(json.dumps({"Policy": json.dumps(document)}), 200, content_type="application/json")
        return _error(405, "InvalidRequestException", f"{method} is not served on a function's policy")


@dataclass(frozen=True)
class DuePoll:
    """An enabled rule whose target is the function, and the input EventBridge would invoke it with."""

    rule: str
    event: dict[str, Any]


def due_polls(events: Any, function_name: str) -> list[DuePoll]:
    """The polls EventBridge would fire now: every enabled rule with a target on ``function_name`` (``events``: a
    boto3 events client of the emulator)."""
    due: list[DuePoll] = []
    for page in events.get_paginator("list_rules").paginate():
        for rule in page.get("Rules", []):
            if rule.get("State") != "ENABLED":
                continue
            for target in events.list_targets_by_rule(Rule=rule["Name"]).get("Targets", []):
                if target["Arn"].rpartition(":")[2] == function_name and "Input" in target:
                    due.append(DuePoll(rule["Name"], json.loads(target["Input"])))
    return due
