"""Run a Lambda asset as the Python runtime would: a child process with the asset and boto3, nothing else.

The child runs :mod:`.lambda_bootstrap` in isolated mode without site-packages (``-I -S``), so only the standard
library, the asset folder and a folder holding boto3 and its own dependencies are importable: a handler that
forgot to bundle something fails here as it would in Lambda. It writes no bytecode (``-B``), so a synthesized
``cdk.out`` stays untouched. Its context's remaining time
follows the function's timeout, and the parent kills it when the timeout passes, as Lambda does.
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
from typing import Any

from cognito_sms_mfa.local import lambda_bootstrap

# Dummy credentials and no shared config files: whatever reads these can only talk to a local endpoint.
OFFLINE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
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


def invoke(
    asset_dir: str,
    event: dict[str, Any],
    *,
    entry: str,
    timeout_s: float,
    env: dict[str, str],
    function_name: str = "local-function",
) -> Invocation:
    """Invoke ``entry`` from ``asset_dir`` with ``event`` in a fresh Lambda-like process."""
    command = [sys.executable, "-I", "-S", "-B", "-u", lambda_bootstrap.__file__]
    command += [asset_dir, runtime_path(), entry, str(timeout_s), function_name]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command,
            input=json.dumps(event),
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout_s + 1.0,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        return Invocation(-9, _text(expired.stdout), _text(expired.stderr), time.monotonic() - started, True)
    return Invocation(done.returncode, done.stdout, done.stderr, time.monotonic() - started, False)


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value or ""
