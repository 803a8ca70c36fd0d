"""Run the benchmarks against their anchors and write ``docs/benchmarks.md`` (``make bench``).

``python bench/run.py`` runs every figure, keeps the raw results as JSON in ``bench/out/`` and writes the page.
``python bench/run.py FIGURE ...`` runs only those figures, prints their sections and rewrites only their parts of
the page (each one's section, its summary rows, its line under "Goals missed"), keeping every other figure's.
Not part of the test suite: nothing here asserts on time.

A figure is a module whose docstring is its heading and method on the page, with ``run() -> dict`` (JSON-ready
results), ``section(result) -> str`` (its tables and conclusions) and, optionally, ``goals(result) -> list[Goal]``
(its rows of the summary); adding one is one line in ``FIGURES``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import import_module, metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path[0] == str(ROOT / "bench"):  # run as a script: import the bench package from the repository
    sys.path[0] = str(ROOT)

from bench.common import RUN, Goal, jsii_env, progress, table  # noqa: E402

FIGURES = {  # name on the command line -> module in bench/
    "cold-init": "cold_init",
    "requests": "request_types",
    "asset-size": "asset_size",
    "synth": "synth",
    "capacity": "capacity",
    "load": "load",
    "drift": "drift",
    "batch": "batch",
    "export": "export",
}
PAGE = ROOT / "docs" / "benchmarks.md"
OUT_DIR = ROOT / "bench" / "out"
BUSY = 0.5  # load average per usable core above which the page says the run shared the machine


def main(argv: list[str] | None = None) -> int:
    """Run the figures named in ``argv`` (default: all, and write the page); return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("figures", nargs="*", metavar="FIGURE", help="any of " + ", ".join(FIGURES))
    chosen: list[str] = parser.parse_args(argv).figures or list(FIGURES)
    if unknown := sorted(set(chosen) - set(FIGURES)):
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    started, load_start = time.monotonic(), os.getloadavg()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sections: list[str] = []
    goals: list[Goal] = []
    for name in chosen:
        module = import_module(f"bench.{FIGURES[name]}")
        progress(f"{name}: start (load average {os.getloadavg()[0]:.2f})")
        result = json.loads(json.dumps(module.run()))  # as saved: JSON turns tuples into lists and keys into strings
        (OUT_DIR / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        heading, _, method = (module.__doc__ or name).partition("\n\n")
        sections.append(f"## {heading}\n\nCommand: `{RUN} {name}`. {method.strip()}\n\n{module.section(result)}")
        goals += module.goals(result) if hasattr(module, "goals") else []
        progress(f"{name}: done, raw results in bench/out/{name}.json")
    if len(chosen) < len(FIGURES):
        print("\n" + "\n".join(sections))
        rerun = f"Rerun on its own on {datetime.now(UTC):%Y-%m-%d} (load average {_loads(load_start)} at the start)"
        PAGE.write_text(update_page(PAGE.read_text(), sections, goals, rerun))
        progress(f"rewrote the parts of {', '.join(chosen)} in {PAGE.relative_to(ROOT)}; the other figures stay")
        return 0
    minutes = (time.monotonic() - started) / 60
    PAGE.write_text(page(sections, goals, minutes, load_start, os.getloadavg()))
    progress(f"all figures in {minutes:.1f} min; wrote {PAGE.relative_to(ROOT)}")
    return 0


def page(
    sections: list[str], goals: list[Goal], minutes: float, load_start: tuple[float, ...], load_end: tuple[float, ...]
) -> str:
    """The whole page: what ran where, the summary against the goals, each figure, the goals missed."""
    cores = len(os.sched_getaffinity(0))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, env=jsii_env()).stdout.strip()
    cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())
    v = metadata.version
    machine = [
        ["CPU", cpu.group(1) if cpu else platform.processor()],
        ["cores", f"{os.cpu_count()} ({cores} usable)"],
        ["load average (1, 5, 15 min)", f"start {_loads(load_start)}; end {_loads(load_end)}"],
        ["system", f"{platform.system()} {platform.release()} {platform.machine()}"],
        ["Python", platform.python_version()],
        ["Node (for jsii)", node or "not found"],
        ["aws-cdk-lib", f"{v('aws-cdk-lib')} (jsii {v('jsii')})"],
        ["boto3 / botocore", f"{v('boto3')} / {v('botocore')}"],
        ["crhelper", v("crhelper")],
    ]
    shared = (
        "> The load average shows that other work shared the machine during this run: wall times vary more than "
        "they would on an idle machine. The variants of each figure run interleaved (round-robin), so they are "
        "disturbed alike, and CPU times are given where they help.\n\n"
        if max(*load_start, *load_end) / cores > BUSY
        else ""
    )
    summary = [[g.figure, g.ours, g.anchor, g.ratio, g.goal, "yes" if g.met else "**no**"] for g in goals]
    misses = "\n".join(f"- {g.explained}" for g in goals if not g.met) or "None."
    figures = "\n".join(sections)
    return f"""# Benchmarks

How this library compares with what users would otherwise pick: a hand-written `AwsCustomResource` (aws-cdk-lib)
and crhelper with its defaults. Every figure below comes from one run of `make bench` (which runs `{RUN}`),
written by that run; the raw results are kept as JSON in `bench/out/` (not committed). One figure can be rerun on
its own with `{RUN} FIGURE` ({", ".join(f"`{name}`" for name in FIGURES)}); that prints it and rewrites only its
own section, summary rows and missed goals here (the section then says when it was rerun).

Run on {datetime.now(UTC):%Y-%m-%d}, in {minutes:.1f} minutes.

{table(["machine", ""], machine)}

{shared}## Summary

{table(["figure", "ours", "anchor", "ratio (ours / anchor)", "goal", "met"], summary)}

{figures}
## Goals missed

{misses}
"""


def update_page(text: str, sections: list[str], goals: list[Goal], rerun: str) -> str:
    """``text`` (the page) with each of ``sections`` in place of the section under the same heading (``rerun``
    said under its heading), each goal's summary row and its line under "Goals missed" replaced (removed when the
    goal is met, added when it is newly missed); everything else kept as it is."""
    for section in sections:
        heading, _, body = section.partition("\n")
        start = text.index(heading + "\n")
        end = text.find("\n## ", start + len(heading)) + 1 or len(text)
        text = f"{text[:start]}{heading}\n\n{rerun}.\n{body.rstrip()}\n\n{text[end:]}"
    lines = text.split("\n")
    missed = lines.index("## Goals missed")
    for goal in goals:
        row = f"| {goal.figure} | {goal.ours} | {goal.anchor} | {goal.ratio} | {goal.goal} | "
        row += "yes |" if goal.met else "**no** |"
        at = next(i for i, line in enumerate(lines) if line.startswith(f"| {goal.figure} |"))
        lines[at] = row
        label = goal.explained.partition("**:")[0] + "**:"  # "**Synth at 200 users**:"
        old = [i for i, line in enumerate(lines) if i > missed and line.startswith(f"- {label}")]
        if old:
            lines[old[0] : old[0] + 1] = [] if goal.met else [f"- {goal.explained}"]
        elif not goal.met:
            lines.insert(missed + 2, f"- {goal.explained}")
    return "\n".join(lines)


def _loads(values: tuple[float, ...]) -> str:
    return ", ".join(f"{value:.2f}" for value in values)


if __name__ == "__main__":
    sys.exit(main())
