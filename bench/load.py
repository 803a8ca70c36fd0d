"""Load: many settings deployed and deleted at once, under Cognito's request-rate quotas

CloudFormation creates (and deletes) independent resources in parallel, so N settings invoke the handler N times
at once. Each scenario creates N users, then sends N Creates and afterwards N Deletes to the real bundled asset,
each request in its own Lambda-like process (``cognito_sms_mfa_rehearsal/lambda_runner.py``: the asset and boto3
only), against the emulator with the service's quotas on (UserUpdate 25/s, UserRead 120/s, one bucket shared by
every caller).
"All at once" starts the processes first (their start-up is Lambda's init phase, not part of a request), then
sends every event at the same moment; at most PROCESS_CAP processes wait at once on this machine (each holds a
Python with boto3 in memory), so a larger N goes in equal waves of at most PROCESS_CAP requests. "30 in flight"
keeps 30 requests running, each starting its process when a slot frees. The slowest request is timed from its
event to its exit when all go at once, and from its process's launch (start-up included) with 30 in flight.
Nothing here asserts on time.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any

from bench.common import progress
from cognito_sms_mfa.handler_asset import HANDLER_ENTRY, staged_asset
from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS
from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector, custom_resource_event
from cognito_sms_mfa_rehearsal.lambda_runner import Invocation, Started, invoke, lambda_environment, start
from tests.handler.functional.harness import record

REGION = "us-east-1"
LAMBDA_TIMEOUT_S = 120.0
PROCESS_CAP = 125
# (users, requests in flight; None: all at once)
SCENARIOS: tuple[tuple[int, int | None], ...] = ((50, None), (50, 30), (246, None), (246, 30))
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
COGNITO_CALLS = ("AdminGetUser", "AdminSetUserSettings")


@dataclass(frozen=True)
class Phase:
    """N requests of one type: how they ended, how long they took, and what Cognito saw."""

    request_type: str
    successes: int
    failures: int
    wall_s: float
    slowest_s: float
    calls: int
    throttles: int
    first_failure: str


@dataclass(frozen=True)
class Scenario:
    """One stack size and concurrency: its Creates, then its Deletes."""

    users: int
    in_flight: str
    processes: int
    create: Phase
    delete: Phase


def run() -> dict[str, Any]:
    """Run every scenario against one emulator and one response collector; JSON-ready results."""
    results: list[Scenario] = []
    with staged_asset() as asset, CognitoEmulator(region=REGION) as emulator, ResponseCollector() as collector:
        for users, in_flight in SCENARIOS:
            processes = in_flight or _wave_size(users)
            pool_id = _pool_with_users(emulator, users)
            stack_id = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Load/{uuid.uuid4()}"
            creates = [_event("Create", stack_id, pool_id, index, None, collector) for index in range(users)]
            create, ids = _phase(asset, emulator, collector, creates, in_flight)
            for index in range(users):  # a stack deletion, as ListStackResources shows it to each Delete
                record(emulator, f"User{index:03d}Mfa", ids[index], "DELETE_IN_PROGRESS", stack_id=stack_id)
            deletes = [_event("Delete", stack_id, pool_id, index, ids[index], collector) for index in range(users)]
            delete, _ = _phase(asset, emulator, collector, deletes, in_flight)
            label = "all at once" if in_flight is None else f"{in_flight} in flight"
            results.append(Scenario(users, label, processes, create, delete))
            progress(
                f"load: {users} users, {label}: Create {create.failures} failed, slowest {create.slowest_s:.1f} s; "
                f"Delete {delete.failures} failed, slowest {delete.slowest_s:.1f} s"
            )
    return {"scenarios": [asdict(scenario) for scenario in results]}


def _wave_size(users: int) -> int:
    waves = -(-users // PROCESS_CAP)
    return -(-users // waves)


def _pool_with_users(emulator: CognitoEmulator, users: int) -> str:
    emulator.reset()  # no pools, no faults, no rate limit while the users are made
    client = emulator_client(emulator.endpoint, REGION)
    pool_id = client.create_user_pool(PoolName="load")["UserPool"]["Id"]
    for index in range(users):
        client.admin_create_user(UserPoolId=pool_id, Username=f"user{index:03d}", MessageAction="SUPPRESS")
    return pool_id


def _event(
    request_type: str, stack_id: str, pool_id: str, index: int, physical_id: str | None, collector: ResponseCollector
) -> dict[str, object]:
    properties = {"UserPoolId": pool_id, "Username": f"user{index:03d}", "MFAOptions": [SMS]}
    return custom_resource_event(
        request_type,
        {"ServiceToken": "arn:aws:lambda:load", "ServiceTimeout": "300", **properties},
        response_url=collector.new_url(),
        stack_id=stack_id,
        logical_id=f"User{index:03d}Mfa",
        physical_id=physical_id,
    )


def _phase(
    asset: str,
    emulator: CognitoEmulator,
    collector: ResponseCollector,
    events: list[dict[str, object]],
    in_flight: int | None,
) -> tuple[Phase, list[str]]:
    """Send ``events`` all at once (in waves) or ``in_flight`` at a time; return the phase and the answered ids."""
    emulator.set_rate_limits(SERVICE_QUOTAS)  # also starts the throttle counts again
    emulator.clear_calls()
    env = lambda_environment(
        region=REGION,
        endpoint=emulator.endpoint,
        function_name="load",
        timeout_s=LAMBDA_TIMEOUT_S,
        extra={"SSL_CERT_FILE": collector.ca_file},
    )
    wall_s = 0.0
    runs: list[Invocation] = []
    if in_flight is not None:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=in_flight) as workers:
            runs = list(
                workers.map(
                    lambda event: invoke(asset, event, entry=HANDLER_ENTRY, timeout_s=LAMBDA_TIMEOUT_S, env=env),
                    events,
                )
            )
        wall_s = time.monotonic() - started
    else:
        size = _wave_size(len(events))
        for first in range(0, len(events), size):
            wave = events[first : first + size]
            with ThreadPoolExecutor(max_workers=len(wave)) as workers:
                ready = list(
                    workers.map(lambda _: start(asset, entry=HANDLER_ENTRY, timeout_s=LAMBDA_TIMEOUT_S, env=env), wave)
                )
                started = time.monotonic()
                runs += list(workers.map(Started.invoke, ready, wave))
            wall_s += time.monotonic() - started
    answers = [collector.wait_for(str(event["ResponseURL"]), timeout_s=5.0) for event in events]
    failed = [answer for answer in answers if answer.status != "SUCCESS"]
    phase = Phase(
        request_type=str(events[0]["RequestType"]),
        successes=len(answers) - len(failed),
        failures=len(failed),
        wall_s=wall_s,
        slowest_s=max(run.duration_s for run in runs),
        calls=sum(len(emulator.calls(action)) for action in COGNITO_CALLS),
        throttles=sum(emulator.throttled().values()),
        first_failure=failed[0].reason if failed else "",
    )
    return phase, [answer.physical_id for answer in answers]


def section(result: dict[str, Any]) -> str:
    """One row per scenario and request type, and the first failure reasons if any."""
    scenarios = result["scenarios"]
    rows = [
        f"| {s['users']} | {s['in_flight']} ({s['processes']} processes at once) | {p['request_type']} "
        f"| {p['successes']} | {p['failures']} | {p['wall_s']:.1f} s | {p['slowest_s']:.1f} s | {p['calls']} "
        f"| {p['throttles']} |"
        for s in scenarios
        for p in (s["create"], s["delete"])
    ]
    failures = [
        f"- {p['request_type']}: {p['first_failure']}"
        for s in scenarios
        for p in (s["create"], s["delete"])
        if p["failures"]
    ]
    return "\n".join(
        [
            "| users | concurrency | request | successes | failures | wall time | slowest request | Cognito calls "
            "| throttled |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            *rows,
            *(["", "First failure reasons:", *failures] if failures else []),
        ]
    )
