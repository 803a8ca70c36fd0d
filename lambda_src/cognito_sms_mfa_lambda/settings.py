"""``Custom::CognitoUserSmsMfaSettings``: a user's legacy SMS MFA options (``AdminSetUserSettings``).

The request-by-request design is in ``docs/design.md``; the decisions are in :mod:`.mfa`, the calls in
:mod:`.cognito`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import cognito, mfa
from .resource import Request, Result, pool_subject

if TYPE_CHECKING:
    from .resource import ResourceType


class UserSmsMfaSettings:
    """Create/Update give the user exactly the desired options; Delete clears the options of the user the id names."""

    def apply(self, request: Request) -> Result:
        applied = cognito.apply_settings(
            request.clients.cognito(), mfa.parse_properties(request.properties), request.deadline
        )
        new_id = mfa.physical_id(applied.user)
        replaced = request.request_type == "Update" and new_id != request.physical_id
        detail = ("written" if applied.written else "unchanged") + ("+replaced" if replaced else "")
        return Result(new_id, detail, mfa.response_data(applied.user))

    def delete(self, request: Request) -> Result:
        physical_id = request.physical_id or mfa.NO_PHYSICAL_ID
        user = mfa.parse_physical_id(physical_id)
        if user is None:
            return Result(physical_id, "not-ours")
        cleared = cognito.clear_settings(request.clients.cognito(), user)
        return Result(physical_id, "cleared" if cleared else "gone")

    def log_subject(self, request: Request) -> str:
        return pool_subject(request, mfa.parse_physical_id)


RESOURCE: ResourceType = UserSmsMfaSettings()
