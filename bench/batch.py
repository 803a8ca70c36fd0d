"""7. Batches (`UserSmsMfaSettingsBatch`)

Synth: each synthesis is a fresh `python bench/batch_synth_child.py VARIANT USERS OUTDIR` (jsii started anew, as in
`cdk synth`), interleaved round by round: a pool alone; the pool and one 5,000-user batch; 200 users as one batch
and as 200 `UserSmsMfaSettings`. Sizes: the template, the batch's resolved properties, a worst-case Update event
(old and new properties, a long ResponseURL) and the list asset, at 5,000 and 50,000 users (50,000 paced at raised
rates, which one request needs). Bulk apply: the handler module (staged asset) in this process against the emulator
with Cognito's default quotas enforced (UserRead 120/s, UserUpdate 25/s), 1,000 users with phone numbers: Create
(every user read, then written), an Update after 1 % of the users were changed by hand (every user read, those
written), Delete (every user read and cleared); the batch at its default pace (80 %: 96 and 20/s). "least time":
reads / read quota + writes / write quota. The write rate is the write phase's writes over its duration, from the
handler's own progress lines.
"""

from __future__ import annotations

import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any
from unittest import mock

from bench.common import ROOT, Goal, jsii_env, last_json_line, paired_ratio, progress, seconds, size, table
from cognito_sms_mfa.handler_asset import staged_asset
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
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
PHASE_LINE = re.compile(r"batch (read|write|clear) (\d+)/(\d+) .* elapsed=([\d.]+)s")


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


def _bulk() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
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
        client = admin_client(emulator)
        pool_id = client.create_user_pool(PoolName="bulk", MfaConfiguration="OPTIONAL")["UserPool"]["Id"]
        names = [f"user{i:05d}" for i in range(USERS)]
        add_users(client, pool_id, names)
        properties = batch_props(emulator, pool_id, names, rates=PACED)
        deploy = Deployer(load_handler(asset), collector, emulator)
        emulator.set_rate_limits(QUOTAS)

        def timed(name: str, request_type: str, **kwargs: Any) -> None:
            emulator.set_rate_limits(QUOTAS)  # resets the throttle counts
            phases.ends.clear()
            started = time.perf_counter()
            response = deploy.send(request_type, properties, resource_type=SETTINGS_BATCH_RESOURCE_TYPE,
                                   logical_id="Bulk", remaining_s=900, **kwargs)  # fmt: skip
            wall = time.perf_counter() - started
            calls = deploy.calls()
            reads, writes = calls.count("AdminGetUser"), calls.count("AdminSetUserSettings")
            write_phase = phases.ends.get("write", phases.ends.get("clear", 0.0)) - phases.ends.get("read", 0.0)
            least = reads / QUOTAS["UserRead"] + writes / QUOTAS["UserUpdate"]
            rows.append({
                "request": name, "status": response.status, "reason": response.reason, "wall_s": wall,
                "reads": reads, "writes": writes, "throttled": sum(emulator.throttled().values()),
                "write_rate": writes / write_phase if writes and write_phase > 0 else 0.0, "least_s": least,
                "paced_least_s": reads / float(PACED["UserRead"]) + writes / float(PACED["UserUpdate"]),
            })  # fmt: skip
            progress(f"batch: {name}: {response.status} in {wall:.1f} s, {reads} reads, {writes} writes")
            if response.status != "SUCCESS":
                raise RuntimeError(f"{name}: {response.reason}")
            kwargs_id.update(physical_id=response.physical_id)

        kwargs_id: dict[str, str] = {}
        timed("Create", "Create")
        emulator.set_rate_limits({})
        for name in names[: int(USERS * DRIFT_SHARE)]:
            client.admin_set_user_settings(UserPoolId=pool_id, Username=name, MFAOptions=[])
        timed("Update (1 % changed)", "Update", old_properties=properties, **kwargs_id)
        emulator.set_rate_limits({})
        timed("Delete", "Delete", **kwargs_id)
    batch_logger.removeHandler(phases)
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
    return {"repeats": repeats, "synth": synth, "sizes": sizes, "bulk": _bulk()}


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
        [f"{key.split(':')[1]:>6}", size(one["template_bytes"]), size(one["properties_bytes"]),
         size(one["event_bytes"]), size(one["list_bytes"])]
        for key, one in result["sizes"].items()
    ]  # fmt: skip
    bulk_rows = [
        [row["request"], row["status"], row["reads"], row["writes"], row["throttled"],
         f"{row['write_rate']:.1f}/s ({row['write_rate'] / QUOTAS['UserUpdate']:.0%} of 25)" if row["writes"] else "-",
         seconds(row["wall_s"]), seconds(row["least_s"]), f"{row['wall_s'] / row['least_s']:.2f}x",
         f"{row['wall_s'] / row['paced_least_s']:.2f}x"]
        for row in result["bulk"]
    ]  # fmt: skip
    return f"""Synth, {result["repeats"]} rounds, medians of the process's wall time:

{table(["app", "resources", "template", "synth"], synth_rows)}

A 5,000-user batch is {_ratio(result, "batch:5000", "pool:0"):.2f}x the pool alone (goal ≤ 1.1x), and
{_ratio(result, "batch:5000", "batch:1"):.2f}x the same app with a batch of one user: the handler every construct
of the library brings (its function, role and bundled asset) is most of the difference, the names are not. 200 users
as one batch are {_ratio(result, "batch:200", "singles:200"):.2f}x 200 single constructs.

Sizes (the event: an Update, old and new properties; crhelper's polling input limit is 8,192 characters, Lambda's
asynchronous payload limit 256 KiB):

{table(["users", "template", "properties", "Update event", "list asset"], size_rows)}

Bulk apply, {USERS:,} users, quotas enforced by the emulator:

{
        table(
            [
                "request",
                "status",
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

"vs paced least" compares with reads / 96 + writes / 20, the least time at the default 80 % pace.
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    synth = _ratio(result, "batch:5000", "pool:0")
    create = result["bulk"][0]
    rate_share = create["write_rate"] / QUOTAS["UserUpdate"]
    wall_ratio = max(row["wall_s"] / row["least_s"] for row in result["bulk"])
    return [
        Goal("batch: synth 5,000 users", f"{synth:.2f}x", "pool alone", f"{synth:.2f}x", "≤ 1.1x", synth <= 1.1),
        Goal(
            "batch: write rate",
            f"{create['write_rate']:.1f}/s",
            "quota 25/s",
            f"{rate_share:.0%}",
            "≥ 80 %",
            rate_share >= 0.8 and all(r["status"] == "SUCCESS" for r in result["bulk"]),
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
