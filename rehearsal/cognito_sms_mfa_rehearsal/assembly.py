"""Read a synthesized cloud assembly: its stacks (also those of stages, in nested assemblies), their nested
stacks, their resources in the order the rehearsal runs them, and the intrinsics that connect them.

Only what the rehearsal needs is resolved: ``Ref`` (resources, parameters, pseudo parameters; a
``CommaDelimitedList`` or ``List<...>`` parameter is a list), ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Select``,
``Fn::Split``, and the cross-stack references ``Fn::ImportValue`` and ``Fn::GetStackOutput``. Anything else is
an :class:`UnresolvedError` naming the resource, the expression and what to do; the rehearsal lists what depends
on it as not rehearsed and goes on.

A pure module (standard library only): the drift command reads an app's stacks, their construct paths and its
list parameters with it, without loading the emulator.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POOL_TYPE = "AWS::Cognito::UserPool"
USER_TYPE = "AWS::Cognito::UserPoolUser"
FUNCTION_TYPE = "AWS::Lambda::Function"
NESTED_STACK_TYPE = "AWS::CloudFormation::Stack"
SECRET_TYPE = "AWS::SecretsManager::Secret"
ACCOUNT = "000000000000"
RESOLVED = (
    "Ref", "Fn::GetAtt", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::Sub", "Fn::ImportValue", "Fn::GetStackOutput"
)  # fmt: skip
# ``${Name}`` or ``${Name.Attribute}`` in an Fn::Sub string (``${!Literal}`` stays as written, without the ``!``).
SUB_VARIABLE = re.compile(r"\$\{(!?)([^}]+)\}")
# Trailing construct ids that CDK adds under the construct a user wrote (L1 under L2, the custom resource's).
_INNER_IDS = ("Resource", "Default")
# The Region of an environment-agnostic stack's environment (``aws://unknown-account/unknown-region``).
UNKNOWN_REGION = "unknown-region"
UNKNOWN_ACCOUNT = "unknown-account"


def construct_path(resource: Mapping[str, Any]) -> str | None:
    """The construct path the CDK CLI wrote in a resource's ``aws:cdk:path`` metadata (``Users/AliceMfa``), without
    the ids CDK adds under the construct a user wrote (``Resource``, ``Default``); None where there is none."""
    metadata = resource.get("Metadata")
    full = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
    return "/".join(_trimmed(full.split("/"))) if isinstance(full, str) and full else None


def _trimmed(parts: list[str]) -> list[str]:
    while len(parts) > 1 and parts[-1] in _INNER_IDS:
        parts = parts[:-1]
    return parts


def is_list_parameter(declaration: Mapping[str, Any]) -> bool:
    """Whether a parameter's ``Type`` makes a ``Ref`` to it a list: ``CommaDelimitedList``, ``List<...>``, and
    their SSM forms (``AWS::SSM::Parameter::Value<List<String>>``)."""
    kind = str(declaration.get("Type", "String"))
    return "CommaDelimitedList" in kind or "List<" in kind


def parameter_value(declaration: Mapping[str, Any], value: Any) -> str | list[str]:
    """What a ``Ref`` to a parameter declared as ``declaration`` resolves to, given its value (as the stack was
    given it, or its ``Default``): for a list type, the comma-separated members, each trimmed of spaces as
    CloudFormation trims them; otherwise the value as a string."""
    if is_list_parameter(declaration):
        members = value if isinstance(value, list) else str(value).split(",")
        return [str(member).strip() for member in members]
    return str(value)


class AssemblyError(Exception):
    """The cloud assembly cannot be read as it is (no assembly, unknown stack, a dependency cycle)."""


class UnresolvedError(Exception):
    """One resource cannot be created offline; the message names it, the expression and what to do."""


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the assembly (or a nested stack): its names, template, assets and the stacks it needs.

    ``name`` is the CloudFormation stack name (``Staging-Users``), ``display_name`` the construct path the CDK
    CLI shows (``Staging/Users``); ``dependencies`` are the display names of the stacks deployed before it;
    ``region`` and ``account`` those of its environment (``aws://<account>/<region>``), None for an
    environment-agnostic stack.
    """

    name: str
    display_name: str
    template: dict[str, Any]
    assets: dict[str, Path]
    dependencies: tuple[str, ...] = ()
    nested: bool = False
    region: str | None = None
    account: str | None = None

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """The template's resources by logical id."""
        resources: dict[str, dict[str, Any]] = self.template.get("Resources", {})
        return resources

    def ordered(self, handled: Collection[str], first: Collection[str]) -> list[str]:
        """The logical ids of the ``handled`` types, each after everything it depends on.

        Among the resources that are ready, those of the ``first`` types go first, the rest in template order:
        CloudFormation may run independent resources in any order, so a missing dependency shows up here.
        """
        wanted = [lid for lid, res in self.resources.items() if res.get("Type") in handled]
        deps = {lid: set(self.dependencies_of(lid)) & set(wanted) for lid in wanted}
        order: list[str] = []
        while len(order) < len(wanted):
            ready = [lid for lid in wanted if lid not in order and deps[lid] <= set(order)]
            if not ready:
                cycle = sorted(set(wanted) - set(order))
                raise AssemblyError(f"{self.display_name}: circular dependency between {', '.join(cycle)}")
            preferred = [lid for lid in ready if self.resources[lid].get("Type") in first]
            order.append((preferred or ready)[0])
        return order

    def dependencies_of(self, logical_id: str) -> set[str]:
        """The logical ids ``logical_id`` depends on directly (``DependsOn``, ``Ref``, ``Fn::GetAtt``)."""
        resource = self.resources[logical_id]
        depends = resource.get("DependsOn", [])
        direct = {depends} if isinstance(depends, str) else set(depends)
        direct.update(_references(resource.get("Properties", {})))
        return direct & set(self.resources)

    def depends_on(self, logical_id: str, target: str) -> bool:
        """Whether ``logical_id`` depends on ``target``, directly or through other resources."""
        seen: set[str] = set()
        todo = [logical_id]
        while todo:
            current = todo.pop()
            for dependency in self.dependencies_of(current) - seen:
                if dependency == target:
                    return True
                seen.add(dependency)
                todo.append(dependency)
        return False

    def path(self, logical_id: str) -> str:
        """The construct path of a resource inside its stack (``AliceMfa``, ``Carol/MfaSettings``), from the
        ``aws:cdk:path`` metadata the CDK CLI writes; the logical id where there is none."""
        full = self.resources.get(logical_id, {}).get("Metadata", {}).get("aws:cdk:path")
        if not isinstance(full, str):
            return logical_id
        parts = full.split("/")[len(self.display_name.split("/")) :] if full.startswith(self.display_name) else []
        return "/".join(_trimmed(parts)) or logical_id

    def asset_dir(self, logical_id: str) -> Path:
        """The asset folder of a Lambda function's code."""
        code = self.resources[logical_id].get("Properties", {}).get("Code", {})
        key = code.get("S3Key")
        digest = key.removesuffix(".zip") if isinstance(key, str) else None
        if digest is None or digest not in self.assets:
            raise UnresolvedError(
                f"{self.display_name}/{self.path(logical_id)}: Code is not a file asset of this assembly"
                f" ({json.dumps(code)[:80]}); synthesize with `npx cdk synth` so the asset is in cdk.out"
            )
        return self.assets[digest]

    def nested_stack(self, logical_id: str) -> StackTemplate:
        """The template of the nested stack that resource ``logical_id`` deploys (its file is an asset)."""
        url = json.dumps(self.resources[logical_id].get("Properties", {}).get("TemplateURL"))
        for digest, template_file in self.assets.items():
            if template_file.suffix == ".json" and f"/{digest}.json" in url:
                name = self.path(logical_id).split("/")[0].removesuffix(".NestedStack")
                return StackTemplate(
                    name=f"{self.name}-{logical_id}",
                    display_name=f"{self.display_name}/{name}",
                    template=json.loads(template_file.read_text()),
                    assets=self.assets,
                    nested=True,
                    region=self.region,
                    account=self.account,
                )
        raise UnresolvedError(
            f"{self.display_name}/{self.path(logical_id)}: the nested stack's template is not in this assembly"
            f" ({url[:80]}); synthesize the whole app with `npx cdk synth`"
        )


def _references(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            yield value["Ref"]
        elif "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            yield (target[0] if isinstance(target, list) else str(target).split(".")[0])
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def load_assembly(cdk_out: Path, stacks: Iterable[str] = ()) -> list[StackTemplate]:
    """The stacks of the cloud assembly in ``cdk_out`` and its nested assemblies (stages), each after the stacks
    it depends on; all of them, or those named in ``stacks`` by display name (``Stage/Stack``) or stack name."""
    if not (cdk_out / "manifest.json").is_file():
        raise AssemblyError(f"{cdk_out}: no cloud assembly here (manifest.json missing); run `npx cdk synth` first")
    found = dependency_order(list(_stacks(cdk_out)))
    wanted = list(stacks)
    for name in wanted:
        if not any(name in (s.name, s.display_name) for s in found):
            known = ", ".join(s.display_name for s in found) or "none"
            raise AssemblyError(f"--stack {name}: no such stack in {cdk_out}; it has {known}")
    return [s for s in found if not wanted or s.name in wanted or s.display_name in wanted]


def _stacks(directory: Path) -> Iterable[StackTemplate]:
    manifest = json.loads((directory / "manifest.json").read_text())
    artifacts: dict[str, Any] = manifest.get("artifacts", {})
    assets = _assets(directory, artifacts)
    display = {aid: a.get("displayName") or aid for aid, a in artifacts.items()}
    for artifact_id, artifact in artifacts.items():
        properties = artifact.get("properties", {})
        if artifact.get("type") == "cdk:cloud-assembly":
            yield from _stacks(directory / properties["directoryName"])
        elif artifact.get("type") == "aws:cloudformation:stack":
            yield StackTemplate(
                name=properties.get("stackName") or artifact_id,
                display_name=display[artifact_id],
                template=json.loads((directory / properties["templateFile"]).read_text()),
                assets=assets,
                dependencies=tuple(
                    display[d]
                    for d in artifact.get("dependencies", [])
                    if artifacts.get(d, {}).get("type") == artifact["type"]
                ),
                region=environment_region(str(artifact.get("environment", ""))),
                account=environment_account(str(artifact.get("environment", ""))),
            )


def environment_region(environment: str) -> str | None:
    """The Region of a stack artifact's ``environment`` (``aws://123456789012/eu-west-1``); None when the stack is
    environment-agnostic (``unknown-region``) or names none."""
    region = environment.removeprefix("aws://").partition("/")[2]
    return None if region in ("", UNKNOWN_REGION) else region


def environment_account(environment: str) -> str | None:
    """The account of a stack artifact's ``environment``; None when environment-agnostic (``unknown-account``)."""
    account = environment.removeprefix("aws://").partition("/")[0]
    return None if account in ("", UNKNOWN_ACCOUNT) else account


def dependency_order(stacks: list[StackTemplate]) -> list[StackTemplate]:
    """``stacks`` with each after those it depends on (manifest order otherwise)."""
    names = {s.display_name for s in stacks}
    order: list[StackTemplate] = []
    while len(order) < len(stacks):
        done = {s.display_name for s in order}
        ready = [s for s in stacks if s not in order and set(s.dependencies) & names <= done]
        if not ready:
            raise AssemblyError(f"circular dependency between stacks {', '.join(sorted(names - done))}")
        order.append(ready[0])
    return order


def _assets(directory: Path, artifacts: dict[str, Any]) -> dict[str, Path]:
    """Asset folders (zip packaging) and files (nested stack templates) by content hash."""
    assets: dict[str, Path] = {}
    for artifact in artifacts.values():
        if artifact.get("type") != "cdk:asset-manifest":
            continue
        asset_manifest = json.loads((directory / artifact["properties"]["file"]).read_text())
        for digest, entry in asset_manifest.get("files", {}).items():
            source = entry.get("source", {})
            if "path" in source:
                assets[digest] = directory / source["path"]
    return assets


@dataclass
class Outputs:
    """What stacks already rehearsed offer to others: exports by name, outputs by stack name."""

    exports: dict[str, str] = field(default_factory=dict)
    by_stack: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Resolver:
    """Resolves the intrinsics of one stack against what the rehearsal created so far."""

    stack: StackTemplate
    region: str
    outputs: Outputs
    parameters: dict[str, str] = field(default_factory=dict)
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    stack_id: str | None = None  # what AWS::StackId resolves to: the id the stack's events carry

    def resolve(self, logical_id: str, value: Any) -> Any:
        """``value`` with every intrinsic replaced; :class:`UnresolvedError` for one it cannot resolve."""
        return _resolve(value, lambda expression: self._intrinsic(logical_id, expression))

    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack.name,
            **({"AWS::StackId": self.stack_id} if self.stack_id else {}),
        }.get(name)

    def _missing(self, where: str, expression: dict[str, Any], target: str) -> UnresolvedError:
        shown = json.dumps(expression)[:100]
        if target in self.failed:
            return UnresolvedError(
                f"{where}: {shown}: {self.stack.path(target)} was not created ({self.failed[target]})"
            )
        kind = self.stack.resources.get(target, {}).get("Type", "nothing in this stack")
        return UnresolvedError(
            f"{where}: cannot resolve {shown}: {target} is {kind}, which the rehearsal does not create;"
            " give the property a literal value to rehearse it"
        )

    def _intrinsic(self, logical_id: str, expression: dict[str, Any]) -> Any:
        [(function, argument)] = expression.items()
        where = f"{self.stack.display_name}/{self.stack.path(logical_id)}"
        if function == "Ref":
            value = self._pseudo(argument) or self.refs.get(argument) or self._parameter(argument)
            if value is None:
                raise self._missing(where, expression, argument)
            return value
        if function == "Fn::GetAtt":
            target, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            found = self.attributes.get(target, {}).get(attribute)
            if found is None:
                raise self._missing(where, expression, target)
            return found
        if function == "Fn::Join":
            separator, items = argument  # a list, or an intrinsic that makes one (a list parameter's Ref)
            resolved = self.resolve(logical_id, items)
            if not isinstance(resolved, list):
                raise UnresolvedError(f"{where}: Fn::Join takes a list; received {json.dumps(items)[:80]}")
            return str(separator).join(str(item) for item in resolved)
        if function == "Fn::Select":
            index, items = argument
            return self.resolve(logical_id, items)[int(self.resolve(logical_id, index))]
        if function == "Fn::Split":
            separator, text = argument
            return str(self.resolve(logical_id, text)).split(str(separator))
        if function == "Fn::Sub":
            return self._sub(logical_id, argument)
        if function == "Fn::ImportValue":
            name = str(self.resolve(logical_id, argument))
            if name not in self.outputs.exports:
                raise UnresolvedError(
                    f"{where}: imports {name}, which no stack rehearsed before it exports;"
                    " rehearse the exporting stack too (it runs first)"
                )
            return self.outputs.exports[name]
        if function == "Fn::GetStackOutput":
            target = self.resolve(logical_id, argument)
            stack, output = str(target.get("StackName")), str(target.get("OutputName"))
            found = self.outputs.by_stack.get(stack, {}).get(output)
            if found is None:
                raise UnresolvedError(
                    f"{where}: reads output {output} of stack {stack}, which was not rehearsed before it;"
                    " rehearse that stack too (it runs first)"
                )
            return found
        raise UnresolvedError(
            f"{where}: unsupported intrinsic {json.dumps(expression)[:100]}; the rehearsal resolves"
            f" {', '.join(RESOLVED)}: give the property a literal value to rehearse it"
        )

    def _sub(self, logical_id: str, argument: Any) -> str:
        """An ``Fn::Sub`` string: each ``${Name}`` a variable given, a pseudo parameter, a Ref or an attribute."""
        text, variables = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})

        def value(match: re.Match[str]) -> str:
            literal, name = match.groups()
            if literal:
                return "${" + name + "}"
            if name in variables:
                return str(self.resolve(logical_id, variables[name]))
            if "." in name:
                target, attribute = name.split(".", 1)
                return str(self.resolve(logical_id, {"Fn::GetAtt": [target, attribute]}))
            return str(self.resolve(logical_id, {"Ref": name}))

        return SUB_VARIABLE.sub(value, str(text))

    def _parameter(self, name: str) -> str | list[str] | None:
        declaration = self.stack.template.get("Parameters", {}).get(name)
        if not isinstance(declaration, dict):
            return self.parameters.get(name)
        value = self.parameters.get(name, declaration.get("Default"))
        return None if value is None else parameter_value(declaration, value)

    def publish(self) -> None:
        """Record the stack's outputs (and exports) that can be resolved, for the stacks rehearsed after it."""
        mine = self.outputs.by_stack.setdefault(self.stack.name, {})
        for key, output in self.stack.template.get("Outputs", {}).items():
            try:
                mine[key] = str(self.resolve(key, output.get("Value")))
                if "Export" in output:
                    self.outputs.exports[str(self.resolve(key, output["Export"].get("Name")))] = mine[key]
            except (UnresolvedError, KeyError, TypeError, ValueError, IndexError):
                continue  # an output of something the rehearsal does not create; nothing here reads it


def _resolve(value: Any, intrinsic: Callable[[dict[str, Any]], Any]) -> Any:
    if isinstance(value, dict):
        if len(value) == 1:
            [key] = value
            if key == "Ref" or key.startswith("Fn::"):
                return intrinsic(value)
        return {k: _resolve(v, intrinsic) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(item, intrinsic) for item in value]
    return value


def as_cloudformation_strings(value: Any) -> Any:
    """Property values as CloudFormation hands them to a custom resource: scalars become strings."""
    if isinstance(value, dict):
        return {k: as_cloudformation_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_cloudformation_strings(item) for item in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value
