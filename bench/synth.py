"""Figure 4: ``cdk synth`` time for 1, 50 and 200 users, each synthesis in a fresh process (jsii start-up included).

Variants (see ``synth_child.py``): the floor (bare ``CfnUserPoolUser``), ours (``UserSmsMfaSettings`` per
user) and ``AwsCustomResource`` per user; at 200 users also a bare ``CustomResource`` per user. The stack
resource limit check is off in every variant, because ``AwsCustomResource`` passes 500 resources before 200
users and the CDK would refuse it (figure 5). An empty app (the pool, no users) is measured too, so the time
the users add can be told from process and jsii start-up. Besides wall time, the CPU time of the whole process
tree (Python and jsii's Node) is recorded: it moves less than wall time when other work shares the machine.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import ROOT, Stats, jsii_env, last_json_line, paired_ratio, progress

REPEATS = 3
USERS = (1, 50, 200)
VARIANTS = ("floor", "ours", "awscr")
CHILD = ROOT / "bench" / "synth_child.py"
# What each variant's IAM policies must grant on Cognito, so that every variant would work when deployed.
COGNITO_ACTIONS = {
    "floor": [],
    "ours": ["cognito-idp:AdminGetUser", "cognito-idp:AdminSetUserSettings"],
    "awscr": ["cognito-idp:AdminSetUserSettings"],
    "bare": [],
}
# The bare custom resource (no handler, policy or checks) at the size the goal is set for: what one custom
# resource per user costs in any design, to tell the design's share of a miss from this library's.
EXTRA_CASES = (("bare", 200),)


@dataclass(frozen=True)
class SynthRun:
    """One synthesis seen from outside (wall, CPU of the process tree) and inside (its phases)."""

    wall_s: float
    cpu_s: float
    import_s: float
    build_s: float
    synth_s: float
    jsii_calls_build: int
    resources: int


@dataclass(frozen=True)
class SynthCell:
    """One variant at one number of users."""

    variant: str
    users: int
    wall_s: Stats
    cpu_s: Stats
    after_imports_s: Stats
    import_s: float
    build_s: float
    synth_phase_s: float
    over_empty_app_s: float
    jsii_calls_build: int
    resources: int


@dataclass(frozen=True)
class Synth:
    """Figure 4."""

    repeats: int
    empty_app: SynthCell
    cells: list[SynthCell]
    ours_vs_floor_wall: dict[int, float]
    ours_vs_floor_cpu: dict[int, float]
    awscr_vs_floor_wall: dict[int, float]
    awscr_vs_floor_cpu: dict[int, float]


def synthesize(
    variant: str, users: int, outdir: Path, resource_limit: int | None
) -> tuple[dict[str, Any], float, float]:
    """Run ``synth_child.py`` once; return its JSON result, the wall time and the process tree's CPU time."""
    command = [sys.executable, str(CHILD), variant, str(users), str(outdir)]
    if resource_limit is not None:
        command.append(str(resource_limit))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=jsii_env(), cwd=ROOT, check=False)
    wall_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"synthesis {variant} x{users} failed:\n{done.stderr[-3000:]}")
    return last_json_line(done.stdout), wall_s, cpu_s


def _timed(variant: str, users: int) -> SynthRun:
    with tempfile.TemporaryDirectory(prefix="bench-synth-") as outdir:
        result, wall_s, cpu_s = synthesize(variant, users, Path(outdir), resource_limit=0)
    if "error" in result:
        raise RuntimeError(f"synthesis {variant} x{users} failed: {result['error']}")
    granted = result["cognito_actions"]
    if users and granted != COGNITO_ACTIONS[variant]:
        raise RuntimeError(f"synthesis {variant} x{users} grants {granted}, not {COGNITO_ACTIONS[variant]}")
    return SynthRun(
        wall_s,
        cpu_s,
        result["import_s"],
        result["build_s"],
        result["synth_s"],
        int(result["jsii_calls_build"]),
        int(result["resources"]),
    )


def run(repeats: int = REPEATS) -> Synth:
    """Synthesize every variant and size ``repeats`` times, round-robin, plus the empty app."""
    cases = [("floor", 0), *((variant, users) for users in USERS for variant in VARIANTS), *EXTRA_CASES]
    runs: dict[tuple[str, int], list[SynthRun]] = {case: [] for case in cases}
    total, done = len(cases) * repeats, 0
    for _ in range(repeats):
        for variant, users in cases:
            one = _timed(variant, users)
            runs[(variant, users)].append(one)
            done += 1
            progress(
                f"synth: {done}/{total} {variant} x{users}: {one.wall_s:.1f} s wall, {one.cpu_s:.1f} s CPU, "
                f"{one.resources} resources"
            )
    empty = _cell("floor", 0, runs[("floor", 0)], None)
    cells = [_cell(variant, users, runs[case], empty) for case in cases[1:] for variant, users in [case]]
    by_case = {(cell.variant, cell.users): cell for cell in cells}

    def ratios(variant: str, field: str) -> dict[int, float]:
        return {
            users: paired_ratio(
                getattr(by_case[(variant, users)], field).samples, getattr(by_case[("floor", users)], field).samples
            )
            for users in USERS
        }

    return Synth(
        repeats=repeats,
        empty_app=empty,
        cells=cells,
        ours_vs_floor_wall=ratios("ours", "wall_s"),
        ours_vs_floor_cpu=ratios("ours", "cpu_s"),
        awscr_vs_floor_wall=ratios("awscr", "wall_s"),
        awscr_vs_floor_cpu=ratios("awscr", "cpu_s"),
    )


def _cell(variant: str, users: int, runs: list[SynthRun], empty: SynthCell | None) -> SynthCell:
    wall = Stats.of([one.wall_s for one in runs])
    return SynthCell(
        variant=variant,
        users=users,
        wall_s=wall,
        cpu_s=Stats.of([one.cpu_s for one in runs]),
        after_imports_s=Stats.of([one.build_s + one.synth_s for one in runs]),
        import_s=statistics.median(one.import_s for one in runs),
        build_s=statistics.median(one.build_s for one in runs),
        synth_phase_s=statistics.median(one.synth_s for one in runs),
        over_empty_app_s=wall.median - empty.wall_s.median if empty is not None else 0.0,
        jsii_calls_build=runs[0].jsii_calls_build,
        resources=runs[0].resources,
    )
