"""1. Handler cold init

Each run is a fresh `python -S -s -B bench/cold_child.py VARIANT` that can import only the staged asset folder
(`cognito_sms_mfa.handler_asset.staged_asset()`), a folder holding just boto3 and its dependencies
(`lambda_runner.runtime_path()`) and the standard library, with Lambda's variables and dummy credentials; nothing is
written as bytecode, so the asset's modules are compiled at every start, as on Lambda's read-only file system. The
child times its start-up with `time.perf_counter()`; the parent times the whole process, interpreter start-up
included. "vs floor" is the median of the per-round ratios: the variants of a round run back to back, so this
cancels most drift in the machine's load. The anchors: boto3 alone (floor) and crhelper with its defaults.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from bench.common import ROOT, Goal, last_json_line, ms, paired_ratio, progress, spread, stats, table, vs
from cognito_sms_mfa.handler_asset import staged_asset
from cognito_sms_mfa_rehearsal.lambda_runner import lambda_environment, runtime_path

RUNS = 21
GOAL = 1.1  # the project's rule: cold start within 1.1x of a bare boto3 client
VARIANTS = {
    "floor": "`import boto3; boto3.client('cognito-idp')`",
    "ours": "`import cognito_sms_mfa_lambda.index` (the staged asset's entry module)",
    "eager": "the same, then every resource type's module imported (what top-level imports in `index.py` cost)",
    "lazy": "the same with the type modules left out (what importing each at its type's first request saves)",
    "ours_with_polling_clients": "the same, then a `CfnResource()` that builds crhelper's lambda, events and logs "
    "clients",
    "crhelper_default": "`import boto3, crhelper; crhelper.CfnResource(); boto3.client('cognito-idp')`",
}


def run(runs: int = RUNS) -> dict[str, Any]:
    """Measure every variant ``runs`` times, round-robin, after one unmeasured warm-up round."""
    command = [sys.executable, "-S", "-s", "-B", str(ROOT / "bench" / "cold_child.py")]
    env = lambda_environment(region="us-east-1", endpoint=None, function_name="bench-cold-init", timeout_s=120)
    samples: dict[str, dict[str, list[float]]] = {name: {"init": [], "cpu": [], "process": []} for name in VARIANTS}
    with staged_asset() as asset:
        for round_no in range(runs + 1):
            for name in VARIANTS:
                started = time.perf_counter()
                done = subprocess.run(
                    [*command, name, asset, runtime_path()], capture_output=True, text=True, env=env, cwd=asset
                )
                process_ms = (time.perf_counter() - started) * 1000.0
                result = last_json_line(done.stdout + done.stderr)
                if done.returncode != 0 or not result["ok"]:
                    raise RuntimeError(f"cold-init child {name!r} did not start as expected:\n{done.stderr[-2000:]}")
                if round_no > 0:  # the first round only warms the page cache
                    for key, value in (
                        ("init", result["elapsed_ms"]),
                        ("cpu", result["cpu_ms"]),
                        ("process", process_ms),
                    ):
                        samples[name][key].append(value)
            if round_no % 5 == 0:
                progress(f"cold init: round {round_no}/{runs}")
    with_clients, without = samples["ours_with_polling_clients"]["init"], samples["ours"]["init"]
    return {
        "runs": runs,
        "variants": {name: {key: stats(values) for key, values in kinds.items()} for name, kinds in samples.items()},
        "ours_vs_floor": paired_ratio(without, samples["floor"]["init"]),
        "polling_clients_ms": statistics.median(a - b for a, b in zip(with_clients, without, strict=True)),
        "type_modules_ms": paired_differences(samples["eager"]["init"], samples["lazy"]["init"]),
        "type_modules_cpu_ms": paired_differences(samples["eager"]["cpu"], samples["lazy"]["cpu"]),
        "eager_vs_lazy": paired_ratio(samples["eager"]["init"], samples["lazy"]["init"]),
        "ours_vs_eager": paired_differences(without, samples["eager"]["init"]),
        "ours_vs_lazy": paired_differences(without, samples["lazy"]["init"]),
    }


def paired_differences(ours: list[float], anchor: list[float]) -> dict[str, float]:
    """The per-round differences ``ours[i] - anchor[i]`` in ms: their median and quartiles."""
    low, median, high = statistics.quantiles((a - b for a, b in zip(ours, anchor, strict=True)), n=4)
    return {"median": median, "low": low, "high": high}


def _difference(found: dict[str, float]) -> str:
    return f"{found['median']:+.1f} ms (quartiles {found['low']:+.1f} to {found['high']:+.1f})"


def section(result: dict[str, Any]) -> str:
    v = result["variants"]
    rows = [
        [
            f"`{name}`",
            what,
            spread(v[name]["init"], "ms"),
            ms(v[name]["process"]["median"]),
            vs(v[name]["init"], v["floor"]["init"]),
        ]
        for name, what in VARIANTS.items()
    ]
    header = [
        "variant",
        "what the child does, timed",
        "start-up, median (min-max)",
        "whole process, median",
        "vs floor",
    ]
    return f"""{result["runs"]} runs of each variant, interleaved, after one unmeasured round.

{table(header, rows)}

Ours is {result["ours_vs_floor"]:.2f}x the floor; goal ≤ {GOAL}x. crhelper's constructor builds lambda, events
and logs clients that only its polling mode uses; `index.py` constructs it with `AWS_SAM_LOCAL` set for that one
call (`_without_polling_clients`), which skips them. Building them too (`ours_with_polling_clients`) adds
{ms(result["polling_clients_ms"])} (median of the differences within each round): what the skip saves at every
cold start.

Importing the three resource types' modules at start-up (`eager` against `lazy`, within each round) costs
{_difference(result["type_modules_ms"])}, {result["eager_vs_lazy"]:.3f}x; in CPU time
{_difference(result["type_modules_cpu_ms"])}. `ours` against `eager`:
{_difference(result["ours_vs_eager"])}; against `lazy`: {_difference(result["ours_vs_lazy"])}; the one that `ours`
is, is the same code run twice, so its quartiles are the noise.
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    v, ratio = result["variants"], result["ours_vs_floor"]
    return [
        Goal(
            "1. Handler cold init (median)",
            ms(v["ours"]["init"]["median"]),
            f"floor {ms(v['floor']['init']['median'])}; "
            f"crhelper defaults {ms(v['crhelper_default']['init']['median'])}",
            f"{ratio:.2f}x floor; {vs(v['ours']['init'], v['crhelper_default']['init'])} crhelper defaults",
            f"≤ {GOAL}x floor",
            ratio <= GOAL,
            f"**Cold init**: {ratio:.2f}x the floor, {ratio / GOAL - 1:.0%} over the {GOAL}x goal. Ours imports "
            "crhelper and compiles the asset's modules at every start (no bytecode is cached on Lambda).",
        )
    ]
