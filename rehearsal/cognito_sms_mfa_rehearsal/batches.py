"""Batch resources in the rehearsal: their lists uploaded from the cloud assembly, the synthetic update, the judging.

A ``Custom::CognitoUserSmsMfaSettingsBatch`` names its list by S3 location; the rehearsal puts the file the
construct staged into the cloud assembly at that location in the emulator's S3 before the Create, and creates
the listed users the pool lacks (with a test phone number): a batch manages users that exist already. ``--cycle``'s
synthetic update changes a fraction of the users (:data:`CHANGED_SHARE`): that many users leave the list, and as
many users' options are changed by hand first (drift the Update must put back). Each request is one row with the
counts (listed, written, unchanged, cleared, failed) and the write rate; every listed user is read back, and
``--json`` carries each user's outcome.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_lambda.manifest import manifest_bytes, sha256
from cognito_sms_mfa_rehearsal import progress

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

CHANGED_SHARE = 0.1
GONE = ("UserNotFoundException", "ResourceNotFoundException")
# Where a loop over a batch's users says how far it got, and the label its lines start with (None: it says nothing).
Watch = tuple[Callable[[str], None], str] | None


def upload(s3: Any, bucket: str, key: str, data: bytes) -> None:
    """Put ``data`` at ``bucket``/``key`` of the emulator's S3 (the bucket made on first use)."""
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou, s3.exceptions.BucketAlreadyExists):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def staged_list(assets: dict[str, Path], key: str) -> bytes | None:
    """The list the construct staged for object ``key`` (``<asset hash>.json``), or None when cdk.out lacks it."""
    path = assets.get(key.rsplit(".", 1)[0])
    return None if path is None else path.read_bytes()


def add_missing_users(
    client: CognitoIdentityProviderClient, pool: str, names: Sequence[str], watch: Watch = None
) -> int:
    """Create each listed user the pool lacks, with a test phone number: a batch names users that exist already
    (a CSV import, say), which the template does not create. Returns how many were made. ``watch`` (an emitter and a
    label) gets progress lines while it takes long."""
    ticker, step = _counted(watch, len(names), "made")
    with ticker:
        return _add_missing(client, pool, names, step)


def _add_missing(
    client: CognitoIdentityProviderClient, pool: str, names: Sequence[str], step: Callable[[], None]
) -> int:
    made = 0
    for index, name in enumerate(names):
        step()
        attributes: list[Any] = [{"Name": "phone_number", "Value": f"+1555{index % 10_000_000:07d}"}]
        with contextlib.suppress(client.exceptions.UsernameExistsException):
            client.admin_create_user(
                UserPoolId=pool, Username=name, MessageAction="SUPPRESS", UserAttributes=attributes
            )
            made += 1
    return made


def names_of(s3: Any, properties: dict[str, Any]) -> list[str]:
    """The usernames of a batch's list, as the emulator's S3 holds it."""
    body = s3.get_object(Bucket=properties["ManifestBucket"], Key=properties["ManifestKey"])["Body"].read()
    return list(json.loads(body)["usernames"])


def changed_list(s3: Any, properties: dict[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The properties of a new list ``names``, uploaded next to the old one (its key named by its digest)."""
    data = manifest_bytes(names)
    digest = sha256(data)
    key = f"{digest}.json"
    upload(s3, properties["ManifestBucket"], key, data)
    return {**properties, "ManifestKey": key, "ManifestSha256": digest, "UserCount": str(len(names))}


def split_for_update(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """The users the synthetic update drops, and the users whose options it changes by hand first."""
    share = max(1, int(len(names) * CHANGED_SHARE)) if len(names) > 1 else 0
    return list(names[:share]), list(names[share : 2 * share])


@dataclass(frozen=True)
class Judged:
    """A batch request judged: its row's cells, its counts and each user's outcome."""

    desired: str
    read_back: str
    counts: dict[str, Any]
    users: list[dict[str, Any]]


def judge(
    client: CognitoIdentityProviderClient,
    pool: str,
    expected: dict[str, list[dict[str, str]]],
    data: dict[str, Any],
    seconds: float,
    render: Any,
    watch: Watch = None,
) -> Judged:
    """Read every user of ``expected`` (name -> options) back and count what holds the expected options; ``watch``
    gets progress lines while it takes long."""
    ticker, step = _counted(watch, len(expected), "read back")
    with ticker:
        users = _read_back(client, pool, expected, step)
    return _judged(expected, users, data, seconds, render)


def _counted(watch: Watch, total: int, verb: str) -> tuple[contextlib.AbstractContextManager[Any], Callable[[], None]]:
    if watch is None:
        return contextlib.nullcontext(), lambda: None
    emit, label = watch
    return progress.counted(emit, label, total, verb)


def _read_back(
    client: CognitoIdentityProviderClient,
    pool: str,
    expected: dict[str, list[dict[str, str]]],
    step: Callable[[], None],
) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    for name, options in expected.items():
        step()
        try:
            found: list[Any] | None = list(client.admin_get_user(UserPoolId=pool, Username=name).get("MFAOptions", []))
        except client.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") not in GONE:
                raise
            found = None
        ok = (found is None and not options) or (found is not None and _same(found, options))
        users.append({"username": name, "desired": options, "read_back": found, "ok": ok})
    return users


def _judged(
    expected: dict[str, list[dict[str, str]]],
    users: list[dict[str, Any]],
    data: dict[str, Any],
    seconds: float,
    render: Any,
) -> Judged:
    failed = sum(1 for user in users if not user["ok"])
    written = int(data.get("Written", 0)) + int(data.get("Cleared", 0))
    counts = {
        "listed": len(expected),
        "written": int(data.get("Written", 0)),
        "unchanged": int(data.get("Unchanged", 0)),
        "cleared": int(data.get("Cleared", 0)),
        "kept": int(data.get("Kept", 0)),
        "failed": failed,
        "writes_per_s": round(written / seconds, 1) if seconds > 0 else 0.0,
    }
    return Judged(_tally(list(expected.values()), render), _tally([u["read_back"] or [] for u in users], render),
                  counts, users)  # fmt: skip


def _same(found: list[Any], options: list[dict[str, str]]) -> bool:
    return sorted(map(str, found)) == sorted(map(str, options))


def _tally(states: list[list[Any]], render: Any) -> str:
    """``SMS x38, none x2``: how many users hold each state."""
    counted: dict[str, int] = {}
    for state in states:
        counted[render(state)] = counted.get(render(state), 0) + 1
    return ", ".join(f"{cell} x{count}" for cell, count in sorted(counted.items())) or "none"


def render_counts(counts: dict[str, Any]) -> str:
    """The USER MFA cell of a batch row: ``w30 u240 c0 k0 f0 6.2/s``."""
    return (
        f"w{counts['written']} u{counts['unchanged']} c{counts['cleared']} k{counts['kept']} f{counts['failed']} "
        f"{counts['writes_per_s']}/s"
    )


def describe_counts(counts: dict[str, Any]) -> str:
    """A batch request's counts in words, for the progress lines: ``300 listed: 30 written, 270 unchanged, 0 cleared,
    0 kept, 0 failed; 6.2 writes/s``."""
    return (
        f"{counts['listed']:,} listed: {counts['written']:,} written, {counts['unchanged']:,} unchanged, "
        f"{counts['cleared']:,} cleared, {counts['kept']:,} kept, {counts['failed']:,} failed; "
        f"{counts['writes_per_s']} writes/s"
    )
