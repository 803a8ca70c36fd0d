"""``cognito-sms-mfa export`` against the emulator through the real console script: a pool's users sorted into one
usernames file per state, the snippet that declares them, progress on standard error, ``--json``; and, for a pool
of 2,000 users, the exported code synthesized and deployed through the bundled handler asset: no writes, and drift
on that stack in sync."""

from __future__ import annotations

import contextlib
import json
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_cli.export_decisions import NO_PHONE, SNIPPET_FILE
from cognito_sms_mfa_emulator.clients import emulator_service_client
from cognito_sms_mfa_emulator.stacks import StackResource
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector, custom_resource_event
from tests.cli.test_drift_ci import CONSOLE_SCRIPT, as_json, console, environment
from tests.conftest import synth_app
from tests.emulator.conftest import REGION
from tests.handler.functional.batch_harness import BUCKET
from tests.handler.functional.harness import run_asset

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
WRITES = ("AdminSetUserSettings", "AdminSetUserMFAPreference")
# The states users are put in by hand: name prefix -> (SMS options, SMS factor, with a phone number).
STATES = {
    "both-preferred": (True, "PREFERRED", True),
    "both-enabled": (True, "ENABLED", True),
    "options-only": (True, None, True),
    "factor-preferred": (False, "PREFERRED", True),
    "factor-enabled": (False, "ENABLED", True),
    "nothing": (False, None, True),
    "no-phone": (False, None, False),
}
FILES = {
    "both-preferred": "sms-options-sms-preferred.txt",
    "both-enabled": "sms-options-sms-enabled.txt",
    "options-only": "sms-options.txt",
    "factor-preferred": "sms-preferred.txt",
    "factor-enabled": "sms-enabled.txt",
}


def populate(cognito: CognitoIdentityProviderClient, pool: str, counts: dict[str, int]) -> dict[str, list[str]]:
    """Users of each state in ``counts``; their names by state."""
    names: dict[str, list[str]] = {}
    for state, count in counts.items():
        options, factor, phone = STATES[state]
        names[state] = [f"{state}-{i:04d}" for i in range(count)]
        for index, name in enumerate(names[state]):
            attributes: list[Any] = [{"Name": "phone_number", "Value": f"+1555{index:07d}"}] if phone else []
            cognito.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS",
                                      UserAttributes=attributes)  # fmt: skip
            if options:
                cognito.admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
            if factor is not None:
                cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username=name, SMSMfaSettings={
                    "Enabled": True, "PreferredMfa": factor == "PREFERRED"})  # fmt: skip
    return names


def export(emulator: CognitoEmulator, pool: str, out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``cognito-sms-mfa export --user-pool-id POOL --out OUT --endpoint-url <emulator> ARGS``."""
    command = [CONSOLE_SCRIPT, "export", "--user-pool-id", pool, "--out", str(out), "--endpoint-url",
               emulator.endpoint, "--max-rps", "2000", "--max-list-rps", "2000", *args]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, env=environment(), timeout=300, check=False)


def test_export_writes_a_usernames_file_per_state_and_a_snippet(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    # GIVEN a pool (more than one ListUsers page) with users in every state, and a stale file of an earlier export
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    counts = {"both-preferred": 30, "both-enabled": 5, "options-only": 12, "factor-preferred": 4, "factor-enabled": 3,
              "nothing": 20, "no-phone": 6}  # fmt: skip
    names = populate(cognito, pool, counts)
    (tmp_path / "sms-enabled.txt").write_text("stale\n")
    emulator.clear_calls()
    # WHEN exported (the Region is the pool id's: no AWS_REGION)
    result = export(emulator, pool, tmp_path, "--json")
    calls = emulator.calls()
    table = export(emulator, pool, tmp_path / "again")
    # THEN one file per state that has users, sorted, one name a line; the users without a phone are not read
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["files"] == {FILES[state]: counts[state] for state in FILES}
    for state, file in FILES.items():
        assert (tmp_path / file).read_text() == "".join(f"{name}\n" for name in sorted(names[state]))
    assert (found["version"], found["users"], found["read"], found["region"]) == (1, 80, 74, REGION)
    assert (found["skipped"], found["unread"]) == ([], [])
    assert calls.count("AdminGetUser") == 74
    assert calls.count("ListUsers") == 2  # 80 users, 60 a page
    assert not [call for call in calls if call in WRITES]
    # the snippet declares one batch per file, with each state's arguments, and is valid Python
    code = (tmp_path / SNIPPET_FILE).read_text()
    compile(code, SNIPPET_FILE, "exec")
    assert 'usernames=usernames("sms-options-sms-preferred.txt"), sms_preference=MfaFactor.PREFERRED' in code
    assert 'usernames=usernames("sms-options.txt")\n' in code
    assert 'usernames=usernames("sms-enabled.txt"), mfa_options=[], sms_preference=MfaFactor.ENABLED' in code
    assert f'from_user_pool_id(self, "Pool", "{pool}")' in code
    # progress and the summary in words
    assert "export: 80 users listed; 74 with a phone number to read (AdminGetUser)" in result.stderr
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[-1].startswith("80 users listed, 74 read, 0 skipped, 0 unread (2 ListUsers, 74 ")


def test_export_names_what_it_cannot_export_or_read(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    # GIVEN a pool whose reads are denied once, and a pool that does not exist
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    populate(cognito, pool, {"both-preferred": 3})
    emulator.inject("AdminGetUser", "AccessDeniedException")
    # WHEN
    denied = export(emulator, pool, tmp_path / "denied", "--json")
    gone = export(emulator, "us-east-1_Nowhere0", tmp_path / "gone", "--json")
    # THEN the unread user is named and left out (exit 3); the missing pool is an error and nothing is written
    assert denied.returncode == 3, denied.stderr
    [unread] = json.loads(denied.stdout)["unread"]
    assert unread["reason"].startswith("AdminGetUser denied (AccessDeniedException); the caller needs")
    assert json.loads(denied.stdout)["files"] == {"sms-options-sms-preferred.txt": 2}
    assert gone.returncode == 2
    assert json.loads(gone.stdout)["error"] == "pool us-east-1_Nowhere0 does not exist (in this account and Region)"
    assert not (tmp_path / "gone").exists()
    assert NO_PHONE.startswith("no phone_number")


APP = """\
import sys

sys.path.insert(0, {out!r})

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_cognito as cognito
from sms_mfa_export import add_exported_sms_mfa

app = App()
stack = Stack(app, "Exported", env=Environment(account="123456789012", region="{region}"))
add_exported_sms_mfa(stack, cognito.UserPool.from_user_pool_id(stack, "Pool", "{pool}"))
app.synth()
"""


def deploy(emulator: CognitoEmulator, assembly: Path, stack_id: str) -> dict[str, Any]:
    """Play CloudFormation's Create of every batch of the synthesized stack through the bundled handler asset, all at
    once as CloudFormation creates resources that do not depend on each other (its lists put where the template says,
    in the emulator's S3); record the stack as deployed; the responses."""
    template = json.loads((assembly / "Exported.template.json").read_text())
    [function] = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    code = assembly / f"asset.{function['Properties']['Code']['S3Key'].removesuffix('.zip')}"
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET)
    emulator.record_stack(stack_id, template, {})
    batches = [(lid, res) for lid, res in template["Resources"].items() if res["Type"] == SETTINGS_BATCH_RESOURCE_TYPE]
    with ResponseCollector() as collector:

        def create(item: tuple[str, dict[str, Any]]) -> dict[str, Any]:
            logical_id, resource = item
            properties = {**resource["Properties"], "ManifestBucket": BUCKET}
            staged = assembly / f"asset.{properties['ManifestKey']}"
            s3.put_object(Bucket=BUCKET, Key=properties["ManifestKey"], Body=staged.read_bytes())
            emulator.record_resource(stack_id, StackResource(logical_id, "", resource["Type"], "CREATE_IN_PROGRESS"))
            event = custom_resource_event("Create", properties, response_url="", stack_id=stack_id,
                                          logical_id=logical_id, resource_type=resource["Type"])  # fmt: skip
            response, run = run_asset(code, (emulator, collector), event, timeout_s=300)
            assert response.status == "SUCCESS", response.reason + run.logs[-2000:]
            status = StackResource(logical_id, response.physical_id, resource["Type"], "CREATE_COMPLETE")
            emulator.record_resource(stack_id, status)
            return dict(response.data)

        with ThreadPoolExecutor(max_workers=len(batches) or 1) as pool:
            answers = list(pool.map(create, batches))
    return {logical_id: data for (logical_id, _), data in zip(batches, answers, strict=True)}


@pytest.mark.slow
def test_a_deploy_of_the_exported_code_writes_nothing_and_drift_is_in_sync(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    # GIVEN a pool of 2,000 users whose SMS MFA was turned on by hand in every way, exported
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    counts = {"both-preferred": 600, "both-enabled": 300, "options-only": 300, "factor-preferred": 200,
              "factor-enabled": 100, "nothing": 400, "no-phone": 100}  # fmt: skip
    populate(cognito, pool, counts)
    out = tmp_path / "export"
    exported = export(emulator, pool, out, "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["users"] == 2000
    # WHEN an app that uses the snippet is synthesized, and its batches deployed through the bundled handler
    app = tmp_path / "app.py"
    app.write_text(APP.format(out=str(out), region=REGION, pool=pool))
    assembly = synth_app(app, tmp_path / "synth")
    stack_id = f"arn:aws:cloudformation:{REGION}:123456789012:stack/Exported/{uuid.uuid4()}"
    emulator.clear_calls()
    responses = deploy(emulator, assembly, stack_id)
    writes = [call for call in emulator.calls() if call in WRITES]
    drift = console(emulator, "--stack", "Exported", "--json")
    # THEN the deploy made no write (every user already right), and drift on that stack is in sync
    assert len(responses) == len(FILES)
    assert {data["Written"] for data in responses.values()} == {"0"}
    assert writes == []
    assert drift.returncode == 0, drift.stdout + drift.stderr
    [stack] = as_json(drift)["stacks"]
    assert sorted(row["user"] for row in stack["resources"]) == sorted(f"{counts[state]:,} users" for state in FILES)
    assert {row["verdict"] for row in stack["resources"]} == {"IN_SYNC"}
