"""What the drift check reads from a deployed stack: which resources to check, for which user, with which properties.

Plain functions of what CloudFormation answered (``GetTemplate``, ``ListStackResources``, ``DescribeStacks``): no
boto3. The properties are resolved as CloudFormation resolved them for the handler: ``Ref`` (parameters, a
``CommaDelimitedList`` or ``List<...>`` one as a list, pseudo parameters, the physical ids of the stack's resources),
``Fn::Join``, ``Fn::Select``, ``Fn::Split`` and
``Fn::Sub``; scalars become strings, as a custom resource receives them. Any other intrinsic (``Fn::If``,
``Fn::GetAtt``, ``Fn::ImportValue``...) leaves the resource NOT_CHECKED with the reason, except in a property the
handler's physical id records (``UserPoolId`` and ``Username``; a batch's pool and list location, digest and
count): the id's value is used. Each resource is named by its construct path (``aws:cdk:path`` metadata) where the
template has one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_lambda import ownership, preference_decisions, settings_batch_decisions, settings_decisions
from cognito_sms_mfa_lambda.properties import FRAMEWORK_PROPERTIES
from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)
from cognito_sms_mfa_rehearsal.assembly import construct_path, parameter_value

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from cognito_sms_mfa_lambda.manifest import ManifestLocation

NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
CHECKED_TYPES = (
    SETTINGS_RESOURCE_TYPE,
    PREFERENCE_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
)
BATCH_ID_FORM = "cognito-sms-mfa-batch:<pool>:<sha256>:<count>:s3://<bucket>/<key>"
NO_VALUE = "AWS::NoValue"
NO_ECHO_VALUE = "****"
RESOLVED = ("Ref", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub")


class UnresolvedError(Exception):
    """A property the drift check cannot resolve; the message says which and why."""


@dataclass(frozen=True)
class DeployedStack:
    """One stack as CloudFormation holds it: the template, its resources' summaries and its parameter values.

    ``name`` is what the table shows (``Parent/Inner`` for a nested stack), ``stack_id`` the stack's ARN,
    ``status`` its ``StackStatus`` and ``region`` the Region it was read in.
    """

    name: str
    stack_id: str
    template: Mapping[str, Any]
    resources: Sequence[Mapping[str, Any]]
    parameters: Mapping[str, str] = field(default_factory=dict)
    status: str = "CREATE_COMPLETE"
    region: str = ""

    def physical_ids(self) -> dict[str, str]:
        """Physical id by logical id, for the resources that have one."""
        return {
            str(item["LogicalResourceId"]): str(item["PhysicalResourceId"])
            for item in self.resources
            if item.get("PhysicalResourceId")
        }

    def nested_stacks(self) -> list[tuple[str, str]]:
        """``(logical id, stack id)`` of each nested stack this stack holds (not being deleted)."""
        return [
            (str(item["LogicalResourceId"]), str(item["PhysicalResourceId"]))
            for item in self.resources
            if item.get("ResourceType") == NESTED_STACK_TYPE
            and item.get("PhysicalResourceId")
            and not str(item.get("ResourceStatus", "")).startswith("DELETE_")
        ]


@dataclass(frozen=True)
class Target:
    """One resource to check: the user (or, for a batch, the list) its physical id names and its resolved
    properties, or why it cannot be."""

    stack: str
    logical_id: str
    resource_type: str
    user_pool_id: str = ""
    username: str = ""  # "" for a batch
    sub: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # why it is NOT_CHECKED ("" when it can be checked)
    manifest: ManifestLocation | None = None  # a batch's list
    path: str = ""  # the construct path (aws:cdk:path); "" where the template has none
    region: str = ""  # the stack's Region (where a batch's list is)

    @property
    def checkable(self) -> bool:
        return not self.reason


def targets(stack: DeployedStack) -> list[Target]:
    """A :class:`Target` for every resource of the checked types in the template, in template order.

    A resource with a ``Condition`` that the stack does not list was not created: nothing to check.
    """
    listed = {str(item["LogicalResourceId"]): item for item in stack.resources}
    resources: Mapping[str, Any] = stack.template.get("Resources") or {}
    found = []
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        if kind not in CHECKED_TYPES or (logical_id not in listed and "Condition" in resource):
            continue
        found.append(_target(stack, logical_id, str(kind), resource.get("Properties") or {}, listed.get(logical_id)))
    return found


def _target(
    stack: DeployedStack, logical_id: str, kind: str, raw: Mapping[str, Any], listed: Mapping[str, Any] | None
) -> Target:
    path = construct_path(stack.template["Resources"][logical_id]) or ""

    def not_checked(reason: str) -> Target:
        return Target(stack.name, logical_id, kind, reason=reason, path=path, region=stack.region)

    if listed is None:
        return not_checked("in the template, but not among the stack's resources (ListStackResources)")
    status = str(listed.get("ResourceStatus", ""))
    if not status.endswith("_COMPLETE") or status.startswith("DELETE_"):
        return not_checked(f"resource status {status}: not deployed as the template declares")
    physical_id = str(listed.get("PhysicalResourceId", ""))
    named = _named_by(kind, physical_id)
    if named is None:
        if kind == SETTINGS_BATCH_RESOURCE_TYPE:
            return not_checked(f"physical id {physical_id[:60]!r} is not a batch id ({BATCH_ID_FORM})")
        return not_checked(f"physical id {physical_id[:60]!r} names no user (not an id the handler answers)")
    recorded = named.recorded()
    resolve = _resolver(stack)
    properties: dict[str, Any] = {}
    for name, value in raw.items():
        if name in FRAMEWORK_PROPERTIES:
            continue
        try:
            resolved = resolve(value)
        except UnresolvedError as error:
            if name not in recorded:
                return not_checked(f"{name}: {error}")
            resolved = recorded[name]
        if resolved is not _REMOVED:
            properties[name] = resolved
    return Target(
        stack.name, logical_id, kind, named.user_pool_id, named.username, named.sub, properties,
        manifest=named.manifest, path=path, region=stack.region,
    )  # fmt: skip


@dataclass(frozen=True)
class _Named:
    """What a physical id names: the pool, and the canonical username with (a test user's, where recorded) its
    sub, or a batch's list."""

    user_pool_id: str
    username: str = ""
    sub: str | None = None
    manifest: ManifestLocation | None = None

    def recorded(self) -> dict[str, str]:
        """The properties the id records, by name: an unresolved one is taken from it."""
        if self.manifest is None:
            return {"UserPoolId": self.user_pool_id, "Username": self.username}
        return {
            "UserPoolId": self.user_pool_id,
            "ManifestBucket": self.manifest.bucket,
            "ManifestKey": self.manifest.key,
            "ManifestSha256": self.manifest.sha256,
            "UserCount": str(self.manifest.count),
        }


def _named_by(kind: str, physical_id: str) -> _Named | None:
    """What the physical id of a resource of ``kind`` names, or None when it is not an id of that type."""
    if kind == TEST_USER_RESOURCE_TYPE:
        test_user = ownership.parse_physical_id(physical_id)
        return None if test_user is None else _Named(test_user.user_pool_id, test_user.username, test_user.sub)
    if kind == SETTINGS_BATCH_RESOURCE_TYPE:
        batch = settings_batch_decisions.parse_physical_id(physical_id)
        return None if batch is None else _Named(batch.user_pool_id, manifest=batch.manifest)
    decisions = settings_decisions if kind == SETTINGS_RESOURCE_TYPE else preference_decisions
    user = decisions.parse_physical_id(physical_id)
    return None if user is None else _Named(user.user_pool_id, user.username)


class _Removed:
    """``Ref: AWS::NoValue``: the property is left out."""


_REMOVED = _Removed()


def _pseudo_parameters(stack: DeployedStack) -> dict[str, str]:
    """The pseudo parameters, read from the stack id ``arn:<partition>:cloudformation:<region>:<account>:stack/...``."""
    parts = stack.stack_id.split(":")
    partition, region, account = (parts[1], parts[3], parts[4]) if len(parts) > 5 else ("aws", "", "")
    suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    name = stack.stack_id.partition(":stack/")[2].partition("/")[0] or stack.name
    found = {
        "AWS::Partition": partition,
        "AWS::Region": region,
        "AWS::AccountId": account,
        "AWS::StackId": stack.stack_id,
        "AWS::StackName": name,
        "AWS::URLSuffix": suffix,
    }
    return {key: value for key, value in found.items() if value}


def _resolver(stack: DeployedStack) -> Callable[[Any], Any]:
    """A function that resolves a property value of ``stack`` (UnresolvedError for what it cannot)."""
    names: dict[str, str | list[str]] = {**stack.physical_ids(), **_pseudo_parameters(stack)}
    declared: Mapping[str, Any] = stack.template.get("Parameters") or {}
    for name, declaration in declared.items():
        value = stack.parameters.get(name, declaration.get("Default"))
        if declaration.get("NoEcho") and value == NO_ECHO_VALUE:
            continue  # DescribeStacks masks it: unresolved
        if value is not None:
            names[name] = parameter_value(declaration, value)

    def ref(name: object) -> str | list[str]:
        if not isinstance(name, str) or name not in names:
            what = "a NoEcho parameter" if isinstance(name, str) and name in declared else "not resolvable"
            raise UnresolvedError(f"Ref {name!r} is {what} from the deployed stack")
        return names[name]

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [item for item in map(resolve, value) if item is not _REMOVED]
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            [(function, argument)] = value.items()
            if function == "Ref":
                return _REMOVED if argument == NO_VALUE else ref(argument)
            if function.startswith("Fn::") or function == "Condition":
                return _intrinsic(function, argument, resolve, ref)
        return {key: item for key, item in ((k, resolve(v)) for k, v in value.items()) if item is not _REMOVED}

    return resolve


def _intrinsic(
    function: str, argument: Any, resolve: Callable[[Any], Any], ref: Callable[[object], str | list[str]]
) -> Any:
    """``Fn::Join``, ``Fn::Select``, ``Fn::Split`` and ``Fn::Sub``; UnresolvedError for any other."""
    try:
        if function == "Fn::Join":
            separator, items = argument
            return str(separator).join(str(item) for item in _listed(function, resolve(items)))
        if function == "Fn::Select":
            index, items = argument
            return _listed(function, resolve(items))[int(resolve(index))]
        if function == "Fn::Split":
            separator, text = argument
            return str(resolve(text)).split(str(separator))
        if function == "Fn::Sub":
            text, variables = (argument, {}) if isinstance(argument, str) else argument
            return _substitute(str(text), {k: str(resolve(v)) for k, v in variables.items()}, ref)
    except (TypeError, ValueError, IndexError, AttributeError) as error:
        raise UnresolvedError(f"{function} is malformed ({error})") from None
    if function == "Fn::GetAtt":
        shown = ".".join(map(str, argument)) if isinstance(argument, list) else str(argument)
        raise UnresolvedError(f"Fn::GetAtt {shown} is a resource attribute, which CloudFormation does not answer")
    raise UnresolvedError(f"{function} is not resolved by the drift check (it resolves {', '.join(RESOLVED)})")


def _listed(function: str, value: Any) -> list[Any]:
    """``value`` when it is a list (a list parameter's Ref resolves to one); UnresolvedError otherwise."""
    if not isinstance(value, list):
        raise UnresolvedError(f"{function} takes a list; received {str(value)[:60]!r}")
    return value


def _substitute(text: str, variables: Mapping[str, str], ref: Callable[[object], str | list[str]]) -> str:
    """``Fn::Sub``: each ``${Name}`` replaced by a variable or a Ref; ``${!Literal}`` kept as ``${Literal}``."""
    out, rest = [], text
    while "${" in rest:
        before, _, after = rest.partition("${")
        name, closed, rest = after.partition("}")
        if not closed:
            raise UnresolvedError(f"Fn::Sub {text[:60]!r} has an unclosed ${{")
        if name.startswith("!"):
            out.append(before + "${" + name[1:] + "}")
        elif "." in name and name not in variables:
            raise UnresolvedError(f"Fn::Sub ${{{name}}} is an attribute (Fn::GetAtt), not readable from CloudFormation")
        else:
            value = variables[name] if name in variables else ref(name)
            if isinstance(value, list):
                raise UnresolvedError(f"Fn::Sub ${{{name}}} is a list parameter, which Fn::Sub cannot take")
            out.append(before + value)
    return "".join(out) + rest
