"""Run a Lambda asset as the Python runtime would: a child process with the asset and boto3, nothing else.

The child runs :mod:`.lambda_bootstrap` in isolated mode without site-packages (``-I -S``), so only the standard
library, the asset folder and a folder holding boto3 and its own dependencies are importable: a handler that
forgot to bundle something fails here as it would in Lambda. It writes no bytecode (``-B``), so a synthesized
``cdk.out`` stays untouched. Its context's remaining time
follows the function's timeout, and the parent kills it when the timeout passes, as Lambda does.
:func:`start` runs the child's start-up (Lambda's init phase) and keeps it waiting for its event, so that many
prepared processes can receive their events at the same moment (``bench/load.py``); :func:`invoke` does both.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cognito_sms_mfa_emulator.continuations import due_polls
from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV
from cognito_sms_mfa_rehearsal import lambda_bootstrap

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
# boto3 and what it imports: the Lambda Python runtime's own packages.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


@dataclass(frozen=True)
class Invocation:
    """What one invocation did: exit status, output, duration, and whether the timeout killed it."""

    returncode: int
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool

    @property
    def logs(self) -> str:
        """Everything the function printed or logged."""
        return self.stdout + self.stderr


@cache
def runtime_path() -> str:
    """A folder with links to boto3 and its dependencies only (made once per process)."""
    folder = Path(tempfile.mkdtemp(prefix="lambda-runtime-"))
    for name in RUNTIME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"the Lambda-like runtime needs {name!r}, which is not installed here")
        source = Path(spec.origin)
        if source.name == "__init__.py":
            source = source.parent
        (folder / source.name).symlink_to(source)
    return str(folder)


def lambda_environment(
    *,
    region: str,
    endpoint: str | None,
    function_name: str,
    timeout_s: float,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The child's environment: Lambda's variables, dummy credentials, the endpoint; no ~/.aws, no host secrets."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        **OFFLINE_AWS_ENV,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(timeout_s)),
        "PYTHONUNBUFFERED": "1",
    }
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    env.update(extra or {})
    return env


class Started:
    """A Lambda-like process past its start-up, waiting for its one event."""

    def __init__(self, process: subprocess.Popen[str], start_up_log: str, timeout_s: float, launched: float) -> None:
        self._process = process
        self._start_up_log = start_up_log
        self._timeout_s = timeout_s
        self.launched = launched

    def invoke(self, event: dict[str, Any]) -> Invocation:
        """Send ``event``; the Invocation's duration counts from now (the start-up is not part of it)."""
        sent = time.monotonic()
        try:
            out, err = self._process.communicate(json.dumps(event), timeout=self._timeout_s + 1.0)
        except subprocess.TimeoutExpired:
            self._process.kill()
            out, err = self._process.communicate()
            return Invocation(-9, out, self._start_up_log + err, time.monotonic() - sent, True)
        return Invocation(self._process.returncode, out, self._start_up_log + err, time.monotonic() - sent, False)


def start(
    asset_dir: str,
    *,
    entry: str,
    timeout_s: float,
    env: dict[str, str],
    function_name: str = "local-function",
) -> Started:
    """Start a Lambda-like process for ``entry`` from ``asset_dir`` and wait until its module start-up is done."""
    command = [sys.executable, "-I", "-S", "-B", "-u", lambda_bootstrap.__file__]
    command += [asset_dir, runtime_path(), entry, str(timeout_s), function_name]
    launched = time.monotonic()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stderr is not None  # piped above
    start_up: list[str] = []
    for line in process.stderr:
        if line.rstrip("\n") == lambda_bootstrap.READY_MARKER:
            break
        start_up.append(line)  # a start-up that fails ends the stream, and invoke() reports the exit
    return Started(process, "".join(start_up), timeout_s, launched)


# CloudFormation's hour at one poll a minute, and the first invocation.
MAX_INVOCATIONS = 61


def play_eventbridge(
    event: dict[str, Any],
    invoke: Callable[[dict[str, Any]], T],
    *,
    function_name: str,
    answered: Callable[[], bool],
    events: Any,
    max_invocations: int = MAX_INVOCATIONS,
    before_poll: Callable[[int], None] | None = None,
) -> list[T]:
    """``invoke(event)``, then play EventBridge for a request that goes on in further invocations (crhelper's
    polling): while ``answered()`` is false, ``invoke`` again with the input of each enabled rule that targets
    ``function_name`` (``events``: a boto3 events client of the emulator), at once, without the minute a rule
    waits. ``before_poll`` gets the number of invocations so far, before each poll. Every invocation's result is
    returned, the first one first.
    """
    results = [invoke(event)]
    while not answered() and len(results) < max_invocations:
        due = due_polls(events, function_name)
        if not due:
            break
        if before_poll is not None:
            before_poll(len(results))
        results += [invoke(poll.event) for poll in due]
    return results


def invoke_until_answered(
    asset_dir: str,
    event: dict[str, Any],
    *,
    entry: str,
    timeout_s: float,
    env: dict[str, str],
    function_name: str,
    answered: Callable[[], bool],
    events: Any,
    max_invocations: int = MAX_INVOCATIONS,
    before_poll: Callable[[int], None] | None = None,
) -> list[Invocation]:
    """:func:`play_eventbridge` with each invocation a fresh Lambda-like process (:func:`invoke`)."""

    def run(payload: dict[str, Any]) -> Invocation:
        return invoke(asset_dir, payload, entry=entry, timeout_s=timeout_s, env=env, function_name=function_name)

    return play_eventbridge(
        event,
        run,
        function_name=function_name,
        answered=answered,
        events=events,
        max_invocations=max_invocations,
        before_poll=before_poll,
    )


def invoke(
    asset_dir: str,
    event: dict[str, Any],
    *,
    entry: str,
    timeout_s: float,
    env: dict[str, str],
    function_name: str = "local-function",
) -> Invocation:
    """Invoke ``entry`` from ``asset_dir`` with ``event`` in a fresh Lambda-like process (start-up included)."""
    started = start(asset_dir, entry=entry, timeout_s=timeout_s, env=env, function_name=function_name)
    done = started.invoke(event)
    return Invocation(done.returncode, done.stdout, done.stderr, time.monotonic() - started.launched, done.timed_out)
