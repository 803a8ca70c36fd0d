"""Run the benchmarks against their anchors and write ``docs/benchmarks.md`` (``make bench``).

``python bench/run.py`` runs every figure, keeps the raw results as JSON in ``bench/out/`` and writes the page.
``python bench/run.py FIGURE ...`` runs only those figures, prints and saves them, and leaves the page alone.
Not part of the test suite: nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("cold-init", "requests", "asset-size", "synth", "capacity", "load")
PAGE = ROOT / "docs" / "benchmarks.md"
T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    """Run the figures named in ``argv`` (default: all, and write the page); return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("figures", nargs="*", metavar="FIGURE", help="any of " + ", ".join(FIGURES))
    args = parser.parse_args(argv)
    chosen: list[str] = args.figures or list(FIGURES)
    unknown = sorted(set(chosen) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")

    if sys.path[0] == str(ROOT / "bench"):  # run as a script: import the bench package from the repository
        sys.path[0] = str(ROOT)
    from bench import asset_size, capacity, cold_init, common, load, report, request_types, synth

    started = time.monotonic()
    machine = common.machine()
    common.progress(
        f"machine: {machine.cpu_model}, {machine.usable_cores} cores, Python {machine.python}, "
        f"Node {machine.node}, aws-cdk-lib {machine.aws_cdk_lib}; load {machine.load_average_at_start[0]:.2f}"
    )
    common.save_json("machine", machine)
    results: dict[str, object] = {}
    for figure in chosen:
        common.progress(f"{figure}: start")
        if figure == "cold-init":
            results[figure] = cold_init.run()
        elif figure == "requests":
            results[figure] = request_types.run()
        elif figure == "asset-size":
            results[figure] = asset_size.run()
        elif figure == "synth":
            results[figure] = synth.run()
        elif figure == "load":
            results[figure] = load.run()
        else:
            results[figure] = capacity.run()
        path = common.save_json(figure, results[figure])
        common.progress(f"{figure}: done, raw results in {path.relative_to(ROOT)}")

    total_s = time.monotonic() - started
    if len(chosen) < len(FIGURES):
        for figure in chosen:
            result = results[figure]
            print("\n" + (load.section(_as(result, list)) if figure == "load" else report.section(figure, result)))
        common.progress(f"{len(chosen)} figure(s) in {total_s:.0f} s; {PAGE.relative_to(ROOT)} left as it was")
        return 0

    full = report.Results(
        machine=machine,
        cold_init=_as(results["cold-init"], cold_init.ColdInit),
        requests=_as(results["requests"], request_types.RequestTypes),
        asset_size=_as(results["asset-size"], asset_size.AssetSize),
        synth=_as(results["synth"], synth.Synth),
        capacity=_as(results["capacity"], dict),
        total_s=total_s,
        load_average_at_end=os.getloadavg(),
    )
    PAGE.write_text(report.render(full) + "\n" + load.section(_as(results["load"], list)))
    common.progress(f"all figures in {total_s / 60:.1f} min; wrote {PAGE.relative_to(ROOT)}")
    return 0


def _as(value: object, kind: type[T]) -> T:
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
    return value


if __name__ == "__main__":
    sys.exit(main())
