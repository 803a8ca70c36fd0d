"""Render one run as ``docs/benchmarks.md``: the machine, a summary against the goals, each figure, the misses."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bench.sections import (
    COLD_INIT_GOAL,
    RUN,
    SYNTH_GOAL,
    asset_section,
    at_most,
    capacity_section,
    cells,
    cold_init_section,
    met,
    ms,
    ratio_text,
    requests_section,
    seconds,
    size,
    synth_section,
    vs,
)

if TYPE_CHECKING:
    from bench.asset_size import AssetSize
    from bench.capacity import Capacity
    from bench.cold_init import ColdInit
    from bench.common import Machine
    from bench.request_types import RequestTypes
    from bench.synth import Synth

DELETE_GOAL_MS = 1000.0
WIDTH = 115
LOAD_NOTE_THRESHOLD = 0.5  # load average per usable core above which the run shared the machine


@dataclass(frozen=True)
class Results:
    """Everything one full run measured."""

    machine: Machine
    cold_init: ColdInit
    requests: RequestTypes
    asset_size: AssetSize
    synth: Synth
    capacity: dict[str, Capacity]
    total_s: float
    load_average_at_end: tuple[float, float, float]


def render(results: Results) -> str:
    """The whole page."""
    parts = [
        _header(results),
        _summary(results),
        cold_init_section(results.cold_init),
        requests_section(results.requests),
        asset_section(results.asset_size),
        synth_section(results.synth),
        capacity_section(results.capacity),
        _misses(results),
    ]
    return "\n".join(_reflow(part) for part in parts).rstrip() + "\n"


def _reflow(text: str) -> str:
    """Wrap each prose paragraph, list item and quote at WIDTH; leave headings and tables as they are."""
    blocks = []
    for block in text.split("\n\n"):
        lines = block.strip("\n").splitlines()
        if not lines or lines[0].startswith(("#", "|")):
            blocks.append(block.strip("\n"))
            continue
        if lines[0].startswith("- "):
            items = "\n".join(lines).split("\n- ")
            blocks.append("\n".join(_fill(item.removeprefix("- "), "- ", "  ") for item in items))
        elif lines[0].startswith("> "):
            blocks.append(_fill(" ".join(line.removeprefix("> ") for line in lines), "> ", "> "))
        else:
            blocks.append(_fill(" ".join(lines), "", ""))
    return "\n\n".join(blocks) + "\n"


def _fill(text: str, first: str, rest: str) -> str:
    return textwrap.fill(
        " ".join(text.split()),
        width=WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def section(figure: str, result: object) -> str:
    """The page's section for one figure (``run.py``'s names), for runs of single figures."""
    from bench.asset_size import AssetSize
    from bench.cold_init import ColdInit
    from bench.request_types import RequestTypes
    from bench.synth import Synth

    if isinstance(result, ColdInit):
        return cold_init_section(result)
    if isinstance(result, RequestTypes):
        return requests_section(result)
    if isinstance(result, AssetSize):
        return asset_section(result)
    if isinstance(result, Synth):
        return synth_section(result)
    if isinstance(result, dict):
        return capacity_section(result)
    raise TypeError(f"no section for {figure}: {type(result).__name__}")


def _header(results: Results) -> str:
    m = results.machine
    load_start = ", ".join(f"{value:.2f}" for value in m.load_average_at_start)
    load_end = ", ".join(f"{value:.2f}" for value in results.load_average_at_end)
    busy = max(*m.load_average_at_start, *results.load_average_at_end) / max(m.usable_cores, 1)
    shared = (
        "\n> The load average shows that other work shared the machine during this run: wall times vary more than "
        "they would on an idle machine. The variants of each figure run interleaved (round-robin), so they are "
        "disturbed alike, and CPU times are given where they help.\n"
        if busy > LOAD_NOTE_THRESHOLD
        else ""
    )
    return f"""# Benchmarks

How this library compares with what users would otherwise pick: a hand-written `AwsCustomResource`
(aws-cdk-lib) and crhelper with its defaults. Every figure below comes from one run of `make bench`
(which runs `{RUN}`), written by that run; the raw results are kept as JSON in `bench/out/` (not committed).
One figure can be rerun on its own with `{RUN} FIGURE` (`cold-init`, `requests`, `asset-size`, `synth`,
`capacity`); that prints it and leaves this page alone.

Run on {datetime.now(UTC).strftime("%Y-%m-%d")}, in {results.total_s / 60:.1f} minutes.

| machine | |
| --- | --- |
| CPU | {m.cpu_model} |
| cores | {m.cores} ({m.usable_cores} usable) |
| load average (1, 5, 15 min) | start {load_start}; end {load_end} |
| system | {m.system} |
| Python | {m.python} |
| Node (for jsii) | {m.node} |
| aws-cdk-lib | {m.aws_cdk_lib} (jsii {m.jsii}) |
| boto3 / botocore | {m.boto3} / {m.botocore} |
| crhelper | {m.crhelper} |
{shared}"""


def _summary(results: Results) -> str:
    cold, req, asset, synth = results.cold_init, results.requests, results.asset_size, results.synth
    v = cold.variants
    delete = req.requests["Delete"]
    crhelper_long = next(a for a in req.delete_anchor if a.crhelper_sleep_s > 0)
    ours_cap, awscr_cap = results.capacity["ours"], results.capacity["awscr"]
    cell = cells(synth)
    rows = [
        (
            "1. Handler cold init (median)",
            f"{ms(v['ours'].init_ms.median)}",
            f"floor {ms(v['floor'].init_ms.median)}; crhelper defaults {ms(v['crhelper_default'].init_ms.median)}",
            f"{cold.ours_vs_floor:.2f}x floor; {vs(v['ours'].init_ms, v['crhelper_default'].init_ms)}"
            " crhelper defaults",
            f"≤ {COLD_INIT_GOAL}x floor",
            met(cold.ours_vs_floor <= COLD_INIT_GOAL),
        ),
        (
            "2. Cognito calls: Create / Update / Delete / foreign-id Delete",
            " / ".join(str(req.requests[name].cognito_calls) for name in req.requests),
            "-",
            "-",
            " / ".join(at_most(req.requests[name].goal_calls) for name in req.requests),
            met(all(r.cognito_calls <= r.goal_calls for r in req.requests.values())),
        ),
        (
            "2. Delete wall time (median)",
            ms(delete.time_ms.median),
            f"crhelper defaults: {ms(delete.time_ms.median)} at a 120 s timeout; "
            f"{seconds(crhelper_long.delete_ms / 1000)} at ≥ {crhelper_long.lambda_timeout_s} s",
            f"{ratio_text(delete.time_ms.median, delete.time_ms.median)} at 120 s; "
            f"1/{crhelper_long.ratio_to_ours:,.0f} at ≥ {crhelper_long.lambda_timeout_s} s",
            "well under 1 s",
            met(delete.time_ms.median < DELETE_GOAL_MS),
        ),
        (
            "3. Lambda asset, zipped",
            size(asset.ours.zipped_bytes),
            f"`AwsCustomResource` handler {size(asset.aws_custom_resource.zipped_bytes)}",
            f"{asset.ratio:.2f}x",
            f"≤ {size(asset.goal_bytes)}",
            met(asset.ours.zipped_bytes <= asset.goal_bytes),
        ),
        (
            "4. Synth, 200 users (median wall)",
            seconds(cell[("ours", 200)].wall_s.median),
            f"floor {seconds(cell[('floor', 200)].wall_s.median)}; "
            f"`AwsCustomResource` {seconds(cell[('awscr', 200)].wall_s.median)}",
            f"{synth.ours_vs_floor_wall[200]:.2f}x floor; "
            f"{vs(cell[('ours', 200)].wall_s, cell[('awscr', 200)].wall_s)} `AwsCustomResource`",
            f"≤ {SYNTH_GOAL}x floor",
            met(synth.ours_vs_floor_wall[200] <= SYNTH_GOAL),
        ),
        (
            "5. Users per stack (500 resources)",
            f"{ours_cap.max_users}",
            f"`AwsCustomResource` {awscr_cap.max_users}",
            f"{ours_cap.max_users / awscr_cap.max_users:.2f}x",
            "more than the anchor",
            met(ours_cap.max_users > awscr_cap.max_users),
        ),
    ]
    lines = [
        "## Summary",
        "",
        "| figure | ours | anchor | ratio (ours / anchor) | goal | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _misses(results: Results) -> str:
    notes: list[str] = []
    cold, synth = results.cold_init, results.synth
    if cold.ours_vs_floor > COLD_INIT_GOAL:
        notes.append(
            f"- **Cold init**: {cold.ours_vs_floor:.2f}x the floor, {cold.ours_vs_floor / COLD_INIT_GOAL - 1:.0%} over "
            f"the {COLD_INIT_GOAL}x goal. Ours imports crhelper and compiles the asset's modules at every start "
            "(Lambda's file system is read-only, so no bytecode is cached)."
        )
    if synth.ours_vs_floor_wall[200] > SYNTH_GOAL:
        notes.append(_synth_miss(synth))
    if not notes:
        return "## Goals missed\n\nNone.\n"
    return "## Goals missed\n\n" + "\n".join(notes) + "\n"


def _synth_miss(synth: Synth) -> str:
    cell = cells(synth)
    ours, floor = cell[("ours", 200)], cell[("floor", 200)]
    wall = synth.ours_vs_floor_wall[200]
    text = (
        f"- **Synth at 200 users**: {wall:.2f}x the floor in wall time ({synth.ours_vs_floor_cpu[200]:.2f}x in CPU "
        f"time), {wall / SYNTH_GOAL - 1:.0%} over the {SYNTH_GOAL}x goal (medians {seconds(ours.wall_s.median)} "
        f"against {seconds(floor.wall_s.median)}). Two causes add up. First, ours puts two resources per user in the "
        f"template where the floor puts one ({ours.resources} against {floor.resources}), and `app.synth()` does its "
        "work per resource (rendering, resolving tokens, the template validation aws-cdk-lib runs at synth)."
    )
    bare = cell.get(("bare", 200))
    per_user = (ours.jsii_calls_build - floor.jsii_calls_build) / 200
    if bare is not None:
        bare_per_user = (bare.jsii_calls_build - floor.jsii_calls_build) / 200
        text += (
            f" That part belongs to the design (one custom resource per user, so each user is created, updated and "
            f"deleted on its own): a bare `CustomResource` per user, with no handler, policy or checks, measures "
            f"{vs(bare.wall_s, floor.wall_s)} the floor in wall time and {vs(bare.cpu_s, floor.cpu_s)} in CPU "
            f"time. Second, building the constructs: {seconds(ours.build_s)} for ours against "
            f"{seconds(bare.build_s)} for the bare custom resource and {seconds(floor.build_s)} for the floor "
            f"(medians measured in the child), because each `UserSmsMfaSettings` sends about {per_user:.0f} requests "
            f"to jsii's Node process where the bare custom resource sends {bare_per_user:.0f}."
        )
    else:
        text += (
            f" Second, building the constructs: {seconds(ours.build_s)} against {seconds(floor.build_s)}, because "
            f"each `UserSmsMfaSettings` sends about {per_user:.0f} requests to jsii's Node process."
        )
    return text + (
        " Each request is a round trip between the Python and the Node process. The construct's checks, the lookup "
        "of the stack's shared handler, the pool's entry in the shared policy and the duplicate-user check each ask "
        "jsii for values, so this second part is ours to reduce. For comparison, the "
        f"anchor users would otherwise pick, `AwsCustomResource`, measures {synth.awscr_vs_floor_wall[200]:.2f}x the "
        f"floor ({synth.awscr_vs_floor_cpu[200]:.2f}x in CPU time), with three resources per user."
    )
