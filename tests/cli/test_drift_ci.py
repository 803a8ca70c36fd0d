"""``cognito-sms-mfa drift`` as a platform team runs it in CI, through the real console script: several stacks with
one outcome each, distinct exit statuses, every stack of an app, a versioned JSON that follows its shipped schema,
construct paths, ``-q``, list parameters, a denied batch, and tables sized to a terminal but never in a log."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema  # type: ignore[import-untyped]  # no stubs; pinned in requirements.lock (cfn-lint needs it)
import pytest

from cognito_sms_mfa_cli import drift
from cognito_sms_mfa_cli.drift_report import schema
from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV
from cognito_sms_mfa_lambda import preference_decisions, settings_decisions
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE
from tests.cli.conftest import Deployment
from tests.cli.test_drift_batch import deploy_batch, pool_with, with_sms
from tests.emulator.conftest import REGION
from tests.rehearsal.helpers import in_terminal

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
CONSOLE_SCRIPT = str(Path(sys.executable).parent / "cognito-sms-mfa")


def environment(**extra: str) -> dict[str, str]:
    """Dummy credentials only (no AWS variable of the caller's), and ``extra``."""
    return {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | OFFLINE_AWS_ENV | extra


def console(emulator: CognitoEmulator, *args: str, region: str | None = REGION) -> subprocess.CompletedProcess[str]:
    """``cognito-sms-mfa drift --endpoint-url <emulator> ARGS``: the installed console script, in a pipe."""
    env = environment(**({} if region is None else {"AWS_REGION": region}))
    command = [CONSOLE_SCRIPT, "drift", "--endpoint-url", emulator.endpoint, "--max-rps", "2000", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120, check=False)


def as_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The ``--json`` output, checked against the schema shipped in the package."""
    found: dict[str, Any] = json.loads(result.stdout)
    jsonschema.validate(found, schema())
    return found


def settings_stack(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, name: str, username: str, *, drifted: bool
) -> Deployment:
    """A stack ``name`` whose settings resource (construct path ``<name>/<User>Mfa``) gives ``username`` SMS; the
    user holds it unless ``drifted``."""
    pools = cognito.list_user_pools(MaxResults=10)["UserPools"]
    pool = pools[0]["Id"] if pools else cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}])  # fmt: skip
    if not drifted:
        cognito.admin_set_user_settings(UserPoolId=pool, Username=username, MFAOptions=[SMS])  # type: ignore[list-item]
    deployment = Deployment(emulator, name=name)
    logical_id = f"{username.title()}Mfa1A2B3C4D"
    deployment.add(logical_id, SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, username)),
                   {"UserPoolId": pool, "Username": username, "MFAOptions": [SMS]})  # fmt: skip
    deployment.resources[logical_id]["Metadata"] = {"aws:cdk:path": f"{name}/{username.title()}Mfa/Resource/Default"}
    deployment.record()
    return deployment


def test_one_stack_that_cannot_be_read_never_hides_anothers_drift(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a drifted stack, a stack in sync, and a stack name that does not exist (named first); one stack named
    # twice by name and once by id
    users = settings_stack(emulator, cognito, "Users", "alice", drifted=True)
    settings_stack(emulator, cognito, "Admins", "bob", drifted=False)
    # WHEN
    result = console(emulator, "--stack", "Gone", "--stack", "Users", "--stack", "Admins", "--stack", "Users",
                     "--stack", users.stack_id, "--json")  # fmt: skip
    # THEN each stack has its own outcome, in the order named, each once; the drift decides the exit status
    found = as_json(result)
    assert result.returncode == 1, result.stderr
    assert [(s["stack"], s["outcome"]) for s in found["stacks"]] == [
        ("Gone", "ERROR"), ("Users", "DRIFTED"), ("Admins", "IN_SYNC"),
    ]  # fmt: skip
    assert found["stacks"][0]["cause"] == "stack Gone does not exist (in this account and Region)"
    assert [len(s["resources"]) for s in found["stacks"]] == [0, 1, 1]
    assert found["stack_summary"] == {"IN_SYNC": 1, "DRIFTED": 1, "NOT_CHECKED": 0, "NOT_COMPARABLE": 0, "ERROR": 1}
    assert found["version"] == 1
    assert "drift: stack Gone: could not check: stack Gone does not exist" in result.stderr


@pytest.mark.parametrize("status", ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"])
def test_a_stack_in_progress_or_failed_is_not_comparable_with_its_status(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, status: str
) -> None:
    # GIVEN a stack whose user differs from the template, while CloudFormation is changing the stack (or failed to)
    deployment = settings_stack(emulator, cognito, "Users", "alice", drifted=True)
    settings_stack(emulator, cognito, "Admins", "bob", drifted=False)
    emulator.set_stack_status(deployment.stack_id, status)
    emulator.clear_calls()
    # WHEN
    table = console(emulator, "--stack", "Users", "--stack", "Admins")
    result = console(emulator, "--stack", "Users", "--stack", "Admins", "--json")
    # THEN not DRIFTED but NOT_COMPARABLE, its status named, its users not read; exit 3 as nothing drifted
    assert (table.returncode, result.returncode) == (3, 3), table.stdout + table.stderr
    users, admins = as_json(result)["stacks"]
    assert (users["outcome"], users["status"], users["resources"]) == ("NOT_COMPARABLE", status, [])
    assert admins["outcome"] == "IN_SYNC"
    assert table.stdout.splitlines()[0].startswith(f"Users: not comparable: stack status {status} ")
    assert emulator.calls("AdminGetUser") == ["AdminGetUser"] * 2  # bob's, twice


def test_exit_statuses_are_distinct_and_listed_in_the_help(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a stack in sync
    settings_stack(emulator, cognito, "Admins", "bob", drifted=False)
    # WHEN checked, with a denied read, without a Region, without stacks, and asked for help
    in_sync = console(emulator, "--stack", "Admins")
    emulator.inject("AdminGetUser", "AccessDeniedException")
    not_checked = console(emulator, "--stack", "Admins")
    no_region = console(emulator, "--stack", "Admins", "--json", region=None)
    no_stack = console(emulator)
    helped = console(emulator, "--help")
    # THEN 0, 3, 2, 2; the help lists all four
    assert (in_sync.returncode, not_checked.returncode, no_region.returncode, no_stack.returncode) == (0, 3, 2, 2)
    message = "no Region for stack Admins: pass --region, or set AWS_REGION or a profile's region"
    assert as_json(no_region) == {"version": 1, "error": message, "exit_status": 2}
    assert no_region.stderr == f"drift: cannot run: {message}\n"
    assert "name the stacks: --stack NAME" in no_stack.stderr
    statuses = [line.split()[0] for line in helped.stdout.split("exit status:")[1].splitlines() if line[:3].strip()]
    assert statuses == ["0", "1", "2", "3"]


def test_rows_name_the_construct_path_and_quiet_prints_only_the_summary(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a stack whose resource has aws:cdk:path metadata
    settings_stack(emulator, cognito, "Admins", "bob", drifted=False)
    # WHEN
    table = console(emulator, "--stack", "Admins")
    quiet = console(emulator, "--stack", "Admins", "-q")
    result = as_json(console(emulator, "--stack", "Admins", "--json"))
    # THEN the path (without CDK's inner ids) next to the logical id; -q: one line, counts in the singular
    [row] = [line.split() for line in table.stdout.splitlines() if line.startswith("  Admins/")]
    assert row[:3] == ["Admins/BobMfa", "BobMfa1A2B3C4D", "settings"]
    [resource] = result["stacks"][0]["resources"]
    assert (resource["path"], resource["resource"]) == ("Admins/BobMfa", "BobMfa1A2B3C4D")
    [line] = quiet.stdout.splitlines()
    assert line.startswith("1 resource: 1 IN_SYNC, 0 DRIFTED, 0 USER_GONE, 0 NOT_CHECKED; 1 stack: 1 IN_SYNC (1 Admin")
    assert quiet.returncode == 0


def by_select_name() -> dict[str, Any]:
    return {"Fn::Select": [1, {"Ref": "Names"}]}


def test_list_parameters_resolve_to_lists_through_select_and_split(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a stack whose usernames come from a CommaDelimitedList parameter and from an Fn::Split
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    deployment = Deployment(emulator)
    deployment.parameters = {"Names": {"Type": "CommaDelimitedList"}, "Ids": {"Type": "List<String>", "Default": "x"},
                             "States": {"Type": "CommaDelimitedList", "Default": "ENABLED, PREFERRED"}}  # fmt: skip
    deployment.values = {"Names": "alice, bob", "Ids": "a,b"}
    for username in ("bob", "carol"):
        cognito.admin_create_user(UserPoolId=pool, Username=username, MessageAction="SUPPRESS",
                                  UserAttributes=[{"Name": "phone_number", "Value": "+15555550100"}])  # fmt: skip
        cognito.admin_set_user_settings(UserPoolId=pool, Username=username, MFAOptions=[SMS])  # type: ignore[list-item]
    cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="bob",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})  # fmt: skip
    state = {"Fn::Select": [1, {"Ref": "States"}]}  # compared: a wrong value would be NOT_CHECKED or DRIFTED
    deployment.add("BobPreference", PREFERENCE_RESOURCE_TYPE, preference_decisions.physical_id(UserRef(pool, "bob")),
                   {"UserPoolId": pool, "Username": by_select_name(), "SmsMfa": state})  # fmt: skip
    by_select = by_select_name()
    by_split = {"Fn::Select": [1, {"Fn::Split": ["+", {"Fn::Join": ["+", ["x", "carol"]]}]}]}
    for logical_id, username, value in (("BobMfa", "bob", by_select), ("CarolMfa", "carol", by_split)):
        deployment.add(logical_id, SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, username)),
                       {"UserPoolId": pool, "Username": value, "MFAOptions": [SMS]})  # fmt: skip
    deployment.add("Joined", SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, "a-b")),
                   {"UserPoolId": pool, "Username": {"Fn::Join": ["-", {"Ref": "Ids"}]}, "MFAOptions": []})  # fmt: skip
    deployment.record()
    cognito.admin_create_user(UserPoolId=pool, Username="a-b", MessageAction="SUPPRESS")
    # WHEN
    result = console(emulator, "--stack", "Users", "--json")
    # THEN each Ref is the list CloudFormation passes (members trimmed), so each resource names its user, in sync
    rows = {row["resource"]: row for row in as_json(result)["stacks"][0]["resources"]}
    assert {lid: (row["user"], row["verdict"]) for lid, row in rows.items()} == {
        "BobPreference": ("bob", "IN_SYNC"), "BobMfa": ("bob", "IN_SYNC"), "CarolMfa": ("carol", "IN_SYNC"),
        "Joined": ("a-b", "IN_SYNC"),
    }  # fmt: skip
    assert rows["BobPreference"]["desired"] == "SMS_MFA=PREFERRED"  # the member, trimmed of its space
    assert result.returncode == 0


def test_a_denied_batch_stops_after_the_first_denial(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a batch of 200 users, and a caller that may not read that pool's users
    names = [f"staff{i:03d}" for i in range(200)]
    pool = pool_with(cognito, names)
    with_sms(cognito, pool, names[:3])
    deploy_batch(emulator, pool, names)
    emulator.inject("AdminGetUser", "AccessDeniedException", count=1000)
    emulator.clear_calls()
    # WHEN
    result = console(emulator, "--stack", "Users", "--json")
    # THEN not checked, the permission named, after at most one call per worker in flight (not one per user)
    [row] = as_json(result)["stacks"][0]["resources"]
    assert (result.returncode, row["verdict"]) == (3, "NOT_CHECKED")
    assert row["reason"].startswith("200 of 200 listed users not checked: [0] staff000 (AdminGetUser denied")
    assert 1 <= len(emulator.calls("AdminGetUser")) <= drift.WORKERS


def write_app(root: Path) -> Path:
    """A synthesized app as the CDK CLI leaves it: a stack in eu-west-1, and a stage holding one
    environment-agnostic stack (a nested cloud assembly), with cdk.json naming the output folder."""
    out = root / "out"
    stage = out / "assembly-Prod"
    stage.mkdir(parents=True)

    def stack(directory: Path, name: str, environment: str) -> dict[str, Any]:
        (directory / f"{name}.template.json").write_text(json.dumps({"Resources": {}}))
        return {"type": "aws:cloudformation:stack", "environment": environment,
                "properties": {"templateFile": f"{name}.template.json", "stackName": name}}  # fmt: skip

    (stage / "manifest.json").write_text(json.dumps({"version": "41.0.0", "artifacts": {
        "ProdAdmins": {**stack(stage, "Prod-Admins", "aws://unknown-account/unknown-region"),
                       "displayName": "Prod/Admins"}}}))  # fmt: skip
    (out / "manifest.json").write_text(json.dumps({"version": "41.0.0", "artifacts": {
        "Users": stack(out, "Users", "aws://000000000000/eu-west-1"),
        "assembly-Prod": {"type": "cdk:cloud-assembly", "properties": {"directoryName": "assembly-Prod"}},
    }}))  # fmt: skip
    (root / "cdk.json").write_text(json.dumps({"app": "python3 app.py", "output": "out"}))
    return root


def test_app_takes_every_stack_of_the_assembly_stages_included_each_in_its_region(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    # GIVEN the app's two stacks deployed, one drifted
    settings_stack(emulator, cognito, "Users", "alice", drifted=True)
    settings_stack(emulator, cognito, "Prod-Admins", "bob", drifted=False)
    app = write_app(tmp_path)
    # WHEN every stack of the app is checked, by its cdk.json and by its cdk.out, and only one of them
    by_config = console(emulator, "--app", str(app / "cdk.json"), "--json")
    by_assembly = console(emulator, "--app", str(app / "out"), "--json")
    only = console(emulator, "--app", str(app), "--stack", "Prod/Admins", "--json")
    missing = console(emulator, "--app", str(tmp_path / "nowhere"))
    # THEN both stacks, each in the Region its environment names (the session's for the agnostic one)
    found = as_json(by_config)
    assert [(s["stack"], s["region"], s["account"], s["outcome"]) for s in found["stacks"]] == [
        ("Users", "eu-west-1", "000000000000", "DRIFTED"), ("Prod-Admins", REGION, None, "IN_SYNC"),
    ]  # fmt: skip
    assert by_config.returncode == by_assembly.returncode == 1
    assert as_json(by_assembly)["stacks"] == found["stacks"]
    assert [s["stack"] for s in as_json(only)["stacks"]] == ["Prod-Admins"]
    assert missing.returncode == 2
    assert "manifest.json missing" in missing.stderr or "cannot read" in missing.stderr


def test_a_log_gets_one_line_per_row_and_a_terminal_a_fitted_table(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a drifted resource with a long construct path
    settings_stack(emulator, cognito, "HourEu", "qacheckoutalphatester", drifted=True)
    command = [CONSOLE_SCRIPT, "drift", "--endpoint-url", emulator.endpoint, "--stack", "HourEu"]
    # WHEN written to a pipe (COLUMNS set or not), and to a terminal 120 columns wide
    piped = subprocess.run(command, capture_output=True, text=True, env=environment(AWS_REGION=REGION,
                           COLUMNS="40"), timeout=60, check=False)  # fmt: skip
    shown = in_terminal(command, environment(AWS_REGION=REGION), 120)
    # THEN the pipe has the whole path on the row's one line; the terminal breaks it only after a "/", and
    # never inside a name
    path = "HourEu/QacheckoutalphatesterMfa"
    assert [line for line in piped.stdout.splitlines() if line.startswith(f"  {path}  ")]
    assert (piped.returncode, shown.returncode) == (1, 1)
    lines = shown.stdout.splitlines()
    assert max(len(line) for line in lines) <= 120, shown.stdout
    assert max(len(line) for line in piped.stdout.splitlines()) > 120
    assert [line for line in lines if line.startswith("  HourEu/ ")]
    assert [line for line in lines if line.strip() == "QacheckoutalphatesterMfa"]  # its continuation line


def test_a_long_read_says_how_far_it_got_on_stderr(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient
) -> None:
    # GIVEN a batch of 300 users in sync, read at 100 per second (3 s)
    names = [f"staff{i:03d}" for i in range(300)]
    pool = pool_with(cognito, names)
    with_sms(cognito, pool, names)
    deploy_batch(emulator, pool, names)
    # WHEN
    result = console(emulator, "--stack", "Users", "--max-rps", "100")
    # THEN the table on stdout, and on stderr the users read so far out of all, with the rate, in words
    assert result.returncode == 0, result.stderr
    ticks = [line for line in result.stderr.splitlines() if line.startswith("drift: ")]
    assert ticks, result.stderr
    assert all(re.fullmatch(r"drift: [\d,]+ of 300 users read \(\d+/s\), \d+ s so far", line) for line in ticks)
    assert "users read" not in result.stdout
