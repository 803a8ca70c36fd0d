"""What the rehearsal reports: one :class:`Outcome` per request (or per resource not rehearsed), their verdicts,
the table (:mod:`.table`: one line per row in a log or a pipe; in a terminal fitted to its width, a cell too long
for its column going on under it, broken after a ``/`` or at a space, never inside a name), the closing line with
its hints, and the exit status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cognito_sms_mfa_rehearsal.batches import render_counts
from cognito_sms_mfa_rehearsal.custom_types import CUSTOM_TYPES, render_both_forms
from cognito_sms_mfa_rehearsal.table import plural, render, wrap_text

CREATE, SYNTHETIC_UPDATE, DELETE, NOT_REHEARSED = "create", "synthetic-update", "delete", "not-rehearsed"
# --cycle's rename of one settings resource's logical id: Create under the new id, cleanup Delete of the old.
RENAME, CLEANUP = "rename", "cleanup"
# A test user signed in with its secret's password (after the Create, and after --cycle's update): DESIRED is the
# expected result (``SMS challenge ok`` / ``no MFA ok``), READ BACK what signing in showed.
SIGN_IN = "sign-in"
SKIPPED = "skipped"
# An assertion of an integ app (integ-tests' assertion stack): integ-runner runs it after a deploy to an account, the
# rehearsal does not. Its row says so and leaves the exit status alone (the stack under test is rehearsed).
INTEG_ASSERTION, NOT_RUN = "integ-assertion", "not run"
# The rows that are no request: a resource not rehearsed, an integ assertion.
NOT_REQUESTS = frozenset({NOT_REHEARSED, INTEG_ASSERTION})
STEP_LABELS = {SYNTHETIC_UPDATE: "update*", NOT_REHEARSED: "-", INTEG_ASSERTION: "assert"}
# Exit statuses (documented in `--help` and the README).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3
COLUMNS = ("STEP", "RESOURCE", "POOL", "USER", "DESIRED", "READ BACK", "USER MFA", "RESULT", "TIME")
# The columns that give up width when a table would be wider than the terminal; a cell wider than its column
# continues on the next lines of its row.
SHRINKABLE = ("RESOURCE", "POOL", "USER", "USER MFA", "DESIRED", "READ BACK")
NO_USER = "(no user)"
# The reason of a resource whose pool is imported by id (``pool <id> IMPORTED_POOL``), which a hint answers.
IMPORTED_POOL = "is imported, not defined in this app"
STAND_IN_HINT = (
    "Hint: {count} {targets} a pool imported by id (UserPool.from_user_pool_id): `--stand-in-pools` rehearses"
    " {them} against a stand-in pool holding the named user (README: the rehearsal in CI)."
)


@dataclass
class Outcome:
    """One request of the rehearsal and what the emulator holds afterwards, or a resource not rehearsed.

    ``read_back`` is None when the user (or pool) is gone; ``hint`` says what to change in the app.
    """

    stack: str
    path: str
    logical_id: str
    resource_type: str
    phase: str
    pool: str
    pool_path: str
    username: str
    desired: Any
    read_back: Any
    status: str
    reason: str = ""
    hint: str = ""
    seconds: float = 0.0
    # The user's MFA in both forms, whatever the resource manages: MFAOptions, and the preference API's view.
    legacy_options: list[dict[str, str]] | None = None
    preference: dict[str, Any] | None = None
    # A batch resource's row: its counts (listed, written, unchanged, cleared, kept, failed, writes_per_s) and each
    # listed user's outcome (--json only).
    batch: dict[str, Any] | None = None
    users: list[dict[str, Any]] | None = None

    @property
    def verdict(self) -> str:
        """``ok``, ``skipped`` (not rehearsed), ``not run`` (an integ assertion), ``MISMATCH`` (SUCCESS, wrong state)
        or the failed status."""
        return verdict(self.phase, self.status, self._matches())

    @property
    def ok(self) -> bool:
        """The request succeeded and the emulator holds the desired state (a Delete: or the user is gone)."""
        return self.verdict == "ok"

    def _matches(self) -> bool:
        if self.read_back is None:
            return self.phase == DELETE  # a Delete of a user already gone leaves nothing to clear
        return CUSTOM_TYPES[self.resource_type].same(self.desired, self.read_back)

    def to_json(self) -> dict[str, Any]:
        """Every field as plain data, with the verdict."""
        return {**asdict(self), "verdict": self.verdict, "ok": self.ok}


def verdict(phase: str, status: str, matches: bool) -> str:
    """The verdict of one row: what happened, in one word."""
    if phase == NOT_REHEARSED:
        return SKIPPED
    if phase == INTEG_ASSERTION:
        return NOT_RUN
    if status != "SUCCESS":
        return status
    return "ok" if matches else "MISMATCH"


def exit_status(outcomes: Sequence[Outcome]) -> int:
    """1 when a request failed or left the wrong state; 3 when nothing failed but something (or everything) was
    not rehearsed; 0 when every settings resource was rehearsed and every request is ok. Integ assertions count
    for neither."""
    counted = [o for o in outcomes if o.phase != INTEG_ASSERTION]
    verdicts = {o.verdict for o in counted}
    if verdicts - {"ok", SKIPPED}:
        return EXIT_FAILED
    return EXIT_INCOMPLETE if SKIPPED in verdicts or not counted else EXIT_OK


def summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    """The closing line; integ assertions are counted at its end."""
    assertions = sum(1 for o in outcomes if o.phase == INTEG_ASSERTION)
    line = _summary([o for o in outcomes if o.phase != INTEG_ASSERTION], seconds)
    return line + (
        f"; {assertions} integ assertions not run (integ-runner runs them after a deploy)" if assertions else ""
    )


def _summary(outcomes: Sequence[Outcome], seconds: float) -> str:
    requests = [o for o in outcomes if o.phase != NOT_REHEARSED]
    skipped = len(outcomes) - len(requests)
    bad = [o for o in requests if not o.ok]
    head = f"{plural(len(requests), 'request')} in {seconds:.1f} s"
    if not outcomes:
        return f"{head}: nothing to rehearse (no custom resource of {', '.join(CUSTOM_TYPES)} in these stacks)"
    if bad:
        return f"{head}: {len(bad)} of {plural(len(requests), 'request')} failed or left the wrong options"
    if skipped:
        were = "was" if skipped == 1 else "were"
        return f"{head}: no failures, but {plural(skipped, 'resource')} {were} not rehearsed (see above)"
    return f"{head}: all requests succeeded and every user holds the desired options"


def hints(outcomes: Sequence[Outcome]) -> list[str]:
    """What to do about the rows not rehearsed, for the lines after the closing one: resources on an imported pool
    are rehearsed with ``--stand-in-pools``."""
    imported = sum(1 for o in outcomes if o.phase == NOT_REHEARSED and o.reason.endswith(IMPORTED_POOL))
    if not imported:
        return []
    one = imported == 1
    return [
        STAND_IN_HINT.format(
            count=plural(imported, "resource"), targets="targets" if one else "target", them="it" if one else "them"
        )
    ]


def closing(outcomes: Sequence[Outcome], seconds: float, width: int | None = None) -> str:
    """The closing line and, under it, the hints (each wrapped to ``width``, a terminal's)."""
    wrapped = [line for hint in hints(outcomes) for line in wrap_text(hint, width)]
    return "\n".join([summary(outcomes, seconds), *wrapped])


LEGEND = (
    "DESIRED: the options (factors) the template asks for (none, or disabled, after a delete).",
    f"READ BACK: what AdminGetUser reports afterwards; {NO_USER}: the user does not exist (fine after a delete).",
    "USER MFA: the user's MFA in both forms: legacy MFAOptions / preference (enabled factors, * = preferred).",
    "A test user's rows show its SMS preference; its sign-in rows, what signing in with the secret's password showed.",
    "A batch's row counts users by state; USER MFA: users w(ritten) u(nchanged) c(leared) k(ept) f(ailed), writes/s.",
)
CYCLE_BATCH_LEGEND = (
    "--cycle and a batch: its update* drops the first 10 % of the list (the list shrinks, a new physical id) and"
    " clears the options of the next 10 % by hand first; the Update must write those back (w), and the cleanup row"
    " (CloudFormation's Delete of the old id) must clear only the users who left (c) and keep the rest (k)."
)
SYNTHETIC_LEGEND = (
    "update*: a synthetic update that the template does not ask for: each user's options (a preference: its SMS"
    " factor) flipped, a test user's phone number changed in place (same sub, else REPLACED) and its password"
    " rotated, to exercise Update."
)


def _state(outcome: Outcome, state: Any) -> str:
    if outcome.phase in NOT_REQUESTS:
        return "-"
    return NO_USER if state is None else CUSTOM_TYPES[outcome.resource_type].render(state)


def _both_forms(outcome: Outcome) -> str:
    if outcome.batch is not None:
        return render_counts(outcome.batch)
    if outcome.legacy_options is None or outcome.preference is None:
        return NO_USER
    return render_both_forms(outcome.legacy_options, outcome.preference)


def _row(outcome: Outcome) -> tuple[str, ...]:
    return (
        STEP_LABELS.get(outcome.phase, outcome.phase),
        outcome.path,
        outcome.pool_path,
        outcome.username,
        _state(outcome, outcome.desired),
        _state(outcome, outcome.read_back),
        "-" if outcome.phase in NOT_REQUESTS else _both_forms(outcome),
        outcome.verdict,
        "" if outcome.phase in NOT_REQUESTS else f"{outcome.seconds:.2f}s",
    )


def render_table(
    outcomes: Sequence[Outcome],
    problems: Sequence[str],
    warnings: Mapping[str, Sequence[str]] | None = None,
    width: int | None = None,
) -> str:
    """One section per stack (the pools its rows use, once, and the stack's ``warnings``; then a row per request,
    the Reason under a failed row), the resources the rehearsal could not create, and the legend; fitted to
    ``width`` (a terminal's), one line per row when None."""
    shrinkable = [COLUMNS.index(name) for name in SHRINKABLE]
    header, *lines = render([COLUMNS, *map(_row, outcomes)], width, shrinkable, rule=True)
    by_outcome = dict(zip(map(id, outcomes), lines, strict=True))

    def wrapped(label: str, text: str) -> list[str]:
        return wrap_text(f"{label}{text}", width, "    ", "      ")

    out: list[str] = []
    for stack in dict.fromkeys(o.stack for o in outcomes):
        out.append(f"{stack}" if out == [] else f"\n{stack}")
        rows = [o for o in outcomes if o.stack == stack]
        used = dict.fromkeys((o.pool_path, o.pool) for o in rows if o.pool)
        out += [line for path, pool_id in used for line in wrap_text(f"pool {path} = {pool_id}", width, "  ", "    ")]
        for warning in (warnings or {}).get(stack, []):
            out += wrap_text(f"Warning: {warning}", width, "  ", "    ")
        out += header
        for outcome in rows:
            out += by_outcome[id(outcome)]
            if outcome.reason:
                out += wrapped("not rehearsed: " if outcome.phase in NOT_REQUESTS else "Reason: ", outcome.reason)
            if outcome.hint:
                out += wrapped("Hint: ", outcome.hint)
    if problems:
        out.append("\nNot created (what depends on them is not rehearsed):")
        out += [p for problem in problems for p in wrapped("", problem)]
    if not outcomes:
        return ""
    out += ["", *(line for text in LEGEND for line in wrap_text(text, width))]
    if any(o.phase == SYNTHETIC_UPDATE for o in outcomes):
        out += wrap_text(SYNTHETIC_LEGEND, width)
    if any(o.phase == CLEANUP and o.batch is not None for o in outcomes):
        out += wrap_text(CYCLE_BATCH_LEGEND, width)
    return "\n".join(out)


@dataclass
class Report:
    """Everything a run found: the rows, the pools of each stack, the resources it could not create, and what each
    stack's sections warn about (a pool whose MFA is off)."""

    outcomes: list[Outcome] = field(default_factory=list)
    pools: dict[str, dict[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self, seconds: float) -> dict[str, Any]:
        """The whole report as plain data."""
        return {
            "ok": exit_status(self.outcomes) == EXIT_OK,
            "exit_status": exit_status(self.outcomes),
            "seconds": round(seconds, 2),
            "pools": self.pools,
            "problems": self.problems,
            "warnings": self.warnings,
            "hints": hints(self.outcomes),
            "requests": [o.to_json() for o in self.outcomes],
        }
