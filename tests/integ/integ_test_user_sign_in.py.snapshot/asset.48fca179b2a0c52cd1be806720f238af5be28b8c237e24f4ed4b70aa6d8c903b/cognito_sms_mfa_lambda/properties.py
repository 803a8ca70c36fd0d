"""What every resource type's properties and physical ids name: a user of a pool.

Every type of this handler takes string-valued CloudFormation properties naming ``UserPoolId`` and ``Username``
(:func:`parse_user_properties`, with :func:`required_string` and :func:`check` for the rest), answers a physical id
``<prefix><pool id>:<canonical username>`` with its own prefix (:func:`physical_id`, :func:`parse_physical_id`),
and returns the user in its response Data (:func:`response_data`). The scheme is in ``docs/design.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from . import rules
from .errors import HandlerError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Answered for a Delete that arrives without an id (CloudFormation needs a non-empty one back).
NO_PHYSICAL_ID = "cognito-sms-mfa-none"
# Properties CloudFormation passes that are not ours to interpret.
FRAMEWORK_PROPERTIES = frozenset({"ServiceToken", "ServiceTimeout"})


@dataclass(frozen=True)
class UserRef:
    """A user as Cognito knows it: the pool id and the canonical username."""

    user_pool_id: str
    username: str


class Subject(Protocol):
    """What a FAILED reason names: the pool and the user."""

    @property
    def user_pool_id(self) -> str: ...

    @property
    def username(self) -> str: ...


def parse_user_properties(props: Mapping[str, Any], known: Sequence[str]) -> tuple[str, str]:
    """Check that every property is one of ``known`` (or CloudFormation's own) and return the valid
    ``UserPoolId`` and ``Username`` every resource type of this handler names; HandlerError otherwise."""
    for name in props:
        if name not in known and name not in FRAMEWORK_PROPERTIES:
            raise HandlerError(f"{name} is not a property of this resource; expected {', '.join(known)}")
    user_pool_id = required_string(props, "UserPoolId")
    check("UserPoolId", rules.user_pool_id_problem(user_pool_id))
    username = required_string(props, "Username")
    check("Username", rules.username_problem(username))
    return user_pool_id, username


def required_string(props: Mapping[str, Any], name: str, parent: str = "") -> str:
    """The string property ``name``; HandlerError naming it when it is missing or not a string."""
    field = f"{parent}.{name}" if parent else name
    if name not in props:
        raise HandlerError(f"{field} is required")
    value = props[name]
    if not isinstance(value, str):
        raise HandlerError(f"{field} must be a string; received {rules.show(value)}")
    return value


def check(field: str, problem: str | None) -> None:
    """Raise HandlerError ``<field> <problem>`` when a rule found a problem."""
    if problem is not None:
        raise HandlerError(f"{field} {problem}")


def physical_id(user: UserRef, prefix: str) -> str:
    """The physical id of a resource of ``user``: ``<prefix><pool id>:<canonical username>``.

    Each resource type has its own prefix, so two types never share an id.
    """
    return f"{prefix}{user.user_pool_id}:{user.username}"


def parse_physical_id(value: object, prefix: str) -> UserRef | None:
    """The user a physical id names, or None when the id is not one of ``prefix`` (random, empty, malformed)."""
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    pool_id, sep, username = value[len(prefix) :].partition(":")
    if not sep or rules.user_pool_id_problem(pool_id) or rules.username_problem(username):
        return None
    return UserRef(pool_id, username)


def response_data(user: UserRef) -> dict[str, str]:
    """The response Data: what GetAtt can read from the resource."""
    return {"Username": user.username, "UserPoolId": user.user_pool_id}
