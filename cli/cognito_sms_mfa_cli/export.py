"""``cognito-sms-mfa export``: a pool's live SMS MFA state as code (usernames files and a snippet declaring them).

Reads every user with ``ListUsers`` (paged, 60 a page, paced at :data:`.arguments.DEFAULT_LIST_RPS`: 80 % of Cognito's
UserList quota of 30 requests per second), then, for each user with a ``phone_number`` (a user without one has no
SMS MFA a batch could declare), ``AdminGetUser`` for the MFA state ``ListUsers`` does not return (the preference),
paced like the drift check at 80 % of the UserRead quota. Writes one usernames file per state
(:data:`.export_decisions.GROUPS`) and :data:`.export_decisions.SNIPPET_FILE`, which declares one
``UserSmsMfaSettingsBatch`` per file. Read-only calls only; progress on standard error.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, ProfileNotFound

from cognito_sms_mfa_lambda import rules, settings_batch_decisions
from cognito_sms_mfa_rehearsal.progress import Ticker

from .arguments import EXIT_IN_SYNC, EXIT_NOT_CHECKED, EXIT_USAGE, export_parser
from .drift import CLIENT_CONFIG, DENIED_CODES, CallCounter, TokenBucket, look_up, read_counted
from .drift_report import JSON_VERSION
from .export_decisions import GROUPS, NO_PHONE, SNIPPET_FILE, Group, group_of, snippet, usernames_file

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

PAGE_SIZE = 60  # ListUsers' most


class ExportError(Exception):
    """The pool cannot be read (not found, a read denied): nothing is written."""


def list_users(
    client: Any, user_pool_id: str, bucket: TokenBucket, seen: Callable[[int], None]
) -> list[dict[str, Any]]:
    """Every user of the pool, page by page (each ``ListUsers`` call paced by ``bucket``)."""
    users: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        bucket.acquire()
        try:
            page = client.list_users(
                UserPoolId=user_pool_id, Limit=PAGE_SIZE, **({"PaginationToken": token} if token else {})
            )
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if code == "ResourceNotFoundException":
                raise ExportError(f"pool {user_pool_id} does not exist (in this account and Region)") from None
            if code in DENIED_CODES:
                raise ExportError(
                    f"ListUsers denied ({code}); the caller needs cognito-idp:ListUsers on pool {user_pool_id}"
                ) from None
            raise ExportError(f"ListUsers failed ({code})") from None
        users += page.get("Users", [])
        seen(len(users))
        token = page.get("PaginationToken")
        if not token:
            return users


def has_phone(user: dict[str, Any]) -> bool:
    return any(item.get("Name") == rules.ATTRIBUTE_NAME and item.get("Value") for item in user.get("Attributes", []))


def export(
    user_pool_id: str,
    out: Path,
    *,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    max_rps: float,
    max_list_rps: float,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    """Read the pool, write the files into ``out`` and return what was exported (the ``--json`` object)."""
    started = time.monotonic()
    region = region or os.environ.get("AWS_REGION") or rules.pool_region(user_pool_id)
    session = boto3.session.Session(profile_name=profile, region_name=region)
    counter = CallCounter()
    made: Any = session.client("cognito-idp", endpoint_url=endpoint_url, config=CLIENT_CONFIG)
    client = counter.watch(made)
    listed = [0]
    with Ticker(progress, lambda s: f"export: {listed[0]:,} users listed ({listed[0] / s:.0f}/s), {s:.0f} s so far"):
        users = list_users(client, user_pool_id, TokenBucket(max_list_rps), lambda n: listed.__setitem__(0, n))
    to_read = [str(user["Username"]) for user in users if has_phone(user)]
    progress(f"export: {len(users):,} users listed; {len(to_read):,} with a phone number to read (AdminGetUser)")
    bucket = TokenBucket(max_rps)
    answers = read_counted("export", to_read, lambda name: look_up(client, user_pool_id, name, bucket), progress)
    exported: dict[Group, list[str]] = {group: [] for group in GROUPS}
    skipped: list[dict[str, str]] = []
    for user in users:
        if not has_phone(user) and user.get("MFAOptions"):
            skipped.append({"user": rules.mask_personal(str(user["Username"])), "reason": NO_PHONE})
    unread: list[dict[str, str]] = []
    for name, answer in zip(to_read, answers, strict=True):
        if answer.user is None:
            unread.append({"user": rules.mask_personal(name), "reason": answer.error or answer.gone})
            continue
        found = group_of(settings_batch_decisions.user_state(answer.user))
        if isinstance(found, Group):
            exported[found].append(str(answer.user["Username"]))
        elif found is not None:
            skipped.append({"user": rules.mask_personal(name), "reason": found})
    out.mkdir(parents=True, exist_ok=True)
    for group, names in exported.items():
        target = out / group.file
        if names:
            target.write_text(usernames_file(names))
        elif target.exists():
            target.unlink()  # an earlier export's: the state has no user now
    (out / SNIPPET_FILE).write_text(snippet(user_pool_id, str(session.region_name), exported))
    seconds = time.monotonic() - started
    return {
        "version": JSON_VERSION,
        "user_pool_id": user_pool_id,
        "region": session.region_name,
        "out": str(out),
        "users": len(users),
        "read": len(to_read),
        "files": {group.file: len(names) for group, names in exported.items() if names},
        "snippet": SNIPPET_FILE,
        "skipped": skipped,
        "unread": unread,
        "seconds": round(seconds, 3),
        "calls": dict(counter.calls),
        "attempts": counter.attempts,
        "exit_status": EXIT_NOT_CHECKED if unread else EXIT_IN_SYNC,
    }


def main(argv: Sequence[str] | None = None, prog: str = "cognito-sms-mfa export") -> int:
    """Parse the arguments and export; return the exit status."""
    parser = export_parser(prog)
    args = parser.parse_args(argv)
    for flag, value in (("--max-rps", args.max_rps), ("--max-list-rps", args.max_list_rps)):
        if value <= 0:
            parser.error(f"{flag} must be above 0; received {value:g}")
    problem = rules.user_pool_id_problem(args.user_pool_id)
    if problem:
        parser.error(f"--user-pool-id {args.user_pool_id!r}: {problem}")

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        result = export(
            args.user_pool_id,
            args.out,
            region=args.region,
            profile=args.profile,
            endpoint_url=args.endpoint_url,
            max_rps=args.max_rps,
            max_list_rps=args.max_list_rps,
            progress=progress,
        )
    except (NoCredentialsError, ProfileNotFound, NoRegionError) as error:
        return _cannot_run(f"no usable AWS credentials or Region ({error})", args.json)
    except (ExportError, BotoCoreError) as error:
        return _cannot_run(str(error), args.json)
    for user in result["unread"]:
        print(f"export: {user['user']}: not read: {user['reason']}", file=sys.stderr)
    if args.json:
        print(json.dumps(result))
    else:
        files = ", ".join(f"{name} ({count:,})" for name, count in result["files"].items()) or "no user has SMS MFA on"
        print(f"{args.out}: {files}; {SNIPPET_FILE} declares them")
        print(
            f"{result['users']:,} users listed, {result['read']:,} read, {len(result['skipped']):,} skipped, "
            f"{len(result['unread']):,} unread ({result['calls'].get('ListUsers', 0):,} ListUsers, "
            f"{result['calls'].get('AdminGetUser', 0):,} AdminGetUser, {result['seconds']:.1f} s)"
        )
    status: int = result["exit_status"]
    return status


def _cannot_run(message: str, as_json: bool) -> int:
    print(f"export: cannot run: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"version": JSON_VERSION, "error": message, "exit_status": EXIT_USAGE}))
    return EXIT_USAGE
