"""Fixtures shared by the construct and packaging tests: the example app, synthesized in a separate process.

Each synthesis runs ``infra/app.py`` as ``cdk synth`` would, from its own working folder and with its own
``TMPDIR`` (where the handler asset is staged), so two syntheses share nothing but the sources.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_APP = REPO_ROOT / "infra" / "app.py"
SYNTH_TIMEOUT_S = 240


def synth_app(app: Path, workdir: Path, context: Mapping[str, object] | None = None) -> Path:
    """Run the CDK app script ``app`` as ``cdk synth`` would, from ``workdir`` with its own ``TMPDIR`` (and the
    ``context`` the CDK CLI would pass, such as ``{"aws:cdk:enable-path-metadata": True}``), and return its cloud
    assembly."""
    outdir = workdir / "cdk.out"
    staging = workdir / "tmp"
    staging.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CDK_OUTDIR": str(outdir), "TMPDIR": str(staging)}
    if context is not None:
        env["CDK_CONTEXT_JSON"] = json.dumps(context)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, str(app)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=SYNTH_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"{app.name} failed to synthesize (exit {result.returncode}):\n{result.stderr}")
    return outdir


@pytest.fixture(scope="session")
def synth_example_app() -> Callable[[Path], Path]:
    """Return a function that synthesizes the example app inside ``workdir`` and returns the cloud assembly."""
    return lambda workdir: synth_app(EXAMPLE_APP, workdir)


@pytest.fixture(scope="session")
def example_cloud_assembly(synth_example_app: Callable[[Path], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example app's cloud assembly (``cdk.out``), synthesized once per session."""
    return synth_example_app(tmp_path_factory.mktemp("example-app"))
