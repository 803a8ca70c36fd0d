"""7. Batches (`UserSmsMfaSettingsBatch`)

Synth: each synthesis is a fresh `python bench/batch_synth_child.py VARIANT USERS OUTDIR` (jsii started anew, as in
`cdk synth`), interleaved round by round: a pool alone; the pool and one 5,000-user batch; 200 users as one batch
and as 200 `UserSmsMfaSettings`. Sizes: the template, the batch's resolved properties, a worst-case Update event
(old and new properties, a long ResponseURL), a continuation's rule input and the list asset, at 5,000 and 50,000
users (both at the default pace; 50,000 goes on over several invocations). Bulk apply: the handler module (staged
asset) in this process against the emulator with Cognito's default quotas enforced (UserRead 120/s, UserUpdate
25/s), 1,000 users with phone numbers: Create (every user read, then written), an Update after 1 % of the users
were changed by hand (every user read, those written), Delete (every user read and cleared); the batch at its
default pace (80 %: 96 and 20/s). "least time": reads / read quota + writes / write quota. The write rate is the
write phase's writes over its duration, from the handler's own progress lines (over the wall time for a request
of several invocations). Then 20,000 users the same way with every quota and the pace 10x and a 60 s handler
timeout, and the pacer against botocore's adaptive mode.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from botocore.config import Config

from bench.common import ROOT, Goal, jsii_env, last_json_line, paired_ratio, progress, seconds, size, table
from cognito_sms_mfa.handler_asset import staged_asset
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_lambda.pacing import MAX_SERVICE_TIMEOUT_S
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector
from tests.handler.functional.batch_harness import add_users, batch_props
from tests.handler.functional.harness import REGION, UNSET_ENV, Deployer, admin_client, handler_env, load_handler

REPEATS = 3
SYNTH_CASES = [("pool", 0), ("batch", 1), ("batch", 5000), ("batch", 200), ("singles", 200)]
SIZE_CASES = [("batch", 5000), ("batch", 50_000)]
USERS = 1000
QUOTAS = {"UserRead": 120.0, "UserUpdate": 25.0}
PACED = {"UserRead": "96", "UserUpdate": "20"}
DRIFT_SHARE = 0.01
PHASE_LINE = re.compile(r"batch (check|write|clear) (\d+)/(\d+) .* elapsed=([\d.]+)s")


def _synth(variant: str, users: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as outdir:
        command = [sys.executable, str(ROOT / "bench" / "batch_synth_child.py"), variant, str(users), outdir]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=jsii_env(), cwd=ROOT)
        if done.returncode != 0:
            raise RuntimeError(f"synthesis {variant} x{users} failed:\n{done.stderr[-3000:]}")
        return {**last_json_line(done.stdout), "process_s": time.perf_counter() - started}


class _Phases(logging.Handler):
    """Keeps the handler's last progress line of each phase: its elapsed time since the request started."""

    def __init__(self) -> None:
        super().__init__()
        self.ends: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        match = PHASE_LINE.match(record.getMessage())
        if match and match.group(2) == match.group(3):
            self.ends[match.group(1)] = float(match.group(4))


@contextmanager
def _handler_against_emulator() -> Iterator[tuple[CognitoEmulator, Deployer, _Phases]]:
    """The staged handler asset, loaded in this process, against a fresh emulator; its phase lines collected."""
    phases = _Phases()
    batch_logger = logging.getLogger("cognito_sms_mfa_lambda.settings_batch")
    batch_logger.addHandler(phases)
    batch_logger.setLevel(logging.INFO)
    with (
        CognitoEmulator(region=REGION) as emulator,
        ResponseCollector() as collector,
        mock.patch.dict(os.environ, handler_env(emulator, collector)),
        staged_asset() as asset,
        mock.patch.object(sys, "path", list(sys.path)),
        mock.patch.dict(sys.modules),
    ):
        for name in UNSET_ENV:
            os.environ.pop(name, None)
        try:
            yield emulator, Deployer(load_handler(asset), collector, emulator), phases
        finally:
            batch_logger.removeHandler(phases)


@dataclass
class _Scenario:
    """One bulk run: how many users, the quotas the emulator enforces, the batch's pace, the handler's time."""

    label: str
    users: int
    quotas: dict[str, float]
    paced: dict[str, str]
    remaining_s: float = 900.0
    continuation: bool = False
    requests: tuple[str, ...] = ("Create", "Update", "Delete")


SCENARIOS = [
    _Scenario("1,000 users, default quotas", USERS, QUOTAS, PACED),
    _Scenario(
        "20,000 users, quotas x10, 60 s handler timeout",
        20 * USERS,
        {category: quota * 10 for category, quota in QUOTAS.items()},
        {category: str(float(rate) * 10) for category, rate in PACED.items()},
        remaining_s=60.0,
        continuation=True,
    ),
]


def _bulk(scenario: _Scenario) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with _handler_against_emulator() as (emulator, deploy, phases):
        client = admin_client(emulator)
        pool_id = client.create_user_pool(PoolName="bulk", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
        names = [f"user{i:05d}" for i in range(scenario.users)]
        add_users(client, pool_id, names)
        properties = batch_props(emulator, pool_id, names, rates=scenario.paced)
        if scenario.continuation:  # as the construct declares a batch that goes on over invocations
            properties.update(Continuation="true", ServiceTimeout=str(MAX_SERVICE_TIMEOUT_S))
        quotas = scenario.quotas

        def timed(name: str, request_type: str, **kwargs: Any) -> None:
            emulator.set_rate_limits(quotas)  # resets the throttle counts
            phases.ends.clear()
            started = time.perf_counter()
            response = deploy.send(request_type, properties, resource_type=SETTINGS_BATCH_RESOURCE_TYPE,
                                   logical_id="Bulk", remaining_s=scenario.remaining_s, **kwargs)  # fmt: skip
            wall = time.perf_counter() - started
            calls = deploy.calls()
            reads, writes = calls.count("AdminGetUser"), calls.count("AdminSetUserSettings")
            least = reads / quotas["UserRead"] + writes / quotas["UserUpdate"]
            rows.append({
                "scenario": scenario.label, "request": name, "status": response.status, "reason": response.reason,
                "wall_s": wall, "reads": reads, "writes": writes, "throttled": sum(emulator.throttled().values()),
                "write_rate": _write_rate(phases, writes, wall, len(deploy.invocations)), "least_s": least,
                "quota": quotas["UserUpdate"],
                "paced_least_s": reads / float(scenario.paced["UserRead"])
                + writes / float(scenario.paced["UserUpdate"]),
                "invocations": len(deploy.invocations),
            })  # fmt: skip
            progress(
                f"batch: {scenario.label}: {name}: {response.status} in {wall:.1f} s, {reads} reads, {writes} writes, "
                f"{len(deploy.invocations)} invocation(s)"
            )
            if response.status != "SUCCESS":
                raise RuntimeError(f"{name}: {response.reason}")
            kwargs_id.update(physical_id=response.physical_id)

        kwargs_id: dict[str, str] = {}
        timed("Create", "Create")
        emulator.set_rate_limits({})
        for name in names[: int(scenario.users * DRIFT_SHARE)]:
            client.admin_set_user_settings(UserPoolId=pool_id, Username=name, MFAOptions=[])
        timed("Update (1 % changed)", "Update", old_properties=properties, **kwargs_id)
        emulator.set_rate_limits({})
        timed("Delete", "Delete", **kwargs_id)
    return rows


def _write_rate(phases: _Phases, writes: int, wall: float, invocations: int) -> float:
    """Writes over the write (or clear) phase's duration; over the wall time when the request took several
    invocations (each invocation's clock starts anew)."""
    end = phases.ends.get("write", phases.ends.get("clear"))
    if not writes or end is None:
        return 0.0
    span = end - phases.ends.get("check", 0.0)
    return writes / wall if invocations > 1 or span <= 0 else writes / span


# (label, the batch's pace (None: the whole quota), botocore's adaptive mode instead of our pacer)
PACING_VARIANTS: list[tuple[str, dict[str, str] | None, bool]] = [
    ("our pacer at 80 % (the default)", PACED, False),
    ("our pacer at 100 %", None, False),
    ("botocore adaptive, no pacer", None, True),
]


def _pacer_against_adaptive() -> list[dict[str, Any]]:
    """One Create of 1,000 users at the default quotas, twice in the same run: our pacer (80 %), and no pacer of
    ours with botocore's adaptive retry mode (its client-side rate limiter, one client shared by the workers)."""
    rows: list[dict[str, Any]] = []
    full = {category: str(quota) for category, quota in QUOTAS.items()}
    for variant, paced, adaptive in PACING_VARIANTS:
        with _handler_against_emulator() as (emulator, deploy, _):
            client = admin_client(emulator)
            pool_id = client.create_user_pool(PoolName="pacing", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
            names = [f"user{i:05d}" for i in range(USERS)]
            add_users(client, pool_id, names)
            properties = batch_props(emulator, pool_id, names, rates=paced or full)
            # The modules the handler just loaded from the staged asset (pacing is imported by its first batch).
            pacing_module = importlib.import_module("cognito_sms_mfa_lambda.pacing")
            clients_module = importlib.import_module("cognito_sms_mfa_lambda.clients")
            config = Config(retries={"mode": "adaptive", "max_attempts": 10}, connect_timeout=3, read_timeout=5)
            with (
                mock.patch.object(pacing_module.Pacer, "wait", return_value=None)
                if adaptive
                else contextlib.nullcontext(),
                mock.patch.object(clients_module, "CLIENT_CONFIG", config) if adaptive else contextlib.nullcontext(),
            ):
                deploy.module.clients._clients.clear()
                emulator.set_rate_limits(QUOTAS)
                started = time.perf_counter()
                response = deploy.send("Create", properties, resource_type=SETTINGS_BATCH_RESOURCE_TYPE,
                                       logical_id="Pacing", remaining_s=900)  # fmt: skip
                wall = time.perf_counter() - started
                deploy.module.clients._clients.clear()
            calls = deploy.calls()
            writes = calls.count("AdminSetUserSettings")
            rows.append({
                "variant": variant, "status": response.status, "wall_s": wall, "writes": writes,
                "attempts": len(calls), "throttled": emulator.throttled(),
                "least_s": calls.count("AdminGetUser") / QUOTAS["UserRead"] + writes / QUOTAS["UserUpdate"],
            })  # fmt: skip
            progress(f"batch: pacing: {variant}: {response.status} in {wall:.1f} s, throttled {emulator.throttled()}")
    return rows


def run(repeats: int = REPEATS) -> dict[str, Any]:
    """Synthesize the cases ``repeats`` times round-robin, the sizes once, then the bulk apply once."""
    synth: dict[str, list[dict[str, Any]]] = {f"{v}:{u}": [] for v, u in SYNTH_CASES}
    for round_no in range(repeats):
        for variant, users in SYNTH_CASES:
            result = _synth(variant, users)
            synth[f"{variant}:{users}"].append(result)
            progress(f"batch: synth round {round_no + 1}/{repeats} {variant} x{users}: {result['process_s']:.1f} s")
    sizes = {f"{v}:{u}": _synth(v, u) for v, u in SIZE_CASES}
    bulk = [row for scenario in SCENARIOS for row in _bulk(scenario)]
    return {"repeats": repeats, "synth": synth, "sizes": sizes, "bulk": bulk, "pacing": _pacer_against_adaptive()}


def _ratio(result: dict[str, Any], ours: str, anchor: str) -> float:
    synth = result["synth"]
    return paired_ratio([s["process_s"] for s in synth[ours]], [s["process_s"] for s in synth[anchor]])


def section(result: dict[str, Any]) -> str:
    synth = result["synth"]
    names = {
        "pool:0": "pool only",
        "batch:1": "pool + batch of 1",
        "batch:5000": "pool + batch of 5,000",
        "batch:200": "pool + batch of 200",
        "singles:200": "pool + 200 `UserSmsMfaSettings`",
    }
    synth_rows = [
        [names[key], samples[0]["resources"], size(samples[0]["template_bytes"]),
         seconds(statistics.median(s["process_s"] for s in samples))]
        for key, samples in synth.items()
    ]  # fmt: skip
    size_rows = [
        [f"{key.split(':')[1]:>6}", "yes" if one.get("continuation") else "no", size(one["template_bytes"]),
         size(one["properties_bytes"]), size(one["event_bytes"]), size(one["rule_input_bytes"]),
         size(one["list_bytes"])]
        for key, one in result["sizes"].items()
    ]  # fmt: skip
    bulk_rows = [
        [row["scenario"], row["request"], row["status"], row["invocations"], row["reads"], row["writes"],
         row["throttled"],
         f"{row['write_rate']:.1f}/s ({row['write_rate'] / row['quota']:.0%} of {row['quota']:g})"
         if row["writes"] else "-",
         seconds(row["wall_s"]), seconds(row["least_s"]), f"{row['wall_s'] / row['least_s']:.2f}x",
         f"{row['wall_s'] / row['paced_least_s']:.2f}x"]
        for row in result["bulk"]
    ]  # fmt: skip
    pacing_rows = [
        [row["variant"], row["status"], seconds(row["wall_s"]), f"{row['wall_s'] / row['least_s']:.2f}x",
         row["writes"], row["attempts"], row["throttled"].get("UserUpdate", 0), row["throttled"].get("UserRead", 0)]
        for row in result["pacing"]
    ]  # fmt: skip
    return f"""Synth, {result["repeats"]} rounds, medians of the process's wall time:

{table(["app", "resources", "template", "synth"], synth_rows)}

A 5,000-user batch is {_ratio(result, "batch:5000", "pool:0"):.2f}x the pool alone (goal ≤ 1.1x), and
{_ratio(result, "batch:5000", "batch:1"):.2f}x the same app with a batch of one user: the handler every construct
of the library brings (its function, role and bundled asset) is most of the difference, the names are not. 200 users
as one batch are {_ratio(result, "batch:200", "singles:200"):.2f}x 200 single constructs.

Sizes (the event: an Update, old and new properties; crhelper's polling input limit is 8,192 characters, Lambda's
asynchronous payload limit 256 KiB):

{table(["users", "continues", "template", "properties", "Update event", "rule input", "list asset"], size_rows)}

"rule input" is the largest input a continuation's EventBridge rule carries (the Update event, crhelper's keys and
the progress with three problems and three failures named by 128-character usernames): EventBridge and crhelper
allow 8,192 characters.

Bulk apply, quotas enforced by the emulator (the 20,000-user run has every quota and the pace raised 10x and the
handler's time cut to 60 s, so that the same code goes on over several invocations, each fired at once as its rule
would be a minute later):

{
        table(
            [
                "run",
                "request",
                "status",
                "invocations",
                "reads",
                "writes",
                "throttled",
                "write rate",
                "wall",
                "least time",
                "vs least",
                "vs paced least",
            ],
            bulk_rows,
        )
    }

"vs paced least" compares with reads / paced read rate + writes / paced write rate, the least time at the 80 % pace.

Pacing, the same run: one Create of {USERS:,} users at the default quotas, with our pacer at 80 % of each quota (the
default) and at 100 %, and with no pacer of ours and botocore's adaptive retry mode instead (its client-side rate
limiter, on the one client the 8 workers share, at up to 10 attempts; the batch's rates set to the full quotas so
nothing of ours holds it back).
"attempts" counts every request the emulator received; "throttled" the ones it refused, which in an account are
requests taken from the quota the app's own traffic shares:

{
        table(
            [
                "variant",
                "status",
                "wall",
                "vs least",
                "writes",
                "attempts",
                "UserUpdate throttled",
                "UserRead throttled",
            ],
            pacing_rows,
        )
    }

{_conclusions(result)}
"""


def _conclusions(result: dict[str, Any]) -> str:
    """What the bulk and pacing figures say, in words, from the figures themselves."""
    by_run: dict[str, list[dict[str, Any]]] = {}
    for row in result["bulk"]:
        by_run.setdefault(row["scenario"], []).append(row)
    small, large = (by_run.get(scenario.label, []) for scenario in SCENARIOS)
    lines = []
    if small and large:
        ratio_small = small[0]["wall_s"] / small[0]["paced_least_s"]
        ratio_large = large[0]["wall_s"] / large[0]["paced_least_s"]
        lines.append(
            f"Scaling: the 20,000-user Create took {large[0]['invocations']} invocations and "
            f"{ratio_large:.2f}x its least time at its pace, against {ratio_small:.2f}x for 1,000 users in one "
            "invocation: the time grows with the users as the pace says (linearly), plus what each further "
            "invocation costs (its start, the list read again, a chunk's tail)."
        )
    variants = {row["variant"]: row for row in result["pacing"]}
    ours, full, botocore = (variants.get(label) for label, _, _ in PACING_VARIANTS)
    if ours and full and botocore:
        refused = sum(botocore["throttled"].values())
        verdict = (
            "Adaptive mode has no ceiling to hold: it starts unlimited and slows down only after Cognito has refused "
            "requests, which in an account are requests of the quota the app's own traffic shares. The pacer holds "
            "a share of the quota from the first call, so it is kept."
            if refused > sum(full["throttled"].values())
            else "Adaptive mode was refused no more often than the pacer at the whole quota here."
        )
        lines.append(
            f"Pacing: botocore's adaptive mode took {seconds(botocore['wall_s'])} with {refused:,} requests refused "
            f"(throttled); our pacer at the whole quota {seconds(full['wall_s'])} with "
            f"{sum(full['throttled'].values()):,}, and at its default 80 % {seconds(ours['wall_s'])} with "
            f"{sum(ours['throttled'].values()):,}. {verdict}"
        )
    return "\n\n".join(lines)


def goals(result: dict[str, Any]) -> list[Goal]:
    synth = _ratio(result, "batch:5000", "pool:0")
    default = [row for row in result["bulk"] if row["scenario"] == SCENARIOS[0].label]
    create = default[0]
    rate_share = create["write_rate"] / QUOTAS["UserUpdate"]
    wall_ratio = max(row["wall_s"] / row["least_s"] for row in default)
    return [
        Goal("batch: synth 5,000 users", f"{synth:.2f}x", "pool alone", f"{synth:.2f}x", "≤ 1.1x", synth <= 1.1),
        Goal(
            "batch: write rate",
            f"{create['write_rate']:.1f}/s",
            "quota 25/s",
            f"{rate_share:.0%}",
            "≥ 80 %",
            rate_share >= 0.8 and all(r["status"] == "SUCCESS" for r in default),
            "paced at exactly 80 % of the quota, so any overhead falls under",
        ),
        Goal(
            "batch: wall vs least time",
            f"{wall_ratio:.2f}x",
            "least time at quota",
            f"{wall_ratio:.2f}x",
            "≤ 1.25x",
            wall_ratio <= 1.25,
            "the default pace is 80 %, which alone makes 1.25x",
        ),
    ]
