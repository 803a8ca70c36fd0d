"""The drift check's comparison: a resource's desired state (its properties, parsed by the handler's own decisions)
against the user's ``AdminGetUser`` answer. Plain functions: no boto3, no clock.

What is compared, per type (``docs/design.md``, "Drift"):

- ``Custom::CognitoUserSmsMfaSettings``: the legacy ``MFAOptions``, as sets;
- ``Custom::CognitoUserMfaPreference``: each managed factor's state (PREFERRED, ENABLED, DISABLED); a factor
  the resource does not manage is not compared;
- ``Custom::CognitoTestUser``: that the user exists and is the one the physical id records (the same canonical
  name and, where the id records one, the same ``sub``), the attributes the handler writes (``phone_number``,
  ``email`` and their ``_verified`` flags; an email the template does not declare), status ``CONFIRMED`` when a
  password secret is given, and the SMS MFA preference;
- ``Custom::CognitoUserSmsMfaSettingsBatch``: each listed user as the handler's reconcile judges it (a user
  differs when ``settings_batch_decisions.writes_needed`` names a write: the options as sets, and the SMS factor
  when the batch manages it). One row for the batch with the counts, the first differing users named under it
  by list index and (masked) name, and every user's outcome in ``users``.

Every verdict is IN_SYNC, DRIFTED, USER_GONE (the user, or its pool, no longer exists) or NOT_CHECKED (with the
reason). Phone numbers and email addresses are masked in every text, as in the handler's Reasons.

Each stack named gets its own outcome (:func:`stack_outcome`): IN_SYNC, DRIFTED, NOT_CHECKED (a resource of it
could not be checked), NOT_COMPARABLE (CloudFormation is changing it, or it failed: its status says which) or ERROR
(it could not be read: the cause). The exit status (:func:`exit_status`) is 1 when any drifted, else 3 when any is
not in sync, else 0; 2 is left to usage and environment errors (no Region, no credentials, a missing extra).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_lambda import (
    ownership,
    preference_decisions,
    settings_batch_decisions,
    settings_decisions,
    test_user_decisions,
)
from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)
from cognito_sms_mfa_lambda.rules import SMS_FACTOR, FactorKind, MfaFactor, MfaOption, mask_personal

from .arguments import EXIT_DRIFT, EXIT_IN_SYNC, EXIT_NOT_CHECKED

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .drift_template import Target

    Compare = Callable[[Mapping[str, Any]], tuple[str, list[str]]]

IN_SYNC = "IN_SYNC"
DRIFTED = "DRIFTED"
USER_GONE = "USER_GONE"
NOT_CHECKED = "NOT_CHECKED"
VERDICTS = (IN_SYNC, DRIFTED, USER_GONE, NOT_CHECKED)
NOT_COMPARABLE = "NOT_COMPARABLE"
ERROR = "ERROR"
STACK_OUTCOMES = (IN_SYNC, DRIFTED, NOT_CHECKED, NOT_COMPARABLE, ERROR)
# The stack statuses whose template and resources are what CloudFormation last deployed, at rest: any other (an
# operation in progress, a rollback, a failure) is NOT_COMPARABLE.
COMPARABLE_STATUSES = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
)
SHORT_TYPES = {
    SETTINGS_RESOURCE_TYPE: "settings",
    PREFERENCE_RESOURCE_TYPE: "preference",
    TEST_USER_RESOURCE_TYPE: "test-user",
    SETTINGS_BATCH_RESOURCE_TYPE: "batch",
}
# How many differing users a batch's row names (the handler's Reasons name as many); --json lists every user.
NAMED_USERS = settings_batch_decisions.NAMED_PROBLEMS


@dataclass(frozen=True)
class Lookup:
    """What ``AdminGetUser`` answered for a target: the user, or why it is gone, or why it could not be read."""

    user: Mapping[str, Any] | None = None
    gone: str = ""  # "the user does not exist", "the pool does not exist"
    error: str = ""  # why the user could not be read (access denied, throttled after retries...)


@dataclass(frozen=True)
class BatchLookup:
    """What the check read for a batch: each listed name (in list order) with its user's lookup, or why the list
    could not be read (``error``; then no user was read)."""

    users: tuple[tuple[str, Lookup], ...] = ()
    error: str = ""


@dataclass(frozen=True)
class UserOutcome:
    """One listed user of a batch: its index in the list, the name (masked), its verdict, and what differs (its
    state when in sync)."""

    user: str
    verdict: str
    detail: str
    index: int = 0


@dataclass(frozen=True)
class Row:
    """One line of the table (and one object of ``--json``); a batch's row carries each user's outcome."""

    stack: str
    resource: str  # the logical id
    resource_type: str
    user: str  # masked; a batch's count of users
    desired: str
    actual: str
    verdict: str
    reason: str = ""
    users: tuple[UserOutcome, ...] = ()
    path: str = ""  # the construct path (aws:cdk:path), or the logical id

    def __post_init__(self) -> None:
        if not self.path:
            object.__setattr__(self, "path", self.resource)

    def to_json(self) -> dict[str, Any]:
        found = asdict(self)
        if self.resource_type != SETTINGS_BATCH_RESOURCE_TYPE:
            del found["users"]
        else:
            found["users"] = list(found["users"])
        return found


def judge(target: Target, lookup: Lookup | BatchLookup | None) -> Row:
    """The row of ``target``: its verdict from the lookup (None when the target cannot be checked); a batch's
    from its :class:`BatchLookup`."""
    if target.manifest is not None:
        user = f"{target.manifest.count:,} user{'' if target.manifest.count == 1 else 's'}"
    else:
        user = mask_personal(target.username) if target.username else "-"
    row = Row(target.stack, target.logical_id, target.resource_type, user, desired="-", actual="-",
              verdict=NOT_CHECKED, path=target.path)  # fmt: skip
    if lookup is None or not target.checkable:
        return replace(row, reason=target.reason)
    try:
        desired, compare = _desired(target)
    except HandlerError as error:
        return replace(row, reason=f"the template's properties: {error}")
    row = replace(row, desired=desired)
    if isinstance(lookup, BatchLookup):
        return _batch_row(row, compare, lookup)
    verdict, actual, reason = _outcome(lookup, compare)
    return replace(row, actual=actual, verdict=verdict, reason=reason)


def _outcome(lookup: Lookup, compare: Compare) -> tuple[str, str, str]:
    """One user's verdict, actual state and reason (masked)."""
    if lookup.error:
        return NOT_CHECKED, "-", lookup.error
    if lookup.user is None:
        return USER_GONE, "(no user)", lookup.gone
    actual, problems = compare(lookup.user)
    return (DRIFTED if problems else IN_SYNC), actual, mask_personal("; ".join(problems))


def _batch_row(row: Row, compare: Compare, lookup: BatchLookup) -> Row:
    """A batch's row: NOT_CHECKED when its list could not be read; else DRIFTED when any listed user differs or is
    gone (the first :data:`NAMED_USERS` named), else NOT_CHECKED when any could not be read, else IN_SYNC."""
    if lookup.error:
        return replace(row, reason=lookup.error)
    outcomes = []
    for index, (name, one) in enumerate(lookup.users):
        verdict, actual, reason = _outcome(one, compare)
        detail = actual if verdict == IN_SYNC else reason
        outcomes.append(UserOutcome(mask_personal(name), verdict, detail, index))
    found = counts(outcomes)
    actual = f"{found[IN_SYNC]:,} in sync, {found[DRIFTED]:,} drifted, {found[USER_GONE]:,} gone"
    actual += f", {found[NOT_CHECKED]:,} not checked" if found[NOT_CHECKED] else ""
    differ = [one for one in outcomes if one.verdict in (DRIFTED, USER_GONE)]
    unread = [one for one in outcomes if one.verdict == NOT_CHECKED]
    if differ:
        verdict, reason = DRIFTED, _named(differ, len(outcomes), "differ")
    elif unread:
        verdict, reason = NOT_CHECKED, _named(unread, len(outcomes), "not checked")
    else:
        verdict, reason = IN_SYNC, ""
    return replace(row, actual=actual, verdict=verdict, reason=reason, users=tuple(outcomes))


def _named(outcomes: list[UserOutcome], total: int, what: str) -> str:
    """``2 of 1,000 listed users differ: [3] bob (MFAOptions are none, declared SMS), [17] c***@example.com (...)``:
    each by its index in the list (0 for the first) and its name, masked."""
    shown = ", ".join(f"[{one.index}] {one.user} ({one.detail})" for one in outcomes[:NAMED_USERS])
    more = f" and {len(outcomes) - NAMED_USERS:,} more (--json lists every user)" if len(outcomes) > NAMED_USERS else ""
    return f"{len(outcomes):,} of {total:,} listed users {what}: {shown}{more}"


def _desired(target: Target) -> tuple[str, Compare]:
    """The desired state's text, and the function that compares an AdminGetUser answer with it."""
    if target.resource_type == SETTINGS_RESOURCE_TYPE:
        return _settings(target.properties)
    if target.resource_type == PREFERENCE_RESOURCE_TYPE:
        return _preference(target.properties)
    if target.resource_type == SETTINGS_BATCH_RESOURCE_TYPE:
        return _settings_batch(target.properties)
    return _test_user(target)


def _options_differ(current: tuple[MfaOption, ...], wanted: tuple[MfaOption, ...]) -> str:
    return f"MFAOptions are {render_options(current)}, declared {render_options(wanted)}"


def _factor_differs(factor: FactorKind, current: MfaFactor, wanted: MfaFactor) -> str:
    return f"{factor.reported_name} is {current.value}, declared {wanted.value}"


def _settings(properties: Mapping[str, Any]) -> tuple[str, Compare]:
    wanted = settings_decisions.parse_properties(properties).mfa_options

    def compare(user: Mapping[str, Any]) -> tuple[str, list[str]]:
        current = settings_decisions.current_options(user)
        if not settings_decisions.needs_write(current, wanted):
            return render_options(current), []
        return render_options(current), [_options_differ(current, wanted)]

    return render_options(wanted), compare


def _settings_batch(properties: Mapping[str, Any]) -> tuple[str, Compare]:
    """A listed user against the batch's target: what differs is what the handler's reconcile would write."""
    wanted = settings_batch_decisions.parse_target(properties)

    def render(options: tuple[MfaOption, ...], sms: MfaFactor | None) -> str:
        return render_options(options) + ("" if sms is None else f",{SMS_FACTOR.reported_name}={sms.value}")

    def compare(user: Mapping[str, Any]) -> tuple[str, list[str]]:
        state = settings_batch_decisions.user_state(user)
        writes = settings_batch_decisions.writes_needed(state, wanted)
        problems = []
        if settings_batch_decisions.SET_SETTINGS in writes:
            problems.append(_options_differ(state.mfa_options, wanted.mfa_options))
        if settings_batch_decisions.SET_PREFERENCE in writes and wanted.sms is not None:
            problems.append(_factor_differs(SMS_FACTOR, state.sms, wanted.sms))
        return render(state.mfa_options, None if wanted.sms is None else state.sms), problems

    return render(wanted.mfa_options, wanted.sms), compare


def _preference(properties: Mapping[str, Any]) -> tuple[str, Compare]:
    wanted = preference_decisions.parse_properties(properties).factors

    def compare(user: Mapping[str, Any]) -> tuple[str, list[str]]:
        current = preference_decisions.current_factors(user)
        actual = ",".join(f"{factor.reported_name}={current[factor].value}" for factor, _ in wanted)
        problems = [
            _factor_differs(factor, current[factor], state) for factor, state in wanted if current[factor] != state
        ]
        return actual, problems

    return ",".join(f"{factor.reported_name}={state.value}" for factor, state in wanted), compare


def _test_user(target: Target) -> tuple[str, Compare]:
    wanted = test_user_decisions.parse_properties(target.properties)
    user_id = ownership.TestUserId(target.user_pool_id, target.username, target.sub)
    attributes = wanted.attributes()

    def compare(user: Mapping[str, Any]) -> tuple[str, list[str]]:
        current = test_user_decisions.current_attributes(user)
        status = str(user.get("UserStatus", ""))
        actual = _render_test_user(current.get("phone_number"), current.get("email"), status, _sms_preferred(user))
        if not ownership.is_same_user(user_id, user):
            return actual, [
                "replaced outside the stack: the username now names another user (another sub), not the one "
                "this resource created"
            ]
        problems = [
            f"{change['Name']} is {current.get(change['Name'], '(none)')}, declared {change['Value']}"
            for change in test_user_decisions.attribute_changes(current, attributes)
        ]
        problems += [
            f"{name} is {current[name]}, declared none"
            for name in test_user_decisions.attributes_to_remove(current, attributes)
        ]
        if wanted.secret_arn is not None and status != ownership.CONFIRMED:
            problems.append(f"status is {status}, declared {ownership.CONFIRMED} (a password from the secret)")
        if test_user_decisions.sms_preference_needs_write(user, wanted.sms_mfa_preferred):
            problems.append(
                f"SMS MFA preferred is {_yes(_sms_preferred(user))}, declared {_yes(wanted.sms_mfa_preferred)}"
            )
        return actual, problems

    status = ownership.CONFIRMED if wanted.secret_arn is not None else "any status"
    return _render_test_user(wanted.phone_number, wanted.email, status, wanted.sms_mfa_preferred), compare


def _sms_preferred(user: Mapping[str, Any]) -> bool:
    return not test_user_decisions.sms_preference_needs_write(user, True)


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _render_test_user(phone: str | None, email: str | None, status: str, sms: bool) -> str:
    """``+1*******123 c***@example.com CONFIRMED SMS`` (``-`` for a missing attribute), masked."""
    text = f"{phone or '-'} {email or '-'} {status or '-'} {'SMS' if sms else 'no-MFA'}"
    return mask_personal(text)


def render_options(options: tuple[MfaOption, ...]) -> str:
    """``SMS`` for the one option Cognito sets, ``none`` for none, ``medium->attribute`` otherwise."""
    if not options:
        return "none"
    return ",".join(
        sorted("SMS" if o == MfaOption.sms() else f"{o.delivery_medium}->{o.attribute_name}" for o in options)
    )


def counts(rows: Iterable[Row | UserOutcome]) -> dict[str, int]:
    """How many rows (or a batch's users) have each verdict (every verdict present, zero included)."""
    found = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        found[row.verdict] += 1
    return found


def stack_outcome(rows: Iterable[Row], *, status: str = "CREATE_COMPLETE", error: str = "") -> str:
    """A stack's outcome: ERROR when it could not be read, NOT_COMPARABLE when its ``status`` is not one at rest
    (:data:`COMPARABLE_STATUSES`), else DRIFTED when a resource drifted or lost its user, NOT_CHECKED when one
    could not be checked, IN_SYNC otherwise."""
    if error:
        return ERROR
    if status not in COMPARABLE_STATUSES:
        return NOT_COMPARABLE
    found = counts(rows)
    if found[DRIFTED] or found[USER_GONE]:
        return DRIFTED
    return NOT_CHECKED if found[NOT_CHECKED] else IN_SYNC


def stack_counts(outcomes: Iterable[str]) -> dict[str, int]:
    """How many stacks have each outcome (every outcome present, zero included)."""
    found = dict.fromkeys(STACK_OUTCOMES, 0)
    for outcome in outcomes:
        found[outcome] += 1
    return found


def exit_status(outcomes: Iterable[str]) -> int:
    """1 when any stack drifted, else 3 when any is not in sync (not checked, not comparable, an error), else 0."""
    found = stack_counts(outcomes)
    if found[DRIFTED]:
        return EXIT_DRIFT
    if found[IN_SYNC] < sum(found.values()):
        return EXIT_NOT_CHECKED
    return EXIT_IN_SYNC
