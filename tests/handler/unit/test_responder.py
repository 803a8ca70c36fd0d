"""The pure decisions of cognito_sms_mfa_lambda.responder: which events can be served, and the fallback id."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV
from cognito_sms_mfa_lambda.responder import Responder, event_problem, fallback_physical_id

GOOD: dict[str, Any] = {
    "RequestType": "Create",
    "ResponseURL": "https://example.com/response",
    "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/S/1",
    "RequestId": "0a1b2c3d-aaaa-bbbb-cccc-000000000001",
    "LogicalResourceId": "AliceMfa",
}


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        pytest.param(GOOD, None, id="good"),
        pytest.param([], "the event must be an object; received list", id="not-object"),
        pytest.param({**GOOD, "StackId": None}, "StackId is missing from the event", id="no-stack"),
        pytest.param({**GOOD, "ResponseURL": ""}, "ResponseURL is missing from the event", id="empty-url"),
        pytest.param(
            {**GOOD, "RequestType": "Rename"},
            "RequestType must be one of Create, Update, Delete; received 'Rename'",
            id="request-type",
        ),
    ],
)
def test_event_problem_names_first_missing_or_bad_field(event: object, problem: str | None) -> None:
    assert event_problem(event) == problem


@pytest.mark.parametrize(
    ("event", "physical_id"),
    [
        pytest.param({**GOOD, "RequestType": "Update", "PhysicalResourceId": "x:y"}, "x:y", id="update-keeps-id"),
        pytest.param(GOOD, "cognito-sms-mfa-failed-0a1b2c3d-aaaa-bbbb-cccc-000000000001", id="create"),
        pytest.param({**GOOD, "RequestId": "a/b c:" + "d" * 100}, "cognito-sms-mfa-failed-abc" + "d" * 61, id="odd"),
        pytest.param({**GOOD, "RequestId": None}, "cognito-sms-mfa-failed-unknown", id="no-request-id"),
        pytest.param("not an event", "cognito-sms-mfa-failed-unknown", id="not-object"),
    ],
)
def test_fallback_physical_id_is_event_id_or_well_formed_id_not_ours(event: object, physical_id: str) -> None:
    assert fallback_physical_id(event) == physical_id


class ThrottlingTwice(BaseHTTPRequestHandler):
    """An EventBridge endpoint that answers ThrottlingException to the first two requests, then success."""

    requests = 0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).requests += 1
        throttled = type(self).requests <= 2
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"} if throttled else {}).encode()
        self.send_response(400 if throttled else 200)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        pass


def test_crhelpers_polling_calls_retry_throttling(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an EventBridge endpoint that throttles twice, and the responder's polling clients made against it
    server = HTTPServer(("127.0.0.1", 0), ThrottlingTwice)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name, value in OFFLINE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_EVENTBRIDGE", f"http://127.0.0.1:{server.server_port}")
    responder = Responder(json_logging=False, log_level="INFO", boto_level="ERROR", sleep_on_delete=0)
    try:
        responder._polling_clients()
        # WHEN crhelper's kind of call is made (DisableRule, as a poll makes it)
        responder._events_client.disable_rule(Name="AliceBatchabcdefgh")
    finally:
        server.shutdown()
    # THEN it was retried until answered: three requests, no error
    assert ThrottlingTwice.requests == 3
