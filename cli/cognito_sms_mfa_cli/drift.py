"""``cognito-sms-mfa drift``: which users' MFA no longer matches what the deployed stacks declare.

CloudFormation's own drift detection leaves custom resources NOT_CHECKED; this command reads each deployed stack
named (``--stack``, repeatable, each once; or ``--app``: every stack of a synthesized app, each in the Region its
environment names) and gives each its own outcome (:func:`.drift_decisions.stack_outcome`): a stack that cannot be
read is an ERROR with its cause, a stack in the middle of an operation (or after a failed one) NOT_COMPARABLE with
its status, and neither stops the others. It reads (``DescribeStacks`` for the id, the status and the parameter
values, ``GetTemplate``, ``ListStackResources`` with every page,
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

import json
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError, ProfileNotFound

from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.manifest import parse_manifest
from cognito_sms_mfa_lambda.rules import pool_region
from cognito_sms_mfa_rehearsal.assembly import AssemblyError, load_assembly
from cognito_sms_mfa_rehearsal.progress import Ticker
from cognito_sms_mfa_rehearsal.table import terminal_width

from . import drift_report
from .arguments import EXIT_USAGE, drift_parser
from .drift_decisions import (
    COMPARABLE_STATUSES,
    BatchLookup,
    Lookup,
    Row,
    exit_status,
    judge,
    stack_outcome,
)
from .drift_template import DeployedStack, targets

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from cognito_sms_mfa_lambda.manifest import ManifestLocation

    from .drift_template import Target

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
    """One stack cannot be read (not found, a read denied, a template that is not JSON): that stack's ERROR."""


class CannotRunError(Exception):
    """The check cannot run at all (no Region, credentials refused, an app that cannot be read): exit status 2."""


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


@dataclass(frozen=True)
class StackError:
    """A stack (or a nested stack) that could not be read: its name and why."""

    name: str
    cause: str
    region: str = ""


def read_stacks(cloudformation: Any, name: str, region: str, seen: set[str]) -> list[DeployedStack | StackError]:
    """The stack ``name`` and its nested stacks (depth first), each as CloudFormation holds it, or why it could not
    be read: one stack's failure is its own entry and never stops the others. A stack already in ``seen`` (named
    twice, by name and by id) is left out; :class:`CannotRunError` when the credentials are refused."""

    def read(name_or_id: str, shown: str) -> list[DeployedStack | StackError]:
        try:
            described = _cloudformation(
                shown, "DescribeStacks", lambda: cloudformation.describe_stacks(StackName=name_or_id)
            )
            stack = described["Stacks"][0]
            stack_id = str(stack["StackId"])
            if stack_id in seen:
                return []
            seen.add(stack_id)
            parameters = {
                str(item["ParameterKey"]): str(item.get("ResolvedValue", item.get("ParameterValue", "")))
                for item in stack.get("Parameters") or []
            }
            status = str(stack.get("StackStatus", ""))
            if status not in COMPARABLE_STATUSES:  # not read further: nothing of it is compared
                return [DeployedStack(shown, stack_id, {}, [], parameters, status, region)]
            body = _cloudformation(
                shown, "GetTemplate", lambda: cloudformation.get_template(StackName=stack_id, TemplateStage="Processed")
            )["TemplateBody"]
            template = _template(shown, body)
            pages = cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack_id)
            resources = _cloudformation(
                shown, "ListStackResources", lambda: [item for page in pages for item in page["StackResourceSummaries"]]
            )
        except CouldNotCheckError as error:
            return [StackError(shown, str(error), region)]
        deployed = DeployedStack(shown, stack_id, template, resources, parameters, status, region)
        found: list[DeployedStack | StackError] = [deployed]
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
            raise CannotRunError(f"the AWS credentials were refused ({action}: {code})") from None
        raise CouldNotCheckError(f"stack {stack}: {action} failed ({code}: {message[:160]})") from None


def look_up(
    client: Any, user_pool_id: str, username: str, bucket: TokenBucket, denied: Mapping[str, str] | None = None
) -> Lookup:
    """The user ``username`` of ``user_pool_id``, read with one paced ``AdminGetUser``; not read when its pool is
    in ``denied`` by the time its turn comes (the denial's reason answers)."""
    bucket.acquire()
    if denied and user_pool_id in denied:
        return Lookup(error=denied[user_pool_id])
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


T = TypeVar("T")
R = TypeVar("R")


def read_counted(command: str, items: Sequence[T], read: Callable[[T], R], say: Callable[[str], None]) -> list[R]:
    """``read`` every item on :data:`WORKERS` threads, in order, saying on ``say`` how far it got (done of total, the
    rate) while it takes long (:class:`~cognito_sms_mfa_rehearsal.progress.Ticker`)."""
    done = [0]

    def counted(item: T) -> R:
        answer = read(item)
        done[0] += 1
        return answer

    def line(seconds: float) -> str:
        rate = done[0] / seconds
        return f"{command}: {done[0]:,} of {len(items):,} users read ({rate:.0f}/s), {seconds:.0f} s so far"

    with Ticker(say, line), ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix=command) as pool:
        return list(pool.map(counted, items))


def check(
    session: boto3.session.Session,
    found: list[Target],
    *,
    endpoint_url: str | None,
    max_rps: float,
    counter: CallCounter,
) -> list[Lookup | BatchLookup | None]:
    """One lookup per checkable target (None for the others), a batch's for each listed user; every
    ``AdminGetUser`` paced at ``max_rps`` by one bucket over :data:`WORKERS` threads. Once a pool's read is denied,
    its other users are not read (the same denial answers them): a denied batch costs a few calls, not its list.
    A read that lasts over 2 s says how far it got on standard error every few seconds."""
    clients: dict[tuple[str, str | None], Any] = {}

    def client(service: str, region: str | None) -> Any:
        if (service, region) not in clients:
            made: Any = session.client(
                service, region_name=region or session.region_name, endpoint_url=endpoint_url, config=CLIENT_CONFIG
            )  # type: ignore[call-overload]
            clients[(service, region)] = counter.watch(made)
        return clients[(service, region)]

    # A batch's list is in the stack's asset bucket, in the stack's Region.
    lists = {
        index: read_list(client("s3", target.region or None), target.manifest)
        for index, target in enumerate(found)
        if target.checkable and target.manifest
    }
    reads = [
        (index, name)
        for index, target in enumerate(found)
        if target.checkable
        for name in (lists[index][0] if index in lists else (target.username,))
    ]
    bucket = TokenBucket(max_rps)
    denied: dict[str, str] = {}  # pool id -> the first denial's reason

    def one(read: tuple[int, str]) -> Lookup:
        pool_id = found[read[0]].user_pool_id
        if pool_id in denied:
            return Lookup(error=denied[pool_id])
        answer = look_up(client("cognito-idp", pool_region(pool_id)), pool_id, read[1], bucket, denied)
        if answer.error and " denied " in answer.error:
            denied.setdefault(pool_id, answer.error)
        return answer

    answers = read_counted("drift", reads, one, _stderr)
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


@dataclass(frozen=True)
class Named:
    """A stack to check: its name (or id), the Region to read it in (None: the session's) and, from an app, the
    account its environment names."""

    name: str
    region: str | None = None
    account: str | None = None


def app_stacks(app: Path, only: Sequence[str]) -> list[Named]:
    """Every stack of the synthesized app ``app`` (its ``cdk.out``, or its ``cdk.json`` whose ``output`` names
    it), stages included, each in its environment's Region and account; those named in ``only`` when given.
    Nested stacks are followed from each deployed stack. CannotRunError when there is no readable assembly."""
    config = app / "cdk.json" if app.is_dir() and not (app / "manifest.json").is_file() else app
    if config.name == "cdk.json":
        try:
            output = json.loads(config.read_text()).get("output", "cdk.out")
        except (OSError, ValueError, AttributeError) as error:
            raise CannotRunError(f"--app {app}: cannot read {config} ({error})") from None
        app = config.parent / str(output)
    try:
        stacks = load_assembly(app, only)
    except (AssemblyError, OSError, ValueError, KeyError) as error:
        raise CannotRunError(f"--app {app}: {error}") from None
    if not stacks:
        raise CannotRunError(f"--app {app}: the assembly has no stack")
    return [Named(stack.name, stack.region, stack.account) for stack in stacks if not stack.nested]


@dataclass
class Result:
    """Everything one run found: each stack read (or its error), the rows, and the calls made."""

    stacks: list[DeployedStack | StackError]
    rows: list[Row]
    accounts: dict[str, str]  # stack name -> the account its app's environment names

    def outcomes(self) -> dict[str, str]:
        """Each stack's outcome, by the name shown."""
        return {
            stack.name: stack_outcome(
                [row for row in self.rows if row.stack == stack.name],
                status="" if isinstance(stack, StackError) else stack.status,
                error=stack.cause if isinstance(stack, StackError) else "",
            )
            for stack in self.stacks
        }


def gather(
    named: Sequence[Named],
    *,
    region: str | None,
    profile: str | None,
    endpoint_url: str | None,
    max_rps: float,
    counter: CallCounter,
) -> Result:
    """Read every stack named (each in its own Region), then check every resource of those at rest."""
    # AWS_REGION as the AWS CLI reads it (over AWS_DEFAULT_REGION), which older botocore does not.
    session = boto3.session.Session(profile_name=profile, region_name=region or os.environ.get("AWS_REGION"))
    missing = [one.name for one in named if not (one.region or session.region_name)]
    if missing:
        raise CannotRunError(
            f"no Region for stack {', '.join(missing)}: pass --region, or set AWS_REGION or a profile's region"
        )
    clients: dict[str, Any] = {}
    seen: set[str] = set()
    stacks: list[DeployedStack | StackError] = []
    for one in named:
        stack_region = str(one.region or session.region_name)
        if stack_region not in clients:
            made: Any = session.client(
                "cloudformation", region_name=stack_region, endpoint_url=endpoint_url, config=CLIENT_CONFIG
            )
            clients[stack_region] = counter.watch(made)
        stacks += read_stacks(clients[stack_region], one.name, stack_region, seen)
    found = [
        target
        for stack in stacks
        if isinstance(stack, DeployedStack) and stack.status in COMPARABLE_STATUSES
        for target in targets(stack)
    ]
    lookups = check(session, found, endpoint_url=endpoint_url, max_rps=max_rps, counter=counter)
    rows = [judge(target, lookup) for target, lookup in zip(found, lookups, strict=True)]
    return Result(stacks, rows, {one.name: one.account for one in named if one.account})


def run(named: Sequence[Named], *, region: str | None, profile: str | None, endpoint_url: str | None,
        max_rps: float, as_json: bool, quiet: bool = False) -> int:  # fmt: skip
    """Check the stacks, print the table (or JSON, or with ``quiet`` the summary line) and return the exit
    status (:data:`.arguments.DRIFT_EXIT_STATUSES`)."""
    started = time.monotonic()
    counter = CallCounter()
    try:
        result = gather(
            named, region=region, profile=profile, endpoint_url=endpoint_url, max_rps=max_rps, counter=counter
        )
    except (NoCredentialsError, ProfileNotFound, NoRegionError) as error:
        return _cannot_run(f"no usable AWS credentials or Region ({error})", as_json)
    except CannotRunError as error:
        return _cannot_run(str(error), as_json)
    except BotoCoreError as error:
        return _cannot_run(f"{type(error).__name__}: {error}", as_json)
    outcomes = result.outcomes()
    status = exit_status(outcomes.values())
    elapsed = time.monotonic() - started
    calls = dict(counter.calls)
    if as_json:
        report = drift_report.to_json(result.stacks, result.rows, outcomes, result.accounts, status, elapsed, calls,
                                      counter.attempts)  # fmt: skip
        print(json.dumps(report))
    elif quiet:
        print(drift_report.summary(result.rows, outcomes, elapsed, calls))
    else:
        width = terminal_width(sys.stdout)
        print(drift_report.render(result.stacks, result.rows, outcomes, elapsed, calls, width))
    for stack in result.stacks:
        if isinstance(stack, StackError):
            print(f"drift: stack {stack.name}: could not check: {stack.cause}", file=sys.stderr)
    for problem in drift_report.access_problems(result.rows):
        print(f"drift: {problem}", file=sys.stderr)
    return status


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _cannot_run(message: str, as_json: bool) -> int:
    print(f"drift: cannot run: {message}", file=sys.stderr)
    if as_json:
        print(json.dumps({"version": drift_report.JSON_VERSION, "error": message, "exit_status": EXIT_USAGE}))
    return EXIT_USAGE


def main(argv: Sequence[str] | None = None, prog: str = "cognito-sms-mfa drift") -> int:
    """Parse the arguments and run the check; return the exit status."""
    parser = drift_parser(prog)
    args = parser.parse_args(argv)
    if args.max_rps <= 0:
        parser.error(f"--max-rps must be above 0; received {args.max_rps:g}")
    if not args.stack and args.app is None:
        parser.error("name the stacks: --stack NAME (repeatable), or --app cdk.out for every stack of an app")
    stacks = list(dict.fromkeys(args.stack))
    try:
        named = app_stacks(args.app, stacks) if args.app is not None else [Named(name) for name in stacks]
    except CannotRunError as error:
        return _cannot_run(str(error), args.json)
    return run(
        named,
        region=args.region,
        profile=args.profile,
        endpoint_url=args.endpoint_url,
        max_rps=args.max_rps,
        as_json=args.json,
        quiet=args.quiet,
    )
