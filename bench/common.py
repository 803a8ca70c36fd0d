"""What every figure shares: paths, the jsii child's environment, progress lines, statistics and number formats."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parent.parent
NODE_BIN = ROOT / ".tools" / "node" / "bin"
RUN = ".venv/bin/python bench/run.py"
_STARTED = time.monotonic()


def cli_json(name: str, args: Sequence[str], timeout_s: float = 600) -> tuple[float, dict[str, Any]]:
    """``python -m cognito_sms_mfa_cli NAME ARGS`` as a user runs it (dummy credentials only, no AWS variable of
    ours), from the repository: its wall time and the JSON it printed; RuntimeError when it exits with an error."""
    from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | OFFLINE_AWS_ENV
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "cognito_sms_mfa_cli", name, *args], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=timeout_s, check=False)  # fmt: skip
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"{name}: exit {done.returncode}: {done.stderr[-2000:]}")
    found: dict[str, Any] = json.loads(done.stdout)
    return wall, found


def progress(message: str) -> None:
    """Print one progress line, stamped with the seconds since the run started."""
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {message}", flush=True)


def jsii_env() -> dict[str, str]:
    """This environment with the Node that jsii supports first on PATH (as the Makefile sets it)."""
    path = f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}" if NODE_BIN.is_dir() else os.environ["PATH"]
    return {**os.environ, "PATH": path, "JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION": "1"}


def stats(samples: list[float]) -> dict[str, Any]:
    """A sample summarised: median, low, high, n, and the samples themselves (for paired ratios)."""
    return {
        "median": statistics.median(samples),
        "low": min(samples),
        "high": max(samples),
        "n": len(samples),
        "samples": samples,
    }


def paired_ratio(ours: list[float], anchor: list[float]) -> float:
    """The median of the per-round ratios ``ours[i] / anchor[i]``: samples taken back to back in one round share
    the machine's load at that moment, so this cancels most of its drift."""
    return statistics.median(mine / theirs for mine, theirs in zip(ours, anchor, strict=True))


def last_json_line(text: str) -> dict[str, Any]:
    """The last line of a child's output that is a JSON object (jsii may print around it)."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            parsed: dict[str, Any] = json.loads(line)
            return parsed
    raise ValueError(f"the child printed no JSON result:\n{text[-2000:]}")


def ms(value: float) -> str:
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def seconds(value: float) -> str:
    return f"{value:.2f} s" if abs(value) < 10 else f"{value:.1f} s"


def spread(sample: dict[str, Any], unit: str) -> str:
    """``median (low-high)`` in ``ms`` or ``s``."""
    digits = 0 if unit == "ms" and sample["low"] >= 10 else 1
    fmt = ms if unit == "ms" else seconds
    return f"{fmt(sample['median'])} ({sample['low']:.{digits}f}-{sample['high']:.{digits}f} {unit})"


def size(value: int) -> str:
    return f"{value:,} B ({value / 1024:.1f} KiB)"


def vs(ours: dict[str, Any], anchor: dict[str, Any]) -> str:
    """The paired ratio of two samples, as the tables show it."""
    return f"{paired_ratio(ours['samples'], anchor['samples']):.2f}x"


def table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(str(cell) for cell in line) + " |" for line in lines)


class Goal(NamedTuple):
    """One row of the page's summary; ``miss`` explains it under "Goals missed" when ``met`` is false."""

    figure: str
    ours: str
    anchor: str
    ratio: str
    goal: str
    met: bool
    miss: str = ""

    @property
    def explained(self) -> str:
        """Its line under "Goals missed": ``miss``, or the figure against its goal when no more was said."""
        return self.miss or f"**{self.figure}**: {self.ours} against the goal {self.goal} ({self.anchor})."
