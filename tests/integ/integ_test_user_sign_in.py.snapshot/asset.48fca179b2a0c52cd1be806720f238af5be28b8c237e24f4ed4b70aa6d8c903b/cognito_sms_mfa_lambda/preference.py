"""``Custom::CognitoUserMfaPreference``: a user's MFA factors through ``AdminSetUserMFAPreference``.

The request-by-request design is in ``docs/design.md``; the decisions are in :mod:`.preference_decisions`, the
retries in :mod:`.retry`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import preference_decisions, retry, user_lookup
from .errors import HandlerError
from .properties import NO_PHYSICAL_ID, UserRef, response_data
from .resource import Request, Result, pool_subject

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .preference_decisions import FactorStates
    from .resource import ResourceType
    from .retry import Deadline

SET_PREFERENCE = "AdminSetUserMFAPreference"


class UserMfaPreference:
    """Create/Update put the managed factors in their states; Delete disables them for the user the id names."""

    def apply(self, request: Request) -> Result:
        desired = preference_decisions.parse_properties(request.properties)
        client = request.clients.for_pool(desired.user_pool_id)
        found = user_lookup.get_user(client, desired.user, request.deadline)
        user = UserRef(desired.user_pool_id, found["Username"])
        written = preference_decisions.needs_write(preference_decisions.current_factors(found), desired.factors)
        if written:
            kwargs = preference_decisions.preference_kwargs(user, desired.factors)
            retry.call(
                SET_PREFERENCE,
                user,
                request.deadline,
                lambda: client.admin_set_user_mfa_preference(**kwargs),
                preference_decisions.refusal_reason,
            )
        new_id = preference_decisions.physical_id(user)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = ("written" if written else "unchanged") + ("+replaced" if replaced else "")
        return Result(new_id, detail, response_data(user))

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or NO_PHYSICAL_ID
        user = preference_decisions.parse_physical_id(physical_id)
        if user is None:
            return Result(physical_id, "not-ours")
        try:
            factors = preference_decisions.parse_factors(request.properties)
        except HandlerError:  # never true of an id we answered; a Delete must not fail on its input
            return Result(physical_id, "no-factors")
        from . import holders  # only a Delete asks who else holds the user (the batch modules stay unloaded)

        client = request.clients.for_pool(user.user_pool_id)
        held = holders.held_for(request, client, user, preference_decisions.held_settings(factors))
        if held is None:
            return Result(physical_id, "kept-unverified")
        handed = bool(held)
        factors = preference_decisions.not_held(factors, held)
        if not factors:
            return Result(physical_id, "handed-over")
        disabled = disable_factors(client, user, factors, request.deadline)
        return Result(physical_id, ("disabled" if disabled else "gone") + ("+partly-handed-over" if handed else ""))

    def made(self, physical_id: str | None) -> bool:
        return preference_decisions.parse_physical_id(physical_id) is not None

    def log_subject(self, request: Request) -> str:
        return pool_subject(request, preference_decisions.parse_physical_id)


def disable_factors(
    client: CognitoIdentityProviderClient, user: UserRef, factors: FactorStates, deadline: Deadline
) -> bool:
    """Disable ``factors`` of ``user`` (not enabled, not preferred); False when the user or pool is gone."""
    kwargs = preference_decisions.preference_kwargs(user, preference_decisions.disabled(factors))
    return retry.call_unless_gone(
        SET_PREFERENCE,
        user,
        deadline,
        lambda: client.admin_set_user_mfa_preference(**kwargs),
        preference_decisions.refusal_reason,
    )


RESOURCE: ResourceType = UserMfaPreference()
