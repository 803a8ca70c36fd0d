"""``Custom::CognitoUserSmsMfaSettings``: a user's legacy SMS MFA options (``AdminSetUserSettings``).

The request-by-request design is in ``docs/design.md``; the decisions are in :mod:`.settings_decisions`, the
retries in :mod:`.retry`. Cognito is called in the Region the pool id names (``eu-west-1_AbC123``), whatever the
Lambda's own Region; a Delete first asks whether another live resource of the stack, of any type, now holds the
user's options (:mod:`.holders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import retry, settings_decisions, user_lookup
from .errors import HandlerError, OutcomeUnknownError
from .properties import NO_PHYSICAL_ID, UserRef, response_data
from .resource import Request, Result, pool_subject

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .resource import ResourceType
    from .retry import Deadline
    from .rules import MfaOption
    from .settings_decisions import MfaRequest


class UserSmsMfaSettings:
    """Create/Update give the user exactly the desired options; Delete clears the options of the user the id names,
    unless another live resource of the stack now holds them (the same id, or a batch listing the user)."""

    def apply(self, request: Request) -> Result:
        desired = settings_decisions.parse_properties(request.properties)
        applied = apply_settings(request.clients.for_pool(desired.user_pool_id), desired, request.deadline)
        new_id = settings_decisions.physical_id(applied.user)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = settings_decisions.apply_detail(
            written=applied.written, read_back=applied.read_back, replaced=replaced
        )
        return Result(new_id, detail, response_data(applied.user))

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        user = settings_decisions.parse_physical_id(physical_id)
        if user is None:
            return Result(physical_id, "not-ours")
        from . import holders  # only a Delete asks who else holds the user (the batch modules stay unloaded)

        client = request.clients.for_pool(user.user_pool_id)
        held = holders.held_for(request, client, user, (holders.OPTIONS,))
        if held is None:
            return Result(physical_id, "kept-unverified")
        if held:
            return Result(physical_id, "handed-over")
        cleared = clear_settings(client, user, request.deadline)
        return Result(physical_id, "cleared" if cleared else "gone")

    def made(self, physical_id: str | None) -> bool:
        return settings_decisions.parse_physical_id(physical_id) is not None

    def log_subject(self, request: Request) -> str:
        return pool_subject(request, settings_decisions.parse_physical_id)


@dataclass(frozen=True)
class Applied:
    """What Create/Update did: the canonical user, whether AdminSetUserSettings ran, and whether its outcome
    was only known by reading the user back."""

    user: UserRef
    written: bool
    read_back: bool = False


def apply_settings(client: CognitoIdentityProviderClient, request: MfaRequest, deadline: Deadline) -> Applied:
    """Give the user exactly ``request.mfa_options``: look the user up, then write only if they differ."""
    found = user_lookup.get_user(client, request, deadline)
    user = UserRef(request.user_pool_id, found["Username"])
    if not settings_decisions.needs_write(settings_decisions.current_options(found), request.mfa_options):
        return Applied(user, written=False)
    kwargs = settings_decisions.settings_kwargs(user, request.mfa_options)
    try:
        retry.call("AdminSetUserSettings", request, deadline, lambda: client.admin_set_user_settings(**kwargs))
    except OutcomeUnknownError as error:
        return _read_back(client, user, settings_decisions.current_options(found), request, deadline, error)
    return Applied(user, written=True)


def _read_back(
    client: CognitoIdentityProviderClient,
    user: UserRef,
    before: tuple[MfaOption, ...],
    request: MfaRequest,
    deadline: Deadline,
    error: OutcomeUnknownError,
) -> Applied:
    """After a write whose outcome is unknown, answer from what the user holds now.

    The desired options: the write happened, SUCCESS. The options from before: it did not, FAILED with the
    usual id (nothing to undo). Anything else, or no answer: FAILED carrying the user's own physical id, so that
    CloudFormation's rollback Delete (after a Create) clears the options the write may have set.
    """
    try:
        found = retry.call(
            "AdminGetUser",
            request,
            deadline,
            lambda: client.admin_get_user(UserPoolId=user.user_pool_id, Username=user.username),
        )
    except HandlerError:
        found = None
    now = None if found is None else settings_decisions.current_options(found)
    if now is not None and not settings_decisions.needs_write(now, request.mfa_options):
        return Applied(user, written=True, read_back=True)
    if now is not None and not settings_decisions.needs_write(now, before):
        raise error
    physical_id = settings_decisions.physical_id(user)
    raise HandlerError(f"{error} (the options may have changed)", physical_id=physical_id) from None


def clear_settings(client: CognitoIdentityProviderClient, user: UserRef, deadline: Deadline) -> bool:
    """Clear the user's options; return False when the user or the pool no longer exists."""
    kwargs = settings_decisions.settings_kwargs(user, ())
    return retry.call_unless_gone(
        "AdminSetUserSettings", user, deadline, lambda: client.admin_set_user_settings(**kwargs)
    )


RESOURCE: ResourceType = UserSmsMfaSettings()
