"""The offline rehearsal: deploy a cloud assembly's SMS MFA settings against the local Cognito emulator.

For each stack, in dependency order, it creates the template's user pools and users in the emulator, then
invokes the real bundled handler asset for each ``Custom::CognitoUserSmsMfaSettings`` in a Lambda-like child
process (see :mod:`cognito_sms_mfa.local.lambda_runner`) with a CloudFormation-shaped event whose ResponseURL
is a local TLS endpoint, and reads the user's options back from the emulator. ``Custom::CognitoUserMfaPreference``
resources go the same way, their managed factors read back from ``UserMFASettingList``/``PreferredMfaSetting``;
every row also shows the user's MFA in both forms (legacy options and preference). ``cycle`` adds an Update
that flips each user's options (a preference: its SMS factor), a rename of one settings resource's logical id
(Create under the new id, then the cleanup Delete of the old id, after which the user must keep the options),
and a Delete that must clear (disable) them. Like CloudFormation, it records each resource it creates, updates or
deletes in the emulator, which answers the handler's ``ListStackResources`` from that record.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import botocore.session
from botocore.config import Config

from cognito_sms_mfa.local import lambda_runner
from cognito_sms_mfa.local.assembly import (
    ACCOUNT,
    CUSTOM_TYPES,
    FUNCTION_TYPE,
    POOL_TYPE,
    SECRET_TYPE,
    USER_TYPE,
    AssemblyError,
    Resolver,
    StackTemplate,
    as_cloudformation_strings,
)
from cognito_sms_mfa.local.cfn_responses import custom_resource_event
from cognito_sms_mfa.local.secret_values import generated_secret_string
from cognito_sms_mfa.local.sign_in_check import expected, sign_in
from cognito_sms_mfa.local.stacks import StackResource
from cognito_sms_mfa_lambda import mfa_preference
from cognito_sms_mfa_lambda.mfa import SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_lambda.mfa_preference import PREFERENCE_RESOURCE_TYPE
from cognito_sms_mfa_lambda.rules import MFA_FACTORS, SMS_FACTOR, MfaFactor
from cognito_sms_mfa_lambda.users import TEST_USER_RESOURCE_TYPE

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa.local.cfn_responses import CfnResponse, ResponseCollector

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
POOL_SETTINGS = (
    "AliasAttributes",
    "UsernameAttributes",
    "UsernameConfiguration",
    "MfaConfiguration",
    "AutoVerifiedAttributes",
)
RENAMED_SUFFIX = "Renamed"
# The properties the rehearsal reads (and so resolves) per type; a settings resource's are all read.
USED_PROPERTIES = {
    POOL_TYPE: ("UserPoolName", *POOL_SETTINGS),
    USER_TYPE: ("UserPoolId", "Username", "UserAttributes"),
    FUNCTION_TYPE: ("Handler", "Timeout", "Environment"),
    SECRET_TYPE: ("Name", "SecretString", "GenerateSecretString"),
}
# A sign-in step's row: what signing in showed, in the DESIRED and READ BACK columns.
SIGN_IN_PHASE = "sign-in"
SIGN_IN_KEY = "SignIn"
# How the table shows a test user's SMS MFA preference (enabled and preferred).
SMS_PREFERENCE = {"Preference": "SMS_MFA"}
# What --cycle gives a test user: another phone number (changed in place) and a new password version.
CYCLE_PHONE_NUMBER = "+15555550199"


@dataclass
class Outcome:
    """One request of the rehearsal and what the emulator holds afterwards."""

    stack: str
    logical_id: str
    phase: str
    pool: str
    username: str
    desired: list[dict[str, str]] | None
    read_back: list[dict[str, str]] | None
    status: str
    reason: str
    seconds: float
    # The user's MFA in both forms, whatever the resource manages: MFAOptions, and the preference API's view.
    legacy_options: list[dict[str, str]] | None = None
    preference: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """SUCCESS, and the user holds exactly the desired options (or, when None is desired, is gone)."""
        if self.status != "SUCCESS":
            return False
        if self.desired is None or self.read_back is None:
            return self.desired is None and self.read_back is None
        return _same(self.desired, self.read_back)

    @property
    def verdict(self) -> str:
        """``ok``, ``MISMATCH`` (SUCCESS but the wrong options), or the failed status."""
        return "ok" if self.ok else "MISMATCH" if self.status == "SUCCESS" else self.status

    def to_json(self) -> dict[str, Any]:
        """The outcome as plain data, with its verdict."""
        return {**asdict(self), "ok": self.ok}


def _same(a: list[dict[str, str]], b: list[dict[str, str]]) -> bool:
    return sorted(map(str, a)) == sorted(map(str, b))


@dataclass
class _Function:
    asset_dir: Path
    handler: str
    timeout_s: float
    environment: dict[str, str]


@dataclass
class _Settings:
    logical_id: str
    function: _Function
    properties: dict[str, Any]
    physical_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    failed: bool = False
    resource_type: str = SETTINGS_RESOURCE_TYPE


def emulator_client(endpoint: str, region: str) -> CognitoIdentityProviderClient:
    """A cognito-idp client for the emulator with dummy credentials that never reads ``~/.aws`` or the
    environment's keys."""
    return cast("CognitoIdentityProviderClient", emulator_service_client("cognito-idp", endpoint, region))


def emulator_service_client(service: str, endpoint: str, region: str) -> Any:
    """A client of ``service`` for the emulator, as :func:`emulator_client`."""
    session = botocore.session.Session()
    session.set_config_variable("config_file", "/dev/null")
    session.set_config_variable("credentials_file", "/dev/null")
    return session.create_client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "total_max_attempts": 3}),
    )


class Rehearsal:
    """Runs the settings of one or more stacks against an emulator endpoint."""

    def __init__(
        self,
        *,
        endpoint: str,
        region: str,
        collector: ResponseCollector,
        progress: Callable[[str], None],
    ) -> None:
        self.endpoint = endpoint
        self.region = region
        self.collector = collector
        self.progress = progress
        self.client = emulator_client(endpoint, region)
        self.secrets = emulator_service_client("secretsmanager", endpoint, region)
        self._stack_ids: dict[str, str] = {}

    def run(self, stacks: list[StackTemplate], *, cycle: bool) -> list[Outcome]:
        """Create every stack's settings; with ``cycle`` also update (flipped options), rename one, and delete them."""
        outcomes: list[Outcome] = []
        for stack in stacks:
            settings = self._deploy(stack, outcomes)
            outcomes.extend(self._sign_ins(stack, settings))
            if cycle:
                for item in settings:
                    if not item.failed:  # CloudFormation would roll back instead of updating
                        outcomes.append(self._update(stack, item))
                outcomes.extend(self._sign_ins(stack, settings))  # the new phone number and password
                settings = self._rename(stack, settings, outcomes)
                for item in reversed(settings):
                    outcomes.append(self._invoke(stack, item, "Delete"))
        return outcomes

    def _stack_id(self, stack: StackTemplate) -> str:
        """The stack's id (its ARN), one per stack for the whole rehearsal, as every event of a stack carries."""
        if stack.name not in self._stack_ids:
            self._stack_ids[stack.name] = (
                f"arn:aws:cloudformation:{self.region}:{ACCOUNT}:stack/{stack.name}/{uuid.uuid4()}"
            )
        return self._stack_ids[stack.name]

    def _record(self, stack: StackTemplate, resource: StackResource) -> None:
        """Record a resource of the stack in the emulator (``POST /_emulator/stack-resources``), as CloudFormation
        lists it, so the handler's ``ListStackResources`` sees the deployment as it is."""
        body = json.dumps({"stack_id": self._stack_id(stack), **resource.to_json()}).encode()
        request = urllib.request.Request(
            f"{self.endpoint}/_emulator/stack-resources",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=5):
            pass

    def _rename(self, stack: StackTemplate, settings: list[_Settings], outcomes: list[Outcome]) -> list[_Settings]:
        """Rename one live settings resource's logical id as CloudFormation deploys that change: Create under the new
        id (same user, same physical id), then the cleanup Delete of the old id, after which the user must still
        hold the desired options. A resource with options is picked first (a wrongful clear then shows as a
        MISMATCH). Returns the settings with the renamed one in place of the old."""
        live = sorted(
            (item for item in settings if not item.failed and item.resource_type == SETTINGS_RESOURCE_TYPE),
            key=lambda i: not i.properties.get("MFAOptions"),
        )
        if not live:
            return settings
        old = live[0]
        new = _Settings(old.logical_id + RENAMED_SUFFIX, old.function, dict(old.properties))
        outcomes.append(self._invoke(stack, new, "Create", phase="rename"))
        outcomes.append(self._invoke(stack, old, "Delete", phase="cleanup", keeps_options=True))
        return [new if item is old else item for item in settings]

    def _deploy(self, stack: StackTemplate, outcomes: list[Outcome]) -> list[_Settings]:
        resolver = Resolver(stack, self.region, refs={}, attributes={})
        functions: dict[str, _Function] = {}
        settings: list[_Settings] = []
        order = stack.ordered()
        self.progress(f"{stack.name}: {len(order)} resources to rehearse")
        failed: set[str] = set()
        for logical_id in order:
            resource = stack.resources[logical_id]
            kind = resource["Type"]
            if stack.dependencies(logical_id) & failed:  # CloudFormation would roll back before reaching it
                failed.add(logical_id)
                self.progress(f"  skipped   {logical_id}: a resource it depends on failed")
                continue
            needed = USED_PROPERTIES.get(kind)
            raw = resource.get("Properties", {})
            properties = resolver.resolve(
                logical_id, raw if needed is None else {k: raw[k] for k in needed if k in raw}
            )
            if kind == POOL_TYPE:
                self._create_pool(stack, logical_id, properties, resolver)
            elif kind == USER_TYPE:
                self._create_user(logical_id, properties, resolver)
            elif kind == FUNCTION_TYPE:
                functions[logical_id] = self._function(stack, logical_id, properties, resolver)
            elif kind == SECRET_TYPE:
                self._create_secret(stack, logical_id, properties, resolver)
            elif kind in CUSTOM_TYPES:
                item = _Settings(
                    logical_id, self._service(stack, logical_id, functions), properties, resource_type=kind
                )
                outcome = self._invoke(stack, item, "Create")
                outcomes.append(outcome)
                resolver.refs[logical_id] = item.physical_id
                resolver.attributes[logical_id] = {k: str(v) for k, v in item.data.items()}
                settings.append(item)
                if item.failed:
                    failed.add(logical_id)
        return settings

    def _create_pool(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        kwargs = {name: props[name] for name in POOL_SETTINGS if name in props}
        pool = self.client.create_user_pool(
            PoolName=props.get("UserPoolName") or f"{stack.name}-{logical_id}", **kwargs
        )
        pool_id = pool["UserPool"]["Id"]
        resolver.refs[logical_id] = pool_id
        resolver.attributes[logical_id] = {
            "Arn": f"arn:aws:cognito-idp:{self.region}:{ACCOUNT}:userpool/{pool_id}",
            "ProviderName": f"cognito-idp.{self.region}.amazonaws.com/{pool_id}",
            "ProviderURL": f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}",
            "UserPoolId": pool_id,
        }
        self.progress(f"  pool      {logical_id} -> {pool_id}")

    def _create_secret(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        """Create the secret as CloudFormation would: its SecretString, or one generated from its spec."""
        spec = props.get("GenerateSecretString")
        value = generated_secret_string(spec) if isinstance(spec, dict) else str(props.get("SecretString", ""))
        name = str(props.get("Name") or f"{stack.name}-{logical_id}")
        arn = str(self.secrets.create_secret(Name=name, SecretString=value)["ARN"])
        resolver.refs[logical_id] = arn
        self.progress(f"  secret    {logical_id} -> {name}")

    def _create_user(self, logical_id: str, props: dict[str, Any], resolver: Resolver) -> None:
        username = props.get("Username") or str(uuid.uuid4())
        self.client.admin_create_user(
            UserPoolId=props["UserPoolId"],
            Username=username,
            UserAttributes=[{"Name": a["Name"], "Value": a["Value"]} for a in props.get("UserAttributes", [])],
            MessageAction="SUPPRESS",
        )
        resolver.refs[logical_id] = username
        self.progress(f"  user      {logical_id} -> {username}")

    def _function(self, stack: StackTemplate, logical_id: str, props: dict[str, Any], resolver: Resolver) -> _Function:
        name = f"{stack.name}-{logical_id}"[:64]
        resolver.refs[logical_id] = name
        resolver.attributes[logical_id] = {"Arn": f"arn:aws:lambda:{self.region}:{ACCOUNT}:function:{name}"}
        variables = props.get("Environment", {}).get("Variables", {})
        return _Function(
            stack.asset_dir(logical_id),
            str(props.get("Handler", "index.handler")),
            float(props.get("Timeout", 3)),
            {str(k): str(v) for k, v in variables.items()},
        )

    @staticmethod
    def _service(stack: StackTemplate, logical_id: str, functions: dict[str, _Function]) -> _Function:
        token = stack.resources[logical_id].get("Properties", {}).get("ServiceToken")
        target = token.get("Fn::GetAtt", [None])[0] if isinstance(token, dict) else None
        if target not in functions:
            raise AssemblyError(f"{stack.name}/{logical_id}: ServiceToken is not a Lambda function of this stack")
        return functions[target]

    def _sign_ins(self, stack: StackTemplate, items: list[_Settings]) -> list[Outcome]:
        """Sign each test user with a password in: an SMS challenge for a user with SMS MFA, none otherwise."""
        found: list[Outcome] = []
        for item in items:
            props = item.properties
            arn = props.get("PasswordSecretArn")
            if item.failed or item.resource_type != TEST_USER_RESOURCE_TYPE:
                continue
            if not isinstance(arn, str):
                continue
            started = time.monotonic()
            sms = props.get("SmsMfaPreferred") == "true"
            username = str(item.data.get("Username") or props.get("Username", ""))
            pool = str(props.get("UserPoolId", ""))
            done = sign_in(
                self.client, self.secrets, self.endpoint, pool_id=pool, username=username, secret_arn=arn, sms_mfa=sms
            )
            want = expected(sms)
            outcome = Outcome(
                stack=stack.name,
                logical_id=item.logical_id,
                phase=SIGN_IN_PHASE,
                pool=pool,
                username=username,
                desired=[{SIGN_IN_KEY: want}],
                read_back=[{SIGN_IN_KEY: done.result}],
                status="SUCCESS",
                reason="" if done.result == want else f"sign-in: expected {want}, got {done.result}",
                seconds=time.monotonic() - started,
            )
            self.progress(f"  sign-in   {item.logical_id} -> {done.result}")
            found.append(outcome)
        return found

    def _update(self, stack: StackTemplate, item: _Settings) -> Outcome:
        old = item.properties
        if item.resource_type == TEST_USER_RESOURCE_TYPE:
            return self._update_test_user(stack, item)
        if _is_preference(stack, item):
            item.properties = {**old, **_flipped_sms(old)}
        else:
            item.properties = {**old, "MFAOptions": [] if old.get("MFAOptions") else [SMS]}
        return self._invoke(stack, item, "Update", old_properties=old)

    def _update_test_user(self, stack: StackTemplate, item: _Settings) -> Outcome:
        """Change the phone number (in place: the ``sub`` must stay) and rotate the password, as a template
        change of the secret would."""
        old = item.properties
        item.properties = {**old, "PhoneNumber": CYCLE_PHONE_NUMBER}
        arn = old.get("PasswordSecretArn")
        if isinstance(arn, str):
            self.secrets.put_secret_value(SecretId=arn, SecretString=generated_secret_string({"PasswordLength": 20}))
            item.properties["PasswordRevision"] = f"cycle-{uuid.uuid4().hex[:8]}"
        sub = item.data.get("Sub")
        outcome = self._invoke(stack, item, "Update", old_properties=old)
        if outcome.ok and item.data.get("Sub") != sub:
            outcome.status, outcome.reason = "REPLACED", "the phone number change made another user (sub changed)"
        return outcome

    def _invoke(
        self,
        stack: StackTemplate,
        item: _Settings,
        request_type: str,
        old_properties: dict[str, Any] | None = None,
        *,
        phase: str | None = None,
        keeps_options: bool = False,
    ) -> Outcome:
        """Send one request to the handler and read the user back; ``keeps_options``: a Delete after which the
        user must still hold the resource's options (the cleanup of a renamed resource)."""
        url = self.collector.new_url()
        event = custom_resource_event(
            request_type,
            as_cloudformation_strings(item.properties),
            response_url=url,
            stack_id=self._stack_id(stack),
            logical_id=item.logical_id,
            resource_type=item.resource_type,
            physical_id=None if request_type == "Create" else item.physical_id,
            old_properties=None if old_properties is None else as_cloudformation_strings(old_properties),
        )
        function = item.function
        env = lambda_runner.lambda_environment(
            region=self.region,
            endpoint=self.endpoint,
            function_name=f"{stack.name}-handler",
            timeout_s=function.timeout_s,
            extra={**function.environment, "SSL_CERT_FILE": self.collector.ca_file},
        )
        step = request_type.upper()
        self._record(stack, StackResource(item.logical_id, item.physical_id, item.resource_type, f"{step}_IN_PROGRESS"))
        run = lambda_runner.invoke(
            str(function.asset_dir), event, entry=function.handler, timeout_s=function.timeout_s, env=env
        )
        responses = self.collector.responses(url)
        response = responses[0] if responses else None
        self._keep(item, response, request_type)
        status, reason = self._status(response, run)
        done = "COMPLETE" if status == "SUCCESS" else "FAILED"
        self._record(stack, StackResource(item.logical_id, item.physical_id, item.resource_type, f"{step}_{done}"))
        cleared = request_type == "Delete" and not keeps_options
        test_user = item.resource_type == TEST_USER_RESOURCE_TYPE
        preference = _is_preference(stack, item)
        user = self._read_user(item)
        read_back: list[dict[str, str]] | None
        if test_user:
            desired = None if request_type == "Delete" else _wanted_sms_preference(item.properties)
            read_back = None if user is None else _sms_preference(user)
        elif preference:
            desired = _factor_states(item.properties, disabled=cleared)
            read_back = None if user is None else _managed(user, item.properties)
        else:
            desired = [] if cleared else list(item.properties.get("MFAOptions", []))
            read_back = None if user is None else _legacy(user)
        outcome = Outcome(
            stack=stack.name,
            logical_id=item.logical_id,
            phase=phase or request_type.lower(),
            pool=str(item.properties.get("UserPoolId", "")),
            username=str(item.data.get("Username") or item.properties.get("Username", "")),
            desired=desired,
            read_back=read_back,
            status=status,
            reason=reason,
            seconds=run.duration_s,
            legacy_options=None if user is None else _legacy(user),
            preference=None if user is None else _reported_preference(user),
        )
        self.progress(f"  {outcome.phase:<9} {item.logical_id} -> {outcome.verdict} ({run.duration_s:.2f} s)")
        return outcome

    @staticmethod
    def _status(response: CfnResponse | None, run: lambda_runner.Invocation) -> tuple[str, str]:
        """The response's status and reason, or why there was none."""
        if response is None:
            why = "timed out" if run.timed_out else f"exited with status {run.returncode}"
            tail = run.logs.strip().splitlines()[-1:] or ["no output"]
            return "NO RESPONSE", f"the handler {why} without answering: {tail[0][:160]}"
        return response.status, response.reason

    @staticmethod
    def _keep(item: _Settings, response: CfnResponse | None, request_type: str) -> None:
        """Keep what CloudFormation keeps of a response: the physical id (also after FAILED: the id a rollback
        Delete would get) and, on success, the attributes."""
        if response is not None and request_type != "Delete":
            item.physical_id = response.physical_id
            if response.status == "SUCCESS":
                item.data = response.data
        item.failed = item.failed or response is None or response.status != "SUCCESS"

    def _read_user(self, item: _Settings) -> dict[str, Any] | None:
        """The user's AdminGetUser answer afterwards, or None when there is no such user."""
        pool = item.properties.get("UserPoolId")
        username = item.data.get("Username") or item.properties.get("Username")
        if not isinstance(pool, str) or not isinstance(username, str):
            return None
        try:
            user: Any = self.client.admin_get_user(UserPoolId=pool, Username=username)
        except self.client.exceptions.UserNotFoundException:
            return None
        return dict(user)


def _wanted_sms_preference(properties: dict[str, Any]) -> list[dict[str, str]]:
    """What a test user's properties ask for: the SMS preference (enabled and preferred), or none."""
    return [SMS_PREFERENCE] if properties.get("SmsMfaPreferred") == "true" else []


def _sms_preference(user: dict[str, Any]) -> list[dict[str, str]]:
    """A test user's SMS preference as AdminGetUser reports it, in the rows of :func:`_wanted_sms_preference`."""
    return [SMS_PREFERENCE] if user.get("PreferredMfaSetting") == "SMS_MFA" else []


def _is_preference(stack: StackTemplate, item: _Settings) -> bool:
    return item.resource_type == PREFERENCE_RESOURCE_TYPE


def _flipped_sms(properties: dict[str, Any]) -> dict[str, str]:
    """The update of a preference: its SMS factor PREFERRED -> ENABLED, ENABLED <-> DISABLED (others unchanged)."""
    state = properties.get(SMS_FACTOR.property)
    if state is None:
        return {}
    flipped = MfaFactor.DISABLED if state == MfaFactor.ENABLED else MfaFactor.ENABLED
    return {SMS_FACTOR.property: flipped.value}


def _factor_states(properties: dict[str, Any], *, disabled: bool) -> list[dict[str, str]]:
    """The managed factors of a preference's properties, as ``{Factor, State}`` rows (all DISABLED after Delete)."""
    return [
        {"Factor": f.reported_name, "State": MfaFactor.DISABLED.value if disabled else str(properties[f.property])}
        for f in MFA_FACTORS
        if f.property in properties
    ]


def _managed(user: dict[str, Any], properties: dict[str, Any]) -> list[dict[str, str]]:
    """The current state of the factors a preference manages, in the rows of :func:`_factor_states`."""
    current = mfa_preference.current_factors(user)
    return [{"Factor": f.reported_name, "State": current[f].value} for f in MFA_FACTORS if f.property in properties]


def _legacy(user: dict[str, Any]) -> list[dict[str, str]]:
    return list(user.get("MFAOptions", []))


def _reported_preference(user: dict[str, Any]) -> dict[str, Any]:
    return {key: user[key] for key in ("UserMFASettingList", "PreferredMfaSetting") if key in user}


def _options(options: list[dict[str, str]] | None) -> str:
    if options is None:
        return "(no user)"
    if len(options) == 1 and SIGN_IN_KEY in options[0]:
        return options[0][SIGN_IN_KEY]
    if options == [SMS_PREFERENCE]:
        return "SMS preferred"
    if not options:
        return "none"
    return ", ".join(
        f"{o['Factor']}={o['State']}" if "Factor" in o else f"{o.get('DeliveryMedium')}->{o.get('AttributeName')}"
        for o in options
    )


def _both_forms(outcome: Outcome) -> str:
    """The user's MFA read back in both forms: ``options <MFAOptions>; preference <enabled factors>``."""
    if outcome.legacy_options is None or outcome.preference is None:
        return "(no user)"
    preferred = outcome.preference.get("PreferredMfaSetting")
    factors = [f"{name}*" if name == preferred else name for name in outcome.preference.get("UserMFASettingList", [])]
    return f"options {_options(outcome.legacy_options)}; preference {', '.join(factors) or 'none'}"


def render_table(outcomes: Sequence[Outcome]) -> str:
    """A plain-text table, one row per request, with the Reason under each failed row."""
    header = ("STACK", "STEP", "RESOURCE", "POOL", "USERNAME", "DESIRED", "READ BACK", "RESULT", "TIME")
    rows = [
        (
            o.stack,
            o.phase,
            o.logical_id,
            o.pool,
            o.username,
            _options(o.desired),
            _options(o.read_back) if o.phase == SIGN_IN_PHASE else _both_forms(o),
            o.verdict,
            f"{o.seconds:.2f} s",
        )
        for o in outcomes
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    out = [lines[0], "  ".join("-" * w for w in widths)]
    for outcome, line in zip(outcomes, lines[1:], strict=True):
        out.append(line)
        if outcome.reason:
            out.append(f"    Reason: {outcome.reason}")
    return "\n".join(out)


def rehearse(
    cdk_out: Path, *, stacks: Sequence[str], endpoint: str | None, region: str, cycle: bool, as_json: bool
) -> int:
    """Rehearse the assembly in ``cdk_out``, print the table (or JSON) and return the exit status.

    Progress goes to standard error, the result to standard output. Exit status: 0 when every request succeeded
    and every user holds exactly the desired options, 1 otherwise, 2 for an assembly error.
    """
    from cognito_sms_mfa.local.assembly import load_assembly
    from cognito_sms_mfa.local.cfn_responses import ResponseCollector

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    started = time.monotonic()
    try:
        templates = load_assembly(cdk_out, stacks)
        with contextlib.ExitStack() as resources:
            if endpoint is None:
                from cognito_sms_mfa.local import CognitoEmulator

                endpoint = resources.enter_context(CognitoEmulator(region=region)).endpoint
                progress(f"local Cognito emulator at {endpoint}")
            collector = resources.enter_context(ResponseCollector())
            rehearsal = Rehearsal(endpoint=endpoint, region=region, collector=collector, progress=progress)
            outcomes = rehearsal.run(templates, cycle=cycle)
    except AssemblyError as error:
        print(f"rehearse: {error}", file=sys.stderr)
        return 2
    failed = [o for o in outcomes if not o.ok]
    elapsed = time.monotonic() - started
    if as_json:
        print(json.dumps({"ok": not failed, "seconds": round(elapsed, 2), "requests": [o.to_json() for o in outcomes]}))
    else:
        print(render_table(outcomes))
        print(
            "\nDESIRED: the options the template asks for (after an update: flipped; after a delete: none;"
            "\n  after the cleanup of a renamed resource: kept, because the new logical id holds the user now)."
            "\nREAD BACK: what the emulator's AdminGetUser reports for the user afterwards, in both forms: the"
            "\n  legacy MFAOptions and the preference (enabled factors, * = preferred)."
            "\nA test user's row shows its SMS preference (--cycle gives it a new phone number, same sub, and a new"
            "\n  password version); its sign-in row, what signing in with the secret's password showed."
        )
        verdict = (
            "all requests succeeded and every user holds the desired options"
            if not failed
            else (f"{len(failed)} of {len(outcomes)} requests failed or left the wrong options")
        )
        print(f"\n{len(outcomes)} requests in {elapsed:.1f} s: {verdict}")
    return 1 if failed or not outcomes else 0
