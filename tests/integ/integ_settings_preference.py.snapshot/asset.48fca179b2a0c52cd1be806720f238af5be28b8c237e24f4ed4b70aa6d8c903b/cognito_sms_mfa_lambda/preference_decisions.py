"""Pure decisions of ``Custom::CognitoUserMfaPreference``: no boto3, no crhelper, no environment.

The resource declares the state of some of a user's MFA factors through ``AdminSetUserMFAPreference``; a factor
whose property is absent is not managed (neither read as desired nor written). The request-by-request design is
in ``docs/design.md``; this module parses the properties, reads the current factors from an ``AdminGetUser``
answer, decides whether a write is needed, builds the call's arguments and words the FAILED reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import errors, properties, rules
from .errors import HandlerError
from .properties import Subject, UserRef, check, required_string
from .rules import MFA_FACTORS, FactorKind, MfaFactor

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

# Distinct from the other types' prefixes: a preference and a settings resource of one user never share an id.
PHYSICAL_ID_PREFIX = "cognito-mfa-preference:"
PROPERTIES = ("UserPoolId", "Username", *(factor.property for factor in MFA_FACTORS))

FactorStates = tuple[tuple[FactorKind, MfaFactor], ...]


@dataclass(frozen=True)
class PreferenceRequest:
    """The desired state of the managed factors of one user, parsed from ResourceProperties."""

    user_pool_id: str
    username: str
    factors: FactorStates

    @property
    def user(self) -> UserRef:
        """The user as the request names them (not yet the canonical name)."""
        return UserRef(self.user_pool_id, self.username)


def parse_properties(props: Mapping[str, Any]) -> PreferenceRequest:
    """Parse and validate ResourceProperties; raise HandlerError naming the first bad property."""
    user_pool_id, username = properties.parse_user_properties(props, PROPERTIES)
    return PreferenceRequest(user_pool_id, username, parse_factors(props))


def parse_factors(props: Mapping[str, Any]) -> FactorStates:
    """The managed factors: each present factor property must name an :class:`MfaFactor`."""
    states: dict[str, str | None] = {}
    for factor in MFA_FACTORS:
        value = required_string(props, factor.property) if factor.property in props else None
        if value is not None:
            check(factor.property, rules.mfa_factor_problem(value))
        states[factor.property] = value
    problem = rules.factor_set_problem(states)
    if problem is not None:
        raise HandlerError(problem)
    return tuple((f, MfaFactor(value)) for f in MFA_FACTORS if (value := states[f.property]) is not None)


def current_factors(user: Mapping[str, Any]) -> dict[FactorKind, MfaFactor]:
    """Every factor's state in an AdminGetUser answer (``UserMFASettingList``, ``PreferredMfaSetting``)."""
    enabled = set(user.get("UserMFASettingList") or [])
    preferred = user.get("PreferredMfaSetting")
    return {
        factor: MfaFactor.PREFERRED
        if factor.reported_name == preferred
        else MfaFactor.ENABLED
        if factor.reported_name in enabled
        else MfaFactor.DISABLED
        for factor in MFA_FACTORS
    }


def needs_write(current: Mapping[FactorKind, MfaFactor], desired: FactorStates) -> bool:
    """Whether AdminSetUserMFAPreference must run: some managed factor is not in its desired state."""
    return any(current.get(factor) != state for factor, state in desired)


def preference_kwargs(user: UserRef, factors: FactorStates) -> dict[str, Any]:
    """The AdminSetUserMFAPreference arguments that put the managed ``factors`` of ``user`` in their states."""
    kwargs: dict[str, Any] = {"UserPoolId": user.user_pool_id, "Username": user.username}
    for factor, state in factors:
        kwargs[factor.api_member] = {
            "Enabled": state != MfaFactor.DISABLED,
            "PreferredMfa": state == MfaFactor.PREFERRED,
        }
    return kwargs


def disabled(factors: FactorStates) -> FactorStates:
    """The same factors, each DISABLED: what a Delete writes."""
    return tuple((factor, MfaFactor.DISABLED) for factor, _ in factors)


def held_settings(factors: FactorStates) -> tuple[str, ...]:
    """The settings a Delete of ``factors`` would undo, as hand-over names them (each factor's property)."""
    return tuple(factor.property for factor, _ in factors)


def not_held(factors: FactorStates, held: Iterable[str]) -> FactorStates:
    """The factors a Delete still disables: those whose property another live resource does not hold."""
    kept = set(held)
    return tuple((factor, state) for factor, state in factors if factor.property not in kept)


def physical_id(user: UserRef) -> str:
    """``cognito-mfa-preference:<pool id>:<canonical username>``."""
    return properties.physical_id(user, PHYSICAL_ID_PREFIX)


def parse_physical_id(value: object) -> UserRef | None:
    """The user a preference id names, or None when the id is not one (random, empty, another type's)."""
    return properties.parse_physical_id(value, PHYSICAL_ID_PREFIX)


def refusal_reason(operation: str, code: str, message: str, subject: Subject) -> str:
    """The FAILED reason for a Cognito error; Cognito's refusals of a factor are said plainly, field first."""
    if code == "InvalidParameterException" and operation == "AdminSetUserMFAPreference":
        refused = _refused_factor(message)
        if refused is not None:
            user = rules.show(subject.username)
            return f"{refused} for user {user}: {_REFUSALS[refused]} ({code}: {message})"
        return f"MFA preference rejected by Cognito for pool {subject.user_pool_id} ({operation}: {code}: {message})"
    return errors.client_error_reason(operation, code, message, subject)


_REFUSALS = {
    rules.SOFTWARE_TOKEN_FACTOR.property: "the user has not verified a TOTP token; an admin cannot enrol one",
    rules.EMAIL_FACTOR.property: "needs the Essentials plan or above, email sending (SES) and the user's email",
    rules.SMS_FACTOR.property: "no delivery config: the user has no phone_number",
}
# Words that tell which factor a refusal concerns, beyond the factor's own name (SOFTWARE_TOKEN_MFA, ...).
_REFUSAL_WORDS = {
    rules.SOFTWARE_TOKEN_FACTOR.property: ("software token", "totp"),
    rules.EMAIL_FACTOR.property: ("email",),
    rules.SMS_FACTOR.property: ("phone", "sms"),
}


def _refused_factor(message: str) -> str | None:
    """Which factor a refusal message of Cognito concerns (None when it names none we know).

    The service names the factor (``User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA``);
    other wordings are matched by their words.
    """
    for factor in rules.MFA_FACTORS:
        if factor.reported_name in message:
            return factor.property
    text = message.lower()
    for name, words in _REFUSAL_WORDS.items():
        if any(word in text for word in words):
            return name
    return None
