"""The WSGI layer in front of moto: it records each cognito-idp action, answers injected faults, serves control.

Every request whose ``X-Amz-Target`` names a cognito-idp action is recorded; if a fault is pending for that
action, the request is answered with the fault and never reaches moto; a call over its category's configured
rate (:mod:`.rate_limits`) answers ``TooManyRequestsException`` and never reaches moto either. Requests under
``/_emulator/`` are the control endpoints (faults, calls, rate limits, SMS outbox, reset) that
:class:`~cognito_sms_mfa_emulator.emulator.CognitoEmulator` also offers as methods; moto server's
``POST /moto-api/reset`` resets too.
A request for no cognito-idp action answers ``UnknownOperationException``, and an action
moto does not implement answers 501 ``NotImplementedException`` (instead of moto's HTML error page).
A form-encoded POST with ``Action`` ``ListStackResources``, ``GetTemplate`` or ``DescribeStacks`` is
CloudFormation's question about a stack; it is answered from the
:class:`~cognito_sms_mfa_emulator.stacks.StackRecord` before anything reaches moto. Faults can be injected for
these three actions too (answered in CloudFormation's XML); their calls are not recorded.
Requests whose target names a Secrets Manager action go to moto's secretsmanager application (the handler reads
test users' passwords there); requests signed for S3 (the credential scope of their ``Authorization`` header
names ``s3``) go to moto's S3 application (the handler reads batch lists there). Neither is recorded nor takes
faults.
"""

from __future__ import annotations

import difflib
import functools
import io
import json
import logging
import threading
import urllib.parse
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, NotRequired, TypedDict

from werkzeug.wrappers import Request, Response

from cognito_sms_mfa_emulator.continuations import reset_moto_events
from cognito_sms_mfa_emulator.rate_limits import RateLimiter, check_limits
from cognito_sms_mfa_emulator.stacks import (
    StackRecord,
    StackResource,
    describe_stacks_xml,
    error_xml,
    get_template_xml,
    list_stack_resources_xml,
    validation_error_xml,
)

__all__ = [
    "FAULT_STATUS",
    "Control",
    "Gateway",
    "PendingFault",
    "WsgiApp",
    "check_action",
    "reset_moto_cognito",
    "reset_moto_s3",
    "reset_moto_secrets",
    "signed_service",
]

logger = logging.getLogger(__name__)

FAULT_STATUS: dict[str, int] = {
    "AccessDeniedException": 400,
    "InternalErrorException": 500,
    "TooManyRequestsException": 400,
}
"""The error codes :meth:`CognitoEmulator.inject` accepts, with the HTTP status the service answers them with."""

THROTTLED = "TooManyRequestsException"
RATE_EXCEEDED = "Rate exceeded"
FAULT_MESSAGES = {
    "AccessDeniedException": "User is not authorized to perform: cognito-idp:{action}",
    "InternalErrorException": "Internal server error",
    THROTTLED: RATE_EXCEEDED,
}
TARGET_PREFIX = "AWSCognitoIdentityProviderService."
SECRETS_TARGET_PREFIX = "secretsmanager."
CONTROL_PREFIX = "/_emulator/"
MOTO_RESET_PATH = "/moto-api/reset"
"""moto server's route that resets every backend: here it does what ``POST /_emulator/reset`` does."""
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
LIST_STACK_RESOURCES = "ListStackResources"
GET_TEMPLATE = "GetTemplate"
DESCRIBE_STACKS = "DescribeStacks"
CLOUDFORMATION_ACTIONS = frozenset({LIST_STACK_RESOURCES, GET_TEMPLATE, DESCRIBE_STACKS})
"""The CloudFormation actions the emulator serves (all of them read-only)."""
GET_SECRET_VALUE = "GetSecretValue"
GET_OBJECT = "GetObject"
READ_ACTIONS = frozenset({GET_SECRET_VALUE, GET_OBJECT})
"""The reads of Secrets Manager and S3 a fault can be injected into (the secret of a test user, a batch's list)."""
# An injected fault in the words of Secrets Manager (JSON) and S3 (XML): the error code and HTTP status.
SECRETS_FAULTS = {
    "AccessDeniedException": ("AccessDeniedException", 400),
    "InternalErrorException": ("InternalServiceError", 500),
    THROTTLED: ("ThrottlingException", 400),
}
S3_FAULTS = {
    "AccessDeniedException": ("AccessDenied", 403),
    "InternalErrorException": ("InternalError", 500),
    THROTTLED: ("SlowDown", 503),
}
# An injected fault in CloudFormation's words: its error code and HTTP status.
CLOUDFORMATION_FAULTS = {
    "AccessDeniedException": ("AccessDenied", 403),
    "InternalErrorException": ("InternalFailure", 500),
    THROTTLED: ("Throttling", 400),
}
SERVICE: Final = "cognito-idp"
SECRETS_SERVICE: Final = "secretsmanager"
S3_SERVICE: Final = "s3"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PendingFault(TypedDict):
    """A fault waiting for its action: the next ``count`` calls of ``action`` answer ``error``.

    ``applied`` (present only when true): the calls reach moto first, so their effect happens, and the answer
    is lost (as after a 5xx or a timeout that follows the change).
    """

    action: str
    error: str
    count: int
    applied: NotRequired[bool]


@functools.cache
def known_actions() -> frozenset[str]:
    """The operation names of cognito-idp in botocore's service model."""
    import botocore.session

    return frozenset(botocore.session.get_session().get_service_model(SERVICE).operation_names)


def check_action(action: object) -> str:
    """Return ``action`` if it names a cognito-idp operation (or a CloudFormation action the emulator serves);
    raise ValueError otherwise."""
    if isinstance(action, str) and (
        action in known_actions() or action in CLOUDFORMATION_ACTIONS or action in READ_ACTIONS
    ):
        return action
    hint = ""
    if isinstance(action, str):
        close = difflib.get_close_matches(action, sorted(known_actions()), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ValueError(
        f"unknown action {action!r}{hint}; expected a cognito-idp operation name from botocore's model, "
        "such as 'AdminGetUser' or 'AdminSetUserSettings'"
    )


@dataclass
class _Fault:
    error: str
    remaining: int
    applied: bool = False


class Control:
    """The emulator's own state: pending faults, the actions received (one lock) and the rate limits."""

    def __init__(self) -> None:
        self.rate_limiter = RateLimiter()
        self._lock = threading.Lock()
        self._faults: dict[str, deque[_Fault]] = {}
        self._calls: list[str] = []

    def inject(self, action: object, error: object, count: object, applied: object = False) -> None:
        """Queue a fault; the arguments may come from JSON, so their types are checked too (ValueError)."""
        action = check_action(action)
        if not isinstance(error, str) or error not in FAULT_STATUS:
            raise ValueError(f"unknown error code {error!r}; expected one of: {', '.join(sorted(FAULT_STATUS))}")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"count must be an integer of at least 1; received {count!r}")
        if not isinstance(applied, bool):
            raise ValueError(f"applied must be true or false; received {applied!r}")
        with self._lock:
            self._faults.setdefault(action, deque()).append(_Fault(error, count, applied))

    def faults(self) -> list[PendingFault]:
        """The faults not yet answered."""
        with self._lock:
            pending = []
            for action, queue in self._faults.items():
                for fault in queue:
                    item = PendingFault(action=action, error=fault.error, count=fault.remaining)
                    if fault.applied:
                        item["applied"] = True
                    pending.append(item)
            return pending

    def receive(self, action: str, *, record: bool = True) -> _Fault | None:
        """Record one call of ``action`` (unless ``record`` is false) and return the fault it must answer, if one
        is pending."""
        with self._lock:
            if record:
                self._calls.append(action)
            queue = self._faults.get(action)
            if not queue:
                return None
            fault = queue[0]
            fault.remaining -= 1
            if fault.remaining == 0:
                queue.popleft()
            return fault

    def calls(self, action: str | None) -> list[str]:
        """The actions received, oldest first; only ``action``'s when given."""
        with self._lock:
            return [call for call in self._calls if action is None or call == action]

    def clear_calls(self) -> None:
        """Forget the actions received."""
        with self._lock:
            self._calls.clear()

    def reset(self) -> None:
        """Forget the pending faults and the actions received, and turn rate limiting off."""
        self.rate_limiter.configure({})
        with self._lock:
            self._faults.clear()
            self._calls.clear()


def reset_moto_cognito() -> None:
    """Forget every user pool of the emulator's copy of moto's cognito-idp, in every account and Region of this
    process, and the SMS outbox and sign-in sessions (``moto.mock_aws``'s own pools are not touched)."""
    from cognito_sms_mfa_emulator.mfa_sign_in import SIGN_IN
    from cognito_sms_mfa_emulator.own_moto import own_cognitoidp

    for account_backends in list(own_cognitoidp().backends.values()):
        account_backends.reset()
    SIGN_IN.reset()


def reset_moto_secrets() -> None:
    """Forget every secret of moto's secretsmanager, in every account and Region of this process."""
    from moto.secretsmanager.models import secretsmanager_backends

    for account_backends in list(secretsmanager_backends.values()):
        account_backends.reset()


def reset_moto_s3() -> None:
    """Forget every bucket of moto's S3, in every account of this process."""
    from moto.s3.models import s3_backends

    for account_backends in list(s3_backends.values()):
        account_backends.reset()


def reset_all(control: Control, stacks: StackRecord, others: Iterable[object]) -> None:
    """Forget everything the emulator holds: moto's pools, secrets, buckets and rules, the faults and calls of
    ``control``, the stacks recorded, and the state of each of ``others`` that has a ``reset()``."""
    reset_moto_cognito()
    reset_moto_secrets()
    reset_moto_s3()
    reset_moto_events()
    control.reset()
    stacks.reset()
    for other in others:
        reset = getattr(other, "reset", None)
        if callable(reset):
            reset()


def signed_service(environ: dict[str, Any]) -> str | None:
    """The service a SigV4 request is signed for (``Credential=<key>/<date>/<region>/<service>/aws4_request``)."""
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    _, found, rest = authorization.partition("Credential=")
    parts = rest.split(",", 1)[0].split("/")
    return parts[3] if found and len(parts) >= 5 else None


def _json(status: int, body: object, content_type: str = "application/json") -> Response:
    return Response(json.dumps(body), status=status, content_type=content_type)


def _query_form(environ: dict[str, Any]) -> dict[str, str] | None:
    """The form of a query-protocol request (a form-encoded POST with an ``Action``), or None for any other.

    The body is read once and put back, so whatever answers the request next can still read (drain) it.
    """
    if not environ.get("CONTENT_TYPE", "").startswith(FORM_CONTENT_TYPE):
        return None
    data = Request(environ).get_data()
    environ["wsgi.input"] = io.BytesIO(data)
    environ["CONTENT_LENGTH"] = str(len(data))
    form = {key: values[0] for key, values in urllib.parse.parse_qs(data.decode(errors="replace")).items()}
    return form if "Action" in form else None


def _xml(status: int, body: str) -> Response:
    return Response(body, status=status, content_type="text/xml")


class Gateway:
    """The WSGI application in front of moto: control endpoints, call records, injected faults."""

    def __init__(
        self,
        control: Control,
        backend: WsgiApp,
        stacks: StackRecord,
        secrets: WsgiApp | None = None,
        s3: WsgiApp | None = None,
        by_signature: Mapping[str, WsgiApp] | None = None,
    ) -> None:
        self._control = control
        self._backend = backend
        self._stacks = stacks
        self._secrets = secrets
        self._s3 = s3
        self._by_signature = dict(by_signature or {})  # other services, by the name their requests are signed for

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._serve_control(Request(environ))(environ, start_response)
        if path == MOTO_RESET_PATH and environ.get("REQUEST_METHOD") == "POST":
            # moto server's reset route, which moto's own server-mode tests call between tests
            Request(environ).get_data()
            self._reset()
            return _json(200, {"status": "ok"})(environ, start_response)
        if self._s3 is not None and signed_service(environ) == S3_SERVICE:
            is_get_object = environ.get("REQUEST_METHOD") == "GET" and path.strip("/").count("/") >= 1
            fault = self._control.receive(GET_OBJECT, record=False) if is_get_object else None
            if fault is not None:
                code, status = S3_FAULTS[fault.error]
                message = f"{code} (fault injected by the local emulator)"
                return _xml(status, f"<Error><Code>{code}</Code><Message>{message}</Message></Error>")(
                    environ, start_response
                )
            return self._s3(environ, start_response)
        other = self._by_signature.get(signed_service(environ) or "")
        if other is not None:
            return other(environ, start_response)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if self._secrets is not None and target.startswith(SECRETS_TARGET_PREFIX):
            secrets_action = target.removeprefix(SECRETS_TARGET_PREFIX)
            fault = self._control.receive(secrets_action, record=False) if secrets_action in READ_ACTIONS else None
            if fault is not None:
                code, status = SECRETS_FAULTS[fault.error]
                message = f"{code} (fault injected by the local emulator)"
                return self._answer(environ, start_response, status, code, message)
            return self._secrets(environ, start_response)
        action = target.removeprefix(TARGET_PREFIX) if target.startswith(TARGET_PREFIX) else None
        if action is not None:
            fault = self._control.receive(action)
            logger.debug("%s%s", action, f" -> injected {fault.error}" if fault else "")
            if fault is not None:
                if fault.applied:
                    self._apply_and_drop_answer(environ)
                message = (
                    FAULT_MESSAGES[fault.error].format(action=action)
                    + " (fault injected by the local Cognito emulator)"
                )
                return self._answer(
                    environ, start_response, FAULT_STATUS[fault.error], fault.error, message, drain=not fault.applied
                )
            if not self._control.rate_limiter.admit(action):
                return self._answer(environ, start_response, FAULT_STATUS[THROTTLED], THROTTLED, RATE_EXCEEDED)
        elif path == "/" and (form := _query_form(environ)) is not None:
            return self._serve_cloudformation(form)(environ, start_response)
        elif path == "/":
            message = (
                f"the local Cognito emulator serves cognito-idp and secretsmanager only; X-Amz-Target was {target!r}"
            )
            return self._answer(environ, start_response, 400, "UnknownOperationException", message)
        try:
            return self._backend(environ, start_response)
        except NotImplementedError:
            # moto raises before answering; 501 is not retried by botocore, so the gap shows at once.
            message = f"the local Cognito emulator (moto) does not implement {action}"
            return self._answer(environ, start_response, 501, "NotImplementedException", message, drain=False)

    def _reset(self) -> None:
        """Forget pools, secrets, buckets, faults, calls, the SMS outbox and the recorded stacks, and the state of
        every other service served (a continuation's rules and permissions)."""
        reset_all(self._control, self._stacks, self._by_signature.values())

    def _apply_and_drop_answer(self, environ: dict[str, Any]) -> None:
        """Let moto serve the request (its effect happens) and throw its answer away."""
        for _ in self._backend(environ, lambda *_args, **_kwargs: None):
            pass

    @staticmethod
    def _answer(
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        status: int,
        error: str,
        message: str,
        *,
        drain: bool = True,
    ) -> Iterable[bytes]:
        """Answer an AWS JSON error. ``drain`` reads the request body first (when moto has not), because a
        socket closed with unread input is reset, and the client could lose the answer."""
        if drain:
            Request(environ).get_data()
        response = _json(status, {"__type": error, "message": message}, JSON_CONTENT_TYPE)
        response.headers["x-amzn-ErrorType"] = error
        response.headers["x-amzn-RequestId"] = str(uuid.uuid4())
        return response(environ, start_response)

    def _rate_limits(self) -> Response:
        limiter = self._control.rate_limiter
        return _json(200, {"limits": limiter.limits(), "throttled": limiter.throttled()})

    def _serve_cloudformation(self, form: dict[str, str]) -> Response:
        """Answer CloudFormation's read actions from the stack record (query protocol, XML)."""
        request_id = str(uuid.uuid4())
        action = form["Action"]
        if action not in CLOUDFORMATION_ACTIONS:
            served = ", ".join(sorted(CLOUDFORMATION_ACTIONS))
            message = f"the local emulator serves CloudFormation's {served} only; Action was {action!r}"
            return _xml(400, validation_error_xml(message, request_id))
        fault = self._control.receive(action, record=False)
        if fault is not None:
            code, status = CLOUDFORMATION_FAULTS[fault.error]
            message = f"User is not authorized to perform: cloudformation:{action}" if status == 403 else code
            return _xml(status, error_xml(code, message + " (fault injected by the local emulator)", request_id))
        name = form.get("StackName", "")
        stack_id = self._stacks.stack_id(name)
        if stack_id is None:
            return _xml(400, validation_error_xml(f"Stack with id {name} does not exist", request_id))
        if action == DESCRIBE_STACKS:
            return _xml(
                200,
                describe_stacks_xml(
                    stack_id,
                    self._stacks.parameters(stack_id),
                    self._stacks.created_at(stack_id),
                    request_id,
                    self._stacks.status(stack_id),
                ),
            )
        if action == GET_TEMPLATE:
            template = self._stacks.template(stack_id)
            if template is None:
                message = f"the local emulator holds no template for stack {name} (record it with record_stack)"
                return _xml(400, validation_error_xml(message, request_id))
            return _xml(200, get_template_xml(template, request_id))
        return _xml(
            200, list_stack_resources_xml(self._stacks.resources(stack_id) or [], form.get("NextToken"), request_id)
        )

    def _serve_control(self, request: Request) -> Response:
        route = (request.method, request.path.removeprefix(CONTROL_PREFIX).rstrip("/"))
        if route == ("POST", "reset"):
            self._reset()
            return _json(200, {})
        if route == ("POST", "stack-resources"):
            body = request.get_json(force=True, silent=True)
            fields = dict(body) if isinstance(body, dict) else {}
            stack_id = fields.pop("stack_id", None)
            try:
                if not isinstance(stack_id, str) or not stack_id:
                    raise ValueError(f"stack_id must be a non-empty string; received {stack_id!r}")
                resource = StackResource.from_json(fields)
            except ValueError as error:
                return _json(400, {"message": str(error)})
            self._stacks.record(stack_id, resource)
            return _json(200, {})
        if route == ("POST", "stacks"):
            body = request.get_json(force=True, silent=True)
            fields = dict(body) if isinstance(body, dict) else {}
            stack_id, template, parameters = (
                fields.get("stack_id"),
                fields.get("template"),
                fields.get("parameters", {}),
            )
            if not isinstance(stack_id, str) or not stack_id:
                return _json(400, {"message": f"stack_id must be a non-empty string; received {stack_id!r}"})
            if not isinstance(template, dict):
                return _json(400, {"message": f"template must be a JSON object; received {template!r}"[:200]})
            if not isinstance(parameters, dict) or not all(isinstance(v, str) for v in parameters.values()):
                return _json(400, {"message": "parameters must be a JSON object of strings"})
            self._stacks.record_stack(stack_id, template, parameters)
            return _json(200, {})
        if route == ("POST", "stack-status"):
            body = request.get_json(force=True, silent=True)
            fields = dict(body) if isinstance(body, dict) else {}
            stack_id, status = fields.get("stack_id"), fields.get("status")
            if not isinstance(stack_id, str) or not stack_id:
                return _json(400, {"message": f"stack_id must be a non-empty string; received {stack_id!r}"})
            if not isinstance(status, str) or not status:
                return _json(400, {"message": f"status must be a non-empty string; received {status!r}"})
            self._stacks.set_status(stack_id, status)
            return _json(200, {})
        if route == ("GET", "stack-resources"):
            found = self._stacks.resources(request.args.get("stack_id", ""))
            if found is None:
                return _json(404, {"message": f"no stack {request.args.get('stack_id')!r} recorded"})
            return _json(200, {"resources": [r.to_json() for r in found]})
        if route == ("GET", "calls"):
            action = request.args.get("action")
            try:
                calls = self._control.calls(None if action is None else check_action(action))
            except ValueError as error:
                return _json(400, {"message": str(error)})
            return _json(200, {"calls": calls})
        if route == ("DELETE", "calls"):
            self._control.clear_calls()
            return _json(200, {})
        if route == ("GET", "sms-outbox"):
            from cognito_sms_mfa_emulator.mfa_sign_in import SIGN_IN

            return _json(200, {"messages": SIGN_IN.outbox()})
        if route == ("GET", "faults"):
            return _json(200, {"faults": self._control.faults()})
        if route == ("POST", "faults"):
            body = request.get_json(force=True, silent=True)
            if not isinstance(body, dict):
                return _json(400, {"message": 'expected a JSON object {"action": ..., "error": ..., "count": ...}'})
            try:
                self._control.inject(
                    body.get("action"), body.get("error"), body.get("count", 1), body.get("applied", False)
                )
            except ValueError as error:
                return _json(400, {"message": str(error)})
            return _json(200, {"faults": self._control.faults()})
        if route == ("GET", "rate-limits"):
            return self._rate_limits()
        if route == ("PUT", "rate-limits"):
            try:
                self._control.rate_limiter.configure(check_limits(request.get_json(force=True, silent=True)))
            except ValueError as error:
                return _json(400, {"message": str(error)})
            return self._rate_limits()
        return _json(404, {"message": f"no control endpoint {request.method} {request.path}"})
