"""Synth time of this tree's constructs against another commit's, in one run: ``python -m bench.compare REV``.

For deciding whether a change to the constructs pays for itself. ``REV``'s ``infra/cognito_sms_mfa`` is extracted
into a temporary folder (``git archive``) and put first on the child's ``PYTHONPATH``; everything else (the
handler asset, aws-cdk-lib, the app in ``synth_child.py``) is this tree's. Each round synthesizes the floor,
this tree's ``ours`` and ``REV``'s ``ours`` at ``--users`` users, in an order that rotates every round, so a slow
moment of the machine hits each variant alike. Each child reports where it imported ``cognito_sms_mfa`` from,
and both forms must write the same template. Prints the medians and the median per-round ratios.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import tarfile
import tempfile
from pathlib import Path

from bench.common import ROOT, paired_ratio, progress
from bench.synth import synthesize

PACKAGE = "infra/cognito_sms_mfa"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("rev", help="the commit whose constructs to compare with this tree's")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as temp:
        other = Path(temp) / "src"
        archive = subprocess.run(["git", "archive", args.rev, PACKAGE], cwd=ROOT, capture_output=True, check=True)
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(other, filter="data")
        variants: dict[str, tuple[str, Path | None]] = {
            "floor": ("floor", None),
            "this tree": ("ours", None),
            args.rev: ("ours", other / "infra"),
        }
        samples: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": [], "build": []} for name in variants}
        jsii_calls: dict[str, int] = {}
        load_start = os.getloadavg()
        for round_no in range(args.rounds):
            names = list(variants)
            names = names[round_no % 3 :] + names[: round_no % 3]
            templates: dict[str, str] = {}
            for name in names:
                variant, constructs = variants[name]
                with tempfile.TemporaryDirectory(prefix="bench-synth-", dir=temp) as outdir:
                    result, wall_s, cpu_s = synthesize(variant, args.users, Path(outdir), 0, constructs)
                expected = str(constructs / "cognito_sms_mfa") if constructs else str(ROOT / PACKAGE)
                if result.get("constructs_from") != expected:
                    raise RuntimeError(f"{name}: imported {result.get('constructs_from')}, not {expected}")
                for key, value in (("wall", wall_s), ("cpu", cpu_s), ("build", result["build_s"])):
                    samples[name][key].append(value)
                jsii_calls[name] = result["jsii_calls_build"]
                templates[name] = result["template_sha256"]
            if templates["this tree"] != templates[args.rev]:
                raise RuntimeError(f"this tree and {args.rev} synthesize different templates")
            progress(
                f"round {round_no + 1}/{args.rounds} (load {os.getloadavg()[0]:.1f}): "
                + ", ".join(f"{n} {samples[n]['wall'][-1]:.2f} s wall {samples[n]['cpu'][-1]:.2f} s CPU" for n in names)
            )
    print(f"\n{args.rounds} rounds at {args.users} users; load average start {load_start}, end {os.getloadavg()}")
    for name, kinds in samples.items():
        medians = ", ".join(f"{key} {statistics.median(values):.2f} s" for key, values in kinds.items())
        ratios = ", ".join(f"{paired_ratio(values, samples['floor'][key]):.3f}x {key}" for key, values in kinds.items())
        print(f"{name:>10}: medians {medians}; vs floor {ratios}; {jsii_calls[name]} jsii calls while building")
    mine, theirs = samples["this tree"], samples[args.rev]
    ratios = ", ".join(f"{paired_ratio(theirs[key], mine[key]):.3f}x {key}" for key in mine)
    print(f"{args.rev} / this tree (median of per-round ratios): {ratios}")


if __name__ == "__main__":
    main()
