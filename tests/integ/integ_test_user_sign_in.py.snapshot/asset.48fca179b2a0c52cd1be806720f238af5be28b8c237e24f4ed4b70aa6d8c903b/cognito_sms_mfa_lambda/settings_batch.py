"""``Custom::CognitoUserSmsMfaSettingsBatch``: the SMS MFA settings of many users, paced, changed by difference.

The request-by-request design is in ``docs/design.md`` (batches); the decisions are in
:mod:`.settings_batch_decisions`, the list's format in :mod:`.manifest`, the rates in :mod:`.pacing`. A request
goes through phases (check, write, clear) over its list in chunks of :data:`CHUNK` users; each user is read
(``AdminGetUser``, the cheap category) before any write it needs, from :data:`WORKERS` threads sharing one client
and one :class:`.pacing.Pacer`; each call goes through :func:`.retry.call` (throttling backs off and slows the
category down). A request that does not fit one invocation goes on in further ones when its properties allow it
(``Continuation``): its :class:`.settings_batch_decisions.Progress` is the whole state that travels.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from . import handover, holders, pacing, retry, rules, settings_decisions
from . import settings_batch_decisions as decisions
from .errors import HandlerError, client_error_reason
from .properties import NO_PHYSICAL_ID, UserRef
from .resource import Request, Result
from .rules import SMS_FACTOR, mask_personal
from .settings_batch_decisions import CHECK, CLEAR, WRITE, Prior, Progress, Tally, WriteRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .manifest import ManifestLocation
    from .resource import ResourceType
    from .settings_batch_decisions import Target, UserState

logger = logging.getLogger(__name__)

WORKERS = 8
PROGRESS_INTERVAL_S = 10.0
# Users submitted to the workers together; a slice of a continuation ends between chunks.
CHUNK = 200
# What became of one user in the write or clear phase.
_GONE, _KEPT, _SAME, _DONE, _NO_PHONE = "gone", "kept", "unchanged", "done", "no-phone"
# S3's answers for a missing object, and for a conditional write another writer came before.
_NO_OBJECT = frozenset({"NoSuchKey", "404"})
_S3_DENIED = "AccessDenied"
_CONDITION_FAILED = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409", "NoSuchKey"})
# An item a request that may continue did not start because the invocation's time ran short.
_NOT_STARTED = "not-started"


def _started(results: list[Any]) -> list[Any]:
    """The results up to the first item not started (the rest is left for the next invocation)."""
    return results[: results.index(_NOT_STARTED)] if _NOT_STARTED in results else results


class _RecordDeniedError(Exception):
    """S3 answered AccessDenied for the record: denied, or (where ListBucket does not apply) no such object."""


class PoolGoneError(HandlerError):
    """The pool does not exist (``ResourceNotFoundException``): no user of it can be read or written."""


@dataclass(frozen=True)
class _Subject:
    """What a FAILED reason of one call names."""

    user_pool_id: str
    username: str


class UserSmsMfaSettingsBatch:
    """Create/Update give every listed user the desired state (Update also puts back the users it stopped listing
    when its id stays); Delete puts back what the record says this batch changed, for every user no other live
    resource of the stack lists (docs/design.md, batches, failure paths)."""

    def apply(self, request: Request) -> Result:
        desired = decisions.parse_properties(request.properties)
        new_id = decisions.physical_id(desired.user_pool_id, desired.manifest)
        if request.request_type == "Create" and desired.recorded:
            # Whatever ends it, in whichever invocation: its rollback Delete puts back what the record holds.
            request.answers_failure_with(new_id)
        run = BatchRun(request, desired.user_pool_id, desired.rates, may_continue=desired.may_continue)
        if not run.start(decisions.BatchId(desired.user_pool_id, desired.manifest) if desired.recorded else None):
            return run.duplicate()
        names = run.manifest(desired.manifest)
        run.before = _old_properties(request)
        removed = self._unlisted(request, run, desired.user_pool_id, names) if new_id == request.physical_id else []
        progress = run.progress
        if progress.phase == CHECK:
            if not run.each(CHECK, names, lambda chunk: run.check(chunk, desired.target)):
                return run.later()
            if progress.problems.count:
                reason = decisions.problems_reason(progress.problems, len(names), desired.user_pool_id, written=0)
                if request.request_type != "Update" or not run.tolerates(reason):
                    raise HandlerError(reason)
                progress.skipped.take(progress.problems)  # a rollback leaves them as they are, and says so
            run.save_record()  # before any write
            progress.enter(WRITE)
            if progress.pending is not None:  # the users found in sync need nothing more
                progress.unchanged += len(names) - len(progress.pending) - progress.skipped.count
            else:  # the write goes over every user again, and finds the skipped ones again
                progress.skipped = Tally()
        if progress.phase == WRITE:
            todo = run.to_write(names)
            calls = run.write_calls(todo, desired.target)
            if not run.each(WRITE, todo, lambda chunk: run.write_listed(chunk, desired.target), calls):
                return run.later()
            run.save_record()
            progress.enter(CLEAR)
        if removed:
            old = run.before
            assert old is not None  # removed users come from the old properties
            old_record = run.old_record() if old.recorded else None
            todo = removed if old_record is None else [name for name in removed if old_record.get(name)]
            if not run.each(CLEAR, todo, lambda chunk: run.clear(chunk, old.target, old_record)):
                return run.later()
            if old_record is not None and not (progress.kept or progress.unverified or progress.failures.count):
                run.forget_record(decisions.BatchId(old.user_pool_id, old.manifest), old_record)
        run.finish()
        unrestored = run.settle_failures(len(names), new_id)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        return Result(
            new_id,
            progress.detail() + ("+replaced" if replaced else ""),
            progress.data(desired.user_pool_id, len(names), unrestored=unrestored),
        )

    @staticmethod
    def _unlisted(request: Request, run: BatchRun, pool_id: str, names: Sequence[str]) -> list[str]:
        """An Update that keeps its id (a rollback, or a change of options only): the users the old properties
        listed and the new ones do not (put back unless another live resource lists them)."""
        old = run.before
        if request.request_type != "Update" or old is None:
            return []
        if old.user_pool_id != pool_id or old.manifest.sha256 == run.listed_digest:
            return []
        listed = {name.lower() for name in names}
        return [name for name in run.old_names() if name.lower() not in listed]

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        batch = decisions.parse_physical_id(physical_id)
        if batch is None:
            return Result(physical_id, "not-ours")
        try:
            props = decisions.parse_properties(request.properties)
            target, rates, may_continue, recorded = props.target, props.rates, props.may_continue, props.recorded
        except HandlerError:  # never true of an id we answered; a Delete must not fail on its input
            target, rates, may_continue, recorded = decisions.Target((), None), pacing.default_rates(), False, False
        run = BatchRun(request, batch.user_pool_id, rates, may_continue=may_continue)
        run.progress.enter(CLEAR)
        try:
            if not run.start(batch if recorded else None):
                return run.duplicate()
        except HandlerError as error:
            logger.warning("the record cannot be read, so no user is put back: %s", error)
            return Result(physical_id, "kept-record-unreadable")
        try:
            names = run.manifest(batch.manifest)
        except HandlerError as error:
            logger.warning("the list cannot be read, so no user is cleared: %s", error)
            return Result(physical_id, "kept-list-unreadable")
        listed = len(names)
        record = run.record
        if record is not None:  # only the users this batch wrote are put back, to what they held before
            names = tuple(name for name in names if record.get(name) is not None)
        if not run.each(CLEAR, names, lambda chunk: run.clear(chunk, target, record)):
            return run.later()
        progress = run.progress
        if progress.unverified and not progress.cleared:
            return Result(physical_id, "kept-unverified")
        run.finish()
        unrestored = run.settle_failures(listed, None)
        if record is not None and not (progress.kept or progress.unverified or unrestored.count):
            run.forget_record(batch, record)
        return Result(physical_id, progress.detail(), progress.data(batch.user_pool_id, listed, unrestored=unrestored))

    def made(self, physical_id: str | None) -> bool:
        return decisions.parse_physical_id(physical_id) is not None

    def log_subject(self, request: Request) -> str:
        if request.request_type == "Delete":
            batch = decisions.parse_physical_id(request.physical_id)
            return batch.user_pool_id if batch else "-"
        pool = request.properties.get("UserPoolId")
        return pool if isinstance(pool, str) else "-"


def _old_properties(request: Request) -> decisions.BatchRequest | None:
    """The properties an Update replaces (a rollback: those of the request that failed), when they parse."""
    if request.request_type != "Update":
        return None
    try:
        return decisions.parse_properties(request.event.get("OldResourceProperties") or {})
    except HandlerError:
        return None


class BatchRun:
    """One invocation's work on the users of one pool: reading lists, reading users, writing, logging progress."""

    def __init__(self, request: Request, user_pool_id: str, rates: dict[str, float], *, may_continue: bool) -> None:
        self.request = request
        self.user_pool_id = user_pool_id
        self.rates = rates
        self.may_continue = may_continue
        self.pacer = pacing.Pacer(rates)
        self.client: CognitoIdentityProviderClient = request.clients.for_pool(user_pool_id)
        self.started = time.monotonic()
        self.listed_digest = ""
        self.stack_id = str(request.event.get("StackId", ""))
        self.before: decisions.BatchRequest | None = None  # an Update's old properties
        self.record: WriteRecord | None = None  # the record of the request's batch (None: a batch without one)
        self._record_batch: decisions.BatchId | None = None
        self._record_dirty = False
        self._record_lock = threading.RLock()
        self._old_record: WriteRecord | None = None
        self._old_names: set[str] | None = None
        self._old_listed: tuple[str, ...] | None = None
        self._tolerated: bool | None = None  # whether the stack's status lets failures be reported; None: not asked
        self._stopped = False
        self.clearing = False
        self._states: dict[str, UserState] = {}  # read by this invocation's check, used once by its write
        self._held: holders.Holdings | None = None
        self._held_known = False
        self._logged = self.started
        self._phase_total = 0
        self._phase_base = 0
        self._chunk = 0
        self._done_here = 0  # users this invocation worked on, in any phase
        wall = request.deadline.wall_clock()
        if request.is_poll:
            self.progress = decisions.resume(request.continued_state, str(request.event.get("RequestId", "")))
        else:
            self.progress = Progress(str(request.event.get("RequestId", "")), wall)
        self.cloudformation_deadline = decisions.service_deadline(request.properties, self.progress.started)
        # An invocation's work: what the first invocation had, less the answer's reserve (for the duty arithmetic).
        self.work_per_invocation_s = max(request.deadline.remaining_s() - pacing.RESERVE_S, 1.0)

    # Lists -------------------------------------------------------------------------------------------------

    def manifest(self, location: ManifestLocation) -> tuple[str, ...]:
        """The names a list holds, read from S3 and checked against its digest and count."""
        self.listed_digest = self.listed_digest or location.sha256
        return holders.read_list(self.request, location, self.user_pool_id)

    # The record of writes, the claim of an invocation ---------------------------------------------------------

    def start(self, batch: decisions.BatchId | None) -> bool:
        """Claim this invocation in ``batch``'s record (None: a batch made before records, which has none) and, in
        a poll, pause the rule; False when this delivery repeats an invocation that already ran (its claim is
        there, or the rule is gone): it must neither work nor answer. HandlerError when the record cannot be read
        or written."""
        if batch is not None:
            try:
                record, etag = self.read_record(batch, denied_is_final=False)
                denied = False
            except _RecordDeniedError:
                # S3 answers AccessDenied for a missing object where ListBucket does not apply: create it, if absent.
                record, etag, denied = WriteRecord(), None, True
            if not self._claim(batch, record, etag):
                if not denied:
                    return False  # another delivery claimed it between our read and our write
                # It exists, yet it could not be read: read it again (another delivery may have just made it);
                # a real denial fails here.
                record, etag = self.read_record(batch, denied_is_final=True)
                if not self._claim(batch, record, etag):
                    return False
            self.record, self._record_batch = record, batch
        return not self.request.is_poll or self.request.pause_polling()

    def _claim(self, batch: decisions.BatchId, record: WriteRecord, etag: str | None) -> bool:
        """Claim this invocation in ``record`` and write it over the version ``etag`` names; False when this
        invocation was claimed already, or another writer came first."""
        if not record.claim(self.progress.request_id, self.progress.invocations):
            return False
        return self.write_record(batch, record, etag=etag, conditional=True)

    def duplicate(self) -> Result:
        logger.warning("this invocation already ran (a repeated delivery): nothing done, nothing answered")
        return Result("", "duplicate", duplicate=True)

    def _record_call(self, operation: str, batch: decisions.BatchId, send: Callable[[], Any]) -> Any:
        key = decisions.record_key(self.stack_id, batch)

        def reason(operation: str, code: str, message: str, _: object) -> str:
            return f"Record: {operation} {code}: {message}; the record is s3://{batch.manifest.bucket}/{key}"

        return retry.call(operation, _Subject(self.user_pool_id, key), self.request.deadline, send, reason)

    def read_record(self, batch: decisions.BatchId, *, denied_is_final: bool = True) -> tuple[WriteRecord, str | None]:
        """The record of ``batch`` and its ETag; an empty record and None when there is none yet. Unless
        ``denied_is_final``, an ``AccessDenied`` raises :class:`_RecordDeniedError` (it may mean "no such object")."""
        s3 = self.request.clients.client("s3")
        bucket, key = batch.manifest.bucket, decisions.record_key(self.stack_id, batch)

        def get() -> tuple[bytes, str] | None:
            try:
                answer = s3.get_object(Bucket=bucket, Key=key)
            except ClientError as error:
                code = retry.error_code(error)
                if code in _NO_OBJECT:
                    return None
                if code == _S3_DENIED and not denied_is_final:
                    raise _RecordDeniedError(code) from None
                raise
            return answer["Body"].read(), str(answer["ETag"])

        found = self._record_call("GetObject", batch, get)
        if found is None:
            return WriteRecord(), None
        return WriteRecord.from_bytes(found[0], f"s3://{bucket}/{key}"), found[1]

    def write_record(
        self, batch: decisions.BatchId, record: WriteRecord, *, etag: str | None = None, conditional: bool = False
    ) -> bool:
        """Put ``record``; with ``conditional``, only over the version ``etag`` names (or where none is yet):
        False when another writer came first."""
        s3 = self.request.clients.client("s3")
        bucket, key = batch.manifest.bucket, decisions.record_key(self.stack_id, batch)
        extra: dict[str, str] = {}
        if conditional:
            extra = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        body = record.to_bytes()

        def put() -> bool:
            try:
                s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json", **extra)
            except ClientError as error:
                if conditional and retry.error_code(error) in _CONDITION_FAILED:
                    return False
                raise
            return True

        done: bool = self._record_call("PutObject", batch, put)
        return done

    def save_record(self) -> None:
        """Put the record when this invocation added users to it (before the writes they are added for)."""
        with self._record_lock:
            if self.record is None or self._record_batch is None or not self._record_dirty:
                return
            self.write_record(self._record_batch, self.record)
            self._record_dirty = False

    def forget_record(self, batch: decisions.BatchId, record: WriteRecord) -> None:
        """Empty a record whose users were all put back (a later batch of the same list starts afresh)."""
        if record.priors:
            record.forget()
            self.write_record(batch, record)

    def old_record(self) -> WriteRecord | None:
        """The record of the batch the old properties name (an Update), read once; None without old properties or
        for a batch of another id made before records."""
        with self._record_lock:
            old = self.before
            if old is None or not old.recorded:
                return None
            if self._old_record is None:
                batch = decisions.BatchId(old.user_pool_id, old.manifest)
                if batch == self._record_batch and self.record is not None:
                    self._old_record = self.record
                else:
                    self._old_record, _ = self.read_record(batch)
            return self._old_record

    def old_names(self) -> tuple[str, ...]:
        """The names of the old properties' list (an Update), read once."""
        with self._record_lock:
            if self._old_listed is None:
                self._old_listed = () if self.before is None else self.manifest(self.before.manifest)
            return self._old_listed

    def skippable(self, name: str) -> bool:
        """Whether a user that is gone or has no phone is left as it is (reported): one the old properties of an
        Update listed already, which the batch managed before it went."""
        if self.before is None:
            return False
        with self._record_lock:
            if self._old_names is None:
                self._old_names = {listed.lower() for listed in self.old_names()}
        return name.lower() in self._old_names

    def _before(self, name: str, state: UserState) -> Prior | None:
        """What ``name`` held before the batch the old properties name wrote it, by that batch's record (or all
        its users, for a batch made before records); None when it did not write it."""
        old = self.before
        if old is None:
            return None
        if old.recorded:
            record = self.old_record()
            return None if record is None else record.get(name)
        return decisions.legacy_prior(state, old.target) if self.skippable(name) else None

    def note_prior(self, name: str, state: UserState, *, writes: bool) -> None:
        """Add ``name`` to the record when this batch is about to write it or takes it over from the batch the old
        properties name; a user recorded already keeps its first prior."""
        with self._record_lock:
            if self.record is None or self.record.get(name) is not None:
                return
            prior = self._before(name, state) or (Prior.of(state) if writes else None)
            if prior is not None and self.record.add(name, prior):
                self._record_dirty = True

    def tolerates(self, reason: str) -> bool:
        """Whether the failure ``reason`` is reported rather than answered FAILED: in a rollback (an Update or
        Delete while the stack rolls back) or a clean-up Delete, which must succeed on what was already true.
        Asks the stack's status once per invocation, only when something failed."""
        if self.request.request_type == "Create":
            return False
        if self._tolerated is None:
            status = handover.stack_status(self.request)
            self._tolerated = handover.is_rollback(status) or status in decisions.REPORTING_STATUSES
        if self._tolerated:
            logger.warning("reported, not failed (the stack is rolling back or cleaning up): %s", mask_personal(reason))
        return self._tolerated

    def settle_failures(self, listed: int, failed_id: str | None) -> Tally:
        """The users whose write failed: reported (returned) in a rollback or clean-up, else FAILED naming them
        (with ``failed_id``, the id a failed Create answers)."""
        progress = self.progress
        if not progress.failures.count:
            return Tally()
        written = progress.written + progress.cleared
        reason = decisions.problems_reason(progress.failures, listed, self.user_pool_id, written=written)
        if self.tolerates(reason):
            return progress.failures
        raise HandlerError(reason, physical_id=failed_id)

    # Hand-over ---------------------------------------------------------------------------------------------

    def held_elsewhere(self) -> holders.Holdings | None:
        """What the other live resources of the stack hold in this pool, of any type (:mod:`.holders`); None when
        unknown. Asked once per invocation."""
        if not self._held_known:
            self._held, self._held_known = holders.holdings(self.request, self.user_pool_id), True
        return self._held

    # Phases ------------------------------------------------------------------------------------------------

    def each(
        self,
        phase: str,
        names: Sequence[str],
        work: Callable[[Sequence[str]], int],
        calls: dict[str, int] | None = None,
    ) -> bool:
        """Run ``work`` on the phase's users from the progress's cursor on, a chunk at a time (it answers how many of
        the chunk's first users it handled); False when the rest goes on in a further invocation (the progress then
        says where).

        A request that may not continue fails before the phase when its least time (``calls``, by default the most
        the phase's users can cost) does not fit the invocation's time left.
        """
        progress = self.progress
        progress.enter(phase)
        if progress.phase != phase:
            return True
        per_user = self._calls_per_user(phase)
        self._phase_total = len(names)
        if progress.cursor == 0 and not self.may_continue:
            self._check_fits(phase, calls or {category: n * len(names) for category, n in per_user.items()})
        while progress.cursor < len(names):
            self._check_cloudformation_time(phase, per_user, len(names) - progress.cursor)
            room = self.request.deadline.remaining_s() - pacing.RESERVE_S
            size = min(CHUNK, len(names) - progress.cursor)
            if self.may_continue:
                size = min(size, int(room // max(pacing.least_time_s(per_user, self.rates), 1e-9)))
                if size < 1 and self._done_here == 0:  # the next invocation has no more time than this one
                    raise HandlerError(
                        f"the handler's time ran out before the {phase} could go on: {max(room, 0.0):,.1f} s left "
                        f"after the {pacing.RESERVE_S:.0f} s reserve, less than one user's least time"
                    )
                if size < 1:
                    return False
            self._phase_base, self._chunk = progress.cursor, size
            handled = work(names[progress.cursor : progress.cursor + size])
            progress.cursor += handled
            self._done_here += handled
            if handled < size:  # the invocation's time ran short within the chunk
                return False
        self._progress(phase, len(names), len(names))
        return True

    def _calls_per_user(self, phase: str) -> dict[str, int]:
        """The most calls one user of ``phase`` costs, by category: a read, and in write or clear the writes."""
        if phase == CHECK:
            return {pacing.USER_READ: 1}
        props = self.request.properties
        writes = 2 if SMS_FACTOR.property in props else 1
        return {pacing.USER_READ: 1, pacing.USER_UPDATE: writes}

    def _check_cloudformation_time(self, phase: str, per_user: dict[str, int], users: int) -> None:
        """In a continuation, fail when the phase's rest cannot end before CloudFormation stops waiting."""
        if not self.may_continue:
            return
        left = self.cloudformation_deadline - self.request.deadline.wall_clock()
        capacity = pacing.continuation_capacity_s(left, self.work_per_invocation_s, pacing.RESERVE_S)
        calls = {category: n * users for category, n in per_user.items()}
        if pacing.least_time_s(calls, self.rates) > capacity:
            raise HandlerError(
                decisions.time_short_reason(phase, calls, self.rates, max(left, 0.0), of="stack operation's")
            )

    def later(self) -> Result:
        """The result of an invocation whose request goes on in the next one."""
        self.save_record()
        self._log_final("continues")
        return Result("", "continues", continuation=self.progress.to_state())

    def check(self, names: Sequence[str], target: Target) -> int:
        """Read each user: a problem (missing, no phone for SMS) is counted; a state is kept for the write, and a
        user that differs is noted by its index. Answers how many of the first users were read; HandlerError when
        a read failed (the pool is gone...)."""
        first = self.progress.cursor  # the chunk's first index in the list
        results = _started(self._run_all("read", names, self._read_one))
        for offset, (name, result) in enumerate(zip(names, results, strict=False)):
            if isinstance(result, HandlerError):
                raise result
            problem = decisions.read_problem(result, target)
            writes = result is not None and problem is None and bool(decisions.writes_needed(result, target))
            if result is not None:
                self.note_prior(name, result, writes=writes)
            if problem is not None:
                tally = self.progress.skipped if self.skippable(name) else self.progress.problems
                tally.add(name, problem)
            elif result is not None:
                self._states[name] = result
                if writes:
                    self.progress.needs_write(first + offset)
        return len(results)

    def to_write(self, names: Sequence[str]) -> Sequence[str]:
        """The users the write phase goes over: those the check found differing, when the progress names them
        (so a write phase in a later invocation reads only those again), else every listed user."""
        pending = self.progress.pending
        return names if pending is None else [names[index] for index in pending]

    def write_calls(self, names: Sequence[str], target: Target) -> dict[str, int]:
        """The calls the write phase makes: a read of each user this invocation has not read, and the writes the
        users it has read need (for those not read, the most they can need)."""
        unread = [name for name in names if name not in self._states]
        writes = sum(len(decisions.writes_needed(state, target)) for state in self._states.values())
        most = self._calls_per_user(WRITE)[pacing.USER_UPDATE]
        return {pacing.USER_READ: len(unread), pacing.USER_UPDATE: writes + most * len(unread)}

    def write_listed(self, names: Sequence[str], target: Target) -> int:
        """Give each user the target: its state from this invocation's check, or read now, each user read and
        written by one worker (reads and writes are paced in their own categories, so they overlap)."""
        items = [(name, self._states.get(name), target, None, None) for name in names]
        progress = self.progress
        results = _started(self._run_all("write", items, self._settle_one))
        for name, result in zip(names, results, strict=False):
            self._states.pop(name, None)
            if isinstance(result, PoolGoneError):
                raise result
            if isinstance(result, HandlerError):
                progress.failures.add(name, str(result))
            elif result in (_GONE, _NO_PHONE):
                problem = decisions.NOT_A_USER if result == _GONE else decisions.NO_PHONE
                if self.skippable(name) or self.tolerates(f"{rules.show(name)} ({problem})"):
                    progress.skipped.add(name, problem)
                else:
                    progress.failures.add(name, problem)
            elif result == _SAME:
                progress.unchanged += 1
            else:
                progress.written += 1
        return len(results)

    # Users -------------------------------------------------------------------------------------------------

    def _read_one(self, name: str) -> UserState | None:
        pool_id = self.user_pool_id
        answer = self._call(
            decisions.GET_USER, name, lambda: self.client.admin_get_user(UserPoolId=pool_id, Username=name)
        )
        return None if answer is None else decisions.user_state(answer)

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

    def clear(self, names: Sequence[str], target: Target, record: WriteRecord | None) -> int:
        """Put back what a batch of ``target`` changed of ``names``: to what ``record`` says each held before, or,
        for a batch made before records (``record`` None), to the cleared ``target``; except users another live
        resource lists. When that cannot be told, nobody more is put back (the progress says unverified)."""
        progress = self.progress
        held = self.held_elsewhere()
        if held is None:
            progress.unverified = True
            progress.kept += len(names)
            return len(names)
        settings = holders.settings_of(target)
        kept = {name for name in names if held.holds_every(settings, (name,))}
        self.clearing = True
        cleared = target if record is not None else target.cleared()
        items = [(n, None, cleared, held, record.get(n) if record else None) for n in names if n not in kept]
        results = iter(_started(self._run_all("clear", items, self._settle_one)))
        handled = 0
        for name in names:
            if name in kept:
                progress.kept += 1
                handled += 1
                continue
            result = next(results, _NOT_STARTED)
            if result == _NOT_STARTED:
                break
            handled += 1
            if isinstance(result, PoolGoneError) or result == _GONE:
                progress.gone += 1
            elif result == _NO_PHONE:  # its SMS options cannot be put back without a phone number
                progress.skipped.add(name, decisions.NO_PHONE)
            elif isinstance(result, HandlerError):
                progress.failures.add(name, str(result))
            elif result == _KEPT:
                progress.kept += 1
            elif result == _SAME:
                progress.unchanged += 1
            else:
                progress.cleared += 1
        return handled

    def _settle_one(self, item: tuple[str, UserState | None, Target, holders.Holdings | None, Prior | None]) -> str:
        """One user to its target: read it unless its state is known, leave each setting another live resource
        holds for it (``held``, by its listed or canonical name), write what differs; with a ``prior``, put back
        what a batch of ``target`` changed instead. Answers what became of it."""
        name, state, target, held, prior = item
        if state is None:
            state = self._read_one(name)
            if state is None:
                return _GONE
        names = (name, state.username)
        if held is not None and held.holds_every(holders.settings_of(target), names):
            return _KEPT
        if prior is not None:
            writes = decisions.restore_writes(state, prior, target)
            target = decisions.restoring(prior, target)
        else:
            writes = decisions.writes_needed(state, target)
        if held is not None:
            writes = holders.not_held_writes(writes, held, names)
        if not writes:
            return _SAME
        if target.needs_phone and not state.has_phone:
            return _NO_PHONE
        if not self.clearing:
            self.note_prior(name, state, writes=True)  # changed since the check: recorded after, at the latest
        self._write_one((name, state, target, writes))
        return _DONE

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
        remaining = self.request.deadline.remaining_s() - pacing.RESERVE_S
        if pacing.least_time_s(calls, self.rates) > remaining:
            raise HandlerError(decisions.time_short_reason(phase, calls, self.rates, max(remaining, 0.0)))

    def _run_all(self, phase: str, items: Sequence[Any], work: Callable[[Any], Any]) -> list[Any]:
        """``work`` on every item from the worker threads; a HandlerError is returned in the item's place.

        A progress line is logged at least every :data:`PROGRESS_INTERVAL_S`; an item not started when the time
        left falls under the reserve is a HandlerError (the time ran out), or in a request that may continue
        :data:`_NOT_STARTED` (items start in order, so those are the last ones; an item whose call's retries
        stopped for the invocation's time too, and the results after the first one are then left to the next
        invocation, which reads those users again).
        """
        if not items:
            return []
        deadline = self.request.deadline

        def guarded(item: Any) -> Any:
            if self._stopped:  # the pool is gone: every other call would say so too
                return PoolGoneError(f"UserPoolId {self.user_pool_id} is not a user pool in this account and Region")
            if deadline.remaining_s() < pacing.RESERVE_S:
                if self.may_continue:
                    return _NOT_STARTED  # left for the next invocation
                return HandlerError(f"the handler's time ran out during the {phase}")
            try:
                return work(item)
            except PoolGoneError as error:
                return error
            except HandlerError as error:
                if self.may_continue and error.out_of_time:
                    # Its retries stopped for the invocation's time, not for good: the next invocation reads the
                    # user again and decides anew.
                    return _NOT_STARTED
                return error

        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="batch") as pool:
            futures: list[Future[Any]] = [pool.submit(guarded, item) for item in items]
            pending = set(futures)
            while pending:
                _, pending = wait(pending, timeout=PROGRESS_INTERVAL_S, return_when=FIRST_COMPLETED)
                if pending and time.monotonic() - self._logged >= PROGRESS_INTERVAL_S:
                    share = (len(items) - len(pending)) / len(items)
                    done = self._phase_base + int(share * self._chunk)
                    self._progress(self.progress.phase, done, self._phase_total)
        return [future.result() for future in futures]

    def _progress(self, phase: str, done: int, total: int) -> None:
        self._logged = time.monotonic()
        elapsed = self._logged - self.started
        logger.info(decisions.progress_line(phase, done, total, self.pacer.counts(), elapsed))

    def finish(self) -> None:
        """The final line: the request's totals."""
        self._log_final(self.progress.detail())

    def _log_final(self, detail: str) -> None:
        elapsed = time.monotonic() - self.started
        progress = self.progress
        logger.info(
            decisions.final_line(self.pacer.counts(), elapsed, detail, progress.gone, progress.failures.count)
            + f" invocation={progress.invocations}"
        )


RESOURCE: ResourceType = UserSmsMfaSettingsBatch()
