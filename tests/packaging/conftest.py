"""The release artifacts, built once per test session as ``python -m build`` makes them: the sdist from a copy of
the sources, then the wheel from that sdist (so a file the package needs but the sdist lacks fails the wheel)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

# Built from a copy: building in the working tree would write build/ and *.egg-info there, and a stale build/lib
# can carry files that no longer exist into the wheel.
NOT_COPIED = (
    ".git",
    ".venv",
    ".tools",
    "node_modules",
    "cdk.out",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
)
BUILD_TIMEOUT_S = 180


@dataclass(frozen=True)
class Release:
    """The artifacts, in ``root / "dist"`` as ``make wheel`` leaves them in a checkout."""

    root: Path
    sdist: Path
    wheel: Path


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Release:
    source = tmp_path_factory.mktemp("source") / "cdk-cognito-sms-mfa"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED))
    root = tmp_path_factory.mktemp("release")
    dist = root / "dist"
    # --no-isolation: the build backend pinned in requirements.lock (setuptools), already in this virtualenv.
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"python -m build exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    (sdist,) = dist.glob("*.tar.gz")
    (wheel,) = dist.glob("*.whl")
    return Release(root, sdist, wheel)
