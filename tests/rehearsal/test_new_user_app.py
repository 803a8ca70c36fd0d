"""The rehearsal on an app as a new user writes one (``apps/new_user.py``, issue 19): long construct ids, with and
without ``aws:cdk:path`` metadata, a stack pinned to eu-west-1, a pool whose MFA is off, an imported pool."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import synth_app
from tests.rehearsal.helpers import rehearse, table_rows

APP = Path(__file__).resolve().parent / "apps" / "new_user.py"
MFA_OFF_RULE = "SMS MFA settings have no effect at sign-in while the pool's MfaConfiguration is OFF"


@pytest.fixture(scope="module", params=["logical-ids", "construct-paths"])
def assembly(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The app as ``python app.py`` synthesizes it (no metadata: logical ids), and as the CDK CLI does."""
    context = None if request.param == "logical-ids" else {"aws:cdk:enable-path-metadata": True}
    return synth_app(APP, tmp_path_factory.mktemp(request.param), context=context)


def custom_names(assembly: Path, stack: str) -> set[str]:
    """What the table must show whole for the stack's custom resources: construct paths, else logical ids."""
    template: dict[str, Any] = json.loads((assembly / f"{stack}.template.json").read_text())
    names = set()
    for logical_id, resource in template["Resources"].items():
        if resource["Type"].startswith("Custom::"):
            path = resource.get("Metadata", {}).get("aws:cdk:path")
            names.add(path.split("/", 1)[1].removesuffix("/Resource/Default") if path else logical_id)
    return names


def test_table_never_cuts_names_in_a_120_column_terminal(assembly: Path) -> None:
    # GIVEN the whole app, whose names are longer than the columns
    # WHEN
    result = rehearse(str(assembly), "--cycle", columns=120)
    # THEN in a terminal 120 columns wide the prose fits, the table gives up width where its cells can break (after
    # a "/" or at a space) and never inside a name: every name is whole on one line (a table whose names are wider
    # than the terminal stays wider, rather than cut)
    assert result.returncode == 1, result.stdout + result.stderr  # the pool with MFA off: sign-in MISMATCH
    lines = result.stdout.splitlines()
    table = [line for line in lines if "  " in line.strip() or line.startswith(" " * 8)]  # rows, continued
    assert max(len(line) for line in lines if line not in table) <= 120
    assert [line for line in table if line.endswith("SMS_MFA*")]  # USER MFA's cells broke at their space
    for stack in ("QaUsers", "MfaOffUsers", "LegacyAdminMfa"):
        for name in custom_names(assembly, stack):
            assert [line for line in table if f"  {name}  " in line or line.endswith(f"  {name}")], name
    assert "~" not in result.stdout
    rows = table_rows(result.stdout)
    resources = {row[1] for row in rows}
    for stack in ("QaUsers", "MfaOffUsers", "LegacyAdminMfa"):
        assert custom_names(assembly, stack) <= resources
    [renamed] = [row[1] for row in rows if row[0] == "rename" and "alpha" in row[1]]
    assert renamed.endswith("Renamed")
    pools = {row[2] for row in rows if row[0] == "create"}
    assert pools & {"CheckoutPool", "CheckoutPool86441BA0"}
    assert {"SMS_MFA=PREFERRED", "SMS_MFA=DISABLED"} <= {row[4] for row in rows}
    assert {"qa-charlie-user"} <= {row[3] for row in rows}


def test_outside_a_terminal_each_row_is_one_line_whole_so_names_can_be_grepped(assembly: Path) -> None:
    # GIVEN / WHEN the rehearsal's output goes to a pipe (a CI log)
    result = rehearse(str(assembly), "--stack", "QaUsers", "--stack", "LegacyAdminMfa")
    # THEN each resource's whole construct path (or logical id) is on its row's one line, never split in two
    lines = result.stdout.splitlines()
    for stack in ("QaUsers", "LegacyAdminMfa"):
        for name in custom_names(assembly, stack):
            assert [line for line in lines if f"  {name}  " in line], name
    header = next(line for line in lines if line.startswith("STEP "))
    assert "READ BACK" in header  # not wrapped either
    assert "USER MFA" in header


def test_each_stack_is_announced_with_its_region_and_what_it_counts_then_its_sign_ins(assembly: Path) -> None:
    # GIVEN / WHEN
    result = rehearse(str(assembly), "--stack", "QaUsers", "--stack", "MfaOffUsers", "--stack", "LegacyAdminMfa")
    # THEN each stack's header counts its custom resources, and its sign-ins come before the next stack's header
    progress = result.stderr.splitlines()
    headers = [line for line in progress if not line.startswith(" ") and "rehearse" in line]
    assert headers == [
        "QaUsers (eu-west-1): 5 custom resources to rehearse (and 1 pool, 1 user, 2 secrets, 1 function they need)",
        "MfaOffUsers (us-east-1): 2 custom resources to rehearse (and 1 pool, 1 secret, 1 function they need)",
        "LegacyAdminMfa (us-east-1): 1 custom resource to rehearse (and 1 function they need)",
    ]
    sign_ins = [i for i, line in enumerate(progress) if line.startswith("  sign-in ")]
    assert len(sign_ins) == 3
    assert sign_ins[1] < progress.index(headers[1]) < sign_ins[2] < progress.index(headers[2])


def test_stack_region_comes_from_the_assembly_and_region_option_only_for_agnostic_stacks(assembly: Path) -> None:
    # GIVEN a stack with env region eu-west-1 and an environment-agnostic one
    # WHEN
    result = rehearse(str(assembly), "--stack", "QaUsers", "--stack", "MfaOffUsers", "--region", "ap-southeast-2",
                      "--json")  # fmt: skip
    # THEN the pinned stack's pools are in eu-west-1, the other's in the Region --region gives
    report: dict[str, Any] = json.loads(result.stdout)
    assert [pool.split("_")[0] for pool in report["pools"]["QaUsers"].values()] == ["eu-west-1"]
    assert [pool.split("_")[0] for pool in report["pools"]["MfaOffUsers"].values()] == ["ap-southeast-2"]
    qa = [r for r in report["requests"] if r["stack"] == "QaUsers"]
    assert qa
    assert all(r["verdict"] == "ok" and r["pool"].startswith("eu-west-1_") for r in qa)


def test_pool_with_mfa_off_is_warned_and_named_in_the_sign_in_reason(assembly: Path) -> None:
    # GIVEN a test user with SMS MFA in a pool whose MfaConfiguration is OFF
    # WHEN
    result = rehearse(str(assembly), "--stack", "MfaOffUsers", "--json")
    # THEN the stack carries the warning, and the sign-in MISMATCH says why
    assert result.returncode == 1, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    [warning] = report["warnings"]["MfaOffUsers"]
    assert warning.endswith(MFA_OFF_RULE)
    assert warning.startswith("pool PlainPool")
    [sign_in] = [r for r in report["requests"] if r["phase"] == "sign-in"]
    assert sign_in["verdict"] == "MISMATCH"
    assert sign_in["reason"].startswith("sign-in: expected SMS challenge ok, got no SMS challenge; the pool PlainPool")
    assert sign_in["reason"].endswith(f"has MfaConfiguration OFF: {MFA_OFF_RULE}")


def test_table_shows_the_mfa_off_warning_first_in_the_stack_section(assembly: Path) -> None:
    # GIVEN / WHEN
    result = rehearse(str(assembly), "--stack", "MfaOffUsers")
    # THEN the warning follows the pool line, before the header, on one line (a pipe: nothing wrapped)
    lines = result.stdout.splitlines()
    assert lines[0] == "MfaOffUsers"
    assert lines[1].startswith("  pool PlainPool")
    assert lines[2].startswith("  Warning: pool PlainPool")
    assert MFA_OFF_RULE in lines[2]
    assert lines[3].startswith("STEP ")


def test_help_says_region_applies_to_environment_agnostic_stacks() -> None:
    # GIVEN / WHEN
    result = rehearse("--help")
    # THEN
    assert "Region of environment-agnostic stacks" in " ".join(result.stdout.split())
