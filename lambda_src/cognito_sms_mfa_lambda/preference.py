"""``Custom::CognitoUserMfaPreference``: a user's MFA factors through ``AdminSetUserMFAPreference``.

The request-by-request design is in ``docs/design.md``; the decisions are in :mod:`.mfa_preference`, the call and
retry helper in :mod:`.cognito`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import cognito, handover, mfa
from . import mfa_preference as decide
from .resource import Request, Result

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .resource import ResourceType

SET_PREFERENCE = "AdminSetUserMFAPreference"


class UserMfaPreference:
    """Create/Update put the managed factors in their states; Delete disables them for the user the id names."""

    def apply(self, request: Request) -> Result:
        desired = decide.parse_properties(request.properties)
        client = request.clients.for_pool(desired.user_pool_id)
        found = cognito.call(
            "AdminGetUser",
            desired.user,
            request.deadline,
            lambda: client.admin_get_user(UserPoolId=desired.user_pool_id, Username=desired.username),
        )
        user = mfa.UserRef(desired.user_pool_id, found["Username"])
        written = decide.needs_write(decide.current_factors(found), desired.factors)
        if written:
            kwargs = decide.preference_kwargs(user, desired.factors)
            cognito.call(
                SET_PREFERENCE,
                user,
                request.deadline,
                lambda: client.admin_set_user_mfa_preference(**kwargs),
                decide.refusal_reason,
            )
        new_id = decide.physical_id(user)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = ("written" if written else "unchanged") + ("+replaced" if replaced else "")
        return Result(new_id, detail, mfa.response_data(user))

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or mfa.NO_PHYSICAL_ID
        user = decide.parse_physical_id(physical_id)
        if user is None:
            return Result(physical_id, "not-ours")
        try:
            factors = decide.parse_factors(request.properties)
        except mfa.HandlerError:  # never true of an id we answered; a Delete must not fail on its input
            return Result(physical_id, "no-factors")
        kept = handover.kept_by_delete(request)
        if kept is not None:
            return Result(physical_id, kept)
        disabled = disable_factors(request.clients.for_pool(user.user_pool_id), user, factors)
        return Result(physical_id, "disabled" if disabled else "gone")

    def log_subject(self, request: Request) -> str:
        if request.request_type == "Delete":
            user = decide.parse_physical_id(request.physical_id)
            return user.user_pool_id if user else "-"
        pool = request.properties.get("UserPoolId")
        return pool if isinstance(pool, str) else "-"


def disable_factors(client: CognitoIdentityProviderClient, user: mfa.UserRef, factors: decide.FactorStates) -> bool:
    """Disable ``factors`` of ``user`` (not enabled, not preferred); False when the user or pool is gone."""
    kwargs = decide.preference_kwargs(user, decide.disabled(factors))
    return cognito.call_unless_gone(
        SET_PREFERENCE, user, lambda: client.admin_set_user_mfa_preference(**kwargs), decide.refusal_reason
    )


RESOURCE: ResourceType = UserMfaPreference()
