"""5. Stack capacity

Real syntheses with 1 and 2 users give the resources one user adds and the fixed ones (pool, handler, CDK
metadata); N = floor((500 - fixed) / per user). Each N is then checked by synthesizing exactly N users (must
succeed with at most 500 resources) and N + 1 users (the CDK's own check, on by default, must refuse it with
`TooManyResourcesInStack`). The app reports its version (`AWS::CDK::Metadata`), as apps run by the CDK CLI do by
default. Nothing here is timed, so the syntheses run two at a time.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import Goal, progress, table
from bench.synth import synthesize

LIMIT = 500
VARIANTS = {
    "ours": "`UserSmsMfaSettings` + `CfnUserPoolUser`",
    "testuser": "`SmsMfaTestUser`",
    "awscr": "`AwsCustomResource` + `CfnUserPoolUser`",
}
TOO_MANY = re.compile(r"Number of resources in stack '[^']*': (\d+) is greater than allowed maximum of (\d+)")


def _synth(variant: str, users: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as outdir:
        result, _, _ = synthesize(variant, users, Path(outdir))
    return result


def _by_type(counts: Counter[str]) -> dict[str, int]:
    return {name: count for name, count in sorted(counts.items()) if count}


def run(workers: int = 2) -> dict[str, Any]:
    """Count, compute and verify every variant."""
    results: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        small = {(variant, users): pool.submit(_synth, variant, users) for variant in VARIANTS for users in (1, 2)}
        for variant in VARIANTS:
            one, two = small[(variant, 1)].result(), small[(variant, 2)].result()
            if "error" in one or "error" in two:
                raise RuntimeError(f"capacity: {variant} failed to synthesize: {one} {two}")
            per_type = Counter(two["by_type"]) - Counter(one["by_type"])
            per_user = sum(per_type.values())
            fixed = Counter(one["by_type"]) - per_type
            max_users = (LIMIT - fixed.total()) // per_user
            results[variant] = {
                "per_user": per_user,
                "per_user_by_type": _by_type(per_type),
                "fixed": fixed.total(),
                "fixed_by_type": _by_type(fixed),
                "max_users": max_users,
            }
            progress(f"capacity: {variant}: {per_user} resources per user, {fixed.total()} fixed, N = {max_users}")
        checks = {
            (variant, users): pool.submit(_synth, variant, users)
            for variant, counted in results.items()
            for users in (counted["max_users"], counted["max_users"] + 1)
        }
        for variant, counted in results.items():
            at_max = checks[(variant, counted["max_users"])].result()
            beyond = checks[(variant, counted["max_users"] + 1)].result()
            expected = counted["fixed"] + counted["per_user"] * counted["max_users"]
            if "error" in at_max or at_max["resources"] != expected or expected > LIMIT:
                raise RuntimeError(f"capacity: {variant} x{counted['max_users']} should give {expected}: {at_max}")
            match = TOO_MANY.search(str(beyond.get("error", "")))
            if match is None or int(match.group(1)) <= LIMIT:
                raise RuntimeError(f"capacity: {variant} x{counted['max_users'] + 1} should exceed {LIMIT}: {beyond}")
            counted |= {"resources_at_max": expected, "refused_at_max_plus_one": int(match.group(1))}
    return results


def _types(by_type: dict[str, int]) -> str:
    return ", ".join(f"{count} {name}" for name, count in by_type.items())


def section(result: dict[str, Any]) -> str:
    rows = [
        [
            what,
            f"{one['per_user']} ({_types(one['per_user_by_type'])})",
            f"{one['fixed']} ({_types(one['fixed_by_type'])})",
            f"**{one['max_users']}**",
            one["resources_at_max"],
            f"refused: {one['refused_at_max_plus_one']}",
        ]
        for variant, what in VARIANTS.items()
        if (one := result[variant])
    ]
    ours, awscr = result["ours"]["max_users"], result["awscr"]["max_users"]
    header = ["per user", "resources per user", "fixed resources", "max users", "resources at N", "at N + 1"]
    return f"""{table(header, rows)}

Ours fits {ours} users in a stack, `AwsCustomResource` {awscr} ({ours / awscr:.2f}x): each `AwsCustomResource`
brings its own IAM policy, while this library's handler has one policy per stack that lists each pool once.
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    ours, awscr = result["ours"]["max_users"], result["awscr"]["max_users"]
    return [
        Goal(
            f"5. Users per stack ({LIMIT} resources)",
            str(ours),
            f"`AwsCustomResource` {awscr}",
            f"{ours / awscr:.2f}x",
            "more than the anchor",
            ours > awscr,
        )
    ]
