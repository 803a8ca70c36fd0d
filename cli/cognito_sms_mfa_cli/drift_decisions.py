"""The drift check's comparison: a resource's desired state (its properties, parsed by the handler's own decisions)
against the user's ``AdminGetUser`` answer. Plain functions: no boto3, no clock.

What is compared, per type (``docs/design.md``, "Drift"):

- ``Custom::CognitoUserSmsMfaSettings``: the legacy ``MFAOptions``, as sets;
- ``Custom::CognitoUserMfaPreference``: each managed factor's state (PREFERRED, ENABLED, DISABLED); a factor
  the resource does not manage is not compared;
- ``Custom::CognitoTestUser``: that the user exists and is the one the physical id records (the same canonical
  name and, where the id records one, the same ``sub``), the attributes the handler writes (``phone_number``,
  ``email`` and their ``_verified`` flags; an email the template does not declare), status ``CONFIRMED`` when a
  password secret is given, and the SMS MFA preference.

Every verdict is IN_SYNC, DRIFTED, USER_GONE (the user, or its pool, no longer exists) or NOT_CHECKED (with the
reason). Phone numbers and email addresses are masked in every text, as in the handler's Reasons.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_lambda import ownership, preference_decisions, settings_decisions, test_user_decisions
from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE
from cognito_sms_mfa_lambda.rules import MfaOption, mask_personal

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from .drift_template import Target

    Compare = Callable[[Mapping[str, Any]], tuple[str, list[str]]]

IN_SYNC = "IN_SYNC"
DRIFTED = "DRIFTED"
USER_GONE = "USER_GONE"
NOT_CHECKED = "NOT_CHECKED"
VERDICTS = (IN_SYNC, DRIFTED, USER_GONE, NOT_CHECKED)
EXIT_IN_SYNC, EXIT_DRIFT, EXIT_NOT_CHECKED = 0, 1, 2
SHORT_TYPES = {
    SETTINGS_RESOURCE_TYPE: "settings",
    PREFERENCE_RESOURCE_TYPE: "preference",
    TEST_USER_RESOURCE_TYPE: "test-user",
}


@dataclass(frozen=True)
class Lookup:
    """What ``AdminGetUser`` answered for a target: the user, or why it is gone, or why it could not be read."""

    user: Mapping[str, Any] | None = None
    gone: str = ""  # "the user does not exist", "the pool does not exist"
    error: str = ""  # why the user could not be read (access denied, throttled after retries...)


@dataclass(frozen=True)
class Row:
    """One line of the table (and one object of ``--json``)."""

    stack: str
    resource: str
    resource_type: str
    user: str  # masked
    desired: str
    actual: str
    verdict: str
    reason: str = ""

    def to_json(self) -> dict[str, str]:
        return asdict(self)


def judge(target: Target, lookup: Lookup | None) -> Row:
    """The row of ``target``: its verdict from the lookup (None when the target cannot be checked)."""
    user = mask_personal(target.username) if target.username else "-"
    row = {"stack": target.stack, "resource": target.logical_id, "resource_type": target.resource_type, "user": user}
    if lookup is None or not target.checkable:
        return Row(**row, desired="-", actual="-", verdict=NOT_CHECKED, reason=target.reason)
    try:
        desired, compare = _desired(target)
    except HandlerError as error:
        return Row(**row, desired="-", actual="-", verdict=NOT_CHECKED, reason=f"the template's properties: {error}")
    if lookup.error:
        return Row(**row, desired=desired, actual="-", verdict=NOT_CHECKED, reason=lookup.error)
    if lookup.user is None:
        return Row(**row, desired=desired, actual="(no user)", verdict=USER_GONE, reason=lookup.gone)
    actual, problems = compare(lookup.user)
    verdict = DRIFTED if problems else IN_SYNC
    return Row(**row, desired=desired, actual=actual, verdict=verdict, reason=mask_personal("; ".join(problems)))


def _desired(target: Target) -> tuple[str, Compare]:
    """The desired state's text, and the function that compares an AdminGetUser answer with it."""
    if target.resource_type == SETTINGS_RESOURCE_TYPE:
        return _settings(target.properties)
    if target.resource_type == PREFERENCE_RESOURCE_TYPE:
        return _preference(target.properties)
    return _test_user(target)


def _settings(properties: Mapping[str, Any]) -> tuple[str, Compare]:
    wanted = settings_decisions.parse_properties(properties).mfa_options

    def compare(user: Mapping[str, Any]) -> tuple[str, list[str]]:
        current = settings_decisions.current_options(user)
        if not settings_decisions.needs_write(current, wanted):
            return render_options(current), []
        return render_options(current), [f"MFAOptions are {render_options(current)}, declared {render_options(wanted)}"]

    return render_options(wanted), compare


def _preference(properties: Mapping[str, Any]) -> tuple[str, Compare]:
    wanted = preference_decisions.parse_properties(properties).factors

    def compare(user: Mapping[str, Any]) -> tuple[str, list[str]]:
        current = preference_decisions.current_factors(user)
        actual = ",".join(f"{factor.reported_name}={current[factor].value}" for factor, _ in wanted)
        problems = [
            f"{factor.reported_name} is {current[factor].value}, declared {state.value}"
            for factor, state in wanted
            if current[factor] != state
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


def counts(rows: Iterable[Row]) -> dict[str, int]:
    """How many rows have each verdict (every verdict present, zero included)."""
    found = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        found[row.verdict] += 1
    return found


def exit_status(rows: Iterable[Row], *, errors: bool = False) -> int:
    """1 when any resource drifted or lost its user, else 2 when any could not be checked (or the check met
    ``errors``), else 0."""
    found = counts(rows)
    if found[DRIFTED] or found[USER_GONE]:
        return EXIT_DRIFT
    if found[NOT_CHECKED] or errors:
        return EXIT_NOT_CHECKED
    return EXIT_IN_SYNC
