"""Where the synth time of ``UserSmsMfaSettings`` goes: one run of ``synth_child.py ours USERS`` under cProfile.

Each part is the cumulative time of the functions that do it (the jsii round trips they make included), summed over
every construct, from the profile of that one child; profiling slows Python, not jsii's Node process, so the parts
are shares of a profiled run, not wall times of the timed ones.
"""

from __future__ import annotations

import pstats
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import ROOT, jsii_env, last_json_line

CONSTRUCTS = "infra/cognito_sms_mfa/"
# Part of the work -> the functions (file under infra/cognito_sms_mfa/, function name) whose cumulative times add up.
PARTS: dict[str, list[tuple[str, str]]] = {
    "validation (username, pool, options, timeout)": [
        ("checks.py", "check_username"),
        ("checks.py", "check_user_pool"),
        ("checks.py", "check_mfa_options"),
        ("checks.py", "check_service_timeout"),
    ],
    "finding the stack's handler (SmsMfaHandler.of, its creation included)": [("sms_mfa_handler.py", "of")],
    "creating the stack's handler: function, role, log group, policy (once)": [("sms_mfa_handler.py", "__init__")],
    "the custom resource": [("sms_mfa_handler.py", "custom_resource")],
    "IAM statements (the pool's grant, the statements)": [
        ("sms_mfa_handler.py", "add_pool"),
        ("sms_mfa_handler.py", "cognito_statements"),
    ],
    "each resource's dependencies on the policy and its users, in one call (before synthesis)": [
        ("sms_mfa_handler.py", "add_resource_dependencies")
    ],
    "the MFA-off pass (before synthesis)": [("sms_mfa_handler.py", "warn_pools_with_mfa_off")],
    "the Lambda asset (once per stack)": [("handler_asset.py", "handler_code")],
}
TOTALS: dict[str, tuple[str, str]] = {
    "every UserSmsMfaSettings.__init__": ("user_sms_mfa_settings.py", "__init__"),
    "app.synth() (mostly jsii's Node process)": ("aws_cdk/__init__.py", "synth"),
}


def _cumulative(stats: pstats.Stats, where: str, name: str) -> tuple[int, float]:
    """Calls and cumulative seconds of the functions named ``name`` in files whose path contains ``where``."""
    calls, seconds = 0, 0.0
    for (path, _, function), (_, ncalls, _, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function == name and where in path:
            calls, seconds = calls + ncalls, seconds + cumtime
    return calls, seconds


def profile(users: int) -> dict[str, Any]:
    """Profile one synthesis of ``users`` settings; return each part's calls and cumulative seconds."""
    with tempfile.TemporaryDirectory(prefix="bench-synth-profile-") as folder:
        out, stats_file = Path(folder) / "cdk.out", Path(folder) / "synth.prof"
        command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), str(ROOT / "bench" / "synth_child.py")]
        done = subprocess.run(
            [*command, "ours", str(users), str(out), "0"], capture_output=True, text=True, env=jsii_env(), cwd=ROOT
        )
        if done.returncode != 0:
            raise RuntimeError(f"profiled synthesis failed:\n{done.stderr[-3000:]}")
        child = last_json_line(done.stdout)
        stats = pstats.Stats(str(stats_file))
    parts = {
        part: [sum(values) for values in zip(*(_cumulative(stats, CONSTRUCTS + f, n) for f, n in fs), strict=True)]
        for part, fs in PARTS.items()
    }
    totals = {
        name: list(_cumulative(stats, (CONSTRUCTS if "aws_cdk" not in where else "") + where, function))
        for name, (where, function) in TOTALS.items()
    }
    return {"users": users, "parts": parts, "totals": totals, "jsii_calls_build": child["jsii_calls_build"]}
