"""The emulator as a server: start, stop, ports, the command line, and a light import."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa_emulator.emulator import CognitoEmulator

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def own_emulator() -> Iterator[CognitoEmulator]:
    """An emulator of the test's own, not started; stopped at the end whatever happened."""
    emulator = CognitoEmulator()
    yield emulator
    emulator.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _calls(endpoint: str) -> bytes:
    with urllib.request.urlopen(endpoint + "/_emulator/calls", timeout=5) as response:
        body: bytes = response.read()
        return body


def test_start_serves_on_loopback_ephemeral_port_quickly(own_emulator: CognitoEmulator) -> None:
    """Emulator contract: start() binds 127.0.0.1 on a free port and returns once it serves, in well under 1 s."""
    # GIVEN an emulator on the default port
    own_emulator.start().stop()  # the first start in a process also builds moto's application

    # WHEN it starts again
    started = time.perf_counter()
    own_emulator.start()
    elapsed = time.perf_counter() - started

    # THEN it serves at once on an ephemeral loopback port
    assert re.fullmatch(r"http://127\.0\.0\.1:[1-9][0-9]*", own_emulator.endpoint)
    assert _calls(own_emulator.endpoint) == b'{"calls": []}'
    assert elapsed < 1.0


def test_start_with_port_listens_on_that_port(own_emulator: CognitoEmulator) -> None:
    """Emulator contract: ``port`` fixes the port."""
    # GIVEN a free port
    port = _free_port()

    # WHEN an emulator starts on it
    emulator = CognitoEmulator(port=port).start()
    try:
        endpoint = emulator.endpoint
    finally:
        emulator.stop()

    # THEN the endpoint names it
    assert endpoint == f"http://127.0.0.1:{port}"


def test_endpoint_before_start_raises_runtime_error(own_emulator: CognitoEmulator) -> None:
    """Emulator contract: there is no endpoint until start()."""
    # GIVEN an emulator that was never started
    # WHEN its endpoint is read
    # THEN it says how to get one
    with pytest.raises(RuntimeError, match=r"^CognitoEmulator is not running; call start\(\) first$"):
        _ = own_emulator.endpoint


def test_start_twice_raises_runtime_error(own_emulator: CognitoEmulator) -> None:
    """Emulator contract: one emulator serves one port at a time."""
    # GIVEN a running emulator
    own_emulator.start()

    # WHEN it is started again
    # THEN it refuses, naming where it runs
    with pytest.raises(RuntimeError, match=f"^CognitoEmulator is already running at {own_emulator.endpoint}$"):
        own_emulator.start()


def test_stop_with_idle_keep_alive_connection_releases_port_quickly(own_emulator: CognitoEmulator) -> None:
    """Emulator contract: stop() does not wait for idle client connections and frees the port."""
    # GIVEN a running emulator with an idle connection open to it
    port = int(own_emulator.start().endpoint.rsplit(":", 1)[1])
    idle = socket.create_connection(("127.0.0.1", port), timeout=5)

    # WHEN it stops
    started = time.perf_counter()
    own_emulator.stop()
    elapsed = time.perf_counter() - started
    idle.close()

    # THEN it stopped promptly, refuses new connections, and a new emulator can take the port
    assert elapsed < 1.0
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    with CognitoEmulator(port=port) as again:
        assert again.endpoint == f"http://127.0.0.1:{port}"


def test_stop_when_not_running_does_nothing(own_emulator: CognitoEmulator) -> None:
    """Emulator contract: stop() is safe to call twice, or before start()."""
    # GIVEN an emulator that was never started
    # WHEN it is stopped twice
    own_emulator.stop()
    own_emulator.stop()

    # THEN it still has no endpoint, and can start afterwards
    with pytest.raises(RuntimeError, match=r"^CognitoEmulator is not running; call start\(\) first$"):
        _ = own_emulator.endpoint
    assert own_emulator.start().endpoint.startswith("http://127.0.0.1:")


def test_context_manager_stops_on_exit() -> None:
    """Emulator contract: ``with CognitoEmulator() as emulator`` starts it and stops it on exit."""
    # GIVEN an emulator used as a context manager
    with CognitoEmulator() as emulator:
        endpoint = emulator.endpoint
        served = _calls(endpoint)

    # WHEN the block has ended
    # THEN the port no longer answers
    assert served == b'{"calls": []}'
    with pytest.raises(OSError, match=r"Connection refused"):
        _calls(endpoint)


def test_module_main_prints_endpoint_and_stops_on_interrupt() -> None:
    """Emulator contract: ``python -m cognito_sms_mfa_emulator`` (``cognito-sms-mfa emulator``) serves in the
    foreground until Ctrl-C."""
    # GIVEN the emulator started from the command line on a free port
    command = [sys.executable, "-m", "cognito_sms_mfa_emulator", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            first_line = process.stdout.readline()
            endpoint = re.search(r"http://127\.0\.0\.1:\d+", first_line)
            assert endpoint is not None, first_line
            served = _calls(endpoint.group())

            # WHEN it is interrupted
            process.send_signal(signal.SIGINT)
            status = process.wait(timeout=10)
        finally:
            process.kill()

    # THEN it had served and exits cleanly
    assert first_line == f"Cognito emulator listening on {endpoint.group()} (region us-east-1)\n"
    assert (served, status) == (b'{"calls": []}', 0)


def test_import_package_loads_neither_cdk_nor_moto() -> None:
    """Emulator contract: importing the package and its pytest plugin is light; moto loads with CognitoEmulator."""
    # GIVEN a fresh interpreter
    probe = (
        "import sys, cognito_sms_mfa_emulator, cognito_sms_mfa_emulator.pytest_plugin; "
        "print(sorted(m for m in ('aws_cdk', 'jsii', 'moto', 'boto3', 'botocore') if m in sys.modules)); "
        "from cognito_sms_mfa_emulator.emulator import CognitoEmulator; "
        "print('moto' in sys.modules, 'aws_cdk' in sys.modules)"
    )

    # WHEN the package and the plugin are imported, then CognitoEmulator
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)

    # THEN neither CDK nor moto (nor boto3) was loaded by the first imports, and only moto by CognitoEmulator's
    assert output.stdout == "[]\nTrue False\n"
