"""Figure 2: each request type through crhelper against the local Cognito emulator, timed and counted.

The handler runs in this process as the functional tests run it (``tests/functional/conftest.py``): the staged
asset's ``index`` imported afresh with Lambda's variables and dummy credentials, its Cognito client pointed at
the emulator (``AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER``), and the ResponseURL served over TLS by a local
collector whose throwaway CA ``SSL_CERT_FILE`` trusts. A request's time runs from the handler call to the
response body being in the collector; its Cognito calls are those the emulator received.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config

from bench.common import Stats, progress
from cognito_sms_mfa.handler_asset import staged_asset
from cognito_sms_mfa.local import CognitoEmulator
from cognito_sms_mfa.local.cfn_responses import ResponseCollector, custom_resource_event
from cognito_sms_mfa.local.lambda_bootstrap import LambdaContext
from cognito_sms_mfa.local.lambda_runner import OFFLINE_AWS_ENV
from tests.handler.functional.harness import load_handler, record

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

RUNS = 21
REGION = "us-east-1"
LAMBDA_TIMEOUT_S = 120.0  # the handler's timeout (HANDLER_TIMEOUT; asset_size checks it in a synthesized template)
STACK_ID = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Bench/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
FOREIGN_ID = "Bench_AliceMfa_K3J9Q2XZ"  # crhelper's random id shape, as after a failed Create
# Timeouts at which crhelper's default sleep_on_delete is evaluated (ours, its threshold, common choices).
ANCHOR_TIMEOUTS_S = (120, 136, 137, 300, 900)


@dataclass(frozen=True)
class RequestFigure:
    """One request type: time per request and the Cognito actions the emulator received."""

    request: str
    time_ms: Stats
    first_ms: float
    cognito_calls: int
    actions: list[str]
    goal_calls: int


@dataclass(frozen=True)
class DeleteAnchor:
    """What crhelper's defaults (``sleep_on_delete=120``) add to a Delete at one Lambda timeout."""

    lambda_timeout_s: int
    crhelper_sleep_s: float
    delete_ms: float
    ratio_to_ours: float


@dataclass(frozen=True)
class RequestTypes:
    """Figure 2."""

    runs: int
    lambda_timeout_s: float
    requests: dict[str, RequestFigure]
    delete_anchor: list[DeleteAnchor]


def run(runs: int = RUNS) -> RequestTypes:
    """Run ``runs`` rounds of Create, Update, Delete and foreign-id Delete, after one warm-up round."""
    with (
        CognitoEmulator(region=REGION) as emulator,
        ResponseCollector() as collector,
        _lambda_env(emulator, collector),
        staged_asset() as asset,
    ):
        pool_id = _make_pool(emulator)
        # The stack as CloudFormation lists it: only this resource, so each Delete clears (no hand-over).
        record(emulator, "AliceMfa", "", "CREATE_IN_PROGRESS", STACK_ID)
        module = _load_handler(asset)
        sender = _Sender(module, collector, emulator)
        times: dict[str, list[float]] = {name: [] for name in ("Create", "Update", "Delete", "Delete (foreign id)")}
        actions: dict[str, list[str]] = {}
        first: dict[str, float] = {}
        for round_no in range(runs + 1):
            results = _round(sender, pool_id)
            for name, (elapsed_ms, calls) in results.items():
                previous = actions.setdefault(name, calls)
                if calls != previous:
                    raise RuntimeError(f"{name} made {calls} in one round and {previous} in another")
                if round_no == 0:
                    first[name] = elapsed_ms
                else:
                    times[name].append(elapsed_ms)
            if round_no % 5 == 0:
                progress(f"requests: round {round_no}/{runs}")
    goals = {"Create": 2, "Update": 2, "Delete": 1, "Delete (foreign id)": 0}
    requests = {
        name: RequestFigure(name, Stats.of(times[name]), first[name], len(actions[name]), actions[name], goals[name])
        for name in times
    }
    ours_delete_ms = requests["Delete"].time_ms.median
    anchors = [_delete_anchor(timeout, ours_delete_ms) for timeout in ANCHOR_TIMEOUTS_S]
    return RequestTypes(runs, LAMBDA_TIMEOUT_S, requests, anchors)


@dataclass
class _Sender:
    module: ModuleType
    collector: ResponseCollector
    emulator: CognitoEmulator

    def send(
        self,
        request_type: str,
        properties: dict[str, Any],
        *,
        physical_id: str | None = None,
        old_properties: dict[str, Any] | None = None,
    ) -> tuple[dict[str, Any], float, list[str]]:
        """Send one CloudFormation-shaped event; return the response body, the time in ms and the actions."""
        service_token = f"arn:aws:lambda:{REGION}:123456789012:function:bench-handler"
        event = custom_resource_event(
            request_type,
            {"ServiceToken": service_token, "ServiceTimeout": "300", **properties},
            response_url=self.collector.new_url(),
            stack_id=STACK_ID,
            logical_id="AliceMfa",
            physical_id=physical_id,
            old_properties=None if old_properties is None else {"ServiceToken": service_token, **old_properties},
        )
        self.emulator.clear_calls()
        started = time.perf_counter()
        self.module.handler(event, LambdaContext(LAMBDA_TIMEOUT_S))
        response = self.collector.wait_for(event["ResponseURL"])
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        body = response.body
        if body["Status"] != "SUCCESS":
            raise RuntimeError(f"{request_type} answered {body['Status']}: {body.get('Reason')}")
        return body, elapsed_ms, self.emulator.calls()


def _round(sender: _Sender, pool_id: str) -> dict[str, tuple[float, list[str]]]:
    """Create (alice gets SMS), Update (SMS cleared), Delete of our id, Delete of a foreign id."""
    with_sms = _props(pool_id, [SMS])
    without = _props(pool_id, [])
    created, create_ms, create_calls = sender.send("Create", with_sms)
    physical_id = str(created["PhysicalResourceId"])
    _, update_ms, update_calls = sender.send("Update", without, physical_id=physical_id, old_properties=with_sms)
    _, delete_ms, delete_calls = sender.send("Delete", without, physical_id=physical_id)
    _, foreign_ms, foreign_calls = sender.send("Delete", without, physical_id=FOREIGN_ID)
    return {
        "Create": (create_ms, create_calls),
        "Update": (update_ms, update_calls),
        "Delete": (delete_ms, delete_calls),
        "Delete (foreign id)": (foreign_ms, foreign_calls),
    }


def _props(pool_id: str, options: list[dict[str, str]]) -> dict[str, Any]:
    return {"UserPoolId": pool_id, "Username": "alice", "MFAOptions": options}


@contextmanager
def _lambda_env(emulator: CognitoEmulator, collector: ResponseCollector) -> Iterator[None]:
    """Lambda's variables with dummy credentials, Cognito at the emulator, the collector's CA trusted."""
    values = {
        **OFFLINE_AWS_ENV,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": emulator.endpoint,
        "AWS_ENDPOINT_URL_CLOUDFORMATION": emulator.endpoint,
        "SSL_CERT_FILE": collector.ca_file,
    }
    removed = ("AWS_PROFILE", "AWS_ENDPOINT_URL")
    saved = {name: os.environ.get(name) for name in (*values, *removed)}
    os.environ.update(values)
    for name in removed:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _make_pool(emulator: CognitoEmulator) -> str:
    """A case-insensitive pool with optional MFA and the user alice (phone number verified)."""
    client: CognitoIdentityProviderClient = boto3.client(
        "cognito-idp",
        endpoint_url=emulator.endpoint,
        region_name=REGION,
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )
    pool_id = client.create_user_pool(
        PoolName="bench", UsernameConfiguration={"CaseSensitive": False}, MfaConfiguration="OPTIONAL"
    )["UserPool"]["Id"]
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "phone_number", "Value": "+15555550100"},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
    )
    return pool_id


def _load_handler(asset: str) -> ModuleType:
    """Import the staged asset's entry module afresh, so its start-up reads the environment set above."""
    return load_handler(asset)


def _delete_anchor(timeout_s: int, ours_delete_ms: float) -> DeleteAnchor:
    """Ask crhelper's own ``_wait_for_cwlogs`` (default ``sleep_on_delete``) how long it would sleep; do not sleep.

    crhelper calls it after the delete function returned, so the context has ``timeout - our work`` left.
    """
    from crhelper.resource_helper import CfnResource

    slept: list[float] = []
    helper = SimpleNamespace(
        _sleep_on_delete=_crhelper_default_sleep_on_delete(),
        _context=LambdaContext(timeout_s - ours_delete_ms / 1000.0),
    )
    CfnResource._wait_for_cwlogs(helper, sleep=slept.append)  # type: ignore[attr-defined]  # not in its stub
    sleep_s = float(sum(slept))
    total_ms = ours_delete_ms + sleep_s * 1000.0
    return DeleteAnchor(timeout_s, sleep_s, total_ms, total_ms / ours_delete_ms)


def _crhelper_default_sleep_on_delete() -> int:
    """The default of ``CfnResource(sleep_on_delete=...)``, read from its signature."""
    import inspect

    from crhelper.resource_helper import CfnResource

    default = inspect.signature(CfnResource.__init__).parameters["sleep_on_delete"].default
    return int(default)
