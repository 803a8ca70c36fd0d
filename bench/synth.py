"""4. Synth time

Each synthesis is a fresh `python bench/synth_child.py VARIANT USERS OUTDIR` (jsii's Node process started anew, as
in `cdk synth`): a user pool with optional SMS MFA and USERS users as `CfnUserPoolUser`, plus per user: nothing
(floor); a `UserSmsMfaSettings`, which depends on the user by itself (ours: the construct finds the stack's user of
the same literal name and pool, as documented); at 200 users also the same with `settings.node.add_dependency(user)`
written by hand as well (the same template, checked); an `AwsCustomResource` calling
`AdminSetUserSettings` on create and update and clearing on delete, with
`AwsCustomResourcePolicy.from_sdk_calls(resources=[pool.user_pool_arn])` and `install_latest_aws_sdk=False`,
depending on the user (anchor). At 200 users also a bare `CustomResource` per user (same properties, a fixed
service token, no handler, policy or checks), depending on the user: the least any design with one custom resource
per user synthesizes. The stack resource limit check is off here (context
`@aws-cdk/core:stackResourceLimit: 0`) for every variant, because the CDK refuses `AwsCustomResource` before 200
users (figure 5). Wall time and the CPU time of the process tree (Python and Node) are medians; CPU time moves less
than wall time when other work shares the machine. The phases are measured in the child: imports (jsii start-up),
building the constructs, `app.synth()`. "Over the empty app" subtracts the wall time of the same app without users
(process start, jsii start-up and the pool). "jsii calls" counts the requests Python sent to jsii's Node process
while building the constructs. "vs floor" is the median of the per-round ratios (the variants of a round run back
to back). After the timed rounds, one more synthesis of ours at 200 users runs under cProfile
(`bench/synth_profile.py`): where its time goes, per part of the construct's work.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import synth_profile
from bench.common import ROOT, Goal, jsii_env, last_json_line, paired_ratio, progress, seconds, stats, table, vs
from cognito_sms_mfa.sms_mfa_handler import SETTINGS_ACTIONS

REPEATS = 5  # wall times of one synthesis vary by about 10 % on a quiet machine: five rounds steady the median
GOAL = 1.3
USERS = (1, 50, 200)
CASES = [
    ("floor", 0),
    *((variant, users) for users in USERS for variant in ("floor", "ours", "awscr")),
    ("bare", 200),
    ("ours_by_hand", 200),
]
NAMES = {
    "floor": "floor",
    "bare": "bare `CustomResource`",
    "ours": "ours",
    "ours_by_hand": "ours, the dependency also by hand",
    "awscr": "`AwsCustomResource`",
}
# What each variant's IAM policies must grant on Cognito, so that every variant would work when deployed.
COGNITO_ACTIONS = {
    "floor": [],
    "bare": [],
    "ours": sorted(SETTINGS_ACTIONS),
    "ours_by_hand": sorted(SETTINGS_ACTIONS),
    "awscr": ["cognito-idp:AdminSetUserSettings"],
}


def synthesize(
    variant: str, users: int, outdir: Path, resource_limit: int | None = None, constructs: Path | None = None
) -> tuple[dict[str, Any], float, float]:
    """Run ``synth_child.py`` once; return its JSON result, the wall time and the process tree's CPU time.

    ``constructs``: a folder holding another ``cognito_sms_mfa`` package to import instead of this tree's."""
    command = [sys.executable, str(ROOT / "bench" / "synth_child.py"), variant, str(users), str(outdir)]
    command += [] if resource_limit is None else [str(resource_limit)]
    env = jsii_env() if constructs is None else {**jsii_env(), "PYTHONPATH": str(constructs)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT)
    wall_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"synthesis {variant} x{users} failed:\n{done.stderr[-3000:]}")
    cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return last_json_line(done.stdout), wall_s, cpu_s


def run(repeats: int = REPEATS) -> dict[str, Any]:
    """Synthesize every case ``repeats`` times, round-robin."""
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {case: [] for case in CASES}
    for round_no in range(repeats):
        for variant, users in CASES:
            with tempfile.TemporaryDirectory(prefix="bench-synth-") as outdir:
                result, wall_s, cpu_s = synthesize(variant, users, Path(outdir), resource_limit=0)
            if "error" in result or (users and result["cognito_actions"] != COGNITO_ACTIONS[variant]):
                raise RuntimeError(f"synthesis {variant} x{users} failed or grants the wrong actions: {result}")
            runs[(variant, users)].append({**result, "wall_s": wall_s, "cpu_s": cpu_s})
            progress(
                f"synth: round {round_no + 1}/{repeats} {variant} x{users}: {wall_s:.1f} s wall, {cpu_s:.1f} s CPU"
            )
    templates = {one["template_sha256"] for variant in ("ours", "ours_by_hand") for one in runs[(variant, 200)]}
    if len(templates) != 1:
        raise RuntimeError(f"ours and ours_by_hand wrote different templates at 200 users: {sorted(templates)}")
    cells = []
    for (variant, users), samples in runs.items():
        cell = {"variant": variant, "users": users, "resources": samples[0]["resources"]}
        cell["jsii_calls_build"] = samples[0]["jsii_calls_build"]
        cell |= {key: stats([one[key] for one in samples]) for key in ("wall_s", "cpu_s")}
        cell |= {key: statistics.median(one[key] for one in samples) for key in ("import_s", "build_s", "synth_s")}
        cells.append(cell)
    progress("synth: one more synthesis of ours x200 under cProfile")
    return {"repeats": repeats, "cells": cells, "profile": synth_profile.profile(200)}


def _cells(result: dict[str, Any]) -> dict[tuple[str, int], dict[str, Any]]:
    return {(cell["variant"], cell["users"]): cell for cell in result["cells"]}


def _vs_floor(result: dict[str, Any], variant: str, key: str = "wall_s") -> float:
    cell = _cells(result)
    return paired_ratio(cell[(variant, 200)][key]["samples"], cell[("floor", 200)][key]["samples"])


def section(result: dict[str, Any]) -> str:
    cell = _cells(result)
    empty = cell[("floor", 0)]["wall_s"]
    rows = [
        [
            users,
            NAMES[variant],
            one["resources"],
            f"{seconds(one['wall_s']['median'])} ({one['wall_s']['low']:.1f}-{one['wall_s']['high']:.1f} s)",
            vs(one["wall_s"], cell[("floor", users)]["wall_s"]),
            seconds(one["cpu_s"]["median"]),
            vs(one["cpu_s"], cell[("floor", users)]["cpu_s"]),
            f"{seconds(one['import_s'])} / {seconds(one['build_s'])} / {seconds(one['synth_s'])}",
            seconds(one["wall_s"]["median"] - empty["median"]),
            one["jsii_calls_build"],
        ]
        for users in USERS
        for variant in NAMES
        if (one := cell.get((variant, users)))
    ]
    header = ["users", "variant", "resources", "wall, median (min-max)", "vs floor", "CPU", "vs floor"]
    header += ["imports / build / synth", "over the empty app", "jsii calls"]
    return f"""{result["repeats"]} runs of each, interleaved; the empty app took {seconds(empty["median"])} (median of
{empty["n"]}).

{table(header, rows)}

At 200 users ours is {_vs_floor(result, "ours"):.2f}x the floor in wall time ({_vs_floor(result, "ours", "cpu_s"):.2f}x
in CPU time); goal ≤ {GOAL}x. `AwsCustomResource` is {_vs_floor(result, "awscr"):.2f}x
({_vs_floor(result, "awscr", "cpu_s"):.2f}x CPU).

{_profile_section(result["profile"])}

{COMPARISON}
"""


# The same-run measurement of the change the profile led to (``python -m bench.compare REV``), kept with the figure.
COMPARISON = """The change, measured in one run against the constructs before it (f1e1a9d):
`.venv/bin/python -m bench.compare f1e1a9d --rounds 10 --users 200` (floor, this tree and f1e1a9d's constructs,
interleaved in an order that rotates every round; both write the same template; the app is the `ours` variant,
with no dependency written by hand). Load average 2.1 at the start and 2.8 at the end on 2 cores, the benchmark's
own processes included. Requests to jsii while building: 1,059 against 1,259 (the floor: 403). Medians against the
floor: 1.20x against 1.25x in wall time, 1.17x against 1.21x in CPU time; median of per-round ratios, f1e1a9d /
this tree: 1.056x wall, 1.042x CPU, 1.101x build. Until this change the benchmark's `ours` also wrote
`settings.node.add_dependency(user)` by hand, two requests per user that a user of the construct has no reason to
write; that form is measured above as its own row, and it was the `ours` of the 1.40x figure before."""


def _profile_section(profile: dict[str, Any]) -> str:
    users = profile["users"]
    rows = [
        [part, calls, seconds(total), f"{total / users * 1000:.2f} ms"]
        for part, (calls, total) in [*profile["parts"].items(), *profile["totals"].items()]
    ]
    return f"""Where ours spends its time ({users} users, one profiled run; {profile["jsii_calls_build"]:,} requests to
jsii while building). Cumulative seconds include the jsii round trips each part makes; profiling slows the Python
side, so read the parts as shares:

{table(["part", "calls", "cumulative (profiled)", "per construct"], rows)}

What the profile showed, and what changed. Each request to jsii is a round trip between the Python and the Node
process, 0.25-0.35 ms each on this machine whatever it asks, so the per-user cost is mostly the count of them.
Earlier: finding the stack's handler asked jsii three times per construct (`Stack.of`, `node`, `try_find_child`);
the constructs now pass their own scope, and the handler is kept per stack (a `WeakKeyDictionary` keyed by the
stack's Python object, which jsii hands back for the same stack). Validation asked jsii whether each literal
username was a token; a string without aws-cdk-lib's token markers (`${{Token[`, `#{{Token[`) is now known to be
literal in Python. The MFA-off pass asks for paths only when a pool has MFA off. Now: each resource's dependency on
the policy was two requests while building (`node`, `add_dependency`) and its dependency on its user two more
before synthesis; both are now one variadic `add_dependency(policy, *users)` on the `node` kept from creating the
resource (a batch: one request for all its declared users, where it was one per user). The stack's users were found
with `node.find_all()`, which hands Python every construct of the stack, the ones CDK made inside the handler too:
the asset's imported bucket among them, whose Python module (aws_s3, with aws_events) is then imported for this
alone, 70 ms on this machine (81 ms against 12 ms for the walk, 200 settings, one process); the handler now walks
the tree past CloudFormation elements and the library's own constructs. What remains per user is two constructs
(the settings and its custom resource), the `node` of the resource, one `add_dependency`, and the user's name and
pool id read to find it: six requests. The IAM statements and the asset are built once per stack and cost
little, and `app.synth()`, in jsii's Node process, is most of the rest (its template validation alone, which
aws-cdk-lib runs at every synthesis, takes about a second to start in every variant)."""


def goals(result: dict[str, Any]) -> list[Goal]:
    cell = _cells(result)
    ours, floor, bare, awscr = (cell[(variant, 200)] for variant in ("ours", "floor", "bare", "awscr"))
    wall, cpu = _vs_floor(result, "ours"), _vs_floor(result, "ours", "cpu_s")
    per_user = {
        name: (one["jsii_calls_build"] - floor["jsii_calls_build"]) / 200
        for name, one in (("ours", ours), ("bare", bare))
    }
    miss = (
        f"**Synth at 200 users**: {wall:.2f}x the floor in wall time ({cpu:.2f}x in CPU time), "
        f"{wall / GOAL - 1:.0%} over the {GOAL}x goal (medians {seconds(ours['wall_s']['median'])} against "
        f"{seconds(floor['wall_s']['median'])}). Two causes add up. First, ours puts two resources per user in the "
        f"template where the floor puts one ({ours['resources']} against {floor['resources']}), and `app.synth()` "
        "does its work per resource (rendering, resolving tokens, the template validation aws-cdk-lib runs at "
        "synth). That part belongs to the design (one custom resource per user, so each user is created, updated "
        "and deleted on its own): a bare `CustomResource` per user, with no handler, policy or checks, measures "
        f"{_vs_floor(result, 'bare'):.2f}x the floor in wall time and {_vs_floor(result, 'bare', 'cpu_s'):.2f}x in "
        f"CPU time. Second, building the constructs: {seconds(ours['build_s'])} for ours against "
        f"{seconds(bare['build_s'])} for the bare custom resource and {seconds(floor['build_s'])} for the floor "
        f"(medians measured in the child), because each `UserSmsMfaSettings` sends about {per_user['ours']:.0f} "
        f"requests to jsii's Node process where the bare custom resource sends {per_user['bare']:.0f}. Each request "
        "is a round trip between the Python and the Node process. For comparison, the anchor users would otherwise "
        f"pick, `AwsCustomResource`, measures {_vs_floor(result, 'awscr'):.2f}x the floor "
        f"({_vs_floor(result, 'awscr', 'cpu_s'):.2f}x in CPU time), with three resources per user."
    )
    return [
        Goal(
            "4. Synth, 200 users (median wall)",
            seconds(ours["wall_s"]["median"]),
            f"floor {seconds(floor['wall_s']['median'])}; `AwsCustomResource` {seconds(awscr['wall_s']['median'])}",
            f"{wall:.2f}x floor; {vs(ours['wall_s'], awscr['wall_s'])} `AwsCustomResource`",
            f"≤ {GOAL}x floor",
            wall <= GOAL,
            miss,
        )
    ]
