"""``--fail-after RESOURCE``: the synthetic update of RESOURCE's stack fails right after RESOURCE is updated, and the
rehearsal plays CloudFormation's rollback on the user's own app (``apps/new_user.py``, construct paths), so a user
sees that the rollback ends complete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import synth_app
from tests.rehearsal.helpers import rehearse

APP = Path(__file__).resolve().parent / "apps" / "new_user.py"


@pytest.fixture(scope="module")
def assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_app(APP, tmp_path_factory.mktemp("fail-after"), context={"aws:cdk:enable-path-metadata": True})


def test_the_update_fails_after_the_named_resource_and_every_rollback_step_ends_complete(assembly: Path) -> None:
    # GIVEN the app's stack of two test users (each with its legacy settings) and a preference
    # WHEN it is rehearsed with a cycle whose update fails right after the second test user
    result = rehearse(str(assembly), "--stack", "QaUsers", "--cycle", "--fail-after", "qa-bravo-user", "--json")

    # THEN what was updated until then is rolled back, last first, each step ok, and nothing after it is updated
    assert result.returncode == 0, result.stdout + result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)["requests"]
    steps = [(r["phase"], r["path"], r["verdict"]) for r in rows if r["phase"] in ("synthetic-update", "rollback")]
    assert steps == [
        ("synthetic-update", "qa-alpha-user", "ok"),
        ("synthetic-update", "qa-alpha-user/MfaSettings", "ok"),
        ("synthetic-update", "qa-bravo-user", "ok"),
        ("rollback", "qa-bravo-user", "ok"),
        ("rollback", "qa-alpha-user/MfaSettings", "ok"),
        ("rollback", "qa-alpha-user", "ok"),
    ]
    # AND the rollback put the template's options back (the update had flipped them), and the users still sign in
    [alpha_settings] = [r for r in rows if r["phase"] == "rollback" and r["path"] == "qa-alpha-user/MfaSettings"]
    assert alpha_settings["legacy_options"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert [r["verdict"] for r in rows if r["phase"] == "sign-in"] == ["ok"] * 4
    assert "  failed    the update of QaUsers after qa-bravo-user (--fail-after): rolling back" in result.stderr


def test_fail_after_names_what_it_needs(assembly: Path) -> None:
    # WHEN the option is given without --cycle, or names no custom resource of the app
    alone = rehearse(str(assembly), "--stack", "QaUsers", "--fail-after", "qa-bravo-user")
    unknown = rehearse(str(assembly), "--stack", "QaUsers", "--cycle", "--fail-after", "qa-zulu-user")
    # THEN usage errors that say what is missing
    assert alone.returncode == unknown.returncode == 2
    assert "--fail-after needs --cycle" in alone.stderr
    assert "rehearse: --fail-after qa-zulu-user: no custom resource of that path or logical id was created" in (
        unknown.stderr
    )
