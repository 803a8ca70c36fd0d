"""``Custom::CognitoUserSmsMfaSettings``: a user's legacy SMS MFA options (``AdminSetUserSettings``).

The request-by-request design is in ``docs/design.md``; the decisions are in :mod:`.mfa`, the calls in
:mod:`.cognito`. Cognito is called in the Region the pool id names (``eu-west-1_AbC123``), whatever the Lambda's
own Region; a Delete first asks whether another resource of the stack now holds the id (:mod:`.handover`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import cognito, handover, mfa
from .resource import Request, Result, pool_subject

if TYPE_CHECKING:
    from .resource import ResourceType


class UserSmsMfaSettings:
    """Create/Update give the user exactly the desired options; Delete clears the options of the user the id names,
    unless another live resource of the stack now holds the same id."""

    def apply(self, request: Request) -> Result:
        desired = mfa.parse_properties(request.properties)
        applied = cognito.apply_settings(request.clients.for_pool(desired.user_pool_id), desired, request.deadline)
        new_id = mfa.physical_id(applied.user)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = mfa.apply_detail(written=applied.written, read_back=applied.read_back, replaced=replaced)
        return Result(new_id, detail, mfa.response_data(applied.user))

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or mfa.NO_PHYSICAL_ID
        user = mfa.parse_physical_id(physical_id)
        if user is None:
            return Result(physical_id, "not-ours")
        kept = handover.kept_by_delete(request)
        if kept is not None:
            return Result(physical_id, kept)
        cleared = cognito.clear_settings(request.clients.for_pool(user.user_pool_id), user, request.deadline)
        return Result(physical_id, "cleared" if cleared else "gone")

    def log_subject(self, request: Request) -> str:
        return pool_subject(request, mfa.parse_physical_id)


RESOURCE: ResourceType = UserSmsMfaSettings()
