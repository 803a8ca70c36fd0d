"""8. Export of a pool of 2,000 users

A pool of 2,000 users in the emulator, 1,900 of them with a phone number and SMS MFA in one of the five states
an export writes (the other 100 without a phone number), with Cognito's UserRead quota on (120/s, one bucket for
every caller). ``cognito-sms-mfa export --json`` then runs as a user runs it, in its own process (start-up
included), three times at its defaults: ``ListUsers`` at 24 per second (80 % of the UserList quota of 30, which
the emulator does not enforce: the command's own pacing is what is measured) and ``AdminGetUser`` at 96 per second
(80 % of UserRead). The floor is what the quotas allow, one after the other: ceil(2,000 / 60) = 34 pages / 30 per
second + 1,900 reads / 120 per second = 1.1 s + 15.8 s = 17.0 s. The calls are counted by the command
(``calls`` and ``attempts`` of its JSON) and by the emulator (throttled answers).
"""

from __future__ import annotations

import math
import tempfile
import time
from typing import Any

from bench.common import Goal, cli_json, progress, seconds, stats, table
from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS

USERS = 2000
NO_PHONE = 100
ROUNDS = 3
REGION = "us-east-1"
READ_QUOTA = SERVICE_QUOTAS["UserRead"]
LIST_QUOTA = 30.0  # UserList, requests per second
PAGE = 60
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
# (SMS options, SMS factor) of the users with a phone number, in turn.
STATES = [(True, "PREFERRED"), (True, "ENABLED"), (True, None), (False, "PREFERRED"), (False, "ENABLED")]


def _pool(emulator: CognitoEmulator) -> str:
    client = emulator_client(emulator.endpoint, REGION)
    pool = client.create_user_pool(PoolName="export-bench")["UserPool"]["Id"]
    for index in range(USERS):
        name = f"user{index:04d}"
        phone = index >= NO_PHONE
        attributes: list[Any] = [{"Name": "phone_number", "Value": f"+1555{index:07d}"}] if phone else []
        client.admin_create_user(UserPoolId=pool, Username=name, UserAttributes=attributes, MessageAction="SUPPRESS")
        if not phone:
            continue
        options, factor = STATES[index % len(STATES)]
        if options:
            client.admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
        if factor is not None:
            client.admin_set_user_mfa_preference(
                UserPoolId=pool, Username=name, SMSMfaSettings={"Enabled": True, "PreferredMfa": factor == "PREFERRED"}
            )
    return pool


def _export(endpoint: str, pool: str) -> dict[str, Any]:
    """One run of the command in its own process: its wall time and its JSON result."""
    with tempfile.TemporaryDirectory(prefix="export-bench-") as out:
        args = ["--user-pool-id", pool, "--out", out, "--endpoint-url", endpoint, "--json"]
        wall, result = cli_json("export", args)
    return {"wall": wall, "seconds": result["seconds"], "calls": result["calls"], "attempts": result["attempts"],
            "files": result["files"], "read": result["read"]}  # fmt: skip


def run() -> dict[str, Any]:
    """Make the pool once, then export it ROUNDS times."""
    with CognitoEmulator(region=REGION) as emulator:
        pool = _pool(emulator)
        progress(f"export: a pool of {USERS:,} users made; exporting {ROUNDS} rounds")
        runs, throttled = [], 0
        for _ in range(ROUNDS):
            emulator.set_rate_limits({"UserRead": READ_QUOTA})  # a full bucket and zero counts for each run
            time.sleep(1.0)
            runs.append(_export(emulator.endpoint, pool))
            throttled += emulator.throttled().get("UserRead", 0)
    pages = math.ceil(USERS / PAGE)
    reads = USERS - NO_PHONE
    return {
        "users": USERS,
        "read": reads,
        "pages": pages,
        "floor_s": pages / LIST_QUOTA + reads / READ_QUOTA,
        "pacing_s": pages / (LIST_QUOTA * 0.8) + reads / (READ_QUOTA * 0.8),
        "wall": stats([r["wall"] for r in runs]),
        "in_command": stats([r["seconds"] for r in runs]),
        "calls": runs[0]["calls"],
        "files": runs[0]["files"],
        "attempts_max": max(r["attempts"] for r in runs),
        "throttled": throttled,
    }


def section(result: dict[str, Any]) -> str:
    calls = result["calls"]
    wall = result["wall"]
    row = [
        f"{result['users']:,} users ({result['read']:,} with a phone number)",
        f"{wall['median']:.2f} s ({wall['low']:.2f}-{wall['high']:.2f} s)",
        seconds(result["in_command"]["median"]),
        f"{wall['median'] / result['floor_s']:.2f}x",
        f"{calls.get('ListUsers', 0)} ListUsers + {calls.get('AdminGetUser', 0):,} AdminGetUser",
        result["attempts_max"],
        result["throttled"],
    ]
    header = ["pool", "wall (median, low-high)", "in the command", "vs floor", "calls", "HTTP attempts (max)",
              "throttled (all rounds)"]  # fmt: skip
    files = ", ".join(f"`{name}` {count:,}" for name, count in result["files"].items())
    return f"""Floor: {result["pages"]} pages / {LIST_QUOTA:g} per second + {result["read"]:,} reads /
{READ_QUOTA:g} per second = **{seconds(result["floor_s"])}**.

{table(header, [row])}

The export costs one `ListUsers` per 60 users and one `AdminGetUser` per user with a phone number (none for the
{result["users"] - result["read"]:,} without: they have no SMS MFA a batch could declare). At its default pace (80 % of
both quotas, leaving the rest to the app) the pacing alone needs {seconds(result["pacing_s"])}; the rest is the
process's start-up (boto3). Files written: {files}.
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    wall = result["wall"]["median"]
    met = wall <= 1.5 * result["floor_s"] and result["throttled"] == 0
    return [
        Goal(
            f"8. Export, {result['users']:,} users (median wall)",
            seconds(wall),
            f"UserList + UserRead floor {seconds(result['floor_s'])}",
            f"{wall / result['floor_s']:.2f}x",
            "≤ 1.5x floor, none throttled",
            met,
            ""
            if met
            else f"8. The export of {result['users']:,} users took {seconds(wall)} "
            f"({result['throttled']} throttled): the default pace alone needs {seconds(result['pacing_s'])}.",
        )
    ]
