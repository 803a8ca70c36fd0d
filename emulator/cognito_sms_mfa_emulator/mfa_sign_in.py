"""MFA as the service enforces it: the users' MFA preference, and sign-in that really challenges with SMS codes.

moto stores an MFA preference but checks little (any factor may be enabled, several may be preferred, email is
unknown), and its sign-in ignores the pool's ``MfaConfiguration`` and legacy ``MFAOptions`` and accepts any code.
:func:`.moto_patches.install` puts the functions below in the place of moto's, in the emulator's own copy of
moto's cognito-idp (:mod:`.own_moto`):

- ``AdminSetUserMFAPreference``/``SetUserMFAPreference`` check the request and refuse what the service refuses:
  SMS for a user without ``phone_number`` and TOTP for a user without a verified token ("User does not have
  delivery config set to turn on ..."), email outside the Essentials/Plus plans or without SES sending, two
  preferred factors. ``AdminGetUser`` then reports ``UserMFASettingList``/``PreferredMfaSetting`` (left out when
  empty, as the service does); a disabled factor is never the preferred one.
- ``InitiateAuth``/``AdminInitiateAuth`` take only the flows the app client allows (:func:`check_auth_flow`).
- The password flows (``ADMIN_USER_PASSWORD_AUTH``, ``ADMIN_NO_SRP_AUTH``, ``USER_PASSWORD_AUTH``) follow
  :func:`sms_challenge_needed`; a challenge "sends" a random 6-digit code to :data:`SIGN_IN`'s SMS outbox.
- ``RespondToAuthChallenge``/``AdminRespondToAuthChallenge`` with ``SMS_MFA`` accept only the code of that session
  (``CodeMismatchException`` otherwise, ``ExpiredCodeException`` once the session's lifetime has passed), then
  return tokens.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from moto.cognitoidp.exceptions import (
    CodeMismatchException,
    ExpiredCodeException,
    InvalidParameterException,
    NotAuthorizedError,
)
from moto.cognitoidp.utils import flatten_attrs
from moto.core.utils import utcnow

from cognito_sms_mfa_emulator.validation import SerializationError, validate_admin_get_user
from cognito_sms_mfa_lambda.rules import EMAIL_FACTOR, MFA_FACTORS, SMS_FACTOR, SOFTWARE_TOKEN_FACTOR, FactorKind

if TYPE_CHECKING:
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool

__all__ = [
    "SIGN_IN",
    "SignIn",
    "SmsMessage",
    "allowed_auth_flows",
    "check_auth_flow",
    "masked_phone_number",
    "sms_challenge_needed",
]

DEFAULT_SESSION_LIFETIME_S = 180.0
"""How long a sign-in session (and its code) is valid: the service's default ``AuthSessionValidity``, 3 minutes."""
PASSWORD_FLOWS = frozenset({"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH"})
MFA_CHALLENGES = frozenset({"SMS_MFA", "SOFTWARE_TOKEN_MFA"})
EMAIL_MFA_TIERS = frozenset({"ESSENTIALS", "PLUS"})
DEFAULT_AUTH_FLOWS = frozenset({"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"})
"""What an app client created without ``ExplicitAuthFlows`` allows (API reference, UserPoolClientType:
"If you don't specify a value for ExplicitAuthFlows, your app client supports ALLOW_REFRESH_TOKEN_AUTH,
ALLOW_USER_SRP_AUTH, and ALLOW_CUSTOM_AUTH")."""
LEGACY_AUTH_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
"""The ``ExplicitAuthFlows`` values without ``ALLOW_`` (deprecated; not to be mixed with ``ALLOW_`` values) and the
``ALLOW_`` value each stands for (``ALLOW_ADMIN_USER_PASSWORD_AUTH`` "replaces the ADMIN_NO_SRP_AUTH setting")."""
FLOW_NEEDS = {
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
}
"""The ``ExplicitAuthFlows`` value an ``AuthFlow`` of InitiateAuth/AdminInitiateAuth needs."""
ADMIN_ONLY_FLOWS = frozenset({"ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"})
USER_ONLY_FLOWS = frozenset({"USER_PASSWORD_AUTH"})
EMAIL_MFA_ENABLED_ATTRIBUTE = "emulator_email_mfa_enabled"
"""Name of the attribute that holds a user's email MFA flag on moto's ``CognitoIdpUser`` (moto has none)."""


class SmsMessage(TypedDict):
    """One SMS the emulator "sent": the destination, the code and the user it was for."""

    phone_number: str
    code: str
    username: str


@dataclass(frozen=True)
class _Pending:
    code: str
    expires_at: float


class SignIn:
    """The SMS outbox and the codes awaited per session, for every pool of the process (like moto's data)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._outbox: list[SmsMessage] = []
        self._pending: dict[str, _Pending] = {}
        self.session_lifetime_s = DEFAULT_SESSION_LIFETIME_S

    def send_code(self, session: str, username: str, phone_number: str) -> None:
        """Make a random 6-digit code the one ``session`` accepts, and put it in the outbox."""
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            self._pending[session] = _Pending(code, self._clock() + self.session_lifetime_s)
            self._outbox.append(SmsMessage(phone_number=phone_number, code=code, username=username))

    def awaits(self, session: str) -> bool:
        """Whether ``session`` is an SMS challenge of this emulator."""
        with self._lock:
            return session in self._pending

    def check(self, session: str, code: object) -> None:
        """Accept ``code`` for ``session`` (and forget the session) or raise the service's error."""
        with self._lock:
            pending = self._pending[session]
            if self._clock() >= pending.expires_at:
                raise ExpiredCodeException("Invalid code provided, please request a code again.")
            if code != pending.code:
                raise CodeMismatchException("Invalid code or auth state for the user.")
            del self._pending[session]

    def outbox(self) -> list[SmsMessage]:
        """The messages sent so far, oldest first (copies)."""
        with self._lock:
            return [SmsMessage(**message) for message in self._outbox]

    def reset(self) -> None:
        """Forget the outbox and the sessions; the session lifetime returns to the default."""
        with self._lock:
            self._outbox.clear()
            self._pending.clear()
            self.session_lifetime_s = DEFAULT_SESSION_LIFETIME_S


SIGN_IN = SignIn()


def sms_challenge_needed(pool_mfa: str, *, has_phone_number: bool, sms_preference: bool, legacy_sms: bool) -> bool:
    """Whether a password sign-in is answered with an ``SMS_MFA`` challenge.

    ``OFF`` never challenges. ``ON`` challenges every user with a ``phone_number``. ``OPTIONAL`` challenges a user
    whose SMS MFA is on, through the preference (``AdminSetUserMFAPreference``) or through the legacy
    ``MFAOptions`` (``AdminSetUserSettings``): the service documents ``MFAOptions`` as the way to turn SMS MFA on
    for a user, and a user set up only that way must not pass a test that would fail in production.
    """
    if pool_mfa == "OFF" or not has_phone_number:
        return False
    return pool_mfa == "ON" or sms_preference or legacy_sms


def allowed_auth_flows(explicit: list[str] | None) -> frozenset[str]:
    """The ``ALLOW_`` flows an app client with ``ExplicitAuthFlows`` = ``explicit`` allows.

    None or empty: the service's default (:data:`DEFAULT_AUTH_FLOWS`). ``ALLOW_`` values: exactly those. Legacy
    values only (:data:`LEGACY_AUTH_FLOWS`): their ``ALLOW_`` equivalents, and the flows legacy clients never had to
    name: refresh tokens always, and SRP unless ``CUSTOM_AUTH_FLOW_ONLY`` restricts the client to custom auth.
    """
    if not explicit:
        return DEFAULT_AUTH_FLOWS
    allowed = {LEGACY_AUTH_FLOWS.get(flow, flow) for flow in explicit}
    if all(flow in LEGACY_AUTH_FLOWS for flow in explicit):
        allowed.add("ALLOW_REFRESH_TOKEN_AUTH")
        if "CUSTOM_AUTH_FLOW_ONLY" not in explicit:
            allowed.add("ALLOW_USER_SRP_AUTH")
    return frozenset(allowed)


def check_auth_flow(pool: CognitoIdpUserPool, client_id: str, auth_flow: str, *, admin: bool) -> None:
    """Refuse ``auth_flow`` when the app client does not allow it, as the service does, before any password check.

    An unknown client, or a flow this API does not take (``USER_PASSWORD_AUTH`` in AdminInitiateAuth, the admin flows
    in InitiateAuth), is left to moto's own errors ("Initiate Auth method not supported").

    Raises
    ------
    moto.cognitoidp.exceptions.InvalidParameterException
        ``<FLOW> flow not enabled for this client`` (InitiateAuth) or ``Auth flow not enabled for this client``
        (AdminInitiateAuth).
    """
    client = pool.clients.get(client_id)
    needed = FLOW_NEEDS.get(auth_flow)
    if client is None or needed is None or auth_flow in (USER_ONLY_FLOWS if admin else ADMIN_ONLY_FLOWS):
        return
    if needed not in allowed_auth_flows(client.extended_config.get("ExplicitAuthFlows")):
        raise InvalidParameterException(
            "Auth flow not enabled for this client" if admin else f"{auth_flow} flow not enabled for this client"
        )


def masked_phone_number(phone_number: str) -> str:
    """The destination as a challenge shows it: ``+`` and the last four digits, the rest masked."""
    digits = phone_number.removeprefix("+")
    return "+" + "*" * max(0, len(digits) - 4) + digits[-4:]


def factor_enabled(user: CognitoIdpUser, factor: FactorKind) -> bool:
    """Whether ``factor`` is enabled in ``user``'s preference."""
    if factor is SMS_FACTOR:
        return bool(user.sms_mfa_enabled)
    if factor is SOFTWARE_TOKEN_FACTOR:
        return bool(user.software_token_mfa_enabled)
    return bool(getattr(user, EMAIL_MFA_ENABLED_ATTRIBUTE, False))


def preference_json(user: CognitoIdpUser) -> dict[str, Any]:
    """``UserMFASettingList`` and ``PreferredMfaSetting`` of ``user``, each left out when empty."""
    enabled = [factor.reported_name for factor in MFA_FACTORS if factor_enabled(user, factor)]
    found: dict[str, Any] = {}
    if enabled:
        found["UserMFASettingList"] = enabled
    if user.preferred_mfa_setting and user.preferred_mfa_setting in enabled:
        found["PreferredMfaSetting"] = user.preferred_mfa_setting
    return found


def validate_preference(params: dict[str, Any], *, admin: bool) -> dict[FactorKind, dict[str, bool]]:
    """Check the factor settings of a (Admin)SetUserMFAPreference request; return them by factor.

    Raises
    ------
    moto.cognitoidp.exceptions.InvalidParameterException
        ``UserPoolId``/``Username`` break the model's rules (admin only), or more than one factor is preferred.
    SerializationError
        A settings member is not an object of booleans.
    """
    if admin:
        validate_admin_get_user(params)
    settings: dict[FactorKind, dict[str, bool]] = {}
    for factor in MFA_FACTORS:
        value = params.get(factor.api_member)
        if value is None:
            continue
        if not isinstance(value, dict):
            raise SerializationError(f"{factor.api_member} must be a JSON object.")
        for key in ("Enabled", "PreferredMfa"):
            if key in value and not isinstance(value[key], bool):
                raise SerializationError(f"{factor.api_member}.{key} must be a JSON boolean.")
        settings[factor] = {"Enabled": bool(value.get("Enabled")), "PreferredMfa": bool(value.get("PreferredMfa"))}
    if sum(1 for s in settings.values() if s["PreferredMfa"]) > 1:
        raise InvalidParameterException("Only one MFA method can be set as preferred.")
    return settings


def set_preference(pool: CognitoIdpUserPool, user: CognitoIdpUser, settings: dict[FactorKind, dict[str, bool]]) -> None:
    """Apply validated settings to ``user``, refusing what the service refuses (nothing changes then)."""
    attributes = flatten_attrs(user.attributes)
    for factor, setting in settings.items():
        if not setting["Enabled"]:
            continue
        if factor is SMS_FACTOR and not attributes.get("phone_number"):
            raise InvalidParameterException("User does not have delivery config set to turn on SMS_MFA")
        if factor is SOFTWARE_TOKEN_FACTOR and not user.token_verified:
            raise InvalidParameterException("User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")
        if factor is EMAIL_FACTOR:
            config = pool.extended_config
            if config.get("UserPoolTier") not in EMAIL_MFA_TIERS:
                raise InvalidParameterException("Email MFA requires the ESSENTIALS or PLUS feature plan.")
            if (config.get("EmailConfiguration") or {}).get("EmailSendingAccount") != "DEVELOPER":
                raise InvalidParameterException("Email MFA requires email sending through Amazon SES (DEVELOPER).")
            if not attributes.get("email"):
                raise InvalidParameterException("User does not have delivery config set to turn on EMAIL_OTP")
    for factor, setting in settings.items():
        if factor is SMS_FACTOR:
            user.sms_mfa_enabled = setting["Enabled"]
        elif factor is SOFTWARE_TOKEN_FACTOR:
            user.software_token_mfa_enabled = setting["Enabled"]
        else:
            setattr(user, EMAIL_MFA_ENABLED_ATTRIBUTE, setting["Enabled"])
        if setting["Enabled"] and setting["PreferredMfa"]:
            user.preferred_mfa_setting = factor.reported_name
        elif user.preferred_mfa_setting == factor.reported_name:
            user.preferred_mfa_setting = None
    user.last_modified_date = utcnow()


def admin_set_user_mfa_preference(backend: CognitoIdpBackend, params: dict[str, Any]) -> None:
    """Serve AdminSetUserMFAPreference: validate, find the user (the service's errors), apply."""
    settings = validate_preference(params, admin=True)
    user = backend.admin_get_user(params["UserPoolId"], params["Username"])
    set_preference(backend.describe_user_pool(params["UserPoolId"]), user, settings)


def set_user_mfa_preference(backend: CognitoIdpBackend, params: dict[str, Any]) -> None:
    """Serve SetUserMFAPreference: the user is the one the access token was issued to."""
    settings = validate_preference(params, admin=False)
    token = params.get("AccessToken")
    for pool in backend.user_pools.values():
        if token in pool.access_tokens:
            _, username = pool.access_tokens[token]
            set_preference(pool, backend.admin_get_user(pool.id, username), settings)
            return
    raise NotAuthorizedError("Invalid Access Token")


def after_password(
    backend: CognitoIdpBackend,
    pool: CognitoIdpUserPool,
    client_id: str,
    username: str,
    result: dict[str, Any],
    legacy_options: Callable[[CognitoIdpUser], list[dict[str, str]]],
) -> dict[str, Any]:
    """Replace moto's answer to a correct password by what the pool's MFA configuration asks for.

    ``legacy_options`` reads a user's ``MFAOptions``. Other challenges (``NEW_PASSWORD_REQUIRED``, a preferred
    TOTP outside an ``OFF`` pool) are kept.
    """
    challenge = result.get("ChallengeName")
    kept = challenge not in MFA_CHALLENGES or (challenge != "SMS_MFA" and pool.mfa_config != "OFF")
    if challenge is not None and kept:
        return result
    user = backend.admin_get_user(pool.id, username)
    phone_number = flatten_attrs(user.attributes).get("phone_number")
    legacy = any(option.get("DeliveryMedium") == "SMS" for option in legacy_options(user))
    needed = sms_challenge_needed(
        pool.mfa_config, has_phone_number=bool(phone_number), sms_preference=user.sms_mfa_enabled, legacy_sms=legacy
    )
    session = result.get("Session")
    if needed and phone_number:
        session = session or str(uuid.uuid4())
        backend.sessions[session] = (user.username, pool)
        SIGN_IN.send_code(session, user.username, phone_number)
        return {
            "ChallengeName": "SMS_MFA",
            "Session": session,
            "ChallengeParameters": {
                "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
                "CODE_DELIVERY_DESTINATION": masked_phone_number(phone_number),
                "USER_ID_FOR_SRP": user.username,
            },
        }
    if challenge is None:
        return result
    backend.sessions.pop(str(session), None)  # moto challenged where the pool's configuration does not
    signed_in: dict[str, Any] = backend._log_user_in(pool, pool.clients[client_id], user.username)
    return signed_in


def pool_of_client(backend: CognitoIdpBackend, client_id: str) -> CognitoIdpUserPool | None:
    """The pool an app client belongs to (InitiateAuth names no pool)."""
    for pool in backend.user_pools.values():
        if client_id in pool.clients:
            found: CognitoIdpUserPool = pool
            return found
    return None
