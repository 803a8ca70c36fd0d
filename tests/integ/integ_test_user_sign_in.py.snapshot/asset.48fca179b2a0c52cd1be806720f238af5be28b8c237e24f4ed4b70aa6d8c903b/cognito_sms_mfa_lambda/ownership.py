"""Whose user is it? The facts a test user's requests decide on before they change or delete an existing user.

A test user creates, changes and deletes real Cognito users, so in a shared pool a name match is no proof of
ownership: an alias, a ``sub`` or another spelling can name a colleague's user, and another stack can have made a
user of the same name. The rules (``docs/design.md``, "Ownership") rest on three facts:

- **what this request created**: ``AdminCreateUser`` answered, or its answer was lost and the user read back was
  created after the request's first attempt and still waits for its first password;
- **the canonical name and the sub**: ``AdminGetUser`` reports the user's own ``Username`` (never an alias of it)
  and its ``sub``; the physical id records both, so Update and Delete act on that very user only;
- **who holds the id**: another live resource of the same stack (``ListStackResources``) holds the user after a
  rename;
- **whom the id replaced**: an Update that moved the resource to another user answers an id that also records the
  pool and sub of the user it held before, so the rollback Update (old properties, that id) knows its own user.

Plain functions of their inputs: no client, no crhelper, no clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from . import rules
from .handover import DELETE_STATUS_PREFIX
from .resource import TEST_USER_RESOURCE_TYPE

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

PHYSICAL_ID_PREFIX = "cognito-test-user:"
SUB_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# The status AdminCreateUser leaves a user in until a password is set (no TemporaryPassword is ever sent).
NEW_USER_STATUS = "FORCE_CHANGE_PASSWORD"
CONFIRMED = "CONFIRMED"
# Between the sub and the pool and sub of the user an id replaced (neither a sub nor a pool id holds it).
REPLACED_SEPARATOR = "/"
# Clocks of Lambda and Cognito agree within this much (both follow AWS time).
CLOCK_TOLERANCE = timedelta(seconds=2)


@dataclass(frozen=True)
class TestUserId:
    """What a test user's physical id records: the pool, the canonical username and the user's ``sub``.

    ``sub`` is None only for ids written before the sub was recorded (``cognito-test-user:<pool>:<username>``).
    ``replaced`` is the pool and sub of the user this resource held before an Update moved it to this one (None
    for an id that replaced no user).
    """

    __test__ = False  # not a pytest test class, whatever its name

    user_pool_id: str
    username: str
    sub: str | None
    replaced: tuple[str, str] | None = None


def physical_id(user_pool_id: str, username: str, sub: str, replaced: tuple[str, str] | None = None) -> str:
    """``cognito-test-user:<pool id>:<sub>:<canonical username>`` (a pool id and a sub hold no ``:``); an id that
    replaces another user's records that user's pool and sub after the sub: ``<sub>/<old pool id>/<old sub>``."""
    mark = "" if replaced is None else REPLACED_SEPARATOR.join(("", *replaced))
    return f"{PHYSICAL_ID_PREFIX}{user_pool_id}:{sub}{mark}:{username}"


def _sub_field(value: str) -> tuple[str, tuple[str, str] | None] | None:
    """The sub and the replaced user's (pool, sub) of an id's sub field; None when it is not one."""
    sub, *rest = value.split(REPLACED_SEPARATOR)
    if not SUB_PATTERN.fullmatch(sub):
        return None
    if not rest:
        return sub, None
    if len(rest) == 2 and not rules.user_pool_id_problem(rest[0]) and SUB_PATTERN.fullmatch(rest[1]):
        return sub, (rest[0], rest[1])
    return None


def parse_physical_id(value: object) -> TestUserId | None:
    """The user a test user's physical id names, or None when the id is not one of ours."""
    if not isinstance(value, str) or not value.startswith(PHYSICAL_ID_PREFIX):
        return None
    pool_id, sep, rest = value[len(PHYSICAL_ID_PREFIX) :].partition(":")
    if not sep or rules.user_pool_id_problem(pool_id):
        return None
    field, sep, username = rest.partition(":")
    parsed = _sub_field(field) if sep else None
    if parsed is None:
        return None if rules.username_problem(rest) else TestUserId(pool_id, rest, None)  # written before the sub
    if rules.username_problem(username):
        return None
    return TestUserId(pool_id, username, *parsed)


def replaced_by_move(previous: TestUserId | None) -> tuple[str, str] | None:
    """What an id that moves a resource away from ``previous`` (the id it held) records of it: its pool and sub
    (None when the id names no user of ours or predates the sub)."""
    if previous is None or previous.sub is None:
        return None
    return previous.user_pool_id, previous.sub


def restores(user_id: TestUserId | None, user_pool_id: str, found: Mapping[str, Any]) -> bool:
    """Whether ``found`` (in ``user_pool_id``) is the user this resource held before an Update moved it to the user
    of ``user_id``: the id records that user's pool and sub (a rollback Update then brings the resource back)."""
    sub = sub_of(found)
    return user_id is not None and bool(sub) and user_id.replaced == (user_pool_id, sub)


def sub_of(user: Mapping[str, Any]) -> str:
    """The ``sub`` attribute of an AdminGetUser or AdminCreateUser answer ("" when it has none)."""
    attributes = user.get("UserAttributes") or user.get("Attributes") or []
    return next((str(item.get("Value", "")) for item in attributes if item.get("Name") == "sub"), "")


def created_by_this_request(user: Mapping[str, Any], first_attempt_at: datetime) -> bool:
    """Whether a user that ``AdminCreateUser`` reported as existing after a lost answer was made by this request:
    created after the request's first attempt (within the clocks' tolerance) and still waiting for its first
    password. Anything else is somebody else's user."""
    created = user.get("UserCreateDate")
    if not isinstance(created, datetime):
        return False
    return user.get("UserStatus") == NEW_USER_STATUS and created >= first_attempt_at - CLOCK_TOLERANCE


def holder(summaries: Iterable[Mapping[str, Any]], logical_id: str, user_pool_id: str, username: str) -> str | None:
    """The physical id another live ``Custom::CognitoTestUser`` of the stack holds for this pool and canonical
    username (a renamed construct's old resource), or None.

    ``summaries`` are ``StackResourceSummaries`` of ``ListStackResources``; a resource being deleted, and the
    request's own ``logical_id``, do not count.
    """
    for item in summaries:
        if item.get("LogicalResourceId") == logical_id or item.get("ResourceType") != TEST_USER_RESOURCE_TYPE:
            continue
        if str(item.get("ResourceStatus", "")).startswith(DELETE_STATUS_PREFIX):
            continue
        held = parse_physical_id(item.get("PhysicalResourceId"))
        if held is not None and (held.user_pool_id, held.username) == (user_pool_id, username):
            return str(item["PhysicalResourceId"])
    return None


@dataclass(frozen=True)
class Claim:
    """What a Create may do with a user of its name that exists: take it (how) or refuse (why)."""

    how: str | None  # "created", "restored", "handed-over", "adopted"; None when refused
    reason: str = ""


def claim_existing(
    *,
    wanted: str,
    user_pool_id: str,
    found: Mapping[str, Any],
    created_here: bool,
    held_by: str | bool | None,
    adopt: bool,
    restored: bool = False,
) -> Claim:
    """Decide whether a Create may take the existing user ``found`` (the AdminGetUser answer for ``wanted``).

    ``held_by`` is the physical id another live test user of the stack holds for it, False when none does, and
    None when CloudFormation could not tell. ``restored``: the user is the one this resource held before the Update
    that the request rolls back (:func:`restores`, or a rollback of an id that records no former user). The order
    of the rules is the table in ``docs/design.md``.
    """
    canonical = str(found.get("Username", ""))
    shown = rules.show(wanted)
    if canonical != wanted:
        return Claim(
            None,
            f"Username {shown} names another user of pool {user_pool_id} ({rules.show(canonical)}: Cognito resolves "
            "an alias, a sub or another spelling to it); a test user never takes over another user",
        )
    if created_here:
        return Claim("created")
    if restored:
        return Claim("restored")
    if isinstance(held_by, str):
        held = parse_physical_id(held_by)
        if held is not None and held.sub in (None, sub_of(found)):
            return Claim("handed-over")
    if adopt:
        return Claim("adopted")
    if held_by is None:
        return Claim(
            None,
            f"Username {shown} exists in pool {user_pool_id} and CloudFormation could not tell whether this stack "
            "holds it (ListStackResources failed); not taken over, retry the deploy",
        )
    return Claim(
        None,
        f"Username {shown} is an existing user of pool {user_pool_id} that this stack did not create; not taken "
        "over (adopt_existing=True takes it deliberately)",
    )


def is_same_user(user_id: TestUserId, found: Mapping[str, Any]) -> bool:
    """Whether the AdminGetUser answer ``found`` is the user ``user_id`` records: the same canonical name (not one
    an alias resolved to) and, where recorded, the same sub."""
    if found.get("Username") != user_id.username:
        return False
    return user_id.sub is None or sub_of(found) == user_id.sub


def not_ours_reason(user_id: TestUserId) -> str:
    """The FAILED reason of an Update whose user was replaced outside the stack by another of the same name."""
    return (
        f"Username {rules.show(user_id.username)} in pool {user_id.user_pool_id} is no longer the user this resource "
        "created (another sub: it was deleted and made again outside the stack); not changed"
    )


def password_needed(
    *,
    how: str,
    secret_changed: bool,
    user: Mapping[str, Any],
    version_created: datetime | None,
    holder_updated: datetime | None,
) -> bool:
    """Whether AdminSetUserPassword must run for a test user with a secret (once per secret version).

    ``how``: ``created`` or ``adopted`` (always), ``restored`` (a rollback to the user held before: never, the
    failed Update did not change its password), ``handed-over`` (a rename: only when the secret's current version
    is newer than the holder's last update, so the holder cannot have set it), ``in-place`` (only when the
    template names another secret or a new revision of it). A user without a permanent password gets one always.
    """
    if how in ("created", "adopted") or user.get("UserStatus") != CONFIRMED:
        return True
    if how == "restored":
        return False
    if how == "handed-over":
        return version_created is None or holder_updated is None or version_created > holder_updated
    return secret_changed
