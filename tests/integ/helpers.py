"""Running integ-runner on the integ apps of this folder as `make integ` does, but offline: no AWS credentials, no
shared AWS config, no instance metadata, and no network at all where the machine can give a process its own empty
network namespace (``unshare -n``, as root on Linux)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

INTEG_DIR = Path(__file__).resolve().parent
INTEG_APPS = sorted(path.name for path in INTEG_DIR.glob("integ_*.py"))
INTEG_RUNNER = REPO_ROOT / "node_modules" / ".bin" / "integ-runner"
LOCAL_NODE = REPO_ROOT / ".tools" / "node" / "bin"
RUNNER_TIMEOUT_S = 300
SCHEMA_MISMATCH = "Cloud assembly schema version mismatch"


def offline_env() -> dict[str, str]:
    """The environment without any AWS variable, with no shared config files and no instance metadata; jsii on the
    Node `make setup` brought where the machine's is too old (as ``cdk.json`` does)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    if LOCAL_NODE.is_dir():
        env["PATH"] = f"{LOCAL_NODE}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    return env


def without_network() -> list[str]:
    """``unshare -n`` when this process may make an empty network namespace, else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, check=False)
    return [unshare, "-n"] if probe.returncode == 0 else []


def integ_runner(directory: Path, *args: str) -> tuple[int, str]:
    """``integ-runner`` on the python integ apps of ``directory``, each run with this interpreter, offline: its exit
    status and its output (it reports on stderr)."""
    if not INTEG_RUNNER.exists():
        pytest.fail(f"{INTEG_RUNNER} is missing: run `make setup` (it installs integ-runner from package-lock.json)")
    command = [
        *without_network(),
        str(INTEG_RUNNER),
        "--directory",
        str(directory),
        "--language",
        "python",
        "--app",
        f"{sys.executable} {{filePath}}",
        *args,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, env=offline_env(), timeout=RUNNER_TIMEOUT_S, check=False
    )
    output = result.stdout + result.stderr
    if SCHEMA_MISMATCH in output:
        pytest.fail(f"integ-runner cannot read aws-cdk-lib's cloud assembly: run `make setup`\n{output}")
    return result.returncode, output
