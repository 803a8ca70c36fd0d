"""Running the rehearsal's command line as a user would, in a child process (apps are synthesized by
``tests.conftest.synth_app``)."""

from __future__ import annotations

import os
import subprocess
import sys


def rehearse(*args: str, module: str = "cognito_sms_mfa_rehearsal") -> subprocess.CompletedProcess[str]:
    """``python -m cognito_sms_mfa_rehearsal ARGS`` (or another ``module``) with no AWS variable in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )
