"""``Custom::CognitoTestUser``: a Cognito user a QA engineer can sign in with, created, changed and deleted in place.

The request-by-request design is in ``docs/design.md``; the decisions are in :mod:`.test_user_decisions`, the
retries in :mod:`.retry`. The password is read from Secrets Manager (a client made on first use) just before it is
set, and is never logged, returned or put in a Reason.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from . import handover, retry, test_user_decisions
from .errors import HandlerError
from .properties import NO_PHYSICAL_ID, UserRef
from .resource import Request, Result, pool_subject

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .resource import ResourceType

logger = logging.getLogger(__name__)


@dataclass
class _Target:
    """The user a Create/Update works on, and whether this request created it (a failure must then remove it)."""

    user: UserRef
    found: Mapping[str, Any]
    created: bool


class CognitoTestUser:
    """Create makes (or adopts) the user; Update changes it in place or makes the new one; Delete deletes it."""

    def apply(self, request: Request) -> Result:
        wanted = test_user_decisions.parse_properties(request.properties)
        old = request.event.get("OldResourceProperties") if request.request_type == "Update" else None
        same = test_user_decisions.same_user(request.properties, old)
        client = request.clients.for_pool(wanted.user_pool_id)
        # Read the password before anything changes: an unreadable secret fails with nothing to undo.
        created = request.request_type == "Create"
        needed = test_user_decisions.password_needs_set(request.properties, old, created=created, same=same)
        password = _read_password(request, wanted.secret_arn) if needed else None
        target = _existing(client, wanted, request) if same else None
        if target is None:
            target = _create_or_adopt(client, wanted, request)
        with _removed_on_failure(client, target):
            written = _update(client, wanted, target, request, password)
        new_id = test_user_decisions.physical_id(target.user)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = ("created" if target.created else "+".join(written) or "unchanged") + ("+replaced" if replaced else "")
        sub = test_user_decisions.current_attributes(target.found).get("sub", "")
        return Result(new_id, detail, test_user_decisions.response_data(target.user, sub))

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        user = test_user_decisions.parse_physical_id(physical_id)
        if user is None:
            return Result(physical_id, "not-ours")
        kept = handover.kept_by_delete(request)  # a renamed construct's new resource holds this user now
        if kept is not None:
            return Result(physical_id, kept)
        client = request.clients.for_pool(user.user_pool_id)
        deleted = retry.call_unless_gone(
            "AdminDeleteUser",
            user,
            request.deadline,
            lambda: client.admin_delete_user(UserPoolId=user.user_pool_id, Username=user.username),
            test_user_decisions.client_error_reason,
        )
        if not deleted:
            return Result(physical_id, "gone")
        return Result(physical_id, "deleted")

    def log_subject(self, request: Request) -> str:
        return pool_subject(request, test_user_decisions.parse_physical_id)


def _read_password(request: Request, arn: str | None) -> str | None:
    """The password the secret ``arn`` holds now (its current version); None without a secret."""
    if arn is None:
        return None
    secrets = request.clients.client("secretsmanager", test_user_decisions.secret_region(arn))
    try:
        answer = secrets.get_secret_value(SecretId=arn)
    except ClientError as error:
        raise HandlerError(test_user_decisions.secret_reason(arn, retry.error_code(error))) from None
    value = answer.get("SecretString")
    if not isinstance(value, str) or not value:
        raise HandlerError(f"password: secret {arn} holds no SecretString (a binary secret cannot be a password)")
    return test_user_decisions.password_from_secret(value)


def _existing(
    client: CognitoIdentityProviderClient, wanted: test_user_decisions.TestUserRequest, request: Request
) -> _Target | None:
    """The user an in-place Update works on (the canonical name its id holds); None when it is gone."""
    user = test_user_decisions.parse_physical_id(request.physical_id) or UserRef(wanted.user_pool_id, wanted.username)
    try:
        found: Any = client.admin_get_user(UserPoolId=user.user_pool_id, Username=user.username)
    except client.exceptions.UserNotFoundException:
        return None  # deleted outside the stack: made again below
    return _Target(UserRef(user.user_pool_id, found["Username"]), found, created=False)


def _create_or_adopt(
    client: CognitoIdentityProviderClient, wanted: test_user_decisions.TestUserRequest, request: Request
) -> _Target:
    """AdminCreateUser without an invitation; a user that exists already is adopted (a renamed construct's
    Create runs while the old resource still holds the user; its Delete then hands the user over)."""
    attributes = [{"Name": name, "Value": value} for name, value in wanted.attributes().items()]

    def create() -> Any:
        try:
            return client.admin_create_user(
                UserPoolId=wanted.user_pool_id,
                Username=wanted.username,
                UserAttributes=attributes,  # type: ignore[arg-type]  # a list of {Name, Value}
                MessageAction="SUPPRESS",
            )
        except client.exceptions.UsernameExistsException:
            return None

    made = retry.call("AdminCreateUser", wanted, request.deadline, create, test_user_decisions.client_error_reason)
    if made is None:
        found: Any = retry.call(
            "AdminGetUser",
            wanted,
            request.deadline,
            lambda: client.admin_get_user(UserPoolId=wanted.user_pool_id, Username=wanted.username),
            test_user_decisions.client_error_reason,
        )
        return _Target(UserRef(wanted.user_pool_id, found["Username"]), found, created=False)
    user = {"Username": made["User"]["Username"], "UserAttributes": made["User"].get("Attributes", [])}
    return _Target(UserRef(wanted.user_pool_id, user["Username"]), user, created=True)


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
def _removed_on_failure(client: CognitoIdentityProviderClient, target: _Target) -> Iterator[None]:
    """Delete a user this request created when a later step fails: a failed Create answers an id that is not
    ours, so its rollback Delete could not remove it."""
    try:
        yield
    except Exception:
        if target.created:
            with contextlib.suppress(ClientError):
                client.admin_delete_user(UserPoolId=target.user.user_pool_id, Username=target.user.username)
            logger.info("removed the user this failed request had created")
        raise


RESOURCE: ResourceType = CognitoTestUser()
