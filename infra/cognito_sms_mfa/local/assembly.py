"""Read a synthesized cloud assembly: its stacks, their resources in dependency order, and the intrinsics that
connect Cognito pools, users, the handler function and the settings resources.

Only what the rehearsal needs is resolved: ``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Select`` and the pseudo
parameters. Anything else is a :class:`AssemblyError` naming the resource and the expression.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cognito_sms_mfa_lambda.mfa import SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_lambda.mfa_preference import PREFERENCE_RESOURCE_TYPE
from cognito_sms_mfa_lambda.users import TEST_USER_RESOURCE_TYPE

POOL_TYPE = "AWS::Cognito::UserPool"
USER_TYPE = "AWS::Cognito::UserPoolUser"
FUNCTION_TYPE = "AWS::Lambda::Function"
SECRET_TYPE = "AWS::SecretsManager::Secret"
CUSTOM_TYPES = frozenset({SETTINGS_RESOURCE_TYPE, PREFERENCE_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE})
HANDLED_TYPES = CUSTOM_TYPES | {POOL_TYPE, USER_TYPE, FUNCTION_TYPE, SECRET_TYPE}
ACCOUNT = "000000000000"


class AssemblyError(Exception):
    """The cloud assembly cannot be rehearsed as it is; the message says where and why."""


@dataclass(frozen=True)
class StackTemplate:
    """One stack of the assembly: its name, template and asset folders by asset hash."""

    name: str
    template: dict[str, Any]
    assets: dict[str, Path]

    @property
    def resources(self) -> dict[str, dict[str, Any]]:
        """The template's resources by logical id."""
        resources: dict[str, dict[str, Any]] = self.template.get("Resources", {})
        return resources

    def ordered(self) -> list[str]:
        """The logical ids the rehearsal handles, each after everything it depends on (template order otherwise)."""
        wanted = [lid for lid, res in self.resources.items() if _kind(res) in HANDLED_TYPES]
        deps = {lid: self.dependencies(lid) & set(wanted) for lid in wanted}
        order: list[str] = []
        while len(order) < len(wanted):
            ready = [lid for lid in wanted if lid not in order and deps[lid] <= set(order)]
            if not ready:
                cycle = sorted(set(wanted) - set(order))
                raise AssemblyError(f"{self.name}: circular dependency between {', '.join(cycle)}")
            order.extend(ready)
        return order

    def dependencies(self, logical_id: str) -> set[str]:
        """The logical ids a resource depends on: its DependsOn and the resources its properties reference."""
        return set(_dependencies(self.resources[logical_id]))

    def asset_dir(self, logical_id: str) -> Path:
        """The asset folder of a Lambda function's code."""
        code = self.resources[logical_id].get("Properties", {}).get("Code", {})
        key = code.get("S3Key")
        digest = key.removesuffix(".zip") if isinstance(key, str) else None
        if digest is None or digest not in self.assets:
            raise AssemblyError(
                f"{self.name}/{logical_id}: Code is not a file asset of this assembly: {json.dumps(code)}"
            )
        return self.assets[digest]


def _kind(resource: dict[str, Any]) -> str:
    return str(resource.get("Type", ""))


def _dependencies(resource: dict[str, Any]) -> Iterable[str]:
    depends = resource.get("DependsOn", [])
    yield from [depends] if isinstance(depends, str) else depends
    yield from _references(resource.get("Properties", {}))


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
    """The stacks of the cloud assembly in ``cdk_out`` (all, or only those named in ``stacks``)."""
    manifest_file = cdk_out / "manifest.json"
    if not manifest_file.is_file():
        raise AssemblyError(f"{cdk_out}: no cloud assembly here (manifest.json missing); run `npx cdk synth` first")
    manifest = json.loads(manifest_file.read_text())
    found: list[StackTemplate] = []
    for artifact_id, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact.get("properties", {})
        name = properties.get("stackName") or artifact.get("displayName") or artifact_id
        template = json.loads((cdk_out / properties["templateFile"]).read_text())
        found.append(StackTemplate(name, template, _assets(cdk_out, artifact_id, manifest)))
    wanted = list(stacks)
    if wanted:
        missing = [name for name in wanted if name not in {s.name for s in found}]
        if missing:
            raise AssemblyError(
                f"--stack {missing[0]}: no such stack in {cdk_out}; it has {', '.join(s.name for s in found) or 'none'}"
            )
        found = [s for s in found if s.name in wanted]
    return found


def _assets(cdk_out: Path, stack_artifact: str, manifest: dict[str, Any]) -> dict[str, Path]:
    assets: dict[str, Path] = {}
    for artifact in manifest.get("artifacts", {}).values():
        if artifact.get("type") != "cdk:asset-manifest":
            continue
        asset_manifest = json.loads((cdk_out / artifact["properties"]["file"]).read_text())
        for digest, entry in asset_manifest.get("files", {}).items():
            source = entry.get("source", {})
            if source.get("packaging") == "zip" and "path" in source:
                assets[digest] = cdk_out / source["path"]
    return assets


@dataclass
class Resolver:
    """Resolves the intrinsics of one stack against what the rehearsal created so far."""

    stack: StackTemplate
    region: str
    refs: dict[str, str]
    attributes: dict[str, dict[str, str]]

    def resolve(self, logical_id: str, value: Any) -> Any:
        """``value`` with every intrinsic replaced; a clear error for the ones it cannot resolve."""
        return _resolve(value, lambda expression: self._intrinsic(logical_id, expression))

    def _pseudo(self, name: str) -> str | None:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": self.stack.name,
        }.get(name)

    def _intrinsic(self, logical_id: str, expression: dict[str, Any]) -> Any:
        [(function, argument)] = expression.items()
        where = f"{self.stack.name}/{logical_id}"
        if function == "Ref":
            value = self._pseudo(argument) or self.refs.get(argument)
            if value is None:
                raise AssemblyError(f"{where}: cannot resolve {json.dumps(expression)}: {argument} was not created")
            return value
        if function == "Fn::GetAtt":
            target, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
            found = self.attributes.get(target, {}).get(attribute)
            if found is None:
                raise AssemblyError(
                    f"{where}: cannot resolve {json.dumps(expression)}: no attribute {attribute} of {target}"
                )
            return found
        if function == "Fn::Join":
            separator, items = argument
            return str(separator).join(str(self.resolve(logical_id, item)) for item in items)
        if function == "Fn::Select":
            index, items = argument
            return self.resolve(logical_id, items)[int(self.resolve(logical_id, index))]
        raise AssemblyError(f"{where}: unsupported intrinsic {json.dumps(expression)[:120]}")


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
