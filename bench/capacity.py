"""Figure 5: CloudFormation resources per user, and how many users fit a stack's 500-resource limit.

For each way of giving users SMS MFA, two real syntheses (1 and 2 users) give the resources one user adds and
the fixed ones (pool, handler, CDK metadata); from those the largest number of users N under the limit follows.
Then the stack is synthesized at N, which must succeed with at most 500 resources, and at N + 1, which the CDK
must refuse (its ``TooManyResourcesInStack`` check, on by default). Nothing here is timed, so the syntheses run
two at a time.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import progress
from bench.synth import synthesize

LIMIT = 500
VARIANTS = {
    "ours": "UserSmsMfaSettings + CfnUserPoolUser",
    "testuser": "SmsMfaTestUser",
    "awscr": "AwsCustomResource + CfnUserPoolUser",
}
TOO_MANY = re.compile(r"Number of resources in stack '[^']*': (\d+) is greater than allowed maximum of (\d+)")


@dataclass(frozen=True)
class Capacity:
    """One variant's resources and the users that fit."""

    variant: str
    what: str
    per_user: int
    per_user_by_type: dict[str, int]
    fixed: int
    fixed_by_type: dict[str, int]
    max_users: int
    resources_at_max: int
    refused_at_max_plus_one: int
    refusal: str


def run(workers: int = 2) -> dict[str, Capacity]:
    """Count, compute and verify every variant."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        small = {(variant, users): pool.submit(_synth, variant, users) for variant in VARIANTS for users in (1, 2)}
        counted = {
            variant: _count(variant, small[(variant, 1)].result(), small[(variant, 2)].result()) for variant in VARIANTS
        }
        for variant, (per_user, _, fixed, _) in counted.items():
            progress(f"capacity: {variant}: {per_user} resources per user, {fixed} fixed")
        checks = {
            (variant, users): pool.submit(_synth, variant, users)
            for variant, (per_user, _, fixed, _) in counted.items()
            for users in (_max_users(per_user, fixed), _max_users(per_user, fixed) + 1)
        }
        results: dict[str, Capacity] = {}
        for variant, (per_user, per_type, fixed, fixed_type) in counted.items():
            max_users = _max_users(per_user, fixed)
            at_max = checks[(variant, max_users)].result()
            beyond = checks[(variant, max_users + 1)].result()
            results[variant] = _verify(variant, max_users, per_user, per_type, fixed, fixed_type, at_max, beyond)
            progress(f"capacity: {variant}: {max_users} users fit ({results[variant].resources_at_max} resources)")
    return results


def _synth(variant: str, users: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-capacity-") as outdir:
        result, _, _ = synthesize(variant, users, Path(outdir), resource_limit=None)
    return result


def _count(variant: str, one: dict[str, Any], two: dict[str, Any]) -> tuple[int, dict[str, int], int, dict[str, int]]:
    for result in (one, two):
        if "error" in result:
            raise RuntimeError(f"capacity: {variant} failed to synthesize: {result['error']}")
    per_type = Counter(two["by_type"])
    per_type.subtract(one["by_type"])
    fixed_type = Counter(one["by_type"])
    fixed_type.subtract(per_type)
    per_user = int(two["resources"]) - int(one["resources"])
    return (
        per_user,
        {name: count for name, count in sorted(per_type.items()) if count},
        int(one["resources"]) - per_user,
        {name: count for name, count in sorted(fixed_type.items()) if count},
    )


def _max_users(per_user: int, fixed: int) -> int:
    return (LIMIT - fixed) // per_user


def _verify(
    variant: str,
    max_users: int,
    per_user: int,
    per_type: dict[str, int],
    fixed: int,
    fixed_type: dict[str, int],
    at_max: dict[str, Any],
    beyond: dict[str, Any],
) -> Capacity:
    if "error" in at_max:
        raise RuntimeError(f"capacity: {variant} x{max_users} should synthesize: {at_max['error']}")
    resources = int(at_max["resources"])
    if resources != fixed + per_user * max_users or resources > LIMIT:
        raise RuntimeError(f"capacity: {variant} x{max_users} has {resources} resources, not {fixed}+{per_user}n")
    refusal = str(beyond.get("error", ""))
    match = TOO_MANY.search(refusal)
    if match is None or int(match.group(1)) <= LIMIT:
        raise RuntimeError(f"capacity: {variant} x{max_users + 1} should exceed {LIMIT} resources: {beyond}")
    return Capacity(
        variant=variant,
        what=VARIANTS[variant],
        per_user=per_user,
        per_user_by_type=per_type,
        fixed=fixed,
        fixed_by_type=fixed_type,
        max_users=max_users,
        resources_at_max=resources,
        refused_at_max_plus_one=int(match.group(1)),
        refusal=match.group(0),
    )
