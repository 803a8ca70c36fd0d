"""CloudFormation's side of a custom resource, locally: the events it sends, and a stand-in for its presigned
ResponseURL (an HTTPS endpoint that records the responses).

crhelper always PUTs the response over TLS and retries forever when it cannot connect, so the endpoint is
real HTTPS (a throwaway CA made with trustme; point ``SSL_CERT_FILE`` at :attr:`ResponseCollector.ca_file`)
and always answers 200.
"""

from __future__ import annotations

import json
import ssl
import tempfile
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trustme

from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE

HOST = "localhost"
# A query string shaped like a presigned URL's: a secret that must never reach a log.
SIGNATURE_PARAM = "X-Amz-Signature"


def custom_resource_event(
    request_type: str,
    properties: dict[str, Any],
    *,
    response_url: str,
    stack_id: str,
    logical_id: str,
    resource_type: str = SETTINGS_RESOURCE_TYPE,
    physical_id: str | None = None,
    old_properties: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A CloudFormation custom-resource request; ``properties`` are passed as given (CloudFormation sends strings)."""
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": properties.get("ServiceToken", ""),
        "ResponseURL": response_url,
        "StackId": stack_id,
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": logical_id,
        "ResourceType": resource_type,
        "ResourceProperties": properties,
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    if old_properties is not None:
        event["OldResourceProperties"] = old_properties
    return event


@dataclass(frozen=True)
class CfnResponse:
    """One response body as CloudFormation would receive it."""

    raw: bytes

    @property
    def body(self) -> dict[str, Any]:
        """The parsed JSON body."""
        parsed: dict[str, Any] = json.loads(self.raw)
        return parsed

    @property
    def status(self) -> str:
        """``SUCCESS`` or ``FAILED``."""
        return str(self.body["Status"])

    @property
    def reason(self) -> str:
        """The Reason (empty on success)."""
        return str(self.body.get("Reason", ""))

    @property
    def physical_id(self) -> str:
        """The PhysicalResourceId."""
        return str(self.body["PhysicalResourceId"])

    @property
    def data(self) -> dict[str, Any]:
        """The Data map."""
        data: dict[str, Any] = self.body.get("Data") or {}
        return data


class ResponseCollector:
    """An HTTPS server on 127.0.0.1 that records each PUT body by URL path.

    Examples
    --------
    >>> with ResponseCollector() as collector:  # doctest: +SKIP
    ...     url = collector.new_url()
    ...     # invoke the handler with ResponseURL=url and SSL_CERT_FILE=collector.ca_file
    ...     collector.wait_for(url).status
    'SUCCESS'
    """

    def __init__(self) -> None:
        self._ca = trustme.CA()
        self._dir = tempfile.TemporaryDirectory(prefix="cfn-responses-")
        self.ca_file = str(Path(self._dir.name) / "ca.pem")
        self._ca.cert_pem.write_to_path(self.ca_file)
        self._responses: dict[str, list[CfnResponse]] = {}
        self._arrived = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ResponseCollector:
        """Start serving on an ephemeral port."""
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                collector._record(urlsplit(self.path).path, self.rfile.read(length))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the request line holds the presigned-style query."""

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ca.issue_cert(HOST, "127.0.0.1").configure_cert(context)
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="cfn-responses", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and remove the CA file."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._dir.cleanup()

    def __enter__(self) -> ResponseCollector:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the collector listens on."""
        if self._server is None:
            raise RuntimeError("the response collector is not started")
        return int(self._server.server_address[1])

    def new_url(self) -> str:
        """A fresh ResponseURL, shaped like a presigned S3 URL."""
        return f"https://{HOST}:{self.port}/responses/{uuid.uuid4()}?{SIGNATURE_PARAM}={uuid.uuid4().hex}"

    def _record(self, path: str, raw: bytes) -> None:
        with self._arrived:
            self._responses.setdefault(path, []).append(CfnResponse(raw))
            self._arrived.notify_all()

    def responses(self, url: str) -> list[CfnResponse]:
        """Every response received for ``url`` so far (crhelper may answer twice near a timeout)."""
        with self._arrived:
            return list(self._responses.get(urlsplit(url).path, []))

    def wait_for(self, url: str, timeout_s: float = 10.0) -> CfnResponse:
        """The first response for ``url``, waiting up to ``timeout_s`` seconds.

        Raises
        ------
        TimeoutError
            When no response arrives in time.
        """
        path = urlsplit(url).path
        with self._arrived:
            if not self._arrived.wait_for(lambda: path in self._responses, timeout=timeout_s):
                raise TimeoutError(f"no CloudFormation response arrived at {path} within {timeout_s:g} s")
            return self._responses[path][0]
