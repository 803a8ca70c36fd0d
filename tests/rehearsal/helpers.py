"""Running the rehearsal's command line and synthesizing small apps, as a user would, in child processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SYNTH_TIMEOUT_S = 240


def rehearse(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cognito_sms_mfa.rehearse ARGS`` with no AWS variable in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", "cognito_sms_mfa.rehearse", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


def synth_app(app: Path, workdir: Path) -> Path:
    """Run the CDK app script ``app`` in ``workdir`` and return its cloud assembly."""
    outdir = workdir / "cdk.out"
    env = {**os.environ, "CDK_OUTDIR": str(outdir), "TMPDIR": str(workdir)}
    done = subprocess.run(
        [sys.executable, str(app)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=SYNTH_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return outdir
