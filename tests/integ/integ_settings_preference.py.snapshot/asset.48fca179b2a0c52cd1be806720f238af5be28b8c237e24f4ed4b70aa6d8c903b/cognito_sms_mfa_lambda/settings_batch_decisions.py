"""Pure decisions of ``Custom::CognitoUserSmsMfaSettingsBatch``: no boto3, no crhelper, no environment.

The request-by-request design is in ``docs/design.md`` (batches). This module parses the properties and the
physical id (which names the pool and the list, so a changed list is a new id and CloudFormation's cleanup Delete
of the old one clears the users removed), reads a user's state from an ``AdminGetUser`` answer, decides which
writes a user needs to reach a target, which users another live resource of the stack still lists, and words the
FAILED reasons and the progress lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import manifest, pacing, preference_decisions, rules, settings_decisions
from .errors import HandlerError
from .manifest import ManifestLocation
from .properties import FRAMEWORK_PROPERTIES, check, required_string
from .rules import SMS_FACTOR, MfaFactor, MfaOption

if TYPE_CHECKING:
    from collections.abc import Mapping

PHYSICAL_ID_PREFIX = "cognito-sms-mfa-batch:"
PROPERTIES = (
    "UserPoolId",
    "ManifestBucket",
    "ManifestKey",
    "ManifestSha256",
    "UserCount",
    "MFAOptions",
    SMS_FACTOR.property,
    "MaxRequestsPerSecond",
    "Continuation",
    "Record",
)
SET_SETTINGS = "AdminSetUserSettings"
SET_PREFERENCE = "AdminSetUserMFAPreference"
GET_USER = "AdminGetUser"
# How many problems a FAILED reason names (it must stay under 200 characters).
NAMED_PROBLEMS = 3
NOT_A_USER = "not a user"
NO_PHONE = "no phone_number"
# ``Record: "1"``: the resource keeps a record of its writes next to its list; absent in resources made before
# records, whose Delete clears every listed user as it always did.
RECORD_PROPERTY = "Record"
RECORD_VERSION = "1"
RECORD_FORMAT = "cognito-sms-mfa/batch-record/1"
# The requests whose claims a record keeps (a duplicate arrives within minutes, many requests later it cannot).
MAX_CLAIMS = 20
REQUEST_ID_KEPT = re.compile(r"[^A-Za-z0-9-]")
# The stack statuses in which a batch reports what it could not restore instead of failing: a rollback, and the
# clean-up Deletes after an update (CloudFormation does not need them to succeed, and a FAILED one only warns).
REPORTING_STATUSES = frozenset({"UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"})


@dataclass(frozen=True)
class Target:
    """The state a batch gives each of its users: the legacy options and, when managed, the SMS factor."""

    mfa_options: tuple[MfaOption, ...]
    sms: MfaFactor | None

    def cleared(self) -> Target:
        """What a Delete leaves: no options, and the SMS factor disabled when the batch manages it."""
        return Target((), None if self.sms is None else MfaFactor.DISABLED)

    @property
    def needs_phone(self) -> bool:
        """Whether a user must have ``phone_number`` to take this state (Cognito refuses otherwise)."""
        return bool(self.mfa_options) or self.sms in (MfaFactor.ENABLED, MfaFactor.PREFERRED)


@dataclass(frozen=True)
class BatchRequest:
    """The desired state of a batch, parsed from ResourceProperties."""

    user_pool_id: str
    manifest: ManifestLocation
    target: Target
    rates: dict[str, float]
    may_continue: bool = False
    recorded: bool = False  # the resource keeps a record of its writes (``Record``)


@dataclass(frozen=True)
class BatchId:
    """What a batch's physical id names: the pool and the list."""

    user_pool_id: str
    manifest: ManifestLocation


@dataclass(frozen=True)
class UserState:
    """A user as ``AdminGetUser`` reports them: canonical name, options, SMS factor, whether a phone is set."""

    username: str
    mfa_options: tuple[MfaOption, ...]
    sms: MfaFactor
    has_phone: bool


def parse_properties(props: Mapping[str, Any]) -> BatchRequest:
    """Parse and validate ResourceProperties; raise HandlerError naming the first bad property."""
    for name in props:
        if name not in PROPERTIES and name not in FRAMEWORK_PROPERTIES:
            raise HandlerError(f"{name} is not a property of this resource; expected {', '.join(PROPERTIES)}")
    user_pool_id = required_string(props, "UserPoolId")
    check("UserPoolId", rules.user_pool_id_problem(user_pool_id))
    recorded = props.get(RECORD_PROPERTY)
    if recorded not in (None, RECORD_VERSION):
        raise HandlerError(f"{RECORD_PROPERTY} must be {RECORD_VERSION!r}; received {rules.show(recorded)}")
    return BatchRequest(
        user_pool_id,
        parse_location(props),
        parse_target(props),
        parse_rates(props),
        parse_continuation(props),
        recorded=recorded is not None,
    )


def parse_continuation(props: Mapping[str, Any]) -> bool:
    """``Continuation``: ``"true"`` when the construct granted what going on in further invocations needs (the
    rule and the permission); absent otherwise, and then a request must fit one invocation."""
    value = props.get("Continuation", "false")
    if value not in ("true", "false"):
        raise HandlerError(f"Continuation must be 'true' or 'false'; received {rules.show(value)}")
    return bool(value == "true")


def parse_location(props: Mapping[str, Any]) -> ManifestLocation:
    """The list's location, digest and count."""
    bucket = required_string(props, "ManifestBucket")
    key = required_string(props, "ManifestKey")
    digest = required_string(props, "ManifestSha256")
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise HandlerError(f"ManifestSha256 must be 64 lowercase hex digits; received {rules.show(digest)}")
    count = required_string(props, "UserCount")
    if not count.isdigit() or int(count) < 1:
        raise HandlerError(f"UserCount must be a whole number of at least 1; received {rules.show(count)}")
    if not bucket or not key:
        raise HandlerError("ManifestBucket and ManifestKey must not be empty")
    return ManifestLocation(bucket, key, digest, int(count))


def parse_target(props: Mapping[str, Any]) -> Target:
    """The options (``MFAOptions``) and the SMS factor (``SmsMfa``, absent when not managed)."""
    options = settings_decisions.parse_mfa_options(props.get("MFAOptions"))
    sms: MfaFactor | None = None
    if SMS_FACTOR.property in props:
        value = required_string(props, SMS_FACTOR.property)
        check(SMS_FACTOR.property, rules.mfa_factor_problem(value))
        sms = MfaFactor(value)
    return Target(options, sms)


def parse_rates(props: Mapping[str, Any]) -> dict[str, float]:
    """``MaxRequestsPerSecond`` by category (strings, as CloudFormation sends numbers); defaults for the rest."""
    rates = pacing.default_rates()
    given = props.get("MaxRequestsPerSecond", {})
    if not isinstance(given, dict):
        raise HandlerError(f"MaxRequestsPerSecond must be an object of category to rate; received {rules.show(given)}")
    for category, value in given.items():
        if category not in rates:
            raise HandlerError(f"MaxRequestsPerSecond.{category} is not a category; expected {', '.join(rates)}")
        try:
            rate = float(value)
        except (TypeError, ValueError):
            rate = 0.0
        if not rate > 0:
            raise HandlerError(
                f"MaxRequestsPerSecond.{category} must be a number above 0; received {rules.show(value)}"
            )
        rates[category] = rate
    return rates


def physical_id(user_pool_id: str, manifest: ManifestLocation) -> str:
    """``cognito-sms-mfa-batch:<pool id>:<sha256>:<count>:s3://<bucket>/<key>``: the pool and the list.

    A changed list or pool is a new id: CloudFormation then deletes the old id in its cleanup phase, after every
    resource of the stack has its new state, which is when a user moved to another resource can be told apart
    from a user removed.
    """
    return f"{PHYSICAL_ID_PREFIX}{user_pool_id}:{manifest.sha256}:{manifest.count}:{manifest.uri}"


def parse_physical_id(value: object) -> BatchId | None:
    """The pool and list a batch id names, or None when the id is not one (random, empty, another type's)."""
    if not isinstance(value, str) or not value.startswith(PHYSICAL_ID_PREFIX):
        return None
    pool_id, digest, count, uri = [*value[len(PHYSICAL_ID_PREFIX) :].split(":", 3), "", "", ""][:4]
    bucket, sep, key = uri.removeprefix("s3://").partition("/")
    if rules.user_pool_id_problem(pool_id) or not uri.startswith("s3://") or not sep or not count.isdigit():
        return None
    if len(digest) != 64 or not bucket or not key:
        return None
    return BatchId(pool_id, ManifestLocation(bucket, key, digest, int(count)))


def user_state(answer: Mapping[str, Any]) -> UserState:
    """A user's state in an AdminGetUser answer."""
    attributes = {item.get("Name"): item.get("Value") for item in answer.get("UserAttributes") or []}
    return UserState(
        username=str(answer["Username"]),
        mfa_options=settings_decisions.current_options(answer),
        sms=preference_decisions.current_factors(answer)[SMS_FACTOR],
        has_phone=bool(attributes.get(rules.ATTRIBUTE_NAME)),
    )


def writes_needed(state: UserState, target: Target) -> tuple[str, ...]:
    """The calls that put ``state`` into ``target``: the options first, then the SMS factor; only what differs."""
    writes: list[str] = []
    if settings_decisions.needs_write(state.mfa_options, target.mfa_options):
        writes.append(SET_SETTINGS)
    if target.sms is not None and state.sms != target.sms:
        writes.append(SET_PREFERENCE)
    return tuple(writes)


def preference_kwargs(pool_id: str, username: str, sms: MfaFactor) -> dict[str, Any]:
    """The AdminSetUserMFAPreference arguments that put a user's SMS factor in ``sms``."""
    return {
        "UserPoolId": pool_id,
        "Username": username,
        SMS_FACTOR.api_member: {"Enabled": sms != MfaFactor.DISABLED, "PreferredMfa": sms == MfaFactor.PREFERRED},
    }


def read_problem(state: UserState | None, target: Target) -> str | None:
    """Why a listed user cannot take ``target`` (missing, or no phone for SMS), or None."""
    if state is None:
        return NOT_A_USER
    if target.needs_phone and not state.has_phone:
        return NO_PHONE
    return None


@dataclass
class Tally:
    """How many users failed, and the first :data:`NAMED_PROBLEMS` of them by name with why (list order)."""

    count: int = 0
    first: list[tuple[str, str]] = field(default_factory=list)

    def add(self, name: str, problem: str) -> None:
        self.count += 1
        if len(self.first) < NAMED_PROBLEMS:
            self.first.append((name, problem))

    def take(self, other: Tally) -> None:
        """Move every user of ``other`` into this tally (``other`` ends empty)."""
        self.count += other.count
        self.first = (self.first + other.first)[:NAMED_PROBLEMS]
        other.count, other.first = 0, []


def named(tally: Tally) -> str:
    """The first users of ``tally`` by name with why, and how many more: ``'ann' (not a user) and 2 more``."""
    shown = ", ".join(f"{rules.show(name)} ({problem})" for name, problem in tally.first)
    more = f" and {tally.count - len(tally.first):,} more" if tally.count > len(tally.first) else ""
    return shown + more


def problems_reason(problems: Tally, total: int, user_pool_id: str, *, written: int) -> str:
    """One FAILED reason for users that cannot take the state: how many, how many were written, the first few by
    name (the Reason is masked and cut after; the counts come first so they survive the cut)."""
    outcome = "nothing was written" if not written else f"{written:,} written"
    return f"{problems.count:,} of {total:,} users of {user_pool_id} failed, {outcome}: {named(problems)}"


def report(skipped: Tally, unrestored: Tally) -> str:
    """What a request that succeeded left undone (``Data.Report`` and the log; masked by the caller): the users it
    skipped (gone, no phone) and those whose write failed in a rollback or clean-up; empty when none."""
    parts = []
    if skipped.count:
        parts.append(f"{skipped.count:,} skipped: {named(skipped)}")
    if unrestored.count:
        parts.append(f"{unrestored.count:,} not restored: {named(unrestored)}")
    return "; ".join(parts)


@dataclass(frozen=True)
class Prior:
    """What a user held before this stack's batch first wrote it: its options and its SMS factor."""

    mfa_options: tuple[MfaOption, ...]
    sms: MfaFactor

    @classmethod
    def of(cls, state: UserState) -> Prior:
        return cls(state.mfa_options, state.sms)


class WriteRecord:
    """The users a batch wrote or was about to write, each with what it held before (by name as listed; names
    compare case-insensitively). Users it found already holding the target are not in it: nothing of theirs is
    put back. Kept in S3 next to the list (:func:`record_key`), written before the writes it covers.

    It also holds the invocations that claimed it (``claims``: request id to the last invocation number), so a
    delivery of an invocation that already ran is told apart (:meth:`claim`).
    """

    def __init__(self, priors: Mapping[str, Prior] | None = None, claims: Mapping[str, int] | None = None) -> None:
        self.priors: dict[str, Prior] = dict(priors or {})
        self.claims: dict[str, int] = dict(claims or {})
        self._names = {name.lower(): name for name in self.priors}

    def claim(self, request_id: str, invocation: int) -> bool:
        """Claim invocation ``invocation`` of request ``request_id``; False when it (or a later one) was claimed
        already: this delivery is a duplicate. Only the last :data:`MAX_CLAIMS` requests are kept."""
        if self.claims.get(request_id, 0) >= invocation:
            return False
        self.claims.pop(request_id, None)
        self.claims[request_id] = invocation
        while len(self.claims) > MAX_CLAIMS:
            del self.claims[next(iter(self.claims))]
        return True

    def forget(self) -> None:
        """Empty the record (what was written has been put back), keeping the claims."""
        self.priors.clear()
        self._names.clear()

    def get(self, name: str) -> Prior | None:
        key = self._names.get(name.lower())
        return None if key is None else self.priors[key]

    def add(self, name: str, prior: Prior) -> bool:
        """Record ``name`` unless it is recorded already (the first prior is the one from before any write);
        True when added."""
        if name.lower() in self._names:
            return False
        self.priors[name] = prior
        self._names[name.lower()] = name
        return True

    def __len__(self) -> int:
        return len(self.priors)

    def to_bytes(self) -> bytes:
        """Compact JSON: the users grouped by what they held before."""
        groups: dict[Prior, list[str]] = {}
        for name, prior in self.priors.items():
            groups.setdefault(prior, []).append(name)
        document = {
            "format": RECORD_FORMAT,
            "groups": [
                {"options": [o.to_properties() for o in prior.mfa_options], "sms": prior.sms.value, "users": users}
                for prior, users in groups.items()
            ],
            "claims": self.claims,
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, data: bytes, uri: str) -> WriteRecord:
        """The record in ``data`` (read from ``uri``); HandlerError when it is not one."""
        try:
            document = json.loads(data)
            if document.get("format") != RECORD_FORMAT:
                raise ValueError(document.get("format"))
            priors: dict[str, Prior] = {}
            for group in document["groups"]:
                options = settings_decisions.current_options({"MFAOptions": group["options"]})
                prior = Prior(options, MfaFactor(group["sms"]))
                priors.update((str(name), prior) for name in group["users"])
            claims = {str(request): int(n) for request, n in document["claims"].items()}
        except (AttributeError, KeyError, TypeError, ValueError):
            raise HandlerError(f"Record: {uri} is not a record of format {RECORD_FORMAT}") from None
        return cls(priors, claims)


def stack_uuid(stack_id: str) -> str:
    """The last part of a stack's id (``arn:...:stack/<name>/<uuid>``): unique to the stack, never reused."""
    return REQUEST_ID_KEPT.sub("", stack_id.rpartition("/")[2]) or "unknown"


def record_key(stack_id: str, batch: BatchId) -> str:
    """The key of the record of the batch ``batch`` of stack ``stack_id``, in the list's bucket."""
    return manifest.record_prefix(batch.manifest.sha256, stack_uuid(stack_id), batch.user_pool_id) + "json"


def restore_writes(state: UserState, prior: Prior, target: Target) -> tuple[str, ...]:
    """The calls that put back what a batch of ``target`` changed of a user that held ``prior`` before: a field is
    put back only when the target differs from its prior (the batch wrote it) and the user now differs from it."""
    writes: list[str] = []
    changed_options = settings_decisions.needs_write(prior.mfa_options, target.mfa_options)
    if changed_options and settings_decisions.needs_write(state.mfa_options, prior.mfa_options):
        writes.append(SET_SETTINGS)
    if target.sms is not None and prior.sms != target.sms and state.sms != prior.sms:
        writes.append(SET_PREFERENCE)
    return tuple(writes)


def restoring(prior: Prior, target: Target) -> Target:
    """The state :func:`restore_writes`'s calls write: the prior options, and its SMS factor when managed."""
    return Target(prior.mfa_options, None if target.sms is None else prior.sms)


def legacy_prior(state: UserState, target: Target) -> Prior:
    """What a resource made before records is taken to have found (its Delete cleared every listed user): no
    options, and the SMS factor disabled when it managed it (else as the user holds it)."""
    cleared = target.cleared()
    return Prior(cleared.mfa_options, state.sms if cleared.sms is None else cleared.sms)


# The phases of a request, in order (docs/design.md, batches, time): Create and Update check every user before any
# write, then write; an Update keeping its id and a Delete clear.
CHECK, WRITE, CLEAR = "check", "write", "clear"
PHASES = (CHECK, WRITE, CLEAR)
STATE_FORMAT = "cognito-sms-mfa/batch-progress/1"
# The most users whose check found them needing a write that the progress names (by index in the list), so that
# a write phase in a later invocation reads and writes only those: 400 indexes of a 50,000-user list are under
# 2.4 KiB of the rule's 8 KiB input. More than that, and the write phase goes over the whole list again.
MAX_PENDING = 400


@dataclass
class Progress:
    """Where a request stands: its phase, the index of the next user of the phase's list, and what it did.

    It is all that travels from one invocation to the next of a continuation (:meth:`to_state`, in crhelper's
    ``Data``, which becomes the rule's input): a few hundred characters whatever the list's size.
    """

    request_id: str
    started: float  # seconds since the epoch, when the request's first invocation started
    phase: str = CHECK
    cursor: int = 0
    written: int = 0
    unchanged: int = 0
    cleared: int = 0
    kept: int = 0
    gone: int = 0
    unverified: bool = False
    problems: Tally = field(default_factory=Tally)
    failures: Tally = field(default_factory=Tally)
    # Users left as they are (gone, no phone) where that is allowed (docs/design.md, batches, failure paths).
    skipped: Tally = field(default_factory=Tally)
    invocations: int = 1
    # Indexes of the users the check found needing a write (None: not known, or more than MAX_PENDING).
    pending: list[int] | None = field(default_factory=list)

    def needs_write(self, index: int) -> None:
        """The check found the user at ``index`` differing from its target."""
        if self.pending is not None:
            self.pending.append(index)
            if len(self.pending) > MAX_PENDING:
                self.pending = None

    def enter(self, phase: str) -> None:
        """Start ``phase`` at its first user (a phase already passed is never entered again)."""
        if PHASES.index(phase) > PHASES.index(self.phase):
            self.phase, self.cursor = phase, 0

    def data(self, user_pool_id: str, listed: int, *, unrestored: Tally | None = None) -> dict[str, str]:
        """The response Data (GetAtt ``UserCount``, ``UserPoolId``; the counts for the log and the rehearsal; what
        was skipped or could not be restored, when anything was, in ``Report``)."""
        data = {
            "UserPoolId": user_pool_id,
            "UserCount": str(listed),
            "Written": str(self.written),
            "Unchanged": str(self.unchanged),
            "Cleared": str(self.cleared),
            "Kept": str(self.kept),
            "Skipped": str(self.skipped.count),
            "Unrestored": str(unrestored.count if unrestored else 0),
            "Invocations": str(self.invocations),
        }
        told = report(self.skipped, unrestored or Tally())
        if told:
            data["Report"] = rules.mask_personal(told)
        return data

    def detail(self) -> str:
        return f"written={self.written} unchanged={self.unchanged} cleared={self.cleared} kept={self.kept}"

    def to_state(self) -> dict[str, Any]:
        """The JSON-able state a further invocation resumes from (``skipped`` only when a user was)."""
        state: dict[str, Any] = {
            "format": STATE_FORMAT,
            "request": self.request_id,
            "started": round(self.started, 3),
            "phase": self.phase,
            "cursor": self.cursor,
            "counts": [self.written, self.unchanged, self.cleared, self.kept, self.gone, self.invocations],
            "unverified": self.unverified,
            "problems": [self.problems.count, [list(item) for item in self.problems.first]],
            "failures": [self.failures.count, [list(item) for item in self.failures.first]],
            "pending": self.pending,
        }
        if self.skipped.count:
            state["skipped"] = [self.skipped.count, [list(item) for item in self.skipped.first]]
        return state


def resume(state: object, request_id: str) -> Progress:
    """The :class:`Progress` a further invocation of request ``request_id`` goes on from; HandlerError when
    ``state`` is not one this handler wrote for that request (a rule's input changed by hand, another request)."""
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise HandlerError("the continuation's state is missing from the poll's input; the request cannot go on")
    if state.get("request") != request_id:
        raise HandlerError(f"the continuation's state belongs to request {rules.show(state.get('request'))}")
    try:
        written, unchanged, cleared, kept, gone, invocations = (int(n) for n in state["counts"])
        tallies = [
            Tally(int(tally[0]), [(str(name), str(why)) for name, why in tally[1]])
            for tally in (state["problems"], state["failures"], state.get("skipped", [0, []]))
        ]
        problems, failures, skipped = tallies
        pending = state["pending"]
        if pending is not None and not (isinstance(pending, list) and all(isinstance(i, int) for i in pending)):
            raise ValueError(pending)
        progress = Progress(
            request_id,
            float(state["started"]),
            phase=str(state["phase"]),
            cursor=int(state["cursor"]),
            written=written,
            unchanged=unchanged,
            cleared=cleared,
            kept=kept,
            gone=gone,
            unverified=bool(state["unverified"]),
            problems=problems,
            failures=failures,
            skipped=skipped,
            invocations=invocations + 1,
            pending=pending,
        )
    except (KeyError, TypeError, ValueError):
        raise HandlerError("the continuation's state cannot be read; the request cannot go on") from None
    if progress.phase not in PHASES or progress.cursor < 0:
        raise HandlerError(f"the continuation's state names phase {rules.show(progress.phase)} at {progress.cursor}")
    return progress


def service_deadline(props: Mapping[str, Any], started: float) -> float:
    """When CloudFormation stops waiting (seconds since the epoch): ``ServiceTimeout`` after the first invocation
    started (CloudFormation's default, an hour, when the property is absent)."""
    value = props.get("ServiceTimeout")
    try:
        timeout = float(value) if value is not None else pacing.MAX_SERVICE_TIMEOUT_S
    except (TypeError, ValueError):
        timeout = pacing.MAX_SERVICE_TIMEOUT_S
    return started + timeout


def write_failure(operation: str, code: str, _message: str, _subject: object) -> str:
    """How one user's failed write is named in the request's reason: the call and the error code."""
    return f"{operation} {code}"


def time_short_reason(
    phase: str, calls: Mapping[str, int], rates: Mapping[str, float], remaining_s: float, *, of: str = "handler's"
) -> str:
    """The FAILED reason when the work left does not fit the time left (the invocation's, or CloudFormation's)."""
    return (
        f"the {phase} needs at least {pacing.describe_least_time(calls, rates)}; {remaining_s:,.0f} s of the "
        f"{of} time remain (raise MaxRequestsPerSecond or split the batch)"
    )


def _rates(counts: Mapping[str, tuple[int, int]], elapsed_s: float) -> str:
    return " ".join(
        f"{category}={calls / elapsed_s if elapsed_s > 0 else 0.0:.1f}/s" for category, (calls, _) in counts.items()
    )


def progress_line(phase: str, done: int, total: int, counts: Mapping[str, tuple[int, int]], elapsed_s: float) -> str:
    """``batch read 500/1000 UserRead=95.8/s UserUpdate=0.0/s throttles=0 elapsed=5.2s``: calls per second by
    category since the request started, and the throttles Cognito answered."""
    throttles = sum(throttled for _, throttled in counts.values())
    return f"batch {phase} {done}/{total} {_rates(counts, elapsed_s)} throttles={throttles} elapsed={elapsed_s:.1f}s"


def final_line(counts: Mapping[str, tuple[int, int]], elapsed_s: float, detail: str, gone: int, failed: int) -> str:
    """The request's last line: the users by outcome, the calls by category, the throttles and the time."""
    calls = " ".join(f"{category}_calls={n}" for category, (n, _) in counts.items())
    throttles = sum(throttled for _, throttled in counts.values())
    return (
        f"batch totals {detail} gone={gone} failed={failed} {calls} {_rates(counts, elapsed_s)} "
        f"throttles={throttles} elapsed={elapsed_s:.1f}s"
    )
