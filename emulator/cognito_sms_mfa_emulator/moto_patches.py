"""Extend the emulator's copy of moto's cognito-idp with AdminSetUserSettings and the service's username lookup.

moto 5.2 has user pools and users, but no ``AdminSetUserSettings`` (it answers NotImplementedError), its
``AdminGetUser`` always says ``MFAOptions: []``, and it finds a user only by the exact username or by a
``UsernameAttributes`` value. :func:`install` changes the classes of the emulator's own copy of moto's
cognito-idp (:mod:`.own_moto`), once per process; ``moto.cognitoidp`` itself, which ``moto.mock_aws`` serves,
is left as moto ships it. In the copy:

- ``AdminSetUserSettings`` validates its input as the service does (the shape rules of botocore's model,
  then the documented SMS/``phone_number`` rule; see :mod:`.validation`), answers the service's error codes,
  and stores the options; ``AdminGetUser`` validates ``UserPoolId`` and ``Username`` the same way;
- ``AdminGetUser``, ``ListUsers`` and ``AdminCreateUser`` return the stored options as ``MFAOptions`` and
  leave the key out when there are none;
- admin APIs find a user case-insensitively in pools created with ``UsernameConfiguration={"CaseSensitive":
  False}``, by alias (``AliasAttributes``: verified ``email``/``phone_number``, ``preferred_username``) and by
  ``sub``; ``AdminCreateUser`` refuses an alias-shaped username and another user's verified alias as the service
  does (:func:`check_new_user`);
- MFA preferences and sign-in behave as the service's do (see :mod:`.mfa_sign_in`): validated preferences,
  ``SMS_MFA`` challenges that follow the pool's ``MfaConfiguration``, codes in an SMS outbox, and only the
  authentication flows the app client allows (:func:`.mfa_sign_in.check_auth_flow`);
- ``CreateUserPool`` parses moto's signing key (the same key file for every pool) once per process instead of
  once per pool, which takes it from about 130 ms to about 1 ms.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Callable
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from joserfc.jwk import RSAKey
from moto.cognitoidp.exceptions import AliasExistsException, InvalidParameterException
from moto.cognitoidp.utils import flatten_attrs
from moto.core.responses import ActionResult, EmptyResult
from moto.core.utils import utcnow

from cognito_sms_mfa_emulator import mfa_sign_in
from cognito_sms_mfa_emulator.own_moto import OwnCognitoIdp, own_cognitoidp
from cognito_sms_mfa_emulator.validation import (
    SerializationError,
    validate_admin_get_user,
    validate_admin_set_user_settings,
)

if TYPE_CHECKING:
    # The copy's classes are built from the same source: moto's names stand for them in annotations.
    from moto.cognitoidp.models import CognitoIdpBackend, CognitoIdpUser, CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpResponse

__all__ = ["install"]

MFA_OPTIONS_ATTRIBUTE = "emulator_mfa_options"
"""Name of the attribute that holds a user's options on moto's ``CognitoIdpUser``."""

VERIFIABLE_ALIASES = frozenset({"email", "phone_number"})
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+")
PHONE_SHAPE = re.compile(r"\+[0-9]+")
CASE_FOLDED_ALIASES = frozenset({"email", "preferred_username"})

_install_lock = threading.Lock()
_installed = False


def install() -> OwnCognitoIdp:
    """Extend the emulator's copy of moto's cognito-idp with AdminSetUserSettings, the service's username lookup,
    MFA and sign-in; return the copy.

    Idempotent and thread-safe: the first call changes the copy's classes, later calls do nothing. Only the
    emulator serves the copy: ``moto.mock_aws`` in the same process keeps moto's own behaviour and data.

    Examples
    --------
    >>> from cognito_sms_mfa_emulator.moto_patches import install
    >>> own = install()
    >>> install() is own  # a second call changes nothing
    True
    """
    global _installed
    own = own_cognitoidp()
    with _install_lock:
        if _installed:
            return own
        models, responses = own.models, own.responses
        backend_class, response_class = models.CognitoIdpBackend, responses.CognitoIdpResponse
        user_class, pool_class = models.CognitoIdpUser, models.CognitoIdpUserPool
        original_to_json: Callable[..., dict[str, Any]] = user_class.to_json
        original_admin_get_user: Callable[[CognitoIdpResponse], ActionResult] = response_class.admin_get_user
        original_admin_initiate_auth: Callable[..., dict[str, Any]] = backend_class.admin_initiate_auth
        original_initiate_auth: Callable[..., dict[str, Any]] = backend_class.initiate_auth
        original_respond: Callable[..., dict[str, Any]] = backend_class.respond_to_auth_challenge
        original_admin_create_user: Callable[[CognitoIdpResponse], ActionResult] = response_class.admin_create_user

        def user_to_json(self: CognitoIdpUser, extended: bool = False, *args: Any, **kwargs: Any) -> dict[str, Any]:
            result = original_to_json(self, extended, *args, **kwargs)
            if extended:
                result.pop("MFAOptions", None)
                options = mfa_options_of(self)
                if options:
                    result["MFAOptions"] = options
                result.pop("UserMFASettingList", None)
                result.pop("PreferredMfaSetting", None)
                result.update(mfa_sign_in.preference_json(self))
            return result

        def admin_initiate_auth(
            self: CognitoIdpBackend, user_pool_id: str, client_id: str, auth_flow: str, parameters: dict[str, str]
        ) -> dict[str, Any]:
            known_pool = self.user_pools.get(user_pool_id)  # an unknown pool is moto's to answer
            if known_pool is not None:
                mfa_sign_in.check_auth_flow(known_pool, client_id, auth_flow, admin=True)
            result = original_admin_initiate_auth(self, user_pool_id, client_id, auth_flow, parameters)
            if auth_flow not in mfa_sign_in.PASSWORD_FLOWS:
                return result
            pool = self.describe_user_pool(user_pool_id)
            return mfa_sign_in.after_password(self, pool, client_id, parameters["USERNAME"], result, mfa_options_of)

        def initiate_auth(
            self: CognitoIdpBackend, client_id: str, auth_flow: str, parameters: dict[str, str]
        ) -> dict[str, Any]:
            pool = mfa_sign_in.pool_of_client(self, client_id)
            if pool is not None:
                mfa_sign_in.check_auth_flow(pool, client_id, auth_flow, admin=False)
            result = original_initiate_auth(self, client_id, auth_flow, parameters)
            if auth_flow not in mfa_sign_in.PASSWORD_FLOWS or pool is None:
                return result
            return mfa_sign_in.after_password(self, pool, client_id, parameters["USERNAME"], result, mfa_options_of)

        def respond_to_auth_challenge(
            self: CognitoIdpBackend, session: str, client_id: str, challenge: str, responses: dict[str, str]
        ) -> dict[str, Any]:
            if challenge == "SMS_MFA" and mfa_sign_in.SIGN_IN.awaits(session):
                mfa_sign_in.SIGN_IN.check(session, (responses or {}).get("SMS_MFA_CODE"))
            result: dict[str, Any] = original_respond(self, session, client_id, challenge, responses)
            return result

        def admin_get_user(self: CognitoIdpResponse) -> ActionResult:
            validate_admin_get_user(self.parameters)
            return original_admin_get_user(self)

        def admin_create_user(self: CognitoIdpResponse) -> ActionResult:
            params = _parameters(self)
            check_new_user(self.backend.describe_user_pool(params.get("UserPoolId", "")), params)
            return original_admin_create_user(self)

        _patch(user_class, "to_json", user_to_json)
        _patch(response_class, "admin_get_user", admin_get_user)
        _patch(response_class, "admin_create_user", admin_create_user)
        _patch(pool_class, "_get_user", find_user)
        _patch(backend_class, "admin_set_user_settings", _backend_admin_set_user_settings)
        _patch(response_class, "admin_set_user_settings", _response_admin_set_user_settings)
        _patch(response_class, "admin_set_user_mfa_preference", _response_admin_set_user_mfa_preference)
        _patch(response_class, "set_user_mfa_preference", _response_set_user_mfa_preference)
        _patch(backend_class, "admin_initiate_auth", admin_initiate_auth)
        _patch(backend_class, "initiate_auth", initiate_auth)
        _patch(backend_class, "respond_to_auth_challenge", respond_to_auth_challenge)
        # The copy's models read the key through their module's ``jwk`` name: only that reference changes.
        _patch(models, "jwk", SimpleNamespace(RSAKey=SimpleNamespace(import_key=_import_rsa_key)))
        _installed = True
        return own


def _patch(owner: object, name: str, value: object) -> None:
    """Replace ``owner.name`` in the emulator's copy, so that the copy's own code calls the new behaviour too."""
    setattr(owner, name, value)


def _import_rsa_key(data: dict[str, Any]) -> RSAKey:
    """``RSAKey.import_key`` for moto's pools, parsing each distinct key once (a built key is read-only)."""
    return _parse_rsa_key(json.dumps(data, sort_keys=True))


@functools.cache
def _parse_rsa_key(serialised: str) -> RSAKey:
    return RSAKey.import_key(json.loads(serialised))


def mfa_options_of(user: CognitoIdpUser) -> list[dict[str, str]]:
    """The MFAOptions stored on a moto user by AdminSetUserSettings (a copy; empty when none were set)."""
    options: list[dict[str, str]] = getattr(user, MFA_OPTIONS_ATTRIBUTE, [])
    return [dict(option) for option in options]


def find_user(pool: CognitoIdpUserPool, username: str) -> CognitoIdpUser | None:
    """Find a user of ``pool`` the way the service resolves ``Username`` in admin APIs; None when absent.

    Tries, in order: the exact username; the username in another case (case-insensitive pools only); a
    ``UsernameAttributes`` value (moto's own rule); an ``AliasAttributes`` value, where ``email`` and
    ``phone_number`` count only when ``<attribute>_verified`` is ``"true"``. In case-insensitive pools,
    ``email`` and ``preferred_username`` also match in any case. Last, the user's ``sub``.
    """
    exact = pool.users.get(username)
    if exact is not None:
        return exact
    config = pool.extended_config
    fold = (config.get("UsernameConfiguration") or {}).get("CaseSensitive") is False
    users = list(pool.users.values())
    if fold:
        wanted = username.casefold()
        for user in users:
            if user.username.casefold() == wanted:
                return user
    username_attributes = config.get("UsernameAttributes") or []
    alias_attributes = config.get("AliasAttributes") or []
    for user in users:
        attributes = flatten_attrs(user.attributes)
        for name in [*username_attributes, *alias_attributes]:
            value = attributes.get(name)
            if value is None or not _same(value, username, fold and name in CASE_FOLDED_ALIASES):
                continue
            verified = str(attributes.get(f"{name}_verified", "")).lower() == "true"
            if name in username_attributes or name not in VERIFIABLE_ALIASES or verified:
                return user
    # "If username isn't an alias attribute in your user pool, this value must be the sub of a local user"
    return next((user for user in users if user.id == username), None)


def check_new_user(pool: CognitoIdpUserPool, params: dict[str, Any]) -> None:
    """Refuse an AdminCreateUser as the service does before moto creates anything.

    In a pool with ``AliasAttributes``, a ``Username`` shaped as an alias attribute (an email with ``email``, a phone
    number with ``phone_number``) is an InvalidParameterException; a verified ``email`` or ``phone_number`` that
    already is another user's alias is an AliasExistsException unless ``ForceAliasCreation`` is true (then the alias
    moves to the new user, as the API reference says). A name that resolves to an existing user (its username,
    alias or sub) is moto's own UsernameExistsException, through :func:`find_user`.
    """
    aliases = pool.extended_config.get("AliasAttributes") or []
    username = str(params.get("Username", ""))
    for name, shape, words in (("email", EMAIL_SHAPE, "email"), ("phone_number", PHONE_SHAPE, "phone number")):
        if name in aliases and shape.fullmatch(username):
            raise InvalidParameterException(
                f"Username cannot be of {words} format, since user pool is configured for {words} alias."
            )
    attributes = flatten_attrs(params.get("UserAttributes") or [])
    for name in VERIFIABLE_ALIASES & set(aliases):
        value = attributes.get(name)
        if value is None or str(attributes.get(f"{name}_verified", "")).lower() != "true":
            continue
        owner = find_user(pool, value)
        if owner is None or owner.username == username:
            continue
        if params.get("ForceAliasCreation") is True:
            for attribute in owner.attributes:
                if attribute["Name"] == f"{name}_verified":
                    attribute["Value"] = "false"
            owner.attribute_lookup = flatten_attrs(owner.attributes)
            continue
        raise AliasExistsException  # "An account with the given email already exists." (moto's wording)


def _same(stored: str, given: str, fold: bool) -> bool:
    return stored.casefold() == given.casefold() if fold else stored == given


def _backend_admin_set_user_settings(
    self: CognitoIdpBackend, user_pool_id: str, username: str, mfa_options: list[dict[str, str]]
) -> None:
    """Store ``mfa_options`` on the user; ResourceNotFound/UserNotFound as ``admin_get_user`` raises them."""
    user = self.admin_get_user(user_pool_id, username)
    setattr(user, MFA_OPTIONS_ATTRIBUTE, [dict(option) for option in mfa_options])
    user.last_modified_date = utcnow()


def _response_admin_set_user_settings(self: CognitoIdpResponse) -> EmptyResult:
    """Serve the AdminSetUserSettings action: validate the request, then store the options."""
    user_pool_id, username, mfa_options = validate_admin_set_user_settings(self.parameters)
    _backend_admin_set_user_settings(self.backend, user_pool_id, username, mfa_options)
    return EmptyResult()


def _response_admin_set_user_mfa_preference(self: CognitoIdpResponse) -> EmptyResult:
    """Serve AdminSetUserMFAPreference with the service's validation and refusals."""
    mfa_sign_in.admin_set_user_mfa_preference(self.backend, _parameters(self))
    return EmptyResult()


def _response_set_user_mfa_preference(self: CognitoIdpResponse) -> EmptyResult:
    """Serve SetUserMFAPreference in the Region that issued the access token."""
    params = _parameters(self)
    backend = self._get_region_agnostic_backend()._find_backend_by_access_token(str(params.get("AccessToken")))
    mfa_sign_in.set_user_mfa_preference(backend, params)
    return EmptyResult()


def _parameters(response: CognitoIdpResponse) -> dict[str, Any]:
    params = response.parameters
    if not isinstance(params, dict):
        raise SerializationError("The request body must be a JSON object.")
    return params
