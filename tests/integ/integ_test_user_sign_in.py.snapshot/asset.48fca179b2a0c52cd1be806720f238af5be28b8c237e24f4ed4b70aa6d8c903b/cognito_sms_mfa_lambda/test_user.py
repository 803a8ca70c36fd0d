"""``Custom::CognitoTestUser``: a Cognito user a QA engineer can sign in with, created, changed and deleted in place.

The request-by-request design is in ``docs/design.md``; whose user it is (taking over, changing, deleting) is
decided in :mod:`.ownership`, the rest in :mod:`.test_user_decisions`, the retries in :mod:`.retry`. The secret is
read from Secrets Manager (a client made on first use) before any write, and the password is never logged,
returned or put in a Reason.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from . import handover, ownership, retry, test_user_decisions
from .errors import HandlerError, OutcomeUnknownError
from .properties import NO_PHYSICAL_ID, UserRef
from .resource import Request, Result, pool_subject

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .resource import ResourceType
    from .retry import Deadline

logger = logging.getLogger(__name__)


@dataclass
class _Target:
    """The user a Create/Update works on: how this request came to hold it (``created``, ``handed-over``,
    ``adopted``, ``in-place``), whether a failure must remove it, and the id to answer (None: from its sub)."""

    user: UserRef
    found: Mapping[str, Any]
    how: str
    physical_id: str | None = None
    holder_updated: datetime | None = None

    @property
    def created(self) -> bool:
        return self.how == "created"


class _NotOursError(HandlerError):
    """The user a request would take or change is not this resource's (see :mod:`.ownership`)."""


@dataclass(frozen=True)
class _Secret:
    """The password a secret holds now, and when that version was made."""

    password: str
    version_created: datetime | None


class CognitoTestUser:
    """Create makes the user (takes one over only on a fact of ownership); Update changes it in place or makes the
    new one; Delete deletes the user this resource holds, by canonical name and sub."""

    def apply(self, request: Request) -> Result:
        wanted = test_user_decisions.parse_properties(request.properties)
        old = request.event.get("OldResourceProperties") if request.request_type == "Update" else None
        same = test_user_decisions.same_user(request.properties, old)
        held = ownership.parse_physical_id(request.physical_id) if request.request_type == "Update" else None
        # The id's own user is the one asked for although the properties moved: the rollback of a failed move.
        back = (
            not same
            and held is not None
            and (held.user_pool_id, held.username) == (wanted.user_pool_id, wanted.username)
        )
        client = request.clients.for_pool(wanted.user_pool_id)
        try:
            target = _existing(client, request, "in-place" if same else "restored") if same or back else None
            # Read the password before anything changes: an unreadable secret fails with nothing to undo.
            secret = _read_secret(request, wanted)
            if target is None:
                target = _create_or_claim(client, wanted, request, held)
        except _NotOursError as refusal:
            if request.request_type != "Update" or not handover.is_rollback(handover.stack_status(request)):
                raise
            return _not_restored(request, wanted, held, refusal)
        with _removed_on_failure(client, target, request.deadline):
            password = None
            if secret is not None and ownership.password_needed(
                how=target.how,
                secret_changed=test_user_decisions.password_changed(request.properties, old),
                user=target.found,
                version_created=secret.version_created,
                holder_updated=target.holder_updated,
            ):
                password = secret.password
            written = _update(client, wanted, target, request, password)
        sub = ownership.sub_of(target.found)
        moved = not (same or back) and target.how in ("created", "adopted")  # the id records the user it replaced
        new_id = target.physical_id or _id_of(target.user, sub, ownership.replaced_by_move(held) if moved else None)
        legacy = ownership.parse_physical_id(request.physical_id) if same else None
        if legacy is not None and legacy.sub is None and legacy.username == target.user.username:
            new_id = str(request.physical_id)  # an id written before the sub was recorded stays as it is
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = target.how if target.how != "in-place" else "+".join(written) or "unchanged"
        return Result(
            new_id, detail + ("+replaced" if replaced else ""), test_user_decisions.response_data(target.user, sub)
        )

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        user_id = ownership.parse_physical_id(physical_id)
        if user_id is None:
            return Result(physical_id, "not-ours")
        kept = handover.kept_by_delete(request)  # a renamed construct's new resource holds this user now
        if kept is not None:
            return Result(physical_id, kept)
        client = request.clients.for_pool(user_id.user_pool_id)
        reason = test_user_decisions.client_error_reason
        key = {"UserPoolId": user_id.user_pool_id, "Username": user_id.username}
        found = retry.call_or_none(
            "AdminGetUser", user_id, request.deadline, lambda: client.admin_get_user(**key), reason
        )
        if found is None:
            return Result(physical_id, "gone")
        if not ownership.is_same_user(user_id, found):  # another user answers to the name now: not ours to delete
            return Result(physical_id, "other-user")
        deleted = retry.call_unless_gone(
            "AdminDeleteUser", user_id, request.deadline, lambda: client.admin_delete_user(**key), reason
        )
        return Result(physical_id, "deleted" if deleted else "gone")

    def made(self, physical_id: str | None) -> bool:
        return ownership.parse_physical_id(physical_id) is not None

    def log_subject(self, request: Request) -> str:
        return pool_subject(request, ownership.parse_physical_id)


def _not_restored(
    request: Request, wanted: test_user_decisions.TestUserRequest, held: ownership.TestUserId | None, refusal: Exception
) -> Result:
    """A rollback Update that cannot take its former user back (another user answers to the name now) succeeds
    without a write and says why in ``Data`` and the log: a rollback never fails on what was already true. It
    answers the id of the user it held before, which a later Update refuses and a Delete leaves alone (another
    sub), so that the clean-up Delete still removes the user of the move it undoes."""
    physical_id = str(request.physical_id)
    sub = held.sub if held is not None and held.sub else ""
    if held is not None and held.replaced is not None and held.replaced[0] == wanted.user_pool_id:
        sub = held.replaced[1]
        physical_id = ownership.physical_id(wanted.user_pool_id, wanted.username, sub)
    logger.warning("rollback: another user answers to the name of the user held before; left as it is")
    data = test_user_decisions.response_data(UserRef(wanted.user_pool_id, wanted.username), sub)
    return Result(physical_id, "not-restored", {**data, "NotRestored": str(refusal)})


def _id_of(user: UserRef, sub: str, replaced: tuple[str, str] | None = None) -> str:
    """The physical id of a user this resource holds from now on, recording its sub (and the pool and sub of the
    user it replaced, after a move)."""
    if ownership.SUB_PATTERN.fullmatch(sub):
        return ownership.physical_id(user.user_pool_id, user.username, sub, replaced)
    raise HandlerError(f"Username {user.username!r}: Cognito reported no sub for the user of pool {user.user_pool_id}")


def _read_secret(request: Request, wanted: test_user_decisions.TestUserRequest) -> _Secret | None:
    """The password the secret ``wanted.secret_arn`` holds now (its current version); None without a secret.

    Throttling, 5xx and an AccessDeniedException of the seconds after the grant are retried (:func:`.retry.call`).
    """
    arn = wanted.secret_arn
    if arn is None:
        return None
    secrets = request.clients.client("secretsmanager", test_user_decisions.secret_region(arn))

    def reason(_operation: str, code: str, _message: str, _subject: object) -> str:
        return test_user_decisions.secret_reason(arn, code)

    answer = retry.call(
        "GetSecretValue", wanted, request.deadline, lambda: secrets.get_secret_value(SecretId=arn), reason
    )
    value = answer.get("SecretString")
    if not isinstance(value, str):
        raise HandlerError(f"password: secret {arn} holds no SecretString (a binary secret cannot be a password)")
    try:
        password = test_user_decisions.password_from_secret(value)
    except ValueError as problem:
        raise HandlerError(f"password: secret {arn} {problem}") from None
    created = answer.get("CreatedDate")
    return _Secret(password, created if isinstance(created, datetime) else None)


def _existing(client: CognitoIdentityProviderClient, request: Request, how: str) -> _Target | None:
    """The user the request's id records (name and sub), which the request works on as ``how`` (``in-place``, or
    ``restored`` by a rollback of a move); None when it is gone."""
    user_id = ownership.parse_physical_id(request.physical_id)
    if user_id is None:
        return None

    def read() -> Any:
        try:
            return client.admin_get_user(UserPoolId=user_id.user_pool_id, Username=user_id.username)
        except client.exceptions.UserNotFoundException:
            return None  # deleted outside the stack: made again, with the same ownership rules as a Create

    found = retry.call("AdminGetUser", user_id, request.deadline, read, test_user_decisions.client_error_reason)
    if found is None:
        return None
    if not ownership.is_same_user(user_id, found):
        raise _NotOursError(ownership.not_ours_reason(user_id))
    return _Target(UserRef(user_id.user_pool_id, found["Username"]), found, how, request.physical_id)


def _create_or_claim(
    client: CognitoIdentityProviderClient,
    wanted: test_user_decisions.TestUserRequest,
    request: Request,
    held: ownership.TestUserId | None,
) -> _Target:
    """AdminCreateUser without an invitation. A user of the name that exists already is taken only on a fact of
    ownership (see :func:`.ownership.claim_existing`); otherwise the request fails and touches nothing. ``held`` is
    the user the Update's id records (None on Create)."""
    attributes = [{"Name": name, "Value": value} for name, value in wanted.attributes().items()]
    reason = test_user_decisions.client_error_reason
    first_attempt_at = datetime.fromtimestamp(request.deadline.wall_clock(), UTC)
    attempts = 0

    def create() -> Any:
        nonlocal attempts
        attempts += 1
        try:
            return client.admin_create_user(
                UserPoolId=wanted.user_pool_id,
                Username=wanted.username,
                UserAttributes=attributes,  # type: ignore[arg-type]  # a list of {Name, Value}
                MessageAction="SUPPRESS",
            )
        except client.exceptions.UsernameExistsException:
            return None

    def read_back() -> Any:
        key = {"UserPoolId": wanted.user_pool_id, "Username": wanted.username}
        return retry.call("AdminGetUser", wanted, request.deadline, lambda: client.admin_get_user(**key), reason)

    try:
        made = retry.call("AdminCreateUser", wanted, request.deadline, create, reason)
    except OutcomeUnknownError:
        _remove_if_created_here(client, wanted, read_back, first_attempt_at, request.deadline)
        raise
    if made is not None:
        user = {"Username": made["User"]["Username"], "UserAttributes": made["User"].get("Attributes", [])}
        return _Target(UserRef(wanted.user_pool_id, user["Username"]), user, "created")
    found = read_back()
    created_here = attempts > 1 and ownership.created_by_this_request(found, first_attempt_at)
    holder: Mapping[str, Any] | Literal[False] | None = False
    if not created_here and found.get("Username") == wanted.username:
        logical_id = str(request.event.get("LogicalResourceId"))
        pool, name = wanted.user_pool_id, wanted.username
        holder = handover.find_in_stack(
            request, lambda item: ownership.holder([item], logical_id, pool, name) is not None
        )
    claim = ownership.claim_existing(
        wanted=wanted.username,
        user_pool_id=wanted.user_pool_id,
        found=found,
        created_here=created_here,
        held_by=None if holder is None else False if holder is False else str(holder["PhysicalResourceId"]),
        adopt=wanted.adopt_existing,
        restored=not created_here and _restores(request, held, wanted.user_pool_id, found),
    )
    if claim.how is None:
        raise _NotOursError(claim.reason)
    target = _Target(UserRef(wanted.user_pool_id, found["Username"]), found, claim.how)
    if claim.how == "handed-over" and holder:
        target.physical_id = str(holder["PhysicalResourceId"])  # the same id, so the old resource's Delete hands over
        updated = holder.get("LastUpdatedTimestamp")
        target.holder_updated = updated if isinstance(updated, datetime) else None
    return target


def _restores(request: Request, held: ownership.TestUserId | None, user_pool_id: str, found: Mapping[str, Any]) -> bool:
    """Whether an Update brings the resource back to ``found``, the user it held before the move it rolls back: the
    id records that user's pool and sub, or (an id that records none: written before ids recorded it) the stack is
    being rolled back, so the properties are the ones the resource held (``DescribeStacks``, asked only here)."""
    if held is None or found.get("Username") is None:
        return False
    if held.replaced is not None:
        return ownership.restores(held, user_pool_id, found)
    return handover.is_rollback(handover.stack_status(request))


def _remove_if_created_here(
    client: CognitoIdentityProviderClient,
    wanted: test_user_decisions.TestUserRequest,
    read_back: Callable[[], Any],
    first_attempt_at: datetime,
    deadline: Deadline,
) -> None:
    """After an AdminCreateUser whose outcome stayed unknown: delete the user if this request made it."""
    with contextlib.suppress(HandlerError):
        found = read_back()
        if found.get("Username") == wanted.username and ownership.created_by_this_request(found, first_attempt_at):
            _remove(client, UserRef(wanted.user_pool_id, wanted.username), deadline)


def _remove(client: CognitoIdentityProviderClient, user: UserRef, deadline: Deadline) -> None:
    """Delete the user a failing request made (a failed Create answers an id its rollback Delete cannot undo), with
    the retries of any call; a user already gone is fine."""
    key = {"UserPoolId": user.user_pool_id, "Username": user.username}
    reason = test_user_decisions.client_error_reason
    retry.call_unless_gone("AdminDeleteUser", user, deadline, lambda: client.admin_delete_user(**key), reason)
    logger.info("removed the user this failed request had created")


def _update(
    client: CognitoIdentityProviderClient,
    wanted: test_user_decisions.TestUserRequest,
    target: _Target,
    request: Request,
    password: str | None,
) -> list[str]:
    """Bring the user to the wanted attributes, password and SMS preference; return what was written."""
    user, deadline, reason = target.user, request.deadline, test_user_decisions.client_error_reason
    key = {"UserPoolId": user.user_pool_id, "Username": user.username}
    current = test_user_decisions.current_attributes(target.found)
    written: list[str] = []

    def write(operation: str, label: str, action: Callable[[], object]) -> None:
        retry.call(operation, user, deadline, action, reason)
        written.append(label)

    changes = test_user_decisions.attribute_changes(current, wanted.attributes())
    if changes:
        write(
            "AdminUpdateUserAttributes",
            "attributes",
            lambda: client.admin_update_user_attributes(**key, UserAttributes=changes),  # type: ignore[arg-type]
        )
    removed = test_user_decisions.attributes_to_remove(current, wanted.attributes())
    if removed:
        write(
            "AdminDeleteUserAttributes",
            "attributes",
            lambda: client.admin_delete_user_attributes(**key, UserAttributeNames=removed),
        )
    if password is not None:
        write(
            "AdminSetUserPassword",
            "password",
            lambda: client.admin_set_user_password(**key, Password=password, Permanent=True),
        )
    if target.created or changes or removed:
        target.found = retry.call("AdminGetUser", user, deadline, lambda: client.admin_get_user(**key), reason)
    if test_user_decisions.sms_preference_needs_write(target.found, wanted.sms_mfa_preferred):
        kwargs = test_user_decisions.sms_preference_kwargs(user, wanted.sms_mfa_preferred)
        write("AdminSetUserMFAPreference", "mfa", lambda: client.admin_set_user_mfa_preference(**kwargs))
    return sorted(set(written), key=written.index)


@contextlib.contextmanager
def _removed_on_failure(client: CognitoIdentityProviderClient, target: _Target, deadline: Deadline) -> Iterator[None]:
    """Delete a user this request created when a later step fails: a failed Create answers an id that is not
    ours, so its rollback Delete could not remove it."""
    try:
        yield
    except Exception:
        if target.created:
            with contextlib.suppress(HandlerError):
                _remove(client, target.user, deadline)
        raise


RESOURCE: ResourceType = CognitoTestUser()
