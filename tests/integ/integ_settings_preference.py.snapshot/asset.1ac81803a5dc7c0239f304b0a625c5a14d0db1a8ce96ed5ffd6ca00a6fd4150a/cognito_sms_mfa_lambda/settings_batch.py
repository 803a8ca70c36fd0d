"""``Custom::CognitoUserSmsMfaSettingsBatch``: the SMS MFA settings of many users, paced, changed by difference.

The request-by-request design is in ``docs/design.md`` (batches); the decisions are in
:mod:`.settings_batch_decisions`, the list's format in :mod:`.manifest`, the rates in :mod:`.pacing`. Every
request reads each user it concerns first (``AdminGetUser``, the cheap category), then writes only the users whose
state differs, from :data:`WORKERS` threads sharing one client and one :class:`.pacing.Pacer`; each call goes
through :func:`.retry.call` (throttling backs off and slows the category down). One request works within one
invocation: a phase whose least time does not fit the time left fails before it starts, with the arithmetic.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from . import handover, manifest, pacing, retry, settings_decisions
from . import settings_batch_decisions as decisions
from .errors import HandlerError, client_error_reason
from .properties import NO_PHYSICAL_ID, UserRef
from .resource import Request, Result

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .manifest import ManifestLocation
    from .resource import ResourceType
    from .settings_batch_decisions import Target, UserState

logger = logging.getLogger(__name__)

WORKERS = 8
PROGRESS_INTERVAL_S = 10.0


class PoolGoneError(HandlerError):
    """The pool does not exist (``ResourceNotFoundException``): no user of it can be read or written."""


@dataclass(frozen=True)
class _Subject:
    """What a FAILED reason of one call names."""

    user_pool_id: str
    username: str


@dataclass
class Counts:
    """What a request did to its users."""

    written: int = 0
    unchanged: int = 0
    cleared: int = 0
    kept: int = 0
    gone: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def data(self, user_pool_id: str, listed: int) -> dict[str, str]:
        """The response Data (GetAtt ``UserCount``, ``UserPoolId``; the counts for the log and the rehearsal)."""
        return {
            "UserPoolId": user_pool_id,
            "UserCount": str(listed),
            "Written": str(self.written),
            "Unchanged": str(self.unchanged),
            "Cleared": str(self.cleared),
            "Kept": str(self.kept),
        }

    def detail(self) -> str:
        return f"written={self.written} unchanged={self.unchanged} cleared={self.cleared} kept={self.kept}"


class UserSmsMfaSettingsBatch:
    """Create/Update give every listed user the desired state (Update also clears users it stopped listing when its
    id stays); Delete clears every listed user no other live resource of the stack lists."""

    def apply(self, request: Request) -> Result:
        desired = decisions.parse_properties(request.properties)
        new_id = decisions.physical_id(desired.user_pool_id, desired.manifest)
        run = BatchRun(request, desired.user_pool_id, desired.rates)
        names = run.manifest(desired.manifest)
        states = run.read(names)
        problems = [(n, p) for n in names if (p := decisions.read_problem(states[n], desired.target)) is not None]
        if problems:
            raise HandlerError(decisions.problems_reason(problems, len(names), desired.user_pool_id, written=0))
        counts = Counts()
        run.write([(n, state, desired.target) for n in names if (state := states[n]) is not None], counts)
        if request.request_type == "Update" and new_id == request.physical_id:
            self._clear_unlisted(request, run, desired.user_pool_id, names, counts)
        run.finish(counts)
        if counts.failures:
            reason = decisions.problems_reason(
                counts.failures, len(names), desired.user_pool_id, written=counts.written + counts.cleared
            )
            raise HandlerError(reason, physical_id=new_id)  # a failed Create answers its id: rollback clears
        replaced = request.request_type == "Update" and new_id != request.physical_id
        return Result(
            new_id, counts.detail() + ("+replaced" if replaced else ""), counts.data(desired.user_pool_id, len(names))
        )

    @staticmethod
    def _clear_unlisted(request: Request, run: BatchRun, pool_id: str, names: Sequence[str], counts: Counts) -> None:
        """An Update that keeps its id (a rollback, or a change of options only): clear the users the old properties
        listed and the new ones do not, unless another live resource lists them."""
        old_props = request.event.get("OldResourceProperties") or {}
        try:
            old = decisions.parse_properties(old_props)
        except HandlerError:
            return
        if old.user_pool_id != pool_id or old.manifest.sha256 == run.listed_digest:
            return
        listed = {name.lower() for name in names}
        removed = [name for name in run.manifest(old.manifest) if name.lower() not in listed]
        if removed:
            run.clear(removed, old.target.cleared(), counts)

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        batch = decisions.parse_physical_id(physical_id)
        if batch is None:
            return Result(physical_id, "not-ours")
        try:
            target, rates = decisions.parse_target(request.properties), decisions.parse_rates(request.properties)
        except HandlerError:  # never true of an id we answered; a Delete must not fail on its input
            target, rates = decisions.Target((), None), pacing.default_rates()
        run = BatchRun(request, batch.user_pool_id, rates)
        try:
            names = run.manifest(batch.manifest)
        except HandlerError as error:
            logger.warning("the list cannot be read, so no user is cleared: %s", error)
            return Result(physical_id, "kept-list-unreadable")
        counts = Counts()
        if not run.clear(names, target.cleared(), counts):
            return Result(physical_id, "kept-unverified")
        run.finish(counts)
        if counts.failures:
            raise HandlerError(
                decisions.problems_reason(counts.failures, len(names), batch.user_pool_id, written=counts.cleared)
            )
        return Result(physical_id, counts.detail(), counts.data(batch.user_pool_id, len(names)))

    def log_subject(self, request: Request) -> str:
        if request.request_type == "Delete":
            batch = decisions.parse_physical_id(request.physical_id)
            return batch.user_pool_id if batch else "-"
        pool = request.properties.get("UserPoolId")
        return pool if isinstance(pool, str) else "-"


class BatchRun:
    """One request's work on the users of one pool: reading lists, reading users, writing, logging progress."""

    def __init__(self, request: Request, user_pool_id: str, rates: dict[str, float]) -> None:
        self.request = request
        self.user_pool_id = user_pool_id
        self.rates = rates
        self.pacer = pacing.Pacer(rates)
        self.client: CognitoIdentityProviderClient = request.clients.for_pool(user_pool_id)
        self.started = time.monotonic()
        self.listed_digest = ""
        self._stopped = False
        self.clearing = False

    # Lists -------------------------------------------------------------------------------------------------

    def manifest(self, location: ManifestLocation) -> tuple[str, ...]:
        """The names a list holds, read from S3 and checked against its digest and count."""
        self.listed_digest = self.listed_digest or location.sha256
        s3 = self.request.clients.client("s3")

        def reason(operation: str, code: str, message: str, _: object) -> str:
            return f"ManifestKey: {location.uri} cannot be read ({operation}: {code}: {message})"

        data = retry.call(
            "GetObject",
            _Subject(self.user_pool_id, location.key),
            self.request.deadline,
            lambda: s3.get_object(Bucket=location.bucket, Key=location.key)["Body"].read(),
            reason,
        )
        return manifest.parse_manifest(data, location)

    def held_elsewhere(self) -> set[tuple[str, str]] | None:
        """(pool, name) of every user another live settings resource of the stack lists; None when unknown."""
        summaries = handover.stack_resources(self.request)
        if summaries is None:
            return None
        own = (self.request.event.get("LogicalResourceId"), self.request.physical_id)
        held: set[tuple[str, str]] = set()
        for item in summaries:
            if str(item.get("ResourceStatus", "")).startswith(handover.DELETE_STATUS_PREFIX):
                continue
            if (item.get("LogicalResourceId"), item.get("PhysicalResourceId")) == own:
                continue
            value = item.get("PhysicalResourceId")
            single = settings_decisions.parse_physical_id(value)
            if single is not None:
                held.add((single.user_pool_id, single.username))
                continue
            other = decisions.parse_physical_id(value)
            if other is not None:
                try:
                    held.update((other.user_pool_id, name) for name in self.manifest(other.manifest))
                except HandlerError as error:
                    logger.warning("another batch's list cannot be read: %s", error)
                    return None
        return held

    # Users -------------------------------------------------------------------------------------------------

    def read(self, names: Sequence[str]) -> dict[str, UserState | None]:
        """Every user's state (None for a user that does not exist); HandlerError when the pool is gone."""
        self._check_fits("read", {pacing.USER_READ: len(names)})
        results = self._run_all("read", names, self._read_one)
        found: dict[str, UserState | None] = {}
        for name, result in zip(names, results, strict=True):
            if isinstance(result, HandlerError):
                raise result
            found[name] = result
        return found

    def _read_one(self, name: str) -> UserState | None:
        pool_id = self.user_pool_id
        answer = self._call(
            decisions.GET_USER, name, lambda: self.client.admin_get_user(UserPoolId=pool_id, Username=name)
        )
        return None if answer is None else decisions.user_state(answer)

    def write(self, plan: Sequence[tuple[str, UserState, Target]], counts: Counts, *, clearing: bool = False) -> None:
        """Write what each user needs to reach its target; count the users written, unchanged and failed."""
        work = [
            (name, state, target, w) for name, state, target in plan if (w := decisions.writes_needed(state, target))
        ]
        unchanged = len(plan) - len(work)
        writes = {pacing.USER_UPDATE: sum(len(item[3]) for item in work)}
        self._check_fits("clear" if clearing else "write", writes)
        self.clearing = clearing
        results = self._run_all("clear" if clearing else "write", work, self._write_one)
        for (name, *_), result in zip(work, results, strict=True):
            if isinstance(result, HandlerError):
                counts.failures.append((name, str(result)))
            elif clearing:
                counts.cleared += 1
            else:
                counts.written += 1
        counts.unchanged += unchanged

    def _write_one(self, item: tuple[str, UserState, Target, tuple[str, ...]]) -> None:
        _, state, target, writes = item
        user = UserRef(self.user_pool_id, state.username)
        if decisions.SET_SETTINGS in writes:
            settings = settings_decisions.settings_kwargs(user, target.mfa_options)
            self._call(
                decisions.SET_SETTINGS,
                user.username,
                lambda: self.client.admin_set_user_settings(**settings),
                decisions.write_failure,
            )
        if decisions.SET_PREFERENCE in writes and target.sms is not None:
            preference = decisions.preference_kwargs(self.user_pool_id, user.username, target.sms)
            self._call(
                decisions.SET_PREFERENCE,
                user.username,
                lambda: self.client.admin_set_user_mfa_preference(**preference),
                decisions.write_failure,
            )

    def clear(self, names: Sequence[str], target: Target, counts: Counts) -> bool:
        """Put ``names`` in the cleared ``target``, except users another live resource lists; False when that
        cannot be told (nothing is cleared then)."""
        held = self.held_elsewhere()
        if held is None:
            return False
        kept = decisions.listed_elsewhere(((self.user_pool_id, n) for n in names), held)
        todo = [name for name in names if name not in kept]
        try:
            states = self.read(todo)
        except PoolGoneError:
            counts.gone += len(todo)
            counts.kept += len(kept)
            return True
        plan = []
        for name in todo:
            state = states[name]
            if state is None:
                counts.gone += 1
            elif (self.user_pool_id, state.username) in held:  # a single resource names the canonical user
                kept.add(name)
            else:
                plan.append((name, state, target))
        counts.kept += len(kept)
        self.write(plan, counts, clearing=True)
        return True

    # Machinery ---------------------------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        username: str,
        send: Callable[[], Any],
        reason: retry.Reason = client_error_reason,
    ) -> Any:
        """One paced call with the handler's retries; a missing user answers None."""
        category = pacing.category_of(operation)

        def attempt() -> Any:
            self.pacer.wait(category)
            try:
                answer = send()
            except ClientError as error:
                code = retry.error_code(error)
                if code == "UserNotFoundException" and (operation == decisions.GET_USER or self.clearing):
                    return None  # a read tells the user is missing; a clear of a user that is gone is done
                if code == "ResourceNotFoundException":
                    self._stopped = True
                    raise PoolGoneError(reason(operation, code, "", _Subject(self.user_pool_id, username))) from None
                if code in retry.THROTTLING_CODES:
                    self.pacer.throttled(category)
                raise
            self.pacer.succeeded(category)
            return answer

        return retry.call(operation, _Subject(self.user_pool_id, username), self.request.deadline, attempt, reason)

    def _check_fits(self, phase: str, calls: dict[str, int]) -> None:
        """Fail before a phase whose least time does not fit the time left (minus what the answer needs)."""
        remaining = self.request.deadline.remaining_s() - retry.RESERVE_S
        if pacing.least_time_s(calls, self.rates) > remaining:
            raise HandlerError(decisions.time_short_reason(phase, calls, self.rates, max(remaining, 0.0)))

    def _run_all(self, phase: str, items: Sequence[Any], work: Callable[[Any], Any]) -> list[Any]:
        """``work`` on every item from the worker threads; a HandlerError is returned in the item's place.

        A progress line is logged at least every :data:`PROGRESS_INTERVAL_S`; an item not started when the time
        left falls under the reserve is a HandlerError (the time ran out).
        """
        if not items:
            return []
        deadline = self.request.deadline

        def guarded(item: Any) -> Any:
            if self._stopped:  # the pool is gone: every other call would say so too
                return PoolGoneError(f"UserPoolId {self.user_pool_id} is not a user pool in this account and Region")
            if deadline.remaining_s() < retry.RESERVE_S:
                return HandlerError(f"the handler's time ran out during the {phase}")
            try:
                return work(item)
            except HandlerError as error:
                return error

        logged = time.monotonic()
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="batch") as pool:
            futures: list[Future[Any]] = [pool.submit(guarded, item) for item in items]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=PROGRESS_INTERVAL_S, return_when=FIRST_COMPLETED)
                if pending and time.monotonic() - logged >= PROGRESS_INTERVAL_S:
                    logged = time.monotonic()
                    self._progress(phase, len(items) - len(pending), len(items))
        self._progress(phase, len(items), len(items))
        return [future.result() for future in futures]

    def _progress(self, phase: str, done: int, total: int) -> None:
        elapsed = time.monotonic() - self.started
        logger.info(decisions.progress_line(phase, done, total, self.pacer.counts(), elapsed))

    def finish(self, counts: Counts) -> None:
        """The final line: the request's totals."""
        elapsed = time.monotonic() - self.started
        logger.info(
            decisions.final_line(self.pacer.counts(), elapsed, counts.detail(), counts.gone, len(counts.failures))
        )


RESOURCE: ResourceType = UserSmsMfaSettingsBatch()
