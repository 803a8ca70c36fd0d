"""``python -m cognito_sms_mfa_rehearsal`` as a user runs it, on the example app and on a second, two-stack app."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cognito_sms_mfa.handler_asset import HANDLER_PACKAGE
from tests.conftest import synth_app
from tests.rehearsal.helpers import rehearse, table_rows

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
BROKEN_HANDLER = HERE / "broken_handler" / "index.py"
ENTRY_MODULE = f"{HANDLER_PACKAGE}/index.py"

TWO_STACK_APP = HERE / "apps" / "two_stacks.py"


@pytest.fixture(scope="module")
def two_stack_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_app(TWO_STACK_APP, tmp_path_factory.mktemp("two-stack-app"))


def copy_assembly(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_rehearse_example_app_with_cycle_succeeds_and_prints_table(example_cloud_assembly: Path) -> None:
    # GIVEN the synthesized example app and no AWS variables at all
    # WHEN
    result = rehearse(str(example_cloud_assembly), "--cycle", columns=120)
    # THEN every create, synthetic update, rename, cleanup and delete succeeded and read back as desired
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "CognitoSmsMfaExample"
    assert lines[1].startswith("  pool PoolD3F588B8 = us-east-1_")  # logical ids: synthesized without the CLI
    assert lines[2].split() == [
        *("STEP", "RESOURCE", "POOL", "USER", "DESIRED", "READ", "BACK", "USER", "MFA", "RESULT", "TIME")
    ]
    # (a cell wider than its column continues on the row's next lines: each row read whole)
    rows = [[row[0], *row[1].split(), *" ".join(row[2:]).split()] for row in table_rows(result.stdout)]
    assert len(rows) == 19
    # (carol's user resource, whose password secret was generated, is created before her settings; its update
    # changes the phone number and the password and would say REPLACED if the sub changed; she signs in after each)
    assert [(row[0], row[1][:8], row[3], row[-2]) for row in rows] == [
        ("create", "AliceMfa", "alice", "ok"),
        ("create", "BobMfa70", "bob", "ok"),
        ("create", "AlicePre", "alice", "ok"),
        ("create", "Carol1B4", "carol", "ok"),
        ("create", "CarolMfa", "carol", "ok"),
        ("sign-in", "Carol1B4", "carol", "ok"),
        ("update*", "AliceMfa", "alice", "ok"),
        ("update*", "BobMfa70", "bob", "ok"),
        ("update*", "AlicePre", "alice", "ok"),
        ("update*", "Carol1B4", "carol", "ok"),
        ("update*", "CarolMfa", "carol", "ok"),
        ("sign-in", "Carol1B4", "carol", "ok"),
        ("rename", "BobMfa70", "bob", "ok"),
        ("cleanup", "BobMfa70", "bob", "ok"),
        ("delete", "CarolMfa", "carol", "ok"),
        ("delete", "Carol1B4", "carol", "ok"),
        ("delete", "AlicePre", "alice", "ok"),
        ("delete", "BobMfa70", "bob", "ok"),
        ("delete", "AliceMfa", "alice", "ok"),
    ]
    # the preference's create: the factor asked for and read back, and alice's MFA in both forms
    assert " ".join(rows[2][4:-2]) == "SMS_MFA=PREFERRED SMS_MFA=PREFERRED SMS / SMS_MFA*"
    # the test user's create: its SMS preference, set by the user resource itself
    assert " ".join(rows[3][4:-2]) == "SMS preferred SMS preferred none / SMS_MFA*"
    # carol signs in with the generated password and completes the SMS challenge, also after the new password
    assert [" ".join(row[4:10]) for row in rows if row[0] == "sign-in"] == ["SMS challenge ok SMS challenge ok"] * 2
    assert "  secret    CarolPassword" in result.stderr
    # the test user's delete: the user must be gone
    [carol_delete] = [row for row in rows if row[0] == "delete" and row[1].startswith("Carol1B4")]
    assert " ".join(carol_delete[4:-2]) == "(no user) (no user) (no user)"
    # bob holds SMS after the update: the cleanup Delete of his old logical id must keep it (DESIRED and READ BACK)
    [rename] = [row for row in rows if row[0] == "rename"]
    [cleanup] = [row for row in rows if row[0] == "cleanup"]
    assert (rename[1], cleanup[1]) == ("BobMfa70E742A7Renamed", "BobMfa70E742A7")  # whole, never cut
    assert cleanup[4:9] == ["SMS", "SMS", "SMS", "/", "none"]
    assert all(len(line) <= 120 for line in lines)
    assert "update*: a synthetic update that the template does not ask for" in result.stdout
    assert lines[-1].startswith("19 requests in")
    assert "local Cognito emulator at http://127.0.0.1:" in result.stderr


def test_rehearse_two_stack_app_json_reports_each_stack(two_stack_assembly: Path) -> None:
    # GIVEN an app with an email-sign-in pool (canonical username is the sub) and a stack with two pools
    # WHEN
    result = rehearse(str(two_stack_assembly), "--cycle", "--json")
    # THEN
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["ok"] is True
    created = {(r["stack"], r["logical_id"][:8]): r for r in report["requests"] if r["phase"] == "create"}
    [dana_user] = [r for key, r in created.items() if key[1].startswith("Dana") and key[1] != "DanaMfaS"]
    assert dana_user["read_back"] == [{"Preference": "SMS_MFA"}]
    del created[("QaUsers", dana_user["logical_id"][:8])]
    assert sorted(created) == [("QaUsers", "DanaMfaS"), ("TwoPools", "Erin1Mfa"), ("TwoPools", "Erin2Mfa")]
    dana = created[("QaUsers", "DanaMfaS")]
    assert dana["username"] != "dana@example.com"  # the pool's canonical name for an email sign-in user
    assert created[("TwoPools", "Erin1Mfa")]["read_back"] == [
        {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    ]
    assert created[("TwoPools", "Erin1Mfa")]["pool"] != created[("TwoPools", "Erin2Mfa")]["pool"]
    deletes = [r for r in report["requests"] if r["phase"] == "delete"]
    assert [r["read_back"] for r in deletes if r["logical_id"] == dana_user["logical_id"]] == [None]  # user gone
    assert all(r["read_back"] == [] for r in deletes if r["logical_id"] != dana_user["logical_id"])


def test_rehearse_stack_option_selects_stacks(two_stack_assembly: Path) -> None:
    # GIVEN / WHEN
    result = rehearse(str(two_stack_assembly), "--stack", "TwoPools", "--json")
    # THEN
    assert result.returncode == 0, result.stderr
    assert {r["stack"] for r in json.loads(result.stdout)["requests"]} == {"TwoPools"}


def test_rehearse_unknown_stack_exits_2_naming_it(two_stack_assembly: Path) -> None:
    # GIVEN / WHEN
    result = rehearse(str(two_stack_assembly), "--stack", "Nope")
    # THEN
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"rehearse: --stack Nope: no such stack in {two_stack_assembly}; it has QaUsers, TwoPools"
    )


def test_rehearse_broken_handler_exits_nonzero_and_shows_reason(example_cloud_assembly: Path, tmp_path: Path) -> None:
    # GIVEN the example assembly whose handler asset is replaced by one that always fails
    assembly = copy_assembly(example_cloud_assembly, tmp_path / "cdk.out")
    [entry] = assembly.glob(f"asset.*/{ENTRY_MODULE}")
    shutil.copy(BROKEN_HANDLER, entry)
    # WHEN
    result = rehearse(str(assembly), "--cycle")
    # THEN non-zero, every create (and its rollback delete) FAILED with the handler's reason, no update attempted
    assert result.returncode == 1
    # (carol's settings depend on her failed user resource: never created, as CloudFormation would not)
    assert result.stdout.count("Reason: MFAOptions not applied: broken on purpose (test fixture)") == 8
    assert "update*" not in result.stdout
    assert "8 of 8 requests failed" in result.stdout
    assert "  skipped   CarolMfaSettings" in result.stderr


def test_rehearse_crashing_handler_reports_no_response(example_cloud_assembly: Path, tmp_path: Path) -> None:
    # GIVEN a handler that crashes at import, so it never answers CloudFormation
    assembly = copy_assembly(example_cloud_assembly, tmp_path / "cdk.out")
    [entry] = assembly.glob(f"asset.*/{ENTRY_MODULE}")
    entry.write_text("raise ImportError('crashed at start-up on purpose')\n")
    # WHEN
    result = rehearse(str(assembly), "--json", "--stack", "CognitoSmsMfaExample")
    # THEN
    assert result.returncode == 1
    first = json.loads(result.stdout)["requests"][0]
    assert first["status"] == "NO RESPONSE"
    assert (
        first["reason"]
        == "the handler exited with status 1 without answering: ImportError: crashed at start-up on purpose"
    )


def test_rehearse_unsupported_intrinsic_names_resource_and_skips_what_depends_on_it(
    example_cloud_assembly: Path, tmp_path: Path
) -> None:
    # GIVEN a user whose name uses Fn::Base64, which the rehearsal does not resolve
    assembly = copy_assembly(example_cloud_assembly, tmp_path / "cdk.out")
    template_file = assembly / "CognitoSmsMfaExample.template.json"
    template = json.loads(template_file.read_text())
    template["Resources"]["AliceUser"]["Properties"]["Username"] = {"Fn::Base64": "alice"}
    template_file.write_text(json.dumps(template))
    # WHEN
    result = rehearse(str(assembly), "--json")
    # THEN the run goes on: the user is listed as not created (what and what to do), its settings not rehearsed
    assert result.returncode == 3, result.stderr
    report = json.loads(result.stdout)
    assert report["problems"] == [
        'CognitoSmsMfaExample/AliceUser: unsupported intrinsic {"Fn::Base64": "alice"}; the rehearsal'
        " resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split, Fn::Sub, Fn::ImportValue, Fn::GetStackOutput:"
        " give the property a literal value to rehearse it"
    ]
    verdicts = {r["logical_id"][:8]: (r["verdict"], r["reason"][:70]) for r in report["requests"]}
    assert verdicts["AliceMfa"] == (
        "skipped",
        "CognitoSmsMfaExample/AliceMfa3F30C27C: depends on AliceUser, which was",
    )
    assert verdicts["BobMfa70"] == ("ok", "")
    assert "Traceback" not in result.stderr


def test_rehearse_missing_assembly_exits_2(tmp_path: Path) -> None:
    # GIVEN / WHEN the command runs on a folder with no assembly
    result = rehearse(str(tmp_path / "nowhere"))
    # THEN
    assert result.returncode == 2
    assert "no cloud assembly here (manifest.json missing); run `npx cdk synth` first" in result.stderr


def test_rehearse_help_names_the_command_and_its_exit_statuses() -> None:
    # GIVEN / WHEN
    result = rehearse("--help")
    # THEN
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: cognito-sms-mfa rehearse [-h]")
    assert "exit status:\n  0  every settings resource was rehearsed" in result.stdout
