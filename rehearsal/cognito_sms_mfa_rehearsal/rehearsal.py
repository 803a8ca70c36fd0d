"""The offline rehearsal: deploy a cloud assembly's custom resources against the local Cognito emulator.

Stacks run in dependency order (stacks of stages included; nested stacks where their parent creates them,
each with its own handler). In each stack the rehearsal creates the template's user pools and users in the
emulator and invokes the real bundled handler asset for each custom resource of :data:`CUSTOM_TYPES` in a
Lambda-like child process (see :mod:`cognito_sms_mfa_rehearsal.lambda_runner`), with a CloudFormation-shaped event
whose ResponseURL is a local TLS endpoint, then reads the state back from the emulator (and the user's MFA in
both forms: legacy options and preference). Among resources that
do not depend on each other, custom resources go first, so a missing dependency fails here as it may in
CloudFormation. Secrets (``AWS::SecretsManager::Secret``) are created with their value, or one generated from
``GenerateSecretString`` as CloudFormation would; each test user with a password is then signed in (an SMS
challenge completed from the emulator's outbox for a user with SMS MFA, none otherwise). ``cycle`` adds a
synthetic update (each user's options flipped, a preference's SMS factor, a test user's phone number changed in
place and its password rotated), signs the test users in again, and then deletes everything in the reverse order
of creation, users, pools and secrets included. What depends on a resource that failed is not rehearsed, as
CloudFormation would not create it.

Anything one resource needs but the rehearsal cannot provide (an imported pool, an unsupported intrinsic, a
reference to a stack not rehearsed) becomes a row "not rehearsed" with the reason, and the run goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import BotoCoreError, ClientError

from cognito_sms_mfa_emulator.clients import emulator_service_client
from cognito_sms_mfa_emulator.stacks import StackResource
from cognito_sms_mfa_lambda import rules
from cognito_sms_mfa_lambda.resource import (
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)
from cognito_sms_mfa_rehearsal import batches, lambda_runner, progress
from cognito_sms_mfa_rehearsal.assembly import (
    ACCOUNT,
    FUNCTION_TYPE,
    NESTED_STACK_TYPE,
    POOL_TYPE,
    SECRET_TYPE,
    USER_TYPE,
    AssemblyError,
    Outputs,
    Resolver,
    StackTemplate,
    UnresolvedError,
    as_cloudformation_strings,
    load_assembly,
)
from cognito_sms_mfa_rehearsal.batches import describe_counts
from cognito_sms_mfa_rehearsal.cfn_responses import CfnResponse, ResponseCollector, custom_resource_event
from cognito_sms_mfa_rehearsal.custom_types import (
    CUSTOM_TYPES,
    legacy_options,
    render_options,
    reported_preference,
)
from cognito_sms_mfa_rehearsal.report import (
    CLEANUP,
    CREATE,
    DELETE,
    EXIT_USAGE,
    IMPORTED_POOL,
    INTEG_ASSERTION,
    NOT_REHEARSED,
    RENAME,
    SIGN_IN,
    SYNTHETIC_UPDATE,
    Outcome,
    Report,
    closing,
    exit_status,
    render_table,
)
from cognito_sms_mfa_rehearsal.secret_values import generated_secret_string
from cognito_sms_mfa_rehearsal.sign_in_check import expected, sign_in
from cognito_sms_mfa_rehearsal.table import plural, terminal_width

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

POOL_SETTINGS = (
    "AliasAttributes",
    "UsernameAttributes",
    "UsernameConfiguration",
    "MfaConfiguration",
    "AutoVerifiedAttributes",
)
# The properties the rehearsal reads (and so resolves) per type; a custom resource's are all read.
USED_PROPERTIES = {
    POOL_TYPE: ("UserPoolName", *POOL_SETTINGS),
    USER_TYPE: ("UserPoolId", "Username", "UserAttributes"),
    FUNCTION_TYPE: ("Handler", "Timeout", "Environment"),
    NESTED_STACK_TYPE: ("Parameters",),
    SECRET_TYPE: ("Name", "SecretString", "GenerateSecretString"),
}
HANDLED_TYPES = frozenset({*USED_PROPERTIES, *CUSTOM_TYPES})
# The custom resources of integ-tests' assertion stack (``IntegTest(...).assertions``): AWS API calls and their
# expected results, run by a Node.js Lambda after integ-runner deploys the app; listed, never run.
INTEG_ASSERTION_TYPE_PREFIX = "Custom::DeployAssert@"
MISSING_USER = "UserNotFoundException"
RENAMED_SUFFIX = "Renamed"
# The phase of the rollback Updates ``--fail-after`` plays (the table shows the phase as its step).
ROLLBACK = "rollback"
# The password --cycle puts in a test user's secret before the update that asks for the new version.
ROTATED_PASSWORD_SPEC = {"PasswordLength": 20}
# What an app's resource can make go wrong while the rehearsal builds it: one line, never a traceback.
RESOURCE_ERRORS = (UnresolvedError, ClientError, BotoCoreError, KeyError, TypeError, ValueError, IndexError)
# The error codes of a user or pool that is gone (fine after a delete).
GONE = frozenset({"UserNotFoundException", "ResourceNotFoundException"})
# How the progress line before a stack's resources names what the rehearsal creates for its custom resources.
CREATED_NOUNS = {POOL_TYPE: "pool", USER_TYPE: "user", SECRET_TYPE: "secret", FUNCTION_TYPE: "function",
                 NESTED_STACK_TYPE: "nested stack"}  # fmt: skip


@dataclass
class _Function:
    asset_dir: Path
    handler: str
    timeout_s: float
    environment: dict[str, str]


@dataclass
class _Custom:
    stack: StackTemplate
    logical_id: str
    resource_type: str
    path: str
    function: _Function
    properties: dict[str, Any]
    pool_path: str
    physical_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    failed: bool = False


@dataclass
class _Created:
    """One thing the rehearsal created, for the Delete step (which runs in reverse order)."""

    kind: str
    stack: StackTemplate
    logical_id: str
    pool: str = ""
    username: str = ""
    secret_arn: str = ""
    custom: _Custom | None = None


class Rehearsal:
    """Runs the custom resources of one or more stacks against an emulator endpoint, each stack in its own Region
    (its environment's; ``region`` for an environment-agnostic stack)."""

    def __init__(
        self,
        *,
        endpoint: str,
        region: str,
        collector: ResponseCollector,
        progress: Callable[[str], None],
        stand_in_pools: bool = False,
    ) -> None:
        self.endpoint = endpoint
        self.region = region
        self.collector = collector
        self.progress = progress
        self.stand_in_pools = stand_in_pools
        self._clients: dict[tuple[str, str], Any] = {}
        self.s3 = emulator_service_client("s3", endpoint, region)
        self.report = Report()
        self.outputs = Outputs()
        self._pool_paths: dict[str, tuple[str, str]] = {}
        self._pool_mfa: dict[str, str | None] = {}  # pool id -> the template's MfaConfiguration (None: absent)
        self._pool_case_insensitive: set[str] = (
            set()
        )  # pools whose template says UsernameConfiguration CaseSensitive false
        self._stand_ins: dict[str, str] = {}
        self._created: list[_Created] = []
        self._stack_ids: dict[str, str] = {}

    def region_of(self, stack: StackTemplate) -> str:
        """The Region the stack deploys to: its environment's, or ``--region`` for an environment-agnostic one."""
        return stack.region or self.region

    def _client(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = emulator_service_client(service, self.endpoint, region)
        return self._clients[key]

    def cognito(self, pool_or_region: str) -> CognitoIdentityProviderClient:
        """The cognito-idp client of the Region a pool id names (or of a Region), as the handler calls it."""
        region = rules.pool_region(pool_or_region) or pool_or_region
        if not rules.REGION_PATTERN.fullmatch(region):
            region = self.region
        return cast("CognitoIdentityProviderClient", self._client("cognito-idp", region))

    def secrets(self, region_or_arn: str) -> Any:
        """The Secrets Manager client of a Region, or of the Region a secret's ARN names."""
        parts = region_or_arn.split(":")
        return self._client("secretsmanager", parts[3] if len(parts) > 3 else region_or_arn)

    def run(self, stacks: list[StackTemplate], *, cycle: bool, fail_after: str | None = None) -> Report:
        """Create every stack's resources and sign its test users in, stack by stack; with ``cycle`` also a synthetic
        update (again stack by stack, each followed by its sign-ins), a rename, then delete everything. With
        ``fail_after`` (a custom resource's path or logical id), its stack's update fails right after that
        resource's Update and is rolled back (:meth:`_roll_back`) before the sign-ins.

        Raises
        ------
        AssemblyError
            ``fail_after`` names no custom resource whose Create succeeded.
        """
        deployed: list[list[_Created]] = []
        for stack in stacks:
            start = len(self._created)
            self._deploy(stack, parameters={})
            deployed.append(self._created[start:])
            self._sign_ins(deployed[-1])
        if cycle:
            failing = self._failing(fail_after)
            for created_in_stack in deployed:
                if failing is not None and any(created.custom is failing for created in created_in_stack):
                    self._update_then_fail(created_in_stack, failing)
                else:
                    for created in created_in_stack:
                        if created.custom is not None and not created.custom.failed:  # a failed Create rolls back
                            self._update(created.custom)
                self._sign_ins(created_in_stack)  # the new phone number and password
            for name in dict.fromkeys(c.stack.display_name for c in self._created if c.custom is not None):
                self._rename([c for c in self._created if c.custom is not None and c.stack.display_name == name])
            for created in reversed(self._created):
                self._delete(created)
        return self.report

    def _failing(self, fail_after: str | None) -> _Custom | None:
        """The custom resource ``--fail-after`` names (its construct path, its logical id, either after the
        stack's display name and ``/``), among those whose Create succeeded; None without the option."""
        if fail_after is None:
            return None
        live = [c.custom for c in self._created if c.custom is not None and not c.custom.failed]
        for custom in live:
            names = {custom.path, custom.logical_id}
            if fail_after in names | {f"{custom.stack.display_name}/{name}" for name in names}:
                return custom
        known = ", ".join(sorted({c.path for c in live})[:8]) or "none"
        raise AssemblyError(
            f"--fail-after {fail_after}: no custom resource of that path or logical id was created; created: {known}"
        )

    def _update_then_fail(self, created_in_stack: Sequence[_Created], failing: _Custom) -> None:
        """The stack's synthetic update fails right after ``failing``'s Update (as if the next resource failed):
        what was updated so far, ``failing`` included, is rolled back; nothing after it is updated, and no clean-up
        of the update runs (CloudFormation cleans up only after an update that completed)."""
        stack = failing.stack
        self._set_status(stack, "UPDATE_IN_PROGRESS")
        updated: list[tuple[_Custom, dict[str, Any], str]] = []
        for created in created_in_stack:
            custom = created.custom
            if custom is None or custom.failed:
                continue
            updated.append((custom, custom.properties, custom.physical_id))
            self._update(custom, clean_up=False)
            if custom is failing:
                break
        self.progress(
            f"  failed    the update of {stack.display_name} after {failing.path} (--fail-after): rolling back"
        )
        self._roll_back(stack, updated)

    def _roll_back(self, stack: StackTemplate, updated: Sequence[tuple[_Custom, dict[str, Any], str]]) -> None:
        """Play CloudFormation's rollback of a failed update: each resource updated (last first) gets an Update with
        its old properties and the new ones as old, carrying the id its Update answered; then, for each whose id
        the rollback changed back, the clean-up Delete of the id the update had answered; a row for each step."""
        self._set_status(stack, "UPDATE_ROLLBACK_IN_PROGRESS")
        cleanups: list[tuple[_Custom, dict[str, Any]]] = []
        for custom, before, _ in reversed(updated):
            new, new_id = custom.properties, custom.physical_id
            custom.properties, custom.failed = before, False
            self._invoke(custom, "Update", old_properties=new, phase=ROLLBACK, expected=self._listed(custom))
            if custom.physical_id != new_id:
                cleanups.append((dataclasses.replace(custom, properties=new, physical_id=new_id), before))
        self._set_status(stack, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        for leaving, before in cleanups:
            self._invoke(leaving, "Delete", phase=CLEANUP, recorded=False, expected=self._listed(leaving, before))
        self._set_status(stack, "UPDATE_ROLLBACK_COMPLETE")

    def _listed(self, custom: _Custom, held: dict[str, Any] | None = None) -> dict[str, list[dict[str, str]]] | None:
        """What a batch's users must hold after a rollback step: the options of the list the rollback restored
        (``held``, or the batch's own properties), for every user of its list; None for any other type."""
        if custom.resource_type != SETTINGS_BATCH_RESOURCE_TYPE:
            return None
        restored = held if held is not None else custom.properties
        options = list(restored.get("MFAOptions", []))
        return {name: options for name in batches.names_of(self.s3, restored)}

    def _set_status(self, stack: StackTemplate, status: str) -> None:
        """Move the stack to ``status`` in the emulator (what ``DescribeStacks`` answers), as CloudFormation does."""
        self._post("stack-status", {"stack_id": self._stack_id(stack), "status": status})

    def _rename(self, created: list[_Created]) -> None:
        """Rename one live settings resource's logical id as CloudFormation deploys that change: Create under the
        new id (same user, same physical id), then the cleanup Delete of the old id, after which the user must
        still hold the desired options. A resource with options goes first (a wrongful clear then shows as a
        MISMATCH). The renamed resource takes the old one's place for the Delete step."""
        live = sorted(
            (
                c
                for c in created
                if c.custom and not c.custom.failed and c.custom.resource_type == SETTINGS_RESOURCE_TYPE
            ),
            key=lambda c: not (c.custom and c.custom.properties.get("MFAOptions")),
        )
        if not live or live[0].custom is None:
            return
        old = live[0].custom
        new = _Custom(
            old.stack,
            old.logical_id + RENAMED_SUFFIX,
            old.resource_type,
            old.path + RENAMED_SUFFIX,
            old.function,
            dict(old.properties),
            old.pool_path,
        )
        self._invoke(new, "Create", phase=RENAME)
        self._invoke(old, "Delete", phase=CLEANUP)
        live[0].custom = new

    def _stack_id(self, stack: StackTemplate) -> str:
        """The stack's id (its ARN), one per stack for the whole rehearsal, as every event of a stack carries."""
        if stack.name not in self._stack_ids:
            self._stack_ids[stack.name] = (
                f"arn:aws:cloudformation:{self.region_of(stack)}:{ACCOUNT}:stack/{stack.name}/{uuid.uuid4()}"
            )
        return self._stack_ids[stack.name]

    def _record(self, stack: StackTemplate, resource: StackResource) -> None:
        """Record a resource of the stack in the emulator (``POST /_emulator/stack-resources``), as CloudFormation
        lists it, so the handler's ``ListStackResources`` sees the deployment as it is."""
        self._post("stack-resources", {"stack_id": self._stack_id(stack), **resource.to_json()})

    def _record_stack(self, stack: StackTemplate, parameters: dict[str, str]) -> None:
        """Record the stack's template and parameter values in the emulator (``POST /_emulator/stacks``), so that
        ``GetTemplate`` and ``DescribeStacks`` answer them for the drift check after the rehearsal."""
        self._post("stacks", {"stack_id": self._stack_id(stack), "template": stack.template, "parameters": parameters})

    def _post(self, path: str, fields: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.endpoint}/_emulator/{path}",
            data=json.dumps(fields).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5):
            pass

    def _deploy(self, stack: StackTemplate, parameters: dict[str, str]) -> Resolver:
        resolver = Resolver(
            stack, self.region_of(stack), self.outputs, parameters=parameters, stack_id=self._stack_id(stack)
        )
        self._record_stack(stack, parameters)
        functions: dict[str, _Function] = {}
        order = stack.ordered(HANDLED_TYPES, first=CUSTOM_TYPES)
        self.progress(f"{stack.display_name} ({self.region_of(stack)}): {_to_rehearse(stack, order)}")
        for logical_id in order:
            kind = stack.resources[logical_id]["Type"]
            try:
                _check_dependencies(stack, logical_id, resolver.failed)
                raw = stack.resources[logical_id].get("Properties", {})
                needed = USED_PROPERTIES.get(kind)
                properties = resolver.resolve(
                    logical_id, raw if needed is None else {k: raw[k] for k in needed if k in raw}
                )
                if kind in CUSTOM_TYPES:
                    self._create_custom(stack, logical_id, properties, functions, resolver)
                elif kind == SECRET_TYPE:
                    self._create_secret(stack, logical_id, properties, resolver)
                elif kind == POOL_TYPE:
                    self._create_pool(stack, logical_id, properties, resolver)
                elif kind == USER_TYPE:
                    self._create_user(stack, logical_id, properties, resolver)
                elif kind == FUNCTION_TYPE:
                    functions[logical_id] = self._function(stack, logical_id, properties, resolver)
                else:
                    self._nested(stack, logical_id, properties, resolver)
            except RESOURCE_ERRORS as error:
                reason = _message(error)
                resolver.failed[logical_id] = reason
                if kind in CUSTOM_TYPES:
                    self._not_rehearsed(stack, logical_id, reason)
                else:
                    self.report.problems.append(reason if isinstance(error, UnresolvedError) else
                                                f"{stack.display_name}/{stack.path(logical_id)}: {reason}")  # fmt: skip
            else:
                if kind not in CUSTOM_TYPES and logical_id in resolver.refs:  # a custom resource records itself
                    self._record(stack, StackResource(logical_id, resolver.refs[logical_id], kind, "CREATE_COMPLETE"))
        for logical_id, resource in stack.resources.items():
            if str(resource.get("Type", "")).startswith(INTEG_ASSERTION_TYPE_PREFIX):
                self._not_rehearsed(stack, logical_id, _integ_assertion(resource), phase=INTEG_ASSERTION)
        resolver.publish()
        return resolver

    def _nested(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        child = stack.nested_stack(logical_id)
        parameters = {str(k): str(v) for k, v in props.get("Parameters", {}).items()}
        outputs = self._deploy(child, parameters).outputs.by_stack.get(child.name, {})
        resolver.refs[logical_id] = self._stack_id(child)  # the nested stack's id, as its parent lists it
        resolver.attributes[logical_id] = {f"Outputs.{key}": value for key, value in outputs.items()}

    def _create_pool(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        kwargs = {name: props[name] for name in POOL_SETTINGS if name in props}
        region = self.region_of(stack)
        pool = self.cognito(region).create_user_pool(
            PoolName=props.get("UserPoolName") or f"{stack.name}-{logical_id}", **kwargs
        )
        pool_id = pool["UserPool"]["Id"]
        resolver.refs[logical_id] = pool_id
        resolver.attributes[logical_id] = {
            "Arn": f"arn:aws:cognito-idp:{region}:{ACCOUNT}:userpool/{pool_id}",
            "ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool_id}",
            "ProviderURL": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
            "UserPoolId": pool_id,
        }
        path = stack.path(logical_id)
        self._pool_paths[pool_id] = (stack.display_name, path)
        self._pool_mfa[pool_id] = props.get("MfaConfiguration")
        if str((props.get("UsernameConfiguration") or {}).get("CaseSensitive", "true")).lower() == "false":
            self._pool_case_insensitive.add(pool_id)
        self.report.pools.setdefault(stack.display_name, {})[path] = pool_id
        self._created.append(_Created(POOL_TYPE, stack, logical_id, pool=pool_id))
        self.progress(f"  pool      {path} -> {pool_id}")

    def _create_secret(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        """Create the secret as CloudFormation would: its SecretString, or one generated from its spec."""
        spec = props.get("GenerateSecretString")
        value = generated_secret_string(spec) if isinstance(spec, dict) else str(props.get("SecretString", ""))
        name = str(props.get("Name") or f"{stack.name}-{logical_id}")
        arn = str(self.secrets(self.region_of(stack)).create_secret(Name=name, SecretString=value)["ARN"])
        resolver.refs[logical_id] = arn
        self._created.append(_Created(SECRET_TYPE, stack, logical_id, secret_arn=arn))
        self.progress(f"  secret    {stack.path(logical_id)} -> {name}")

    def _create_user(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        username = props.get("Username") or str(uuid.uuid4())
        self.cognito(str(props["UserPoolId"])).admin_create_user(
            UserPoolId=props["UserPoolId"],
            Username=username,
            UserAttributes=[{"Name": a["Name"], "Value": a["Value"]} for a in props.get("UserAttributes", [])],
            MessageAction="SUPPRESS",
        )
        resolver.refs[logical_id] = username
        self._created.append(_Created(USER_TYPE, stack, logical_id, pool=props["UserPoolId"], username=username))
        self.progress(f"  user      {stack.path(logical_id)} -> {username}")

    def _function(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> _Function:
        name = f"{stack.name}-{logical_id}"[:64]
        resolver.refs[logical_id] = name
        resolver.attributes[logical_id] = {"Arn": f"arn:aws:lambda:{self.region_of(stack)}:{ACCOUNT}:function:{name}"}
        variables = props.get("Environment", {}).get("Variables", {})
        return _Function(
            stack.asset_dir(logical_id),
            str(props.get("Handler", "index.handler")),
            float(props.get("Timeout", 3)),
            {str(k): str(v) for k, v in variables.items()},
        )

    def _create_custom(
        self,
        stack: StackTemplate,
        logical_id: str,
        properties: dict[str, Any],
        functions: dict[str, _Function],
        resolver: Resolver,
    ) -> None:
        token = stack.resources[logical_id].get("Properties", {}).get("ServiceToken")
        target = token.get("Fn::GetAtt", [None])[0] if isinstance(token, dict) else None
        if target not in functions:
            raise UnresolvedError(
                f"{stack.display_name}/{stack.path(logical_id)}: ServiceToken {json.dumps(token)[:80]} is not a"
                " Lambda function of this stack; the rehearsal runs only handlers defined in the app"
            )
        pool = str(properties.get("UserPoolId", ""))
        owner, pool_path = self._pool_paths.get(pool, ("", ""))
        if owner and owner != stack.display_name:
            pool_path = f"{owner}/{pool_path}"
        if owner:
            self._warn_mfa_off(stack, pool, pool_path)
        else:
            if not self.stand_in_pools:
                raise UnresolvedError(f"pool {pool} {IMPORTED_POOL}")
            properties = {**properties, "UserPoolId": self._stand_in(pool, str(properties.get("Username", "")))}
            pool_path = "stand-in"
        kind = str(stack.resources[logical_id]["Type"])
        if kind == SETTINGS_BATCH_RESOURCE_TYPE:
            self._upload_list(stack, logical_id, properties)
        custom = _Custom(stack, logical_id, kind, stack.path(logical_id), functions[str(target)], properties, pool_path)
        self._invoke(custom, "Create")
        self._hint_missing_dependency(custom)
        resolver.refs[logical_id] = custom.physical_id
        resolver.attributes[logical_id] = {k: str(v) for k, v in custom.data.items()}
        self._created.append(_Created(str(stack.resources[logical_id]["Type"]), stack, logical_id, custom=custom))
        if custom.failed:  # what depends on it is not rehearsed, as CloudFormation would not create it
            resolver.failed[logical_id] = self.report.outcomes[-1].reason or self.report.outcomes[-1].status

    def _upload_list(self, stack: StackTemplate, logical_id: str, properties: dict[str, Any]) -> None:
        """Put a batch's list, as the construct staged it into cdk.out, where its properties say (the emulator's S3)."""
        key = str(properties.get("ManifestKey", ""))
        data = batches.staged_list(stack.assets, key)
        if data is None:
            raise UnresolvedError(
                f"{stack.display_name}/{stack.path(logical_id)}: the list {key} is not a file asset of this assembly;"
                " synthesize with `npx cdk synth` so the asset is in cdk.out"
            )
        batches.upload(self.s3, str(properties["ManifestBucket"]), key, data)
        pool = str(properties.get("UserPoolId", ""))
        watch = (self.progress, f"  users     {stack.path(logical_id)}")
        created = batches.add_missing_users(self.cognito(pool), pool, json.loads(data)["usernames"], watch)
        if created:
            self.progress(f"  users     {created:,} listed by {stack.path(logical_id)} made in {pool} (with a phone)")

    def _update_batch(self, custom: _Custom, *, clean_up: bool = True) -> None:
        """--cycle's update of a batch: a share of the users leave the list and as many are changed by hand first;
        the Update must put those back, and the cleanup Delete of the old id must clear only the users who left."""
        old, old_id = custom.properties, custom.physical_id
        names = batches.names_of(self.s3, old)
        dropped, drifted = batches.split_for_update(names)
        desired = list(old.get("MFAOptions", []))
        for name in drifted if desired else []:
            pool = str(old["UserPoolId"])
            self.cognito(pool).admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[])
        kept = [name for name in names if name not in set(dropped)]
        custom.properties = batches.changed_list(self.s3, old, kept)
        self._invoke(custom, "Update", old_properties=old)
        if custom.failed or custom.physical_id == old_id or not clean_up:
            return
        leaving = dataclasses.replace(custom, properties=old, physical_id=old_id)
        expected = {name: [] if name in dropped else desired for name in names}
        self._invoke(leaving, "Delete", phase=CLEANUP, expected=expected)

    def _stand_in(self, pool: str, username: str) -> str:
        """A stand-in for an imported pool (one per pool id, in the Region the id names), holding the user the
        settings name."""
        client = self.cognito(pool)
        if pool not in self._stand_ins:
            self._stand_ins[pool] = client.create_user_pool(PoolName=f"stand-in-{pool}")["UserPool"]["Id"]
            self.progress(f"  pool      stand-in for imported {pool} -> {self._stand_ins[pool]}")
        with contextlib.suppress(client.exceptions.UsernameExistsException):
            client.admin_create_user(UserPoolId=self._stand_ins[pool], Username=username, MessageAction="SUPPRESS")
        return self._stand_ins[pool]

    def _warn_mfa_off(self, stack: StackTemplate, pool: str, pool_path: str) -> None:
        """A warning line first in the stack's section when a custom resource targets a pool of the app whose MFA is
        off (once per pool)."""
        problem = rules.pool_mfa_problem(self._pool_mfa.get(pool))
        warnings = self.report.warnings.setdefault(stack.display_name, [])
        warning = f"pool {pool_path} ({pool}): {problem}"
        if problem is not None and warning not in warnings:
            warnings.append(warning)
            self.progress(f"  warning   {warning}")

    def _hint_missing_dependency(self, custom: _Custom) -> None:
        """After a Create that did not find its user: is it a user of the same stack that the resource does not
        depend on (so CloudFormation may create it afterwards), or one whose name differs only by letter case in a
        case-sensitive pool (another name: a dependency would not help)?"""
        if not custom.failed or MISSING_USER not in self.report.outcomes[-1].reason:
            return
        stack, asked = custom.stack, str(custom.properties.get("Username", ""))
        pool = str(custom.properties.get("UserPoolId", ""))
        for logical_id, resource in stack.resources.items():
            named = resource.get("Properties", {}).get("Username")
            if resource.get("Type") != USER_TYPE or not isinstance(named, str) or named.lower() != asked.lower():
                continue
            if named != asked and pool not in self._pool_case_insensitive:
                self.report.outcomes[-1].hint = (
                    f"usernames are case-sensitive in pool {custom.pool_path}: the settings name {asked!r}, the user "
                    f"{stack.path(logical_id)} is {named!r}; use `username=user.ref` or {named!r}"
                )
            elif not stack.depends_on(custom.logical_id, logical_id):
                self.report.outcomes[-1].hint = (
                    f"the settings do not depend on the user {stack.path(logical_id)}; "
                    "use `username=user.ref` or `add_dependency`"
                )

    def _not_rehearsed(self, stack: StackTemplate, logical_id: str, reason: str, phase: str = NOT_REHEARSED) -> None:
        self.report.outcomes.append(
            Outcome(
                stack=stack.display_name,
                path=stack.path(logical_id),
                logical_id=logical_id,
                resource_type=str(stack.resources[logical_id]["Type"]),
                phase=phase,
                pool="",
                pool_path="",
                username="",
                desired=None,
                read_back=None,
                status="NOT REHEARSED",
                reason=reason,
            )
        )
        self.progress(f"  skipped   {stack.path(logical_id)}: {reason}")

    def _update(self, custom: _Custom, *, clean_up: bool = True) -> None:
        """--cycle's synthetic Update of one resource (``clean_up``: then the clean-up Delete of a batch's old id,
        as after an update that completed)."""
        old = custom.properties
        custom.properties = CUSTOM_TYPES[custom.resource_type].flipped(old)
        if custom.resource_type == SETTINGS_BATCH_RESOURCE_TYPE:
            self._update_batch(custom, clean_up=clean_up)
            return
        if custom.resource_type != TEST_USER_RESOURCE_TYPE:
            self._invoke(custom, "Update", old_properties=old)
            return
        arn = old.get("PasswordSecretArn")
        if isinstance(arn, str):  # a new secret value, as a template change of the secret would make
            rotated = generated_secret_string(ROTATED_PASSWORD_SPEC)
            self.secrets(arn).put_secret_value(SecretId=arn, SecretString=rotated)
        sub = custom.data.get("Sub")
        self._invoke(custom, "Update", old_properties=old)
        outcome = self.report.outcomes[-1]
        if outcome.ok and custom.data.get("Sub") != sub:
            outcome.status, outcome.reason = "REPLACED", "the phone number change made another user (sub changed)"

    def _sign_ins(self, created_in_stack: Sequence[_Created]) -> None:
        """Sign each live test user with a password of a stack in: an SMS challenge for a user with SMS MFA, none
        otherwise. A result other than the expected one in a pool whose MFA is off says so."""
        for created in created_in_stack:
            custom = created.custom
            if custom is None or custom.failed or custom.resource_type != TEST_USER_RESOURCE_TYPE:
                continue
            arn = custom.properties.get("PasswordSecretArn")
            if not isinstance(arn, str):
                continue
            started = time.monotonic()
            sms = custom.properties.get("SmsMfaPreferred") == "true"
            username = str(custom.data.get("Username") or custom.properties.get("Username", ""))
            pool = str(custom.properties.get("UserPoolId", ""))
            done = sign_in(
                self.cognito(pool), self.secrets(arn), self.endpoint,
                pool_id=pool, username=username, secret_arn=arn, sms_mfa=sms,
            )  # fmt: skip
            want = expected(sms)
            reason = "" if done.result == want else f"sign-in: expected {want}, got {done.result}"
            mfa_off = rules.pool_mfa_problem(self._pool_mfa[pool]) if pool in self._pool_mfa else None
            if reason and mfa_off:
                reason += f"; the pool {custom.pool_path} has MfaConfiguration OFF: {mfa_off}"
            user = self._read_user(custom)
            outcome = Outcome(
                stack=custom.stack.display_name,
                path=custom.path,
                logical_id=custom.logical_id,
                resource_type=custom.resource_type,
                phase=SIGN_IN,
                pool=pool,
                pool_path=custom.pool_path,
                username=username,
                desired=want,
                read_back=done.result,
                status="SUCCESS",
                reason=reason,
                seconds=time.monotonic() - started,
                legacy_options=None if user is None else legacy_options(user),
                preference=None if user is None else reported_preference(user),
            )
            self.report.outcomes.append(outcome)
            self.progress(f"  {SIGN_IN:<9} {custom.path} -> {done.result}")

    def _delete(self, created: _Created) -> None:
        retained = created.stack.resources.get(created.logical_id, {}).get("DeletionPolicy") == "Retain"
        if created.custom is not None and retained:  # the rehearsal's own pools, users and secrets still go
            self.progress(
                f"  retained  {created.stack.path(created.logical_id)} "
                "(DeletionPolicy Retain: CloudFormation sends no Delete)"
            )
            return
        if created.custom is not None:
            self._invoke(created.custom, "Delete")
            return
        try:
            if created.kind == SECRET_TYPE:
                secrets = self.secrets(created.secret_arn)
                secrets.delete_secret(SecretId=created.secret_arn, ForceDeleteWithoutRecovery=True)
            elif created.kind == USER_TYPE:
                self.cognito(created.pool).admin_delete_user(UserPoolId=created.pool, Username=created.username)
            elif created.kind == POOL_TYPE:
                self.cognito(created.pool).delete_user_pool(UserPoolId=created.pool)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in GONE:
                raise
        self.progress(f"  deleted   {created.stack.path(created.logical_id)}")

    def _invoke(
        self,
        custom: _Custom,
        request_type: str,
        old_properties: dict[str, Any] | None = None,
        *,
        phase: str | None = None,
        expected: dict[str, list[dict[str, str]]] | None = None,
        recorded: bool | None = None,
    ) -> None:
        """Send one request to the handler, recording the resource's status in the emulator (unless ``recorded``
        is false), and read the user back; the ``CLEANUP`` Delete (of a renamed resource) must leave the user's
        options as they are.

        A batch's ``CLEANUP`` Delete (of its old id after an Update) is not recorded: CloudFormation lists the
        resource with its new id meanwhile. ``expected`` gives a batch's users and the options each must hold.
        """
        stack = custom.stack
        url = self.collector.new_url()
        event = custom_resource_event(
            request_type,
            as_cloudformation_strings(custom.properties),
            response_url=url,
            stack_id=self._stack_id(stack),
            logical_id=custom.logical_id,
            resource_type=custom.resource_type,
            physical_id=None if request_type == "Create" else custom.physical_id,
            old_properties=None if old_properties is None else as_cloudformation_strings(old_properties),
        )
        function = custom.function
        env = lambda_runner.lambda_environment(
            region=self.region_of(stack),
            endpoint=self.endpoint,
            function_name=f"{stack.name}-handler",
            timeout_s=function.timeout_s,
            extra={**function.environment, "SSL_CERT_FILE": self.collector.ca_file},
        )
        step = request_type.upper()
        batch = custom.resource_type == SETTINGS_BATCH_RESOURCE_TYPE
        if recorded is None:
            recorded = not (batch and phase == CLEANUP)
        if recorded:
            self._record(
                stack,
                StackResource(custom.logical_id, custom.physical_id, custom.resource_type, f"{step}_IN_PROGRESS"),
            )
        with self._watch(custom, request_type, phase) if batch else contextlib.nullcontext():
            runs = lambda_runner.invoke_until_answered(
                str(function.asset_dir),
                event,
                entry=function.handler,
                timeout_s=function.timeout_s,
                env=env,
                function_name=env["AWS_LAMBDA_FUNCTION_NAME"],
                answered=lambda: bool(self.collector.responses(url)),
                events=self._client("events", self.region_of(stack)),  # a continuation's rules, in its Region
            )
        run = lambda_runner.Invocation(
            runs[-1].returncode,
            "".join(r.stdout for r in runs),
            "".join(r.stderr for r in runs),
            sum(r.duration_s for r in runs),
            runs[-1].timed_out,
        )
        responses = self.collector.responses(url)
        response = responses[0] if responses else None
        _keep(custom, response, request_type)
        status, reason = _status(response, run)
        done = "COMPLETE" if status == "SUCCESS" else "FAILED"
        if recorded:
            self._record(
                stack, StackResource(custom.logical_id, custom.physical_id, custom.resource_type, f"{step}_{done}")
            )
        kind = CUSTOM_TYPES[custom.resource_type]
        phase = phase or {"Create": CREATE, "Update": SYNTHETIC_UPDATE, "Delete": DELETE}[request_type]
        if batch:
            data = response.data if response is not None else {}
            self._batch_outcome(custom, phase, status, reason, run.duration_s, data, expected)
            return
        user = self._read_user(custom)
        outcome = Outcome(
            stack=stack.display_name,
            path=custom.path,
            logical_id=custom.logical_id,
            resource_type=custom.resource_type,
            phase=phase,
            pool=str(custom.properties.get("UserPoolId", "")),
            pool_path=custom.pool_path,
            username=str(custom.data.get("Username") or custom.properties.get("Username", "")),
            desired=(kind.cleared if phase == DELETE else kind.desired)(custom.properties),
            read_back=None if user is None else kind.read_back(user, custom.properties),
            status=status,
            reason=reason,
            seconds=run.duration_s,
            legacy_options=None if user is None else legacy_options(user),
            preference=None if user is None else reported_preference(user),
        )
        self.report.outcomes.append(outcome)
        self.progress(f"  {phase:<9} {outcome.path} -> {outcome.verdict} ({run.duration_s:.2f} s)")

    def _watch(self, custom: _Custom, request_type: str, phase: str | None) -> progress.Ticker:
        """Progress lines while a batch request runs: its users read and its writes so far, with their rates."""
        shown = phase or {"Create": CREATE, "Update": SYNTHETIC_UPDATE, "Delete": DELETE}[request_type]
        total = int(str(custom.properties.get("UserCount", "0")) or 0)
        return progress.batch_ticker(self.progress, self.endpoint, f"  {shown:<9} {custom.path}", total)

    def _batch_outcome(
        self,
        custom: _Custom,
        phase: str,
        status: str,
        reason: str,
        seconds: float,
        data: dict[str, Any],
        expected: dict[str, list[dict[str, str]]] | None,
    ) -> None:
        """One row for a batch request: every listed user read back, counted by state, each user's outcome kept."""
        pool = str(custom.properties.get("UserPoolId", ""))
        if expected is None:
            names = batches.names_of(self.s3, custom.properties)
            options = [] if phase == DELETE else list(custom.properties.get("MFAOptions", []))
            expected = {name: options for name in names}
        watch = (self.progress, f"  {phase:<9} {custom.path}")
        judged = batches.judge(self.cognito(pool), pool, expected, data, seconds, render_options, watch)
        outcome = Outcome(
            stack=custom.stack.display_name,
            path=custom.path,
            logical_id=custom.logical_id,
            resource_type=custom.resource_type,
            phase=phase,
            pool=pool,
            pool_path=custom.pool_path,
            username=f"{len(expected):,} users",
            desired=judged.desired,
            read_back=judged.desired if judged.counts["failed"] == 0 else judged.read_back,
            status=status,
            reason=reason,
            seconds=seconds,
            batch=judged.counts,
            users=judged.users,
        )
        self.report.outcomes.append(outcome)
        self.progress(
            f"  {phase:<9} {outcome.path} -> {outcome.verdict} ({seconds:.2f} s: {describe_counts(judged.counts)})"
        )

    def _read_user(self, custom: _Custom) -> dict[str, Any] | None:
        """The user's AdminGetUser answer afterwards; None when the user or the pool is gone."""
        pool = custom.properties.get("UserPoolId")
        username = custom.data.get("Username") or custom.properties.get("Username")
        if not isinstance(pool, str) or not isinstance(username, str):
            return None
        try:
            return dict(self.cognito(pool).admin_get_user(UserPoolId=pool, Username=username))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in GONE:
                return None
            raise


def _to_rehearse(stack: StackTemplate, order: Sequence[str]) -> str:
    """What the stack's progress line counts: its custom resources, then what the rehearsal creates for them."""
    kinds = [str(stack.resources[logical_id]["Type"]) for logical_id in order]
    custom = sum(1 for kind in kinds if kind in CUSTOM_TYPES)
    others = [plural(kinds.count(kind), noun) for kind, noun in CREATED_NOUNS.items() if kind in kinds]
    also = f" (and {', '.join(others)} they need)" if others else ""
    return f"{plural(custom, 'custom resource')} to rehearse{also}"


def _check_dependencies(stack: StackTemplate, logical_id: str, failed: dict[str, str]) -> None:
    """CloudFormation creates nothing whose dependency failed; nor does the rehearsal."""
    for dependency in sorted(stack.dependencies_of(logical_id) & set(failed)):
        raise UnresolvedError(
            f"{stack.display_name}/{stack.path(logical_id)}: depends on {stack.path(dependency)}, which was not"
            f" created ({failed[dependency][:100]})"
        )


def _status(response: CfnResponse | None, run: lambda_runner.Invocation) -> tuple[str, str]:
    """The response's status and reason, or why there was none."""
    if response is None:
        why = "timed out" if run.timed_out else f"exited with status {run.returncode}"
        tail = run.logs.strip().splitlines()[-1:] or ["no output"]
        return "NO RESPONSE", f"the handler {why} without answering: {tail[0][:160]}"
    return response.status, response.reason


def _keep(custom: _Custom, response: CfnResponse | None, request_type: str) -> None:
    """Keep what CloudFormation keeps of a response: the physical id (also after FAILED: the id a rollback
    Delete would get) and, on success, the attributes."""
    if response is not None and request_type != "Delete":
        custom.physical_id = response.physical_id
        if response.status == "SUCCESS":
            custom.data = response.data
    custom.failed = custom.failed or response is None or response.status != "SUCCESS"


def _integ_assertion(resource: dict[str, Any]) -> str:
    """What an integ assertion checks (``CognitoIdentityServiceProvider.adminGetUser``), and who runs it."""
    properties = resource.get("Properties", {})
    service, api = properties.get("service"), properties.get("api")
    kind = f"{service}.{api}" if isinstance(service, str) and isinstance(api, str) else str(resource["Type"])
    return f"integ assertion {kind}: run by integ-runner after a deploy, not by the rehearsal"


def _message(error: Exception) -> str:
    if isinstance(error, UnresolvedError):
        return str(error)
    if isinstance(error, ClientError):
        return f"{error.operation_name} failed: {error.response.get('Error', {}).get('Code')}: {error}"[:200]
    return f"cannot read it: {type(error).__name__}: {error}"[:200]


def rehearse(
    cdk_out: Path,
    *,
    stacks: Sequence[str],
    endpoint: str | None,
    region: str,
    cycle: bool,
    as_json: bool,
    stand_in_pools: bool = False,
    fail_after: str | None = None,
) -> int:
    """Rehearse the assembly in ``cdk_out``, print the table (or JSON) and return the exit status.

    Progress goes to standard error, the result to standard output. Exit status: see :func:`exit_status`
    (0, 1, 3) and 2 for an assembly that cannot be read.
    """

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    started = time.monotonic()
    try:
        templates = load_assembly(cdk_out, stacks)
        with contextlib.ExitStack() as resources:
            if endpoint is None:
                from cognito_sms_mfa_emulator.emulator import CognitoEmulator  # moto loads only without --endpoint

                endpoint = resources.enter_context(CognitoEmulator(region=region)).endpoint
                progress(f"local Cognito emulator at {endpoint}")
            collector = resources.enter_context(ResponseCollector())
            rehearsal = Rehearsal(
                endpoint=endpoint, region=region, collector=collector, progress=progress, stand_in_pools=stand_in_pools
            )
            report = rehearsal.run(templates, cycle=cycle, fail_after=fail_after)
    except AssemblyError as error:
        print(f"rehearse: {error}", file=sys.stderr)
        return EXIT_USAGE
    elapsed = time.monotonic() - started
    if as_json:
        print(json.dumps(report.to_json(elapsed)))
    else:
        width = terminal_width(sys.stdout)
        table = render_table(report.outcomes, report.problems, report.warnings, width)
        done = closing(report.outcomes, elapsed, width)
        print(f"{table}\n\n{done}" if table else done)
    return exit_status(report.outcomes)
