"""6. Drift check of 240 users

A stack of 240 settings resources (one user each, every user in sync) is recorded in the emulator as a deployment
would leave it (template, resources, parameters), with the service's quotas on (UserRead 120/s, one bucket shared
by every caller, as Cognito counts per account). ``cognito-sms-mfa drift --json`` then runs as a user runs it, in
its own process (start-up included), three times at each pace: the default (80 % of the quota) and the whole
quota. The floor is the least the quota allows for 240 ``AdminGetUser`` calls: 240 / 120 = 2.0 s. The calls are
counted by the command itself (``calls`` and ``attempts`` of its JSON) and by the emulator (throttled answers).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from typing import Any

from bench.common import ROOT, Goal, progress, seconds, stats, table
from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS
from cognito_sms_mfa_emulator.stacks import StackResource
from cognito_sms_mfa_lambda import settings_decisions
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE

USERS = 240
ROUNDS = 3
QUOTA = SERVICE_QUOTAS["UserRead"]
PACES = {"80 % of the quota (default)": None, "the whole quota": QUOTA}
REGION = "us-east-1"
STACK = "DriftBench"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def _deploy(emulator: CognitoEmulator) -> None:
    """A pool of USERS users with SMS MFA, and the stack that declares it for each."""
    client = emulator_client(emulator.endpoint, REGION)
    pool = client.create_user_pool(PoolName="drift-bench")["UserPool"]["Id"]
    stack_id = f"arn:aws:cloudformation:{REGION}:000000000000:stack/{STACK}/{uuid.uuid4()}"
    resources: dict[str, Any] = {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}}}
    emulator.record_resource(stack_id, StackResource("Pool", pool, "AWS::Cognito::UserPool", "CREATE_COMPLETE"))
    for index in range(USERS):
        name = f"user{index:03d}"
        client.admin_create_user(
            UserPoolId=pool,
            Username=name,
            UserAttributes=[{"Name": "phone_number", "Value": f"+1555555{index:04d}"}],
            MessageAction="SUPPRESS",
        )
        client.admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
        logical_id = f"User{index:03d}Mfa"
        properties = {"UserPoolId": {"Ref": "Pool"}, "Username": name, "MFAOptions": [SMS]}
        resources[logical_id] = {"Type": SETTINGS_RESOURCE_TYPE, "Properties": properties}
        physical_id = settings_decisions.physical_id(UserRef(pool, name))
        emulator.record_resource(
            stack_id, StackResource(logical_id, physical_id, SETTINGS_RESOURCE_TYPE, "CREATE_COMPLETE")
        )
    emulator.record_stack(stack_id, {"Resources": resources}, {})


def _drift(endpoint: str, max_rps: float | None) -> dict[str, Any]:
    """One run of the command in its own process: its wall time and its JSON result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | OFFLINE_AWS_ENV
    command = [sys.executable, "-m", "cognito_sms_mfa_cli", "drift", "--stack", STACK, "--json"]
    command += ["--region", REGION, "--endpoint-url", endpoint]
    command += [] if max_rps is None else ["--max-rps", str(max_rps)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"drift: exit {done.returncode}: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return {"wall": wall, "seconds": result["seconds"], "calls": result["calls"], "attempts": result["attempts"]}


def run() -> dict[str, Any]:
    """Deploy once, then run the check ROUNDS times at each pace, interleaved."""
    with CognitoEmulator(region=REGION) as emulator:
        _deploy(emulator)
        progress(f"drift: {USERS} users deployed; checking {ROUNDS} rounds at {len(PACES)} paces")
        runs: dict[str, list[dict[str, Any]]] = {pace: [] for pace in PACES}
        throttled: dict[str, int] = dict.fromkeys(PACES, 0)
        for _ in range(ROUNDS):
            for pace, max_rps in PACES.items():
                emulator.set_rate_limits({"UserRead": QUOTA})  # a full bucket and zero counts for each run
                time.sleep(1.0)
                runs[pace].append(_drift(emulator.endpoint, max_rps))
                throttled[pace] += emulator.throttled().get("UserRead", 0)
    results = {
        pace: {
            "wall": stats([r["wall"] for r in found]),
            "in_command": stats([r["seconds"] for r in found]),
            "calls": found[0]["calls"],
            "attempts_max": max(r["attempts"] for r in found),
            "throttled": throttled[pace],
        }
        for pace, found in runs.items()
    }
    return {"users": USERS, "quota": QUOTA, "floor_s": USERS / QUOTA, "paces": results}


def section(result: dict[str, Any]) -> str:
    floor = result["floor_s"]
    rows = []
    for pace, one in result["paces"].items():
        calls = one["calls"]
        rows.append([
            pace,
            f"{one['wall']['median']:.2f} s ({one['wall']['low']:.2f}-{one['wall']['high']:.2f} s)",
            seconds(one["in_command"]["median"]),
            f"{one['wall']['median'] / floor:.2f}x",
            f"{calls.get('AdminGetUser', 0)} AdminGetUser + {sum(calls.values()) - calls.get('AdminGetUser', 0)} "
            "CloudFormation",
            one["attempts_max"],
            one["throttled"],
        ])  # fmt: skip
    default = next(iter(result["paces"].values()))
    per_user = default["calls"].get("AdminGetUser", 0) / result["users"]
    total = sum(one["throttled"] for one in result["paces"].values())
    throttled = "No call was throttled at either pace." if not total else f"{total} calls were throttled (and retried)."
    header = ["pace", "wall (median, low-high)", "in the command", "vs floor", "calls", "HTTP attempts (max)",
              "throttled (all rounds)"]  # fmt: skip
    return f"""Floor: {result["users"]} / {result["quota"]:g} per second = **{seconds(floor)}**.

{table(header, rows)}

The check costs {per_user:g} `AdminGetUser` per user, plus `DescribeStacks`, `GetTemplate` and one
`ListStackResources` per 100 resources for each stack (nested stacks included). At its default pace (80 % of the
UserRead quota, leaving the rest to the app) it takes {seconds(statistics.median(default["wall"]["samples"]))}, of
which the pacing is {seconds(result["users"] / (result["quota"] * 0.8))}; the rest is the process's start-up (boto3)
and the CloudFormation reads. {throttled}
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    floor = result["floor_s"]
    default = next(iter(result["paces"].values()))
    wall = default["wall"]["median"]
    met = wall <= 1.5 * floor and default["throttled"] == 0
    return [
        Goal(
            f"6. Drift check, {result['users']} users (median wall)",
            seconds(wall),
            f"UserRead floor {seconds(floor)}",
            f"{wall / floor:.2f}x",
            "≤ 1.5x floor, none throttled",
            met,
            ""
            if met
            else f"6. The drift check of {result['users']} users took {seconds(wall)} ({default['throttled']} "
            f"throttled): the default pace alone needs {seconds(result['users'] / (result['quota'] * 0.8))} "
            "(1.25x the floor, by design: the app keeps 20 % of the quota); the rest is the process's start-up "
            "and the CloudFormation reads.",
        )
    ]
