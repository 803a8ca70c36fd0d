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
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from . import holders, pacing, retry, settings_decisions
from . import settings_batch_decisions as decisions
from .errors import HandlerError, client_error_reason
from .properties import NO_PHYSICAL_ID, UserRef
from .resource import Request, Result
from .rules import SMS_FACTOR
from .settings_batch_decisions import CHECK, CLEAR, WRITE, Progress

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
_GONE, _KEPT, _SAME, _DONE = "gone", "kept", "unchanged", "done"
# An item a request that may continue did not start because the invocation's time ran short.
_NOT_STARTED = "not-started"


def _started(results: list[Any]) -> list[Any]:
    """The results up to the first item not started (the rest is left for the next invocation)."""
    return results[: results.index(_NOT_STARTED)] if _NOT_STARTED in results else results


class PoolGoneError(HandlerError):
    """The pool does not exist (``ResourceNotFoundException``): no user of it can be read or written."""


@dataclass(frozen=True)
class _Subject:
    """What a FAILED reason of one call names."""

    user_pool_id: str
    username: str


class UserSmsMfaSettingsBatch:
    """Create/Update give every listed user the desired state (Update also clears users it stopped listing when its
    id stays); Delete clears every listed user no other live resource of the stack lists."""

    def apply(self, request: Request) -> Result:
        desired = decisions.parse_properties(request.properties)
        new_id = decisions.physical_id(desired.user_pool_id, desired.manifest)
        run = BatchRun(request, desired.user_pool_id, desired.rates, may_continue=desired.may_continue)
        names = run.manifest(desired.manifest)
        removed = self._unlisted(request, run, desired.user_pool_id, names) if new_id == request.physical_id else []
        progress = run.progress
        if progress.phase == CHECK:
            if not run.each(CHECK, names, lambda chunk: run.check(chunk, desired.target)):
                return run.later()
            if progress.problems.count:
                raise HandlerError(
                    decisions.problems_reason(progress.problems, len(names), desired.user_pool_id, written=0)
                )
            progress.enter(WRITE)
            if progress.pending is not None:  # the users found in sync need nothing more
                progress.unchanged += len(names) - len(progress.pending)
        if progress.phase == WRITE:
            todo = run.to_write(names)
            calls = run.write_calls(todo, desired.target)
            if not run.each(WRITE, todo, lambda chunk: run.write_listed(chunk, desired.target), calls):
                return run.later()
            progress.enter(CLEAR)
        cleared = desired.target.cleared()
        if removed and not run.each(CLEAR, removed, lambda chunk: run.clear(chunk, cleared)):
            return run.later()
        run.finish()
        if progress.failures.count:
            reason = decisions.problems_reason(
                progress.failures, len(names), desired.user_pool_id, written=progress.written + progress.cleared
            )
            raise HandlerError(reason, physical_id=new_id)  # a failed Create answers its id: rollback clears
        replaced = request.request_type == "Update" and new_id != request.physical_id
        return Result(
            new_id,
            progress.detail() + ("+replaced" if replaced else ""),
            progress.data(desired.user_pool_id, len(names)),
        )

    @staticmethod
    def _unlisted(request: Request, run: BatchRun, pool_id: str, names: Sequence[str]) -> list[str]:
        """An Update that keeps its id (a rollback, or a change of options only): the users the old properties
        listed and the new ones do not (cleared unless another live resource lists them)."""
        if request.request_type != "Update":
            return []
        old_props = request.event.get("OldResourceProperties") or {}
        try:
            old = decisions.parse_properties(old_props)
        except HandlerError:
            return []
        if old.user_pool_id != pool_id or old.manifest.sha256 == run.listed_digest:
            return []
        listed = {name.lower() for name in names}
        return [name for name in run.manifest(old.manifest) if name.lower() not in listed]

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        batch = decisions.parse_physical_id(physical_id)
        if batch is None:
            return Result(physical_id, "not-ours")
        try:
            props = decisions.parse_properties(request.properties)
            target, rates, may_continue = props.target, props.rates, props.may_continue
        except HandlerError:  # never true of an id we answered; a Delete must not fail on its input
            target, rates, may_continue = decisions.Target((), None), pacing.default_rates(), False
        run = BatchRun(request, batch.user_pool_id, rates, may_continue=may_continue)
        run.progress.enter(CLEAR)
        try:
            names = run.manifest(batch.manifest)
        except HandlerError as error:
            logger.warning("the list cannot be read, so no user is cleared: %s", error)
            return Result(physical_id, "kept-list-unreadable")
        cleared = target.cleared()
        if not run.each(CLEAR, names, lambda chunk: run.clear(chunk, cleared)):
            return run.later()
        if run.progress.unverified and not run.progress.cleared:
            return Result(physical_id, "kept-unverified")
        run.finish()
        progress = run.progress
        if progress.failures.count:
            raise HandlerError(
                decisions.problems_reason(progress.failures, len(names), batch.user_pool_id, written=progress.cleared)
            )
        return Result(physical_id, progress.detail(), progress.data(batch.user_pool_id, len(names)))

    def log_subject(self, request: Request) -> str:
        if request.request_type == "Delete":
            batch = decisions.parse_physical_id(request.physical_id)
            return batch.user_pool_id if batch else "-"
        pool = request.properties.get("UserPoolId")
        return pool if isinstance(pool, str) else "-"


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
        self.work_per_invocation_s = max(request.deadline.remaining_s() - retry.RESERVE_S, 1.0)

    # Lists -------------------------------------------------------------------------------------------------

    def manifest(self, location: ManifestLocation) -> tuple[str, ...]:
        """The names a list holds, read from S3 and checked against its digest and count."""
        self.listed_digest = self.listed_digest or location.sha256
        return holders.read_list(self.request, location, self.user_pool_id)

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
            room = self.request.deadline.remaining_s() - retry.RESERVE_S
            size = min(CHUNK, len(names) - progress.cursor)
            if self.may_continue:
                size = min(size, int(room // max(pacing.least_time_s(per_user, self.rates), 1e-9)))
                if size < 1 and self._done_here == 0:  # the next invocation has no more time than this one
                    raise HandlerError(
                        f"the handler's time ran out before the {phase} could go on: {max(room, 0.0):,.1f} s left "
                        f"after the {retry.RESERVE_S:.0f} s reserve, less than one user's least time"
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
        capacity = pacing.continuation_capacity_s(left, self.work_per_invocation_s, retry.RESERVE_S)
        calls = {category: n * users for category, n in per_user.items()}
        if pacing.least_time_s(calls, self.rates) > capacity:
            raise HandlerError(
                decisions.time_short_reason(phase, calls, self.rates, max(left, 0.0), of="stack operation's")
            )

    def later(self) -> Result:
        """The result of an invocation whose request goes on in the next one."""
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
            if problem is not None:
                self.progress.problems.add(name, problem)
            elif result is not None:
                self._states[name] = result
                if decisions.writes_needed(result, target):
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
        items = [(name, self._states.get(name), target, None) for name in names]
        progress = self.progress
        results = _started(self._run_all("write", items, self._settle_one))
        for name, result in zip(names, results, strict=False):
            self._states.pop(name, None)
            if isinstance(result, PoolGoneError):
                raise result
            if isinstance(result, HandlerError):
                progress.failures.add(name, str(result))
            elif result == _GONE:
                progress.failures.add(name, decisions.NOT_A_USER)
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

    def clear(self, names: Sequence[str], target: Target) -> int:
        """Put ``names`` in the cleared ``target``, except users another live resource lists; when that cannot be
        told, nobody more is cleared (the progress says unverified)."""
        progress = self.progress
        held = self.held_elsewhere()
        if held is None:
            progress.unverified = True
            progress.kept += len(names)
            return len(names)
        settings = holders.settings_of(target)
        kept = {name for name in names if held.holds_every(settings, (name,))}
        self.clearing = True
        items = [(n, None, target, held) for n in names if n not in kept]
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
            elif isinstance(result, HandlerError):
                progress.failures.add(name, str(result))
            elif result == _KEPT:
                progress.kept += 1
            elif result == _SAME:
                progress.unchanged += 1
            else:
                progress.cleared += 1
        return handled

    def _settle_one(self, item: tuple[str, UserState | None, Target, holders.Holdings | None]) -> str:
        """One user to its target: read it unless its state is known, leave each setting another live resource
        holds for it (``held``, by its listed or canonical name), write what differs. Answers what became of it."""
        name, state, target, held = item
        if state is None:
            state = self._read_one(name)
            if state is None:
                return _GONE
        names = (name, state.username)
        if held is not None and held.holds_every(holders.settings_of(target), names):
            return _KEPT
        writes = decisions.writes_needed(state, target)
        if held is not None:
            writes = holders.not_held_writes(writes, held, names)
        if not writes:
            return _SAME
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
        remaining = self.request.deadline.remaining_s() - retry.RESERVE_S
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
            if deadline.remaining_s() < retry.RESERVE_S:
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
