"""What every custom resource type of this handler provides, what a request hands it, and the types' names.

``index.py`` picks the :class:`ResourceType` for ``event["ResourceType"]`` from its table and calls ``apply``
(Create and Update) or ``delete``; the type returns a :class:`Result` and raises :class:`.errors.HandlerError` for
a request that cannot succeed (its message is the FAILED Reason). The names are here, beside the contract, so that
the construct library and the emulator can name a type without importing its module (which needs botocore).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .clients import Clients
    from .properties import Subject
    from .retry import Deadline

SETTINGS_RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettings"
PREFERENCE_RESOURCE_TYPE = "Custom::CognitoUserMfaPreference"
TEST_USER_RESOURCE_TYPE = "Custom::CognitoTestUser"
SETTINGS_BATCH_RESOURCE_TYPE = "Custom::CognitoUserSmsMfaSettingsBatch"
# How long one request of a single-user type may work (its retries end before): the function's timeout when the
# stack has no batch. A stack with a batch raises the function's timeout to BATCH_FUNCTION_TIMEOUT_S for the
# batch's sake; the single-user types keep their own budget, so their retries and answers do not change.
SINGLE_REQUEST_BUDGET_S = 120
BATCH_FUNCTION_TIMEOUT_S = 900
# Where a request that goes on in a further invocation keeps its state: a key of crhelper's Data, which crhelper's
# polling mode carries to the next invocation as ``CrHelperData`` (docs/design.md, batches, time).
CONTINUATION_KEY = "Continuation"
POLL_MARK = "CrHelperPoll"


def _keep(_: str) -> None:
    """The default of :attr:`Request.answers_failure_with`: the answer's id stays as it is."""


def _paused() -> bool:
    """The default of :attr:`Request.pause_polling`: nothing to pause."""
    return True


@dataclass(frozen=True)
class Request:
    """One CloudFormation request: the event, the clients and the request's clock.

    ``answers_failure_with(id)`` makes any FAILED answer of this request carry ``id`` (on Create only; also the
    answer of crhelper's timer), so a rollback Delete can undo what a request that stopped half way did.
    ``pause_polling()`` disables the rule that fired a continuation's poll; False when the rule is gone (crhelper
    removed it after answering: this poll is a late duplicate).
    """

    event: dict[str, Any]
    clients: Clients
    deadline: Deadline
    answers_failure_with: Callable[[str], None] = _keep
    pause_polling: Callable[[], bool] = _paused

    @property
    def request_type(self) -> str:
        return str(self.event.get("RequestType", ""))

    @property
    def properties(self) -> dict[str, Any]:
        properties: dict[str, Any] = self.event.get("ResourceProperties") or {}
        return properties

    @property
    def physical_id(self) -> str | None:
        value = self.event.get("PhysicalResourceId")
        return value if isinstance(value, str) else None

    @property
    def is_poll(self) -> bool:
        """Whether this invocation continues a request an earlier invocation started (crhelper's poll)."""
        return POLL_MARK in self.event

    @property
    def continued_state(self) -> object:
        """The state the earlier invocation left (None in the request's first invocation)."""
        if not self.is_poll:
            return None
        data = self.event.get("CrHelperData")
        return data.get(CONTINUATION_KEY) if isinstance(data, dict) else None


@dataclass(frozen=True)
class Result:
    """What a request did: the physical id to answer, the response Data, and a word or two for the log line."""

    physical_id: str
    detail: str
    data: dict[str, str] = field(default_factory=dict)
    # Set when the request goes on in a further invocation: no answer now, this state travels to the next one.
    continuation: dict[str, Any] | None = None
    # Set when this delivery repeats an invocation that already ran (at-least-once delivery): no answer, no work.
    duplicate: bool = False


class ResourceType(Protocol):
    """A custom resource type the handler serves."""

    def apply(self, request: Request) -> Result:
        """Create or Update: make the target match the properties."""
        ...

    def delete(self, request: Request) -> Result:
        """Delete: undo what ``apply`` did for the physical id; never fail for an id that is not ours."""
        ...

    def log_subject(self, request: Request) -> str:
        """What the log line names as the request's subject (a pool id; never a username or phone number)."""
        ...

    def made(self, physical_id: str | None) -> bool:
        """Whether ``physical_id`` is an id this type answers (in any format it ever answered): an Update of any
        other id is refused before any call."""
        ...


def pool_subject(request: Request, parse_physical_id: Callable[[object], Subject | None]) -> str:
    """The pool a request concerns, for the log line: the one its id names on Delete, its property otherwise."""
    if request.request_type == "Delete":
        user = parse_physical_id(request.physical_id)
        return user.user_pool_id if user else "-"
    pool = request.properties.get("UserPoolId")
    return pool if isinstance(pool, str) else "-"
