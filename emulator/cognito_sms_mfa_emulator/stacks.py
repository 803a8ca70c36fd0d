"""The emulator's record of deployments, served as CloudFormation's ``ListStackResources``, ``GetTemplate`` and
``DescribeStacks``.

The handler asks CloudFormation which resources of its own stack hold a physical id before a Delete clears a
user (see ``docs/design.md``, hand-over on Delete); the drift check reads a deployed stack's template, resources
and parameters. Offline, whoever plays CloudFormation (the rehearsal, a test) records each resource it creates,
updates or deletes here, and each stack's template and parameters, and the emulator answers from that record in
CloudFormation's query protocol: a form-encoded POST with an ``Action`` and an XML answer, ``ListStackResources``
paginated with ``NextToken``. ``StackName`` takes the stack id or the stack's name. An unknown stack answers
``ValidationError`` as CloudFormation does.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from cognito_sms_mfa_lambda.own_stack import stack_name

__all__ = [
    "DEFAULT_STACK_STATUS",
    "PAGE_SIZE",
    "StackRecord",
    "StackResource",
    "describe_stacks_xml",
    "error_xml",
    "get_template_xml",
    "list_stack_resources_xml",
    "validation_error_xml",
]

PAGE_SIZE = 100
# What DescribeStacks answers for a stack whose status was never set: a stack at rest after its first deployment.
DEFAULT_STACK_STATUS = "CREATE_COMPLETE"
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


@dataclass
class _Stack:
    resources: dict[str, StackResource] = field(default_factory=dict)
    template: dict[str, Any] | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    created_at: float = field(default_factory=time.time)  # served as DescribeStacks' CreationTime
    status: str = DEFAULT_STACK_STATUS  # served as DescribeStacks' StackStatus


class StackRecord:
    """Stack id to its resources by logical id (in the order they were first recorded), its template and its
    parameters; guarded by one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stacks: dict[str, _Stack] = {}

    def record(self, stack_id: str, resource: StackResource) -> None:
        """Add or replace the resource with ``resource.logical_id`` in the stack (creating the stack)."""
        with self._lock:
            self._stacks.setdefault(stack_id, _Stack()).resources[resource.logical_id] = resource

    def record_stack(self, stack_id: str, template: dict[str, Any], parameters: dict[str, str]) -> None:
        """Set the stack's template and parameter values (creating the stack), as a deployment leaves them."""
        with self._lock:
            stack = self._stacks.setdefault(stack_id, _Stack())
            stack.template, stack.parameters = template, dict(parameters)

    def set_status(self, stack_id: str, status: str) -> None:
        """Set the stack's status (creating the stack), as CloudFormation moves it through an operation
        (``UPDATE_IN_PROGRESS``, ``UPDATE_ROLLBACK_IN_PROGRESS``, ...)."""
        with self._lock:
            self._stacks.setdefault(stack_id, _Stack()).status = status

    def status(self, stack_id: str) -> str:
        """The stack's status (``DEFAULT_STACK_STATUS`` until set, and for a stack never recorded)."""
        with self._lock:
            found = self._stacks.get(stack_id)
            return DEFAULT_STACK_STATUS if found is None else found.status

    def stack_id(self, name_or_id: str) -> str | None:
        """The id of the stack that ``name_or_id`` names (its id, or its name as in the id), or None."""
        with self._lock:
            if name_or_id in self._stacks:
                return name_or_id
            return next((found for found in self._stacks if stack_name(found) == name_or_id), None)

    def resources(self, stack_id: str) -> list[StackResource] | None:
        """The stack's resources, or None for a stack never recorded."""
        with self._lock:
            found = self._stacks.get(stack_id)
            return None if found is None else list(found.resources.values())

    def template(self, stack_id: str) -> dict[str, Any] | None:
        """The stack's recorded template, or None when none was recorded."""
        with self._lock:
            found = self._stacks.get(stack_id)
            return None if found is None else found.template

    def parameters(self, stack_id: str) -> dict[str, str]:
        """The stack's recorded parameter values (empty when none were recorded)."""
        with self._lock:
            found = self._stacks.get(stack_id)
            return {} if found is None else dict(found.parameters)

    def created_at(self, stack_id: str) -> float:
        """When the stack was first recorded (epoch seconds; now for a stack never recorded)."""
        with self._lock:
            found = self._stacks.get(stack_id)
            return time.time() if found is None else found.created_at

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


def get_template_xml(template: dict[str, Any], request_id: str) -> str:
    """A ``GetTemplate`` answer: the template as JSON text (botocore parses it back into a dict)."""
    body = escape(json.dumps(template))
    return (
        f'<GetTemplateResponse xmlns="{XML_NAMESPACE}"><GetTemplateResult><TemplateBody>{body}</TemplateBody>'
        "<StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable></GetTemplateResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></GetTemplateResponse>"
    )


def describe_stacks_xml(
    stack_id: str, parameters: dict[str, str], created_at: float, request_id: str, status: str = DEFAULT_STACK_STATUS
) -> str:
    """A ``DescribeStacks`` answer for one stack: its name, id, creation time, status and parameter values."""
    members = "".join(
        f"<member><ParameterKey>{escape(key)}</ParameterKey><ParameterValue>{escape(value)}</ParameterValue></member>"
        for key, value in parameters.items()
    )
    return (
        f'<DescribeStacksResponse xmlns="{XML_NAMESPACE}"><DescribeStacksResult><Stacks><member>'
        f"<StackName>{escape(stack_name(stack_id))}</StackName><StackId>{escape(stack_id)}</StackId>"
        f"<CreationTime>{_timestamp(created_at)}</CreationTime><StackStatus>{escape(status)}</StackStatus>"
        f"<Parameters>{members}</Parameters></member></Stacks></DescribeStacksResult>"
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></DescribeStacksResponse>"
    )


def error_xml(code: str, message: str, request_id: str) -> str:
    """CloudFormation's error answer for a request it rejects (``ValidationError``, ``AccessDenied``...)."""
    return (
        f'<ErrorResponse xmlns="{XML_NAMESPACE}"><Error><Type>Sender</Type><Code>{escape(code)}</Code>'
        f"<Message>{escape(message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )


def validation_error_xml(message: str, request_id: str) -> str:
    """CloudFormation's error answer (HTTP 400) for a request it rejects, such as an unknown stack."""
    return error_xml("ValidationError", message, request_id)
