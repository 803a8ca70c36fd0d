"""Figure 1: handler cold init in a fresh Lambda-like process, against boto3 alone and crhelper's defaults.

Each run is a new ``python -S -s -B`` process that sees only the staged asset, boto3 with its dependencies
(``lambda_runner.runtime_path()``) and the standard library, with Lambda's variables and dummy credentials.
The child times its own start-up with ``perf_counter``; the parent also times the whole process. Variants run
round-robin, so a slow moment of the machine hits all of them alike.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass

from bench.common import ROOT, Stats, last_json_line, paired_ratio, progress
from cognito_sms_mfa.handler_asset import staged_asset
from cognito_sms_mfa.local.lambda_runner import lambda_environment, runtime_path

RUNS = 21
CHILD = ROOT / "bench" / "cold_child.py"
VARIANTS = {
    "floor": "`import boto3; boto3.client('cognito-idp')`",
    "ours": "`import cognito_sms_mfa_lambda.index` (the staged asset's entry module)",
    "ours_with_polling_clients": "the same, with crhelper building its lambda, events and logs clients",
    "crhelper_default": "`import boto3, crhelper; crhelper.CfnResource(); boto3.client('cognito-idp')`",
}


@dataclass(frozen=True)
class Variant:
    """One variant's start-up: measured inside the child, and the whole process seen from the parent."""

    name: str
    what: str
    init_ms: Stats
    init_cpu_ms: Stats
    process_ms: Stats


@dataclass(frozen=True)
class ColdInit:
    """Figure 1."""

    runs: int
    variants: dict[str, Variant]
    ours_vs_floor: float
    crhelper_default_vs_floor: float
    polling_clients_saved_ms: float


def run(runs: int = RUNS) -> ColdInit:
    """Measure every variant ``runs`` times, round-robin, after one unmeasured warm-up each."""
    runtime = runtime_path()
    env = lambda_environment(region="us-east-1", endpoint=None, function_name="bench-cold-init", timeout_s=120)
    init: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    process: dict[str, list[float]] = {name: [] for name in VARIANTS}
    with staged_asset() as asset:
        for round_no in range(runs + 1):
            for name in VARIANTS:
                child_ms, child_cpu_ms, wall_ms = _once(name, asset, runtime, env)
                if round_no > 0:  # the first round only warms the page cache
                    init[name].append(child_ms)
                    cpu[name].append(child_cpu_ms)
                    process[name].append(wall_ms)
            if round_no % 5 == 0:
                done = {name: f"{Stats.of(v).median:.0f} ms" for name, v in init.items() if v}
                progress(f"cold init: round {round_no}/{runs} {done}")
    variants = {
        name: Variant(name, what, Stats.of(init[name]), Stats.of(cpu[name]), Stats.of(process[name]))
        for name, what in VARIANTS.items()
    }
    return ColdInit(
        runs=runs,
        variants=variants,
        ours_vs_floor=paired_ratio(init["ours"], init["floor"]),
        crhelper_default_vs_floor=paired_ratio(init["crhelper_default"], init["floor"]),
        polling_clients_saved_ms=statistics.median(
            with_clients - without
            for with_clients, without in zip(init["ours_with_polling_clients"], init["ours"], strict=True)
        ),
    )


def _once(variant: str, asset: str, runtime: str, env: dict[str, str]) -> tuple[float, float, float]:
    command = [sys.executable, "-S", "-s", "-B", str(CHILD), variant, asset, runtime]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=asset, check=False)
    wall_ms = (time.perf_counter() - started) * 1000.0
    if done.returncode != 0:
        raise RuntimeError(f"cold-init child {variant!r} failed:\n{done.stderr[-2000:]}")
    result = last_json_line(done.stdout)
    checks = result["checks"]
    if variant.startswith("ours"):
        expected_polling = variant == "ours_with_polling_clients"
        if not checks["client"] or checks["init_failed"] or checks["polling_clients"] != expected_polling:
            raise RuntimeError(f"cold-init child {variant!r} did not start as expected: {checks}")
    return float(result["elapsed_ms"]), float(result["cpu_ms"]), wall_ms
