"""What every figure shares: paths, the child processes' environment, progress lines, statistics, the machine."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from dataclasses import asdict, dataclass, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
NODE_BIN = ROOT / ".tools" / "node" / "bin"
_STARTED = time.monotonic()


def progress(message: str) -> None:
    """Print one progress line, stamped with the seconds since the run started."""
    print(f"[{time.monotonic() - _STARTED:6.1f}s] {message}", flush=True)


def jsii_env() -> dict[str, str]:
    """This environment with the Node that jsii supports first on PATH (as the Makefile sets it)."""
    env = dict(os.environ)
    if NODE_BIN.is_dir():
        env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION"] = "1"
    return env


@dataclass(frozen=True)
class Stats:
    """A sample of one measurement, in the unit of its name (``_ms``, ``_s``)."""

    median: float
    low: float
    high: float
    n: int
    samples: list[float]

    @classmethod
    def of(cls, samples: list[float]) -> Stats:
        """Summarise ``samples`` (at least one)."""
        if not samples:
            raise ValueError("a statistic needs at least one sample")
        return cls(statistics.median(samples), min(samples), max(samples), len(samples), list(samples))


def ratio(ours: float, anchor: float) -> float:
    """``ours / anchor`` (infinite when the anchor is zero and ours is not)."""
    if anchor == 0:
        return 0.0 if ours == 0 else float("inf")
    return ours / anchor


def paired_ratio(ours: list[float], anchor: list[float]) -> float:
    """The median of the per-round ratios ``ours[i] / anchor[i]``: samples taken back to back in one round share
    the machine's load at that moment, so this cancels most of its drift. Falls back to the ratio of medians when
    the samples are not paired."""
    if len(ours) != len(anchor) or not ours:
        return ratio(statistics.median(ours), statistics.median(anchor))
    return statistics.median(ratio(mine, theirs) for mine, theirs in zip(ours, anchor, strict=True))


@dataclass(frozen=True)
class Machine:
    """Where the figures were measured."""

    cpu_model: str
    cores: int
    usable_cores: int
    load_average_at_start: tuple[float, float, float]
    system: str
    python: str
    node: str
    aws_cdk_lib: str
    jsii: str
    boto3: str
    botocore: str
    crhelper: str


def machine() -> Machine:
    """Describe this machine and the versions the figures depend on."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, env=jsii_env(), check=False)
    return Machine(
        cpu_model=_cpu_model(),
        cores=os.cpu_count() or 0,
        usable_cores=len(os.sched_getaffinity(0)),
        load_average_at_start=os.getloadavg(),
        system=f"{platform.system()} {platform.release()} {platform.machine()}",
        python=platform.python_version(),
        node=node.stdout.strip() or "not found",
        aws_cdk_lib=metadata.version("aws-cdk-lib"),
        jsii=metadata.version("jsii"),
        boto3=metadata.version("boto3"),
        botocore=metadata.version("botocore"),
        crhelper=metadata.version("crhelper"),
    )


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() in ("model name", "Hardware", "Processor"):
            return value.strip()
    return platform.processor() or "unknown"


def last_json_line(text: str) -> dict[str, Any]:
    """The last line of a child's output that is a JSON object (jsii may print around it)."""
    for line in reversed(text.splitlines()):
        if line.startswith("{"):
            parsed: dict[str, Any] = json.loads(line)
            return parsed
    raise ValueError("the child printed no JSON result")


def save_json(name: str, value: object) -> Path:
    """Write ``value`` (a dataclass or plain data) to ``bench/out/<name>.json``."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    path = OUT_DIR / f"{name}.json"
    path.write_text(json.dumps(value, indent=2, sort_keys=True, default=_plain) + "\n")
    return path
