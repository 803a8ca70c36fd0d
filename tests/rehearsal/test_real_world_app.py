"""The rehearsal on an app shaped like a platform team's (``apps/real_world.py``): every settings resource is
rehearsed or listed with the reason, and nothing an app can contain ends in a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import synth_app
from tests.rehearsal.helpers import rehearse

APP = Path(__file__).resolve().parent / "apps" / "real_world.py"
SMS = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_app(APP, tmp_path_factory.mktemp("real-world-app"))


def requests(stdout: str) -> list[dict[str, Any]]:
    report: dict[str, Any] = json.loads(stdout)
    return list(report["requests"])


def summary(request: dict[str, Any]) -> tuple[str, str, str, str]:
    return request["stack"], request["phase"], request["path"], request["verdict"]


def test_rehearse_imported_pool_lists_settings_as_not_rehearsed_and_exits_3(assembly: Path) -> None:
    # GIVEN settings for a pool imported with UserPool.from_user_pool_id, next to a stack that works
    # WHEN
    result = rehearse(str(assembly), "--stack", "Imported", "--stack", "Staging/StagedUsers")
    # THEN the imported pool's settings get a row with the reason, and the other stack still runs
    assert result.returncode == 3, result.stdout + result.stderr
    assert "    not rehearsed: pool us-east-1_AbCdEf123 is imported, not defined in this app" in result.stdout
    rows = [line.split()[:10] for line in result.stdout.splitlines()]
    assert ["create", "Sam", "Pool", "sam", "SMS", "preferred", "SMS", "preferred", "none", "/"] in rows
    assert ["create", "Sam/MfaSettings", "Pool", "sam", "SMS", "SMS", "SMS", "/", "SMS_MFA*", "ok"] in rows
    # the closing line counts in the singular, and the hint under it (one line: a pipe wraps nothing) names the
    # option that rehearses the settings
    summary_line, hint = result.stdout.splitlines()[-2:]
    assert summary_line.endswith(": no failures, but 1 resource was not rehearsed (see above)")
    assert summary_line.startswith("2 requests in ")
    assert hint == (
        "Hint: 1 resource targets a pool imported by id (UserPool.from_user_pool_id): `--stand-in-pools` rehearses"
        " it against a stand-in pool holding the named user (README: the rehearsal in CI)."
    )


def test_rehearse_imported_pool_with_stand_in_pools_runs_against_a_stand_in(assembly: Path) -> None:
    # GIVEN the same imported pool
    # WHEN
    result = rehearse(str(assembly), "--stack", "Imported", "--stand-in-pools", "--cycle", "--json")
    # THEN a stand-in pool holds the named user and every request is ok
    assert result.returncode == 0, result.stdout + result.stderr
    rows = requests(result.stdout)
    assert [(r["phase"], r["pool_path"], r["username"], r["verdict"]) for r in rows] == [
        ("create", "stand-in", "ivy", "ok"),
        ("synthetic-update", "stand-in", "ivy", "ok"),
        ("rename", "stand-in", "ivy", "ok"),
        ("cleanup", "stand-in", "ivy", "ok"),
        ("delete", "stand-in", "ivy", "ok"),
    ]
    assert "stand-in for imported us-east-1_AbCdEf123" in result.stderr


def test_rehearse_nested_stack_is_followed_with_its_own_handler(assembly: Path) -> None:
    # GIVEN a test user in a NestedStack, in its parent's pool
    # WHEN
    result = rehearse(str(assembly), "--stack", "Parent", "--cycle", "--json")
    # THEN
    assert result.returncode == 0, result.stdout + result.stderr
    rows = requests(result.stdout)
    # (the test user without a password is not signed in; its Delete leaves no user, as desired)
    assert [summary(r) for r in rows] == [
        ("Parent/Inner", "create", "Nora", "ok"),
        ("Parent/Inner", "create", "Nora/MfaSettings", "ok"),
        ("Parent/Inner", "synthetic-update", "Nora", "ok"),
        ("Parent/Inner", "synthetic-update", "Nora/MfaSettings", "ok"),
        ("Parent/Inner", "rename", "Nora/MfaSettingsRenamed", "ok"),
        ("Parent/Inner", "cleanup", "Nora/MfaSettings", "ok"),
        ("Parent/Inner", "delete", "Nora/MfaSettingsRenamed", "ok"),
        ("Parent/Inner", "delete", "Nora", "ok"),
    ]
    assert rows[0]["read_back"] == [{"Preference": "SMS_MFA"}]
    assert rows[1]["pool_path"] == "Parent/ParentPool"
    assert rows[1]["read_back"] == SMS
    assert (rows[-1]["desired"], rows[-1]["read_back"]) == (None, None)


@pytest.mark.parametrize("name", ["Staging/StagedUsers", "Staging-StagedUsers"], ids=["display-name", "stack-name"])
def test_rehearse_stage_stack_is_found_by_either_name(assembly: Path, name: str) -> None:
    # GIVEN a stack inside a Stage (its own nested cloud assembly)
    # WHEN
    result = rehearse(str(assembly), "--stack", name, "--json")
    # THEN
    assert result.returncode == 0, result.stdout + result.stderr
    assert [summary(r) for r in requests(result.stdout)] == [
        ("Staging/StagedUsers", "create", "Sam", "ok"),
        ("Staging/StagedUsers", "create", "Sam/MfaSettings", "ok"),
    ]


def test_rehearse_cross_stack_references_resolve_from_stacks_rehearsed_first(assembly: Path) -> None:
    # GIVEN a pool shared through an export (Fn::ImportValue) and a weak reference (Fn::GetStackOutput)
    template = (assembly / "WeakConsumer.template.json").read_text()
    assert '"Fn::GetStackOutput"' in template
    assert '"Fn::ImportValue"' in (assembly / "Consumer.template.json").read_text()
    # WHEN the consumers are named before the producer
    result = rehearse(str(assembly), "--stack", "WeakConsumer", "--stack", "Consumer", "--stack", "Producer", "--json")
    # THEN the producer runs first and both consumers reach its pool and user
    assert result.returncode == 0, result.stdout + result.stderr
    rows = requests(result.stdout)
    assert [(r["stack"], r["pool_path"], r["username"], r["read_back"]) for r in rows] == [
        ("Consumer", "Producer/SharedPool", "gina", SMS),
        ("WeakConsumer", "Producer/SharedPool", "gina", []),
    ]


def test_rehearse_cross_stack_reference_to_a_stack_not_rehearsed_says_what_to_do(assembly: Path) -> None:
    # GIVEN / WHEN only the consumer is rehearsed
    result = rehearse(str(assembly), "--stack", "Consumer", "--json")
    # THEN
    assert result.returncode == 3, result.stdout + result.stderr
    [row] = requests(result.stdout)
    assert row["verdict"] == "skipped"
    assert row["reason"] == (
        "Consumer/GinaMfa: imports Producer:ExportsOutputRefSharedPoolE78C48A0B01E491F, which no stack rehearsed"
        " before it exports; rehearse the exporting stack too (it runs first)"
    )


def test_rehearse_missing_dependency_fails_with_hint_and_delete_of_gone_user_is_ok(assembly: Path) -> None:
    # GIVEN settings declared before a same-stack user, without a dependency on it
    # WHEN
    result = rehearse(str(assembly), "--stack", "MissingDependency", "--cycle")
    # THEN the settings run first (as CloudFormation may run them), fail, and say why; the user is deleted
    # before the settings' Delete, which is ok
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    no_user = ["(no", "user)", "(no", "user)"]
    [create] = [line for line in lines if line.startswith("create")]
    assert create.split()[:-1] == ["create", "MiaMfa", "Pool", "mia", "SMS", *no_user, "FAILED"]
    assert "    Hint: the settings do not depend on the user Mia; use `username=user.ref` or `add_dependency`" in lines
    [delete] = [line for line in lines if line.startswith("delete")]
    assert delete.split()[:-1] == ["delete", "MiaMfa", "Pool", "mia", "none", *no_user, "ok"]
    assert "user      Mia -> mia" in result.stderr.split("create    MiaMfa")[1]


def test_rehearse_stacks_without_settings_is_not_success(assembly: Path) -> None:
    # GIVEN / WHEN a stack with a pool and a user but no settings
    result = rehearse(str(assembly), "--stack", "Producer")
    # THEN
    assert result.returncode == 3
    assert result.stdout.strip().endswith(
        "nothing to rehearse (no custom resource of Custom::CognitoUserSmsMfaSettings,"
        " Custom::CognitoUserMfaPreference, Custom::CognitoTestUser, Custom::CognitoUserSmsMfaSettingsBatch in these"
        " stacks)"
    )
    assert result.stdout.startswith("0 requests in ")


def test_rehearse_settings_of_a_user_spelt_in_another_letter_case_say_usernames_are_case_sensitive(
    assembly: Path,
) -> None:
    # GIVEN settings of "frank" and the stack's user "Frank" in a case-sensitive pool
    # WHEN
    result = rehearse(str(assembly), "--stack", "LetterCase", "--json")
    # THEN the Create fails, its Reason and the hint say the names differ by letter case (not: add a dependency)
    assert result.returncode == 1, result.stdout + result.stderr
    [row] = [row for row in requests(result.stdout) if row["path"] == "FrankMfa"]
    assert row["reason"].endswith("(AdminGetUser: UserNotFoundException); usernames are case-sensitive in this pool")
    assert row["hint"] == (
        "usernames are case-sensitive in pool Pool: the settings name 'frank', the user Frank is 'Frank'; use "
        "`username=user.ref` or 'Frank'"
    )


def test_rehearse_whole_app_table_fits_120_columns_without_traceback(assembly: Path) -> None:
    # GIVEN / WHEN every stack of the app
    result = rehearse(str(assembly), "--cycle", columns=120)
    # THEN one section per stack, each pool once, no line of prose over 120 characters in a terminal that wide,
    # and no traceback
    assert result.returncode == 1  # the missing dependency
    lines = result.stdout.splitlines()
    prose = [line for line in lines if "  " not in line.strip() and not line.startswith(" " * 8)]
    assert max(len(line) for line in prose) <= 120  # table rows keep names whole, however wide
    headers = [i for i, line in enumerate(lines) if line.startswith("STEP ")]
    pools = [line for line in lines if line.startswith("  pool ")]
    sections = [next(line for line in reversed(lines[:i]) if line and not line.startswith(" ")) for i in headers]
    assert sections == [
        "Staging/StagedUsers",
        "Consumer",
        "WeakConsumer",
        "Imported",
        "Parent/Inner",
        "MissingDependency",
        "LetterCase",
    ]
    assert [line.split(" = ")[0] for line in pools] == [
        "  pool Pool",
        "  pool Producer/SharedPool",
        "  pool Producer/SharedPool",
        "  pool Parent/ParentPool",
        "  pool Pool",
        "  pool Pool",
    ]
    assert "Traceback" not in result.stdout + result.stderr
