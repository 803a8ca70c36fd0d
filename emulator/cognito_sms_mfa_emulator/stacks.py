"""The emulator's record of deployments, served as CloudFormation's ``ListStackResources``.

The handler asks CloudFormation which resources of its own stack hold a physical id before a Delete clears a
user (see ``docs/design.md``, hand-over on Delete). Offline, whoever plays CloudFormation (the rehearsal, a test)
records each resource it creates, updates or deletes here, and the emulator answers the question from that
record in CloudFormation's query protocol: a form-encoded POST with ``Action=ListStackResources`` and an XML
answer, paginated with ``NextToken``. An unknown stack answers ``ValidationError`` as CloudFormation does.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from xml.sax.saxutils import escape

__all__ = ["PAGE_SIZE", "StackRecord", "StackResource", "list_stack_resources_xml", "validation_error_xml"]

PAGE_SIZE = 100
XML_NAMESPACE = "http://cloudformation.amazonaws.com/doc/2010-05-15/"


@dataclass(frozen=True)
class StackResource:
    """One resource of a stack as ``ListStackResources`` summarises it."""

    logical_id: str
    physical_id: str
    resource_type: str
    status: str
    recorded_at: float = field(default_factory=time.time, compare=False)
    """When the record was made (epoch seconds): served as ``LastUpdatedTimestamp``, as CloudFormation stamps a
    resource at each status change."""

    @classmethod
    def from_json(cls, body: object) -> StackResource:
        """Read a resource from a JSON object with the four fields (ValueError naming the first bad one).

        ``physical_id`` may be empty: a resource being created has none yet.
        """
        if not isinstance(body, dict):
            raise ValueError(f"expected a JSON object with {', '.join(FIELDS)}; received {body!r}")
        values = []
        for name in FIELDS:
            value = body.get(name)
            if not isinstance(value, str) or (not value and name != "physical_id"):
                raise ValueError(f"{name} must be a non-empty string; received {value!r}")
            values.append(value)
        logical_id, physical_id, resource_type, status = values
        return cls(logical_id, physical_id, resource_type, status)

    def to_json(self) -> dict[str, str]:
        """The resource as a JSON object (the fields of :meth:`from_json`)."""
        return {name: value for name, value in asdict(self).items() if name in FIELDS}


FIELDS = ("logical_id", "physical_id", "resource_type", "status")


class StackRecord:
    """Stack id to its resources by logical id, in the order they were first recorded; guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stacks: dict[str, dict[str, StackResource]] = {}

    def record(self, stack_id: str, resource: StackResource) -> None:
        """Add or replace the resource with ``resource.logical_id`` in the stack (creating the stack)."""
        with self._lock:
            self._stacks.setdefault(stack_id, {})[resource.logical_id] = resource

    def resources(self, stack_id: str) -> list[StackResource] | None:
        """The stack's resources, or None for a stack never recorded."""
        with self._lock:
            found = self._stacks.get(stack_id)
            return None if found is None else list(found.values())

    def forget(self, stack_id: str) -> None:
        """Forget one stack (it then answers ``ValidationError``, as a stack that does not exist)."""
        with self._lock:
            self._stacks.pop(stack_id, None)

    def reset(self) -> None:
        """Forget every stack."""
        with self._lock:
            self._stacks.clear()


def list_stack_resources_xml(resources: list[StackResource], next_token: str | None, request_id: str) -> str:
    """One page of a ``ListStackResources`` answer: the page starting at ``next_token`` (an index)."""
    start = int(next_token) if next_token and next_token.isdigit() else 0
    page = resources[start : start + PAGE_SIZE]
    members = "".join(_member(resource) for resource in page)
    more = start + PAGE_SIZE < len(resources)
    token = f"<NextToken>{start + PAGE_SIZE}</NextToken>" if more else ""
    return (
        f'<ListStackResourcesResponse xmlns="{XML_NAMESPACE}"><ListStackResourcesResult>'
        f"<StackResourceSummaries>{members}</StackResourceSummaries>{token}</ListStackResourcesResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></ListStackResourcesResponse>"
    )


def _member(resource: StackResource) -> str:
    """One ``StackResourceSummaries`` member; a resource without a physical id yet has no such element."""
    physical = ""
    if resource.physical_id:
        physical = f"<PhysicalResourceId>{escape(resource.physical_id)}</PhysicalResourceId>"
    return (
        f"<member><LogicalResourceId>{escape(resource.logical_id)}</LogicalResourceId>{physical}"
        f"<ResourceType>{escape(resource.resource_type)}</ResourceType>"
        f"<LastUpdatedTimestamp>{_timestamp(resource.recorded_at)}</LastUpdatedTimestamp>"
        f"<ResourceStatus>{escape(resource.status)}</ResourceStatus></member>"
    )


def _timestamp(epoch: float) -> str:
    """CloudFormation's ISO 8601 UTC timestamp with milliseconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 1000):03d}Z"


def validation_error_xml(message: str, request_id: str) -> str:
    """CloudFormation's error answer (HTTP 400) for a request it rejects, such as an unknown stack."""
    return (
        f'<ErrorResponse xmlns="{XML_NAMESPACE}"><Error><Type>Sender</Type><Code>ValidationError</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
