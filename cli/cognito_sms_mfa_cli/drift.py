"""``cognito-sms-mfa drift``: which users' MFA no longer matches what the deployed stack declares.

CloudFormation's own drift detection leaves custom resources NOT_CHECKED; this command reads the deployed stack
(``DescribeStacks`` for the id and the parameter values, ``GetTemplate``, ``ListStackResources`` with every page,
nested stacks followed through their ``AWS::CloudFormation::Stack`` physical ids), then each user with
``AdminGetUser``, and compares (:mod:`.drift_template`, :mod:`.drift_decisions`). A batch's list is read first
(``GetObject`` of the object its physical id names, checked by the handler's :func:`.manifest.parse_manifest`), then
each listed user. Read-only calls only.

``AdminGetUser`` is in Cognito's UserRead category (120 requests per second per account, shared with the app):
the calls are paced by one token bucket (default 80 % of the quota, ``--max-rps``) over a few threads, with
botocore's standard retry for a throttled call. Region, profile and endpoint are taken as the AWS CLI takes them
(``--region``, ``--profile``, ``--endpoint-url``; ``AWS_REGION``, ``AWS_PROFILE``, ``AWS_ENDPOINT_URL...`` too).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, ProfileNotFound

from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.manifest import parse_manifest
from cognito_sms_mfa_lambda.rules import pool_region

from . import drift_report
from .drift_decisions import EXIT_NOT_CHECKED, BatchLookup, Lookup, exit_status, judge
from .drift_template import DeployedStack, targets

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from cognito_sms_mfa_lambda.manifest import ManifestLocation

    from .drift_template import Target

USER_READ_QUOTA_RPS = 120.0
DEFAULT_MAX_RPS = USER_READ_QUOTA_RPS * 0.8
WORKERS = 8
CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=10)
DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
REFUSED_CREDENTIALS = frozenset(
    {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch"}
)
GONE_CODES = {
    "UserNotFoundException": "the user does not exist",
    "ResourceNotFoundException": "the pool does not exist",
}


class CouldNotCheckError(Exception):
    """The check cannot run at all (no credentials, no Region, stack not found, a read denied): exit status 2."""


class TokenBucket:
    """Paces calls at ``rate`` per second shared by every thread: each :meth:`acquire` waits its turn.

    No burst: the n-th call starts no earlier than n / rate seconds after the first, so a quota shared with the
    app is never exceeded by this command alone, whatever the latency.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be above 0; received {rate!r}")
        self._interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next: float | None = None

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            start = now if self._next is None else max(now, self._next)
            self._next = start + self._interval
        if start > now:
            self._sleep(start - now)


class CallCounter:
    """The operations the command made, by name, and the HTTP attempts (retries included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.attempts = 0

    def watch(self, client: Any) -> Any:
        client.meta.events.register("before-call", self._on_call)
        client.meta.events.register("before-send", self._on_send)
        return client

    def _on_call(self, model: Any, **_: Any) -> None:
        with self._lock:
            self.calls[str(model.name)] += 1

    def _on_send(self, **_: Any) -> None:
        with self._lock:
            self.attempts += 1


def read_stacks(cloudformation: Any, name: str) -> list[DeployedStack]:
    """The stack ``name`` and its nested stacks (depth first), each as CloudFormation holds it."""

    def read(name_or_id: str, shown: str) -> list[DeployedStack]:
        described = _cloudformation(
            shown, "DescribeStacks", lambda: cloudformation.describe_stacks(StackName=name_or_id)
        )
        stack = described["Stacks"][0]
        stack_id = str(stack["StackId"])
        parameters = {
            str(item["ParameterKey"]): str(item.get("ResolvedValue", item.get("ParameterValue", "")))
            for item in stack.get("Parameters") or []
        }
        body = _cloudformation(
            shown, "GetTemplate", lambda: cloudformation.get_template(StackName=stack_id, TemplateStage="Processed")
        )["TemplateBody"]
        template = _template(shown, body)
        pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_id)
        resources = _cloudformation(
            shown, "ListStackResources", lambda: [item for page in pages for item in page["StackResourceSummaries"]]
        )
        deployed = DeployedStack(shown, stack_id, template, resources, parameters)
        found = [deployed]
        for logical_id, child_id in deployed.nested_stacks():
            found += read(child_id, f"{shown}/{logical_id}")
        return found

    return read(name, name)


def _template(stack: str, body: Any) -> dict[str, Any]:
    """The template as a dict (botocore parses a JSON TemplateBody; a YAML one stays text)."""
    if isinstance(body, dict):
        return body
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        parsed = None
    if not isinstance(parsed, dict):
        raise CouldNotCheckError(f"stack {stack}: the template is not JSON (a YAML template is not read)")
    return parsed


def _cloudformation(stack: str, action: str, call: Callable[[], Any]) -> Any:
    """Make one CloudFormation read; CouldNotCheckError naming the stack and the missing permission."""
    try:
        return call()
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        message = str(error.response.get("Error", {}).get("Message", ""))
        if code == "ValidationError" and "does not exist" in message:
            raise CouldNotCheckError(f"stack {stack} does not exist (in this account and Region)") from None
        if code in DENIED_CODES:
            raise CouldNotCheckError(
                f"stack {stack}: {action} denied ({code}); the caller needs cloudformation:{action}"
            ) from None
        if code in REFUSED_CREDENTIALS:
            raise CouldNotCheckError(f"the AWS credentials were refused ({action}: {code})") from None
        raise CouldNotCheckError(f"stack {stack}: {action} failed ({code}: {message[:160]})") from None


def look_up(client: Any, user_pool_id: str, username: str, bucket: TokenBucket) -> Lookup:
    """The user ``username`` of ``user_pool_id``, read with one paced ``AdminGetUser``."""
    bucket.acquire()
    try:
        return Lookup(user=client.admin_get_user(UserPoolId=user_pool_id, Username=username))
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in GONE_CODES:
            return Lookup(gone=f"{GONE_CODES[code]} (AdminGetUser: {code})")
        if code in DENIED_CODES:
            return Lookup(
                error=f"AdminGetUser denied ({code}); the caller needs cognito-idp:AdminGetUser on pool {user_pool_id}"
            )
        return Lookup(error=f"AdminGetUser failed ({code})")
    except BotoCoreError as error:
        return Lookup(error=f"AdminGetUser failed ({type(error).__name__})")


def read_list(s3: Any, location: ManifestLocation) -> tuple[tuple[str, ...], str]:
    """A batch's listed names, read with ``GetObject`` and checked by the handler's own
    :func:`~cognito_sms_mfa_lambda.manifest.parse_manifest` (digest, format, count); or ``()`` and why not."""
    cannot = f"ManifestKey: {location.uri} cannot be read"
    try:
        data = s3.get_object(Bucket=location.bucket, Key=location.key)["Body"].read()
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in DENIED_CODES:
            return (), (
                f"{cannot}: GetObject denied ({code}); the caller needs s3:GetObject on {location.bucket}/"
                f"{location.key}"
            )
        return (), f"{cannot} (GetObject: {code})"
    except BotoCoreError as error:
        return (), f"{cannot} (GetObject: {type(error).__name__})"
    try:
        return parse_manifest(data, location), ""
    except HandlerError as error:
        return (), str(error)


def check(
    session: boto3.session.Session,
    found: list[Target],
    *,
    endpoint_url: str | None,
    max_rps: float,
    counter: CallCounter,
) -> list[Lookup | BatchLookup | None]:
    """One lookup per checkable target (None for the others), a batch's for each listed user; every
    ``AdminGetUser`` paced at ``max_rps`` by one bucket over :data:`WORKERS` threads."""
    clients: dict[str | None, Any] = {}
    make: Any = session.client
    for target in found:
        region = pool_region(target.user_pool_id) if target.checkable else None
        if target.checkable and region not in clients:
            clients[region] = counter.watch(
                make(
                    "cognito-idp",
                    region_name=region or session.region_name,
                    endpoint_url=endpoint_url,
                    config=CLIENT_CONFIG,
                )
            )
    lists: dict[int, tuple[tuple[str, ...], str]] = {}
    batches = [(index, target.manifest) for index, target in enumerate(found) if target.checkable and target.manifest]
    if batches:
        # The list is in the stack's asset bucket, in the stack's Region (the session's).
        s3 = counter.watch(make("s3", endpoint_url=endpoint_url, config=CLIENT_CONFIG))
        lists = {index: read_list(s3, manifest) for index, manifest in batches}
    reads = [
        (index, name)
        for index, target in enumerate(found)
        if target.checkable
        for name in (lists[index][0] if index in lists else (target.username,))
    ]
    bucket = TokenBucket(max_rps)

    def one(read: tuple[int, str]) -> Lookup:
        pool_id = found[read[0]].user_pool_id
        return look_up(clients[pool_region(pool_id)], pool_id, read[1], bucket)

    with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="drift") as pool:
        answers = list(pool.map(one, reads))
    users: dict[int, list[tuple[str, Lookup]]] = {}
    for (index, name), answer in zip(reads, answers, strict=True):
        users.setdefault(index, []).append((name, answer))
    lookups: list[Lookup | BatchLookup | None] = []
    for index, target in enumerate(found):
        if not target.checkable:
            lookups.append(None)
        elif index in lists:
            lookups.append(BatchLookup(users=tuple(users.get(index, ())), error=lists[index][1]))
        else:
            [(_, answer)] = users[index]
            lookups.append(answer)
    return lookups


def run(stack_names: Sequence[str], *, region: str | None, profile: str | None, endpoint_url: str | None,
        max_rps: float, as_json: bool) -> int:  # fmt: skip
    """Check the stacks, print the table (or JSON) and return the exit status (0, 1 or 2)."""
    started = time.monotonic()
    counter = CallCounter()
    try:
        # AWS_REGION as the AWS CLI reads it (over AWS_DEFAULT_REGION), which older botocore does not.
        session = boto3.session.Session(profile_name=profile, region_name=region or os.environ.get("AWS_REGION"))
        if session.region_name is None:
            raise CouldNotCheckError("no Region: pass --region, or set AWS_REGION or a profile's region")
        cloudformation = counter.watch(
            session.client("cloudformation", endpoint_url=endpoint_url, config=CLIENT_CONFIG)
        )
        stacks = [stack for name in stack_names for stack in read_stacks(cloudformation, name)]
        found = [target for stack in stacks for target in targets(stack)]
        lookups = check(session, found, endpoint_url=endpoint_url, max_rps=max_rps, counter=counter)
    except (NoCredentialsError, ProfileNotFound, NoRegionError) as error:
        return _could_not_check(f"no usable AWS credentials or Region ({error})", as_json)
    except CouldNotCheckError as error:
        return _could_not_check(str(error), as_json)
    except BotoCoreError as error:
        return _could_not_check(f"{type(error).__name__}: {error}", as_json)
    rows = [judge(target, lookup) for target, lookup in zip(found, lookups, strict=True)]
    status = exit_status(rows)
    elapsed = time.monotonic() - started
    if as_json:
        print(json.dumps(drift_report.to_json(stacks, rows, status, elapsed, dict(counter.calls), counter.attempts)))
    else:
        print(drift_report.render(stacks, rows, elapsed, dict(counter.calls)))
    for problem in drift_report.access_problems(rows):
        print(f"drift: {problem}", file=sys.stderr)
    return status


def _could_not_check(message: str, as_json: bool) -> int:
    print(f"drift: could not check: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"error": message, "exit_status": EXIT_NOT_CHECKED}))
    return EXIT_NOT_CHECKED


EXIT_STATUSES = """exit status:
  0  every resource of the checked types is in sync
  1  drift: a resource DRIFTED or its user is gone (USER_GONE)
  2  could not check: no credentials or Region, stack not found, a read denied (the permission is named),
     or a resource NOT_CHECKED (the reason is under its row)"""


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Compare the users' MFA with what a deployed stack declares (read-only; custom resources "
        "of cognito-sms-mfa: settings, preference, test users, batches).",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stack", action="append", required=True, help="stack name or id (repeatable)")
    parser.add_argument("--region", help="AWS Region (default: AWS_REGION, the profile's)")
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, the default chain)")
    parser.add_argument("--endpoint-url", help="endpoint for every call (a local emulator, for instance)")
    parser.add_argument(
        "--max-rps",
        type=float,
        default=DEFAULT_MAX_RPS,
        help=f"AdminGetUser calls per second at most (default: {DEFAULT_MAX_RPS:g}, 80%% of the UserRead quota)",
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable result instead of the table")
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "cognito-sms-mfa drift") -> int:
    """Parse the arguments and run the check; return the exit status."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if args.max_rps <= 0:
        parser.error(f"--max-rps must be above 0; received {args.max_rps:g}")
    return run(
        args.stack,
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        max_rps=args.max_rps,
        as_json=args.json,
    )
