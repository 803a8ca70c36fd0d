"""The input rules of the Cognito calls every resource type makes, shared by constructs and handler.

The construct checks literal values at synth time; the handler checks the same values again when they
arrive as CloudFormation properties. Both format the rule texts below behind their own field name
(``username`` in Python, ``Username`` in the template), so a value is judged identically in both places.

This module is part of the Lambda asset: standard library only, no imports of its siblings. It is also the home
of :class:`MfaOption` and :class:`MfaFactor`, which the construct library re-exports from ``cognito_sms_mfa``.
The limits come from botocore's cognito-idp model (2016-04-18) and the API reference; botocore itself
checks only ``required`` and ``min``, so everything else would otherwise reach the service.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

USERNAME_MAX_LENGTH = 128
USER_POOL_ID_MAX_LENGTH = 55
# Java's \w (the service's regex flavour) is ASCII-only, hence re.ASCII.
USER_POOL_ID_PATTERN = re.compile(r"[\w-]+_[0-9a-zA-Z]+", re.ASCII)
# The Region part of a pool id (``eu-west-1`` in ``eu-west-1_AbC123``): AWS Region names, partitions included.
REGION_PATTERN = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+", re.ASCII)
# Unicode general categories allowed by [\p{L}\p{M}\p{S}\p{N}\p{P}]+ (first letter of the category).
USERNAME_CATEGORIES = frozenset("LMSNP")
DELIVERY_MEDIUM = "SMS"
ATTRIBUTE_NAME = "phone_number"
# E.164: a plus sign, a country code that does not start with 0, at most 15 digits in all.
E164_PATTERN = re.compile(r"\+[1-9][0-9]{1,14}")
SHOWN_VALUE_MAX = 40
# What looks like personal data in free text: an E.164 phone number, or an email address.
PHONE_IN_TEXT = re.compile(r"\+[1-9][0-9]{5,14}(?![0-9])")
EMAIL_IN_TEXT = re.compile(r"[^\s@'\"<>(),;:]+@[^\s@'\"<>(),;:]+\.[^\s@'\"<>(),;:.]+")
PHONE_KEPT_START, PHONE_KEPT_END = 2, 3


@dataclass(frozen=True)
class MfaOption:
    """One SMS MFA option of a user, in the terms of Cognito's ``MFAOptionType``.

    Parameters
    ----------
    delivery_medium
        How the code is delivered. Default: ``"SMS"``, the only medium ``AdminSetUserSettings`` sets.
    attribute_name
        The attribute that holds the destination. Default: ``"phone_number"``, the only one accepted.

    Examples
    --------
    >>> MfaOption.sms()
    MfaOption(delivery_medium='SMS', attribute_name='phone_number')
    >>> MfaOption.sms().to_properties()
    {'DeliveryMedium': 'SMS', 'AttributeName': 'phone_number'}
    """

    delivery_medium: str = DELIVERY_MEDIUM
    attribute_name: str = ATTRIBUTE_NAME

    @classmethod
    def sms(cls) -> MfaOption:
        """SMS to the user's ``phone_number``: the one option Cognito accepts."""
        return cls()

    def to_properties(self) -> dict[str, str]:
        """The option in the API's own names: an ``MFAOptions`` entry of the resource and of the API call."""
        return {"DeliveryMedium": self.delivery_medium, "AttributeName": self.attribute_name}


def show(value: object) -> str:
    """Render a received value for an error message: quoted, and cut to a readable length."""
    text = repr(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    if len(text) > SHOWN_VALUE_MAX:
        text = text[: SHOWN_VALUE_MAX - 3] + "..."
    return text


def mask_personal(text: str) -> str:
    """``text`` with each phone number and email address in it masked, keeping enough to recognise them.

    A phone number keeps its first two and last three characters (``+15555550199`` -> ``+1*******199``); an
    email keeps the first character of its local part and its domain (``alice@example.com`` -> ``a***@example.com``).

    Examples
    --------
    >>> mask_personal("Username '+15555550199' is not a user of pool us-east-1_X")
    "Username '+1*******199' is not a user of pool us-east-1_X"
    >>> mask_personal("alice@example.com")
    'a***@example.com'
    """
    text = PHONE_IN_TEXT.sub(_mask_phone, text)
    return EMAIL_IN_TEXT.sub(_mask_email, text)


def _mask_phone(match: re.Match[str]) -> str:
    phone = match.group(0)
    hidden = len(phone) - PHONE_KEPT_START - PHONE_KEPT_END
    return phone[:PHONE_KEPT_START] + "*" * hidden + phone[-PHONE_KEPT_END:]


def _mask_email(match: re.Match[str]) -> str:
    local, _, domain = match.group(0).partition("@")
    return f"{local[0]}***@{domain}"


def username_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid Cognito username, or None when it is."""
    if not 1 <= len(value) <= USERNAME_MAX_LENGTH:
        return f"must be 1-{USERNAME_MAX_LENGTH} characters; received {len(value)} characters"
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char)[0] not in USERNAME_CATEGORIES:
            return (
                "must contain only letters, marks, symbols, numbers and punctuation; "
                f"received {show(value)} with {unicodedata.name(char, hex(ord(char)))} at position {position}"
            )
    return None


def user_pool_id_problem(value: str) -> str | None:
    """Return why ``value`` is not a valid user pool id, or None when it is."""
    if not 1 <= len(value) <= USER_POOL_ID_MAX_LENGTH:
        return f"must be 1-{USER_POOL_ID_MAX_LENGTH} characters; received {len(value)} characters"
    if not USER_POOL_ID_PATTERN.fullmatch(value):
        return f"must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); received {show(value)}"
    return None


def pool_region(user_pool_id: str) -> str | None:
    """The Region a pool id names (``eu-west-1`` for ``eu-west-1_AbC123``), or None when its prefix is no Region."""
    prefix, sep, _ = user_pool_id.rpartition("_")
    return prefix if sep and REGION_PATTERN.fullmatch(prefix) else None


def pool_mfa_problem(mfa_configuration: object) -> str | None:
    """Why a pool's users' SMS MFA settings would not apply at sign-in: its ``MfaConfiguration`` is ``OFF`` (absent
    is ``OFF``); None for ``OPTIONAL`` and ``ON``. Shared by the constructs' synth-time warning and the rehearsal."""
    if mfa_configuration is None or mfa_configuration == "OFF":
        return "SMS MFA settings have no effect at sign-in while the pool's MfaConfiguration is OFF"
    return None


def delivery_medium_problem(value: str) -> str | None:
    """Return why ``value`` is not a delivery medium AdminSetUserSettings accepts, or None."""
    if value != DELIVERY_MEDIUM:
        return f"must be '{DELIVERY_MEDIUM}' (the only medium AdminSetUserSettings sets); received {show(value)}"
    return None


def attribute_name_problem(value: str) -> str | None:
    """Return why ``value`` is not an attribute name AdminSetUserSettings accepts, or None."""
    if value != ATTRIBUTE_NAME:
        return f"must be '{ATTRIBUTE_NAME}' (the only attribute AdminSetUserSettings accepts); received {show(value)}"
    return None


def duplicate_option_problem(options: Iterable[tuple[str, str]]) -> str | None:
    """Return why a list of (delivery medium, attribute name) pairs repeats itself, or None."""
    seen: set[tuple[str, str]] = set()
    for option in options:
        if option in seen:
            return f"must not repeat an option; {option[0]}/{option[1]} appears more than once"
        seen.add(option)
    return None


def phone_number_problem(value: str) -> str | None:
    """Return why ``value`` is not an E.164 phone number, or None when it is."""
    if not E164_PATTERN.fullmatch(value):
        return f"must be E.164 ('+', country code, number; 2-15 digits, no spaces); received {show(value)}"
    return None


def email_problem(value: str) -> str | None:
    """Return why ``value`` is not a plausible email address (one '@', no spaces), or None."""
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or "@" in domain or any(c.isspace() for c in value):
        return f"must be an email address (name@domain, no spaces); received {show(value)}"
    return None


class MfaFactor(StrEnum):
    """The state one MFA factor of a user should have (``AdminSetUserMFAPreference``).

    ``PREFERRED`` is enabled and the factor Cognito challenges with; ``ENABLED`` is enabled, not preferred;
    ``DISABLED`` is off. At most one factor of a user is preferred.

    Examples
    --------
    >>> MfaFactor.PREFERRED.value
    'PREFERRED'
    >>> MfaFactor("ENABLED") is MfaFactor.ENABLED
    True
    """

    PREFERRED = "PREFERRED"
    ENABLED = "ENABLED"
    DISABLED = "DISABLED"


@dataclass(frozen=True)
class FactorKind:
    """One MFA factor in each vocabulary: construct keyword, resource property, API member, reported name."""

    keyword: str
    property: str
    api_member: str
    reported_name: str


SMS_FACTOR = FactorKind("sms", "SmsMfa", "SMSMfaSettings", "SMS_MFA")
EMAIL_FACTOR = FactorKind("email", "EmailMfa", "EmailMfaSettings", "EMAIL_OTP")
SOFTWARE_TOKEN_FACTOR = FactorKind(
    "software_token", "SoftwareTokenMfa", "SoftwareTokenMfaSettings", "SOFTWARE_TOKEN_MFA"
)
MFA_FACTORS = (SMS_FACTOR, EMAIL_FACTOR, SOFTWARE_TOKEN_FACTOR)


def mfa_factor_problem(value: str) -> str | None:
    """Return why ``value`` is not one of the :class:`MfaFactor` states, or None when it is."""
    if value not in MfaFactor.__members__:
        return f"must be one of {', '.join(MfaFactor.__members__)}; received {show(value)}"
    return None


def factor_set_problem(states: Mapping[str, str | None]) -> str | None:
    """Return why a set of factor states (by field name; None = not managed) is not one preference, or None.

    At least one factor must be managed, and at most one may be ``PREFERRED``.
    """
    names = list(states)
    if all(state is None for state in states.values()):
        return f"{_join(names, 'or')}: at least one factor must be managed; received none (a factor left out is kept)"
    preferred = [name for name, state in states.items() if state == MfaFactor.PREFERRED]
    if len(preferred) > 1:
        count = len(preferred)
        return f"{_join(preferred, 'and')}: at most one factor may be PREFERRED; received PREFERRED for {count}"
    return None


def _join(names: list[str], word: str) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {word} {names[-1]}"
