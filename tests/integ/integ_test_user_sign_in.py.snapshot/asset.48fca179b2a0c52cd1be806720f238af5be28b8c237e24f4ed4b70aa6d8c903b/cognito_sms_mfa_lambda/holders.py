"""Hand-over across types: which live resources of the stack hold a user's setting, whatever their type.

A user moved from one of our constructs to another in one deploy (a single settings resource into a batch, a batch
into another, a preference into a batch's ``SmsMfa``, ...) is written by its new holder first; CloudFormation's
cleanup phase then deletes the old resource. That Delete must leave alone each setting another live resource of
the stack holds for the same user. Each resource's physical id names what it holds (``docs/design.md``, hand-over
on Delete, the table per pair of types): a settings id the options (:data:`OPTIONS`) of its user; a preference id
and a test user's id the SMS factor (:data:`SMS`) of theirs (which factors a preference manages, its id does not
say); a batch id the options and the SMS factor (whether it manages ``SmsMfa``, its id does not say) of every name
its list holds.

What an id cannot tell is taken as held: keeping a setting by mistake keeps MFA on (the safe side). Names compare
case-insensitively for the same reason. :func:`holdings_of` is the decision (pure, the list reader injected);
:func:`holdings` asks CloudFormation and reads the lists of the live batches of the same pool.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import handover, manifest, ownership, preference_decisions, retry, settings_decisions
from . import settings_batch_decisions as batch_decisions
from .errors import HandlerError
from .properties import UserRef
from .rules import ATTRIBUTE_NAME, SMS_FACTOR

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .manifest import ManifestLocation
    from .resource import Request

logger = logging.getLogger(__name__)

# The settings hand-over tells apart, by the property that declares them: the legacy options and the SMS factor.
OPTIONS = "MFAOptions"
SMS = SMS_FACTOR.property
# The attributes a user may be named by besides its canonical name (an alias, or the sub in email/phone pools).
NAME_ATTRIBUTES = ("sub", "email", ATTRIBUTE_NAME, "preferred_username")


@dataclass(frozen=True)
class Holdings:
    """What the live resources of the stack other than the request's own hold in one pool.

    ``same_id``: another live resource holds the request's own physical id (a rename). ``held``: by setting, the
    lowered names held. ``listed``: some names come from batch lists, which may name a user by an alias.
    """

    same_id: bool
    held: Mapping[str, frozenset[str]]
    listed: bool

    def holds(self, setting: str, names: Iterable[str]) -> bool:
        """Whether another live resource holds ``setting`` for a user known by any of ``names``."""
        held = self.held.get(setting, frozenset())
        return any(name.lower() in held for name in names)

    def holds_every(self, settings: Iterable[str], names: Iterable[str]) -> bool:
        """Whether another live resource holds each of ``settings`` for a user known by any of ``names``."""
        known = tuple(names)
        return all(self.holds(setting, known) for setting in settings)


# The setting each write of a batch changes.
WRITTEN_SETTING = {batch_decisions.SET_SETTINGS: OPTIONS, batch_decisions.SET_PREFERENCE: SMS}


def settings_of(target: batch_decisions.Target) -> tuple[str, ...]:
    """The settings a batch's ``target`` writes: the options, and the SMS factor when it manages it."""
    return (OPTIONS,) if target.sms is None else (OPTIONS, SMS)


def not_held_writes(writes: Iterable[str], holdings: Holdings, names: Iterable[str]) -> tuple[str, ...]:
    """The ``writes`` (a batch's calls) whose setting no other live resource holds for a user known by ``names``."""
    known = tuple(names)
    return tuple(write for write in writes if not holdings.holds(WRITTEN_SETTING[write], known))


def holdings_of(
    summaries: Iterable[Mapping[str, Any]],
    own: tuple[object, object],
    user_pool_id: str,
    read_list: Callable[[ManifestLocation], tuple[str, ...] | None],
) -> Holdings | None:
    """The holdings of the pool ``user_pool_id`` among ``summaries`` (``ListStackResources`` items), leaving out
    the request's ``own`` (logical id, physical id) and every resource in a ``DELETE_*`` status; None when a live
    batch's list cannot be read (``read_list`` answers None), since who it lists is then unknown."""
    logical_id, physical_id = own
    same_id, listed = False, False
    held: dict[str, set[str]] = {OPTIONS: set(), SMS: set()}
    for item in summaries:
        if str(item.get("ResourceStatus", "")).startswith(handover.DELETE_STATUS_PREFIX):
            continue
        value = item.get("PhysicalResourceId")
        if item.get("LogicalResourceId") == logical_id and value == physical_id:
            continue
        same_id = same_id or value == physical_id
        found = held_by(value)
        if found is None or found[1] != user_pool_id:
            continue
        settings, _, named = found
        names = named if isinstance(named, tuple) else read_list(named)
        if names is None:
            return None
        listed = listed or not isinstance(named, tuple)
        for setting in settings:
            held[setting].update(name.lower() for name in names)
    return Holdings(same_id, {setting: frozenset(lowered) for setting, lowered in held.items()}, listed)


def held_by(value: object) -> tuple[tuple[str, ...], str, tuple[str, ...] | ManifestLocation] | None:
    """What a physical id holds: (settings, pool, the names or the list that names them); None when it is not an id
    of ours that holds a setting."""
    single = settings_decisions.parse_physical_id(value)
    if single is not None:
        return (OPTIONS,), single.user_pool_id, (single.username,)
    preference = preference_decisions.parse_physical_id(value)
    if preference is not None:
        return (SMS,), preference.user_pool_id, (preference.username,)
    test_user = ownership.parse_physical_id(value)
    if test_user is not None:
        return (SMS,), test_user.user_pool_id, (test_user.username,)
    batch = batch_decisions.parse_physical_id(value)
    if batch is not None:
        return (OPTIONS, SMS), batch.user_pool_id, batch.manifest
    return None


def user_names(answer: Mapping[str, Any]) -> tuple[str, ...]:
    """Every name an ``AdminGetUser`` answer says the user answers to: its canonical name, sub and aliases."""
    attributes = {item.get("Name"): item.get("Value") for item in answer.get("UserAttributes") or []}
    names = [answer.get("Username"), *(attributes.get(name) for name in NAME_ATTRIBUTES)]
    return tuple(str(name) for name in names if name)


def read_list(request: Request, location: ManifestLocation, user_pool_id: str) -> tuple[str, ...]:
    """The names a batch's list holds, read from S3 (with the handler's retries) and checked against its digest
    and count; HandlerError when it cannot be read or is not the list the id names."""
    s3 = request.clients.client("s3")

    def reason(operation: str, code: str, message: str, _: object) -> str:
        return f"ManifestKey: {location.uri} cannot be read ({operation}: {code}: {message})"

    data = retry.call(
        "GetObject",
        UserRef(user_pool_id, location.key),
        request.deadline,
        lambda: s3.get_object(Bucket=location.bucket, Key=location.key)["Body"].read(),
        reason,
    )
    return manifest.parse_manifest(data, location)


def holdings(request: Request, user_pool_id: str) -> Holdings | None:
    """The holdings of ``user_pool_id`` in the request's stack: ``ListStackResources`` (every page), then the list
    of each live batch of that pool; None when CloudFormation could not tell or a list could not be read."""
    summaries = handover.stack_resources(request)
    if summaries is None:
        return None

    def read(location: ManifestLocation) -> tuple[str, ...] | None:
        try:
            return read_list(request, location, user_pool_id)
        except HandlerError as error:
            logger.warning("another batch's list cannot be read: %s", error)
            return None

    own = (request.event.get("LogicalResourceId"), request.physical_id)
    return holdings_of(summaries, own, user_pool_id, read)


def held_for(
    request: Request, client: CognitoIdentityProviderClient, user: UserRef, settings: Iterable[str]
) -> frozenset[str] | None:
    """For a Delete of one user's resource: which of ``settings`` another live resource of the stack holds for
    ``user``, every one of them when another holds the same physical id (a rename); by the user's canonical name,
    and when a batch of the pool is live and a setting is still not held, by every name the user answers to (one
    ``AdminGetUser``). None when that cannot be told."""
    found = holdings(request, user.user_pool_id)
    if found is None:
        return None
    wanted = tuple(settings)
    if found.same_id:
        return frozenset(wanted)
    held = frozenset(setting for setting in wanted if found.holds(setting, (user.username,)))
    if not found.listed or len(held) == len(wanted):
        return held
    try:
        answer = retry.call_or_none(
            "AdminGetUser",
            user,
            request.deadline,
            lambda: client.admin_get_user(UserPoolId=user.user_pool_id, Username=user.username),
        )
    except HandlerError as error:
        logger.warning("the user's other names cannot be read, so it is kept: %s", error)
        return None
    names = (user.username,) if answer is None else user_names(answer)
    return frozenset(setting for setting in wanted if found.holds(setting, names))
