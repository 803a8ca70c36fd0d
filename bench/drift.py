"""6. Drift check of 240 users, and of a batch of 1,000

A stack of 240 settings resources (one user each, every user in sync) is recorded in the emulator as a deployment
would leave it (template, resources, parameters), with the service's quotas on (UserRead 120/s, one bucket shared
by every caller, as Cognito counts per account). ``cognito-sms-mfa drift --json`` then runs as a user runs it, in
its own process (start-up included), three times at each pace: the default (80 % of the quota) and the whole
quota. The floor is the least the quota allows for 240 ``AdminGetUser`` calls: 240 / 120 = 2.0 s. The calls are
counted by the command itself (``calls`` and ``attempts`` of its JSON) and by the emulator (throttled answers).
A second stack holds one ``Custom::CognitoUserSmsMfaSettingsBatch`` of 1,000 users in sync (its list in the
emulator's S3), checked three times at the default pace, in the same rounds: floor 1,000 / 120 = 8.3 s.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

from bench.common import Goal, cli_json, progress, seconds, stats, table
from cognito_sms_mfa_emulator.clients import emulator_client, emulator_service_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS
from cognito_sms_mfa_emulator.stacks import StackResource
from cognito_sms_mfa_lambda import settings_batch_decisions, settings_decisions
from cognito_sms_mfa_lambda.manifest import ManifestLocation, manifest_bytes, sha256
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE

USERS = 240
ROUNDS = 3
QUOTA = SERVICE_QUOTAS["UserRead"]
PACES = {"80 % of the quota (default)": None, "the whole quota": QUOTA}
REGION = "us-east-1"
STACK = "DriftBench"
BATCH_USERS = 1000
BATCH_STACK = "DriftBatchBench"
BATCH_PACE = "a batch of 1,000 users, 80 % of the quota (default)"
ASSET_BUCKET = "cdk-hnb659fds-assets-000000000000-us-east-1"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def _pool_with_sms(emulator: CognitoEmulator, pool_name: str, names: list[str], phone_prefix: str) -> str:
    """A pool whose users ``names`` each have a phone number and the SMS option; its id."""
    client = emulator_client(emulator.endpoint, REGION)
    pool = client.create_user_pool(PoolName=pool_name)["UserPool"]["Id"]
    for index, name in enumerate(names):
        client.admin_create_user(
            UserPoolId=pool,
            Username=name,
            UserAttributes=[{"Name": "phone_number", "Value": f"{phone_prefix}{index:04d}"}],
            MessageAction="SUPPRESS",
        )
        client.admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
    return pool


def _deploy(emulator: CognitoEmulator) -> None:
    """A pool of USERS users with SMS MFA, and the stack that declares it for each."""
    names = [f"user{index:03d}" for index in range(USERS)]
    pool = _pool_with_sms(emulator, "drift-bench", names, "+1555555")
    stack_id = f"arn:aws:cloudformation:{REGION}:000000000000:stack/{STACK}/{uuid.uuid4()}"
    resources: dict[str, Any] = {"Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {}}}
    emulator.record_resource(stack_id, StackResource("Pool", pool, "AWS::Cognito::UserPool", "CREATE_COMPLETE"))
    for index, name in enumerate(names):
        logical_id = f"User{index:03d}Mfa"
        properties = {"UserPoolId": {"Ref": "Pool"}, "Username": name, "MFAOptions": [SMS]}
        resources[logical_id] = {"Type": SETTINGS_RESOURCE_TYPE, "Properties": properties}
        physical_id = settings_decisions.physical_id(UserRef(pool, name))
        emulator.record_resource(
            stack_id, StackResource(logical_id, physical_id, SETTINGS_RESOURCE_TYPE, "CREATE_COMPLETE")
        )
    emulator.record_stack(stack_id, {"Resources": resources}, {})


def _deploy_batch(emulator: CognitoEmulator) -> None:
    """A pool of BATCH_USERS users with SMS MFA, and the stack whose one batch resource declares it for all."""
    names = [f"staff{index:04d}" for index in range(BATCH_USERS)]
    pool = _pool_with_sms(emulator, "drift-batch-bench", names, "+1555666")
    data = manifest_bytes(names)
    location = ManifestLocation(ASSET_BUCKET, f"{sha256(data)}.json", sha256(data), len(names))
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    s3.create_bucket(Bucket=location.bucket)
    s3.put_object(Bucket=location.bucket, Key=location.key, Body=data)
    stack_id = f"arn:aws:cloudformation:{REGION}:000000000000:stack/{BATCH_STACK}/{uuid.uuid4()}"
    properties = {
        "UserPoolId": pool,
        "ManifestBucket": location.bucket,
        "ManifestKey": location.key,
        "ManifestSha256": location.sha256,
        "UserCount": str(location.count),
        "MFAOptions": [SMS],
    }
    physical_id = settings_batch_decisions.physical_id(pool, location)
    emulator.record_resource(
        stack_id, StackResource("StaffMfa", physical_id, SETTINGS_BATCH_RESOURCE_TYPE, "CREATE_COMPLETE")
    )
    emulator.record_stack(stack_id, {"Resources": {"StaffMfa": {"Type": SETTINGS_BATCH_RESOURCE_TYPE,
                                                                 "Properties": properties}}}, {})  # fmt: skip


def _drift(endpoint: str, max_rps: float | None, stack: str = STACK) -> dict[str, Any]:
    """One run of the command in its own process: its wall time and its JSON result."""
    args = ["--stack", stack, "--json", "--region", REGION, "--endpoint-url", endpoint]
    wall, result = cli_json("drift", args + ([] if max_rps is None else ["--max-rps", str(max_rps)]), 300)
    return {"wall": wall, "seconds": result["seconds"], "calls": result["calls"], "attempts": result["attempts"]}


def run() -> dict[str, Any]:
    """Deploy once, then run the check ROUNDS times at each pace (and of the batch), interleaved."""
    with CognitoEmulator(region=REGION) as emulator:
        _deploy(emulator)
        _deploy_batch(emulator)
        progress(f"drift: {USERS} users and a batch of {BATCH_USERS} deployed; checking {ROUNDS} rounds")
        checks = {pace: (max_rps, STACK) for pace, max_rps in PACES.items()} | {BATCH_PACE: (None, BATCH_STACK)}
        runs: dict[str, list[dict[str, Any]]] = {pace: [] for pace in checks}
        throttled: dict[str, int] = dict.fromkeys(checks, 0)
        for _ in range(ROUNDS):
            for pace, (max_rps, stack) in checks.items():
                emulator.set_rate_limits({"UserRead": QUOTA})  # a full bucket and zero counts for each run
                time.sleep(1.0)
                runs[pace].append(_drift(emulator.endpoint, max_rps, stack))
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
    batch = results.pop(BATCH_PACE)
    return {"users": USERS, "quota": QUOTA, "floor_s": USERS / QUOTA, "paces": results,
            "batch": {"users": BATCH_USERS, "floor_s": BATCH_USERS / QUOTA, **batch}}  # fmt: skip


def _row(pace: str, one: dict[str, Any], floor: float) -> list[object]:
    calls = one["calls"]
    user_reads, list_reads = calls.get("AdminGetUser", 0), calls.get("GetObject", 0)
    called = f"{user_reads} AdminGetUser + {sum(calls.values()) - user_reads - list_reads} CloudFormation"
    return [
        pace,
        f"{one['wall']['median']:.2f} s ({one['wall']['low']:.2f}-{one['wall']['high']:.2f} s)",
        seconds(one["in_command"]["median"]),
        f"{one['wall']['median'] / floor:.2f}x",
        called + (f" + {list_reads} GetObject" if list_reads else ""),
        one["attempts_max"],
        one["throttled"],
    ]


def section(result: dict[str, Any]) -> str:
    floor = result["floor_s"]
    rows = [_row(pace, one, floor) for pace, one in result["paces"].items()]
    default = next(iter(result["paces"].values()))
    per_user = default["calls"].get("AdminGetUser", 0) / result["users"]
    total = sum(one["throttled"] for one in result["paces"].values())
    throttled = "No call was throttled at either pace." if not total else f"{total} calls were throttled (and retried)."
    header = ["pace", "wall (median, low-high)", "in the command", "vs floor", "calls", "HTTP attempts (max)",
              "throttled (all rounds)"]  # fmt: skip
    batch = result["batch"]
    batch_pacing = batch["users"] / (result["quota"] * 0.8)
    return f"""Floor: {result["users"]} / {result["quota"]:g} per second = **{seconds(floor)}**.

{table(header, rows)}

The check costs {per_user:g} `AdminGetUser` per user, plus `DescribeStacks`, `GetTemplate` and one
`ListStackResources` per 100 resources for each stack (nested stacks included). At its default pace (80 % of the
UserRead quota, leaving the rest to the app) it takes {seconds(statistics.median(default["wall"]["samples"]))}, of
which the pacing is {seconds(result["users"] / (result["quota"] * 0.8))}; the rest is the process's start-up (boto3)
and the CloudFormation reads. {throttled}

A batch of {batch["users"]:,} users (one resource; floor {batch["users"]:,} / {result["quota"]:g} per second =
**{seconds(batch["floor_s"])}**), in the same rounds:

{table(header, [_row("80 % of the quota (default)", batch, batch["floor_s"])])}

One `GetObject` for the list, then one `AdminGetUser` per listed user through the same pacing: the pacing alone
needs {seconds(batch_pacing)}. Every run exited 0: one row, `IN_SYNC`, all {batch["users"]:,} users in sync.
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    default = next(iter(result["paces"].values()))
    batch = result["batch"]
    return [
        _goal(f"{result['users']} users", default, result["floor_s"], result["users"] / (result["quota"] * 0.8),
              " (1.25x the floor, by design: the app keeps 20 % of the quota); the rest is the process's start-up "
              "and the CloudFormation reads"),
        _goal(f"a batch of {batch['users']:,} users", batch, batch["floor_s"],
              batch["users"] / (result["quota"] * 0.8), ""),
    ]  # fmt: skip


def _goal(checked: str, one: dict[str, Any], floor: float, pacing: float, why: str) -> Goal:
    """The summary row of one check: its median wall against the floor, met at most 1.5x and none throttled."""
    wall = one["wall"]["median"]
    met = wall <= 1.5 * floor and one["throttled"] == 0
    return Goal(
        f"6. Drift check, {checked} (median wall)",
        seconds(wall),
        f"UserRead floor {seconds(floor)}",
        f"{wall / floor:.2f}x",
        "≤ 1.5x floor, none throttled",
        met,
        ""
        if met
        else f"6. The drift check of {checked} took {seconds(wall)} ({one['throttled']} throttled): the default "
        f"pace alone needs {seconds(pacing)}{why}.",
    )
