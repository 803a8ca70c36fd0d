"""2. Per request type

The staged asset's entry module runs in the benchmark process with the helpers of the functional tests
(`tests/handler/functional/harness.py`): Cognito is the local emulator
(`cognito_sms_mfa_emulator.emulator.CognitoEmulator`, over HTTP on 127.0.0.1, through
`AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`), and the ResponseURL is a local TLS endpoint (`ResponseCollector`, its
throwaway CA trusted through `SSL_CERT_FILE`), so crhelper sends its real HTTPS PUT. Each round sends Create (alice
gets SMS MFA), Update (her options cleared), Delete of the id Create returned, and Delete of an id in crhelper's
random format (as after a failed Create). Time: from sending the event to the response in the collector. Calls: the
actions the emulator received.
"""

from __future__ import annotations

import inspect
import os
import sys
import time
from types import SimpleNamespace
from typing import Any
from unittest import mock

from crhelper.resource_helper import CfnResource

from bench.common import Goal, ms, progress, seconds, spread, stats, table
from cognito_sms_mfa.handler_asset import staged_asset
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector
from cognito_sms_mfa_rehearsal.lambda_bootstrap import LambdaContext
from tests.handler.functional.harness import (
    REGION,
    UNSET_ENV,
    Deployer,
    admin_client,
    create_pool,
    handler_env,
    load_handler,
    props,
)

RUNS = 21
LAMBDA_TIMEOUT_S = 120  # the handler's timeout (HANDLER_TIMEOUT; asset_size checks it in a synthesized template)
FOREIGN_ID = "Bench_AliceMfa_K3J9Q2XZ"  # crhelper's random id shape, as after a failed Create
GOAL_CALLS = {"Create": 2, "Update": 2, "Delete": 1, "Delete (foreign id)": 0}
DELETE_GOAL_MS = 1000.0
# Timeouts at which crhelper's default sleep_on_delete is evaluated (ours, its threshold, common choices).
ANCHOR_TIMEOUTS_S = (120, 136, 137, 300, 900)


def run(runs: int = RUNS) -> dict[str, Any]:
    """Run ``runs`` rounds of Create, Update, Delete and foreign-id Delete, after one warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in GOAL_CALLS}
    actions: dict[str, list[str]] = {}
    with (
        CognitoEmulator(region=REGION) as emulator,
        ResponseCollector() as collector,
        mock.patch.dict(os.environ, handler_env(emulator, collector)),
        staged_asset() as asset,
        # load_handler imports the handler from the staged asset: forget it afterwards, so later figures stage
        # the asset from the installed package rather than from this removed folder.
        mock.patch.object(sys, "path", list(sys.path)),
        mock.patch.dict(sys.modules),
    ):
        for name in UNSET_ENV:
            os.environ.pop(name, None)
        pool_id = create_pool(admin_client(emulator))
        deploy = Deployer(load_handler(asset), collector, emulator)

        def timed(name: str, request_type: str, properties: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
            started = time.perf_counter()
            body = deploy.send(request_type, properties, **kwargs).body
            times[name].append((time.perf_counter() - started) * 1000.0)
            if body["Status"] != "SUCCESS":
                raise RuntimeError(f"{name} answered {body['Status']}: {body.get('Reason')}")
            if actions.setdefault(name, deploy.calls()) != deploy.calls():
                raise RuntimeError(f"{name} made {deploy.calls()} in one round and {actions[name]} in another")
            return body

        with_sms, without = props(pool_id), props(pool_id, options=[])
        for round_no in range(runs + 1):
            created = str(timed("Create", "Create", with_sms)["PhysicalResourceId"])
            timed("Update", "Update", without, physical_id=created, old_properties=with_sms)
            timed("Delete", "Delete", without, physical_id=created)
            timed("Delete (foreign id)", "Delete", without, physical_id=FOREIGN_ID)
            if round_no % 5 == 0:
                progress(f"requests: round {round_no}/{runs}")
    requests: dict[str, dict[str, Any]] = {
        name: {"time_ms": stats(times[name][1:]), "first_ms": times[name][0], "actions": actions[name]}
        for name in GOAL_CALLS
    }
    delete_s = requests["Delete"]["time_ms"]["median"] / 1000
    return {
        "runs": runs,
        "requests": requests,
        "crhelper_sleep_s": {
            str(timeout): crhelper_default_sleep_s(timeout - delete_s) for timeout in ANCHOR_TIMEOUTS_S
        },
    }


def crhelper_default_sleep_s(remaining_s: float) -> float:
    """How long crhelper's defaults would sleep after a Delete with ``remaining_s`` left; nothing sleeps.

    Asks crhelper's own ``_wait_for_cwlogs`` through its ``sleep`` parameter, with the default ``sleep_on_delete``
    read from ``CfnResource``'s signature: crhelper has no public way to ask this.
    """
    slept: list[float] = []
    default = inspect.signature(CfnResource).parameters["sleep_on_delete"].default
    helper = SimpleNamespace(_sleep_on_delete=default, _context=LambdaContext(remaining_s))
    CfnResource._wait_for_cwlogs(helper, sleep=slept.append)  # type: ignore[attr-defined]  # not in its stub
    return float(sum(slept))


def _with_sleep_ms(delete_ms: float, sleep_s: float) -> str:
    total_ms = delete_ms + sleep_s * 1000
    return ms(total_ms) if total_ms < 1000 else seconds(total_ms / 1000)


def section(result: dict[str, Any]) -> str:
    requests, sleeps = result["requests"], result["crhelper_sleep_s"]
    rows = [
        [
            name,
            f"{len(one['actions'])} ({', '.join(f'`{a}`' for a in one['actions']) or 'none'})",
            _at_most(GOAL_CALLS[name]),
            spread(one["time_ms"], "ms"),
            ms(one["first_ms"]),
        ]
        for name, one in requests.items()
    ]
    delete_ms = requests["Delete"]["time_ms"]["median"]
    anchors = [
        [f"{t} s", f"{s:g} s", _with_sleep_ms(delete_ms, s), f"{(delete_ms + s * 1000) / delete_ms:,.0f}x"]
        for t, s in sleeps.items()
    ]
    first_sleeping = min((int(t) for t, s in sleeps.items() if s > 0), default=0)
    return f"""{result["runs"]} rounds after one warm-up round (whose times are shown as "first").

{table(["request", "Cognito calls", "goal", "time, median (min-max)", "first"], rows)}

Anchor: crhelper's default `sleep_on_delete=120`. After the delete function returns, crhelper's `_wait_for_cwlogs`
sleeps `sleep_on_delete` seconds only when `int(remaining seconds) - 15 > sleep_on_delete`. The table asks that
function itself (with a recording `sleep`, so nothing sleeps) at several Lambda timeouts, the time our Delete took
already spent. This library's handler times out after {LAMBDA_TIMEOUT_S} s, so with crhelper's defaults its Delete
would sleep {sleeps[str(LAMBDA_TIMEOUT_S)]:g} s; a timeout of {first_sleeping} s or more would make every Delete
sleep. The handler sets `sleep_on_delete=0`, so its Delete time does not depend on its timeout.

{table(["Lambda timeout", "crhelper default sleeps", "Delete with crhelper defaults", "vs ours"], anchors)}
"""


def _at_most(calls: int) -> str:
    return "0" if calls == 0 else f"≤ {calls}"


def goals(result: dict[str, Any]) -> list[Goal]:
    requests, sleeps = result["requests"], result["crhelper_sleep_s"]
    delete_ms = requests["Delete"]["time_ms"]["median"]
    timeout, sleep_s = next((int(t), s) for t, s in sleeps.items() if s > 0)
    calls = [len(one["actions"]) for one in requests.values()]
    return [
        Goal(
            "2. Cognito calls: Create / Update / Delete / foreign-id Delete",
            " / ".join(map(str, calls)),
            "-",
            "-",
            " / ".join(_at_most(goal) for goal in GOAL_CALLS.values()),
            all(n <= goal for n, goal in zip(calls, GOAL_CALLS.values(), strict=True)),
        ),
        Goal(
            "2. Delete wall time (median)",
            ms(delete_ms),
            f"crhelper defaults: {ms(delete_ms)} at a {LAMBDA_TIMEOUT_S} s timeout; "
            f"{_with_sleep_ms(delete_ms, sleep_s)} at ≥ {timeout} s",
            f"1.00x at {LAMBDA_TIMEOUT_S} s; 1/{(delete_ms + sleep_s * 1000) / delete_ms:,.0f} at ≥ {timeout} s",
            "well under 1 s",
            delete_ms < DELETE_GOAL_MS,
        ),
    ]
