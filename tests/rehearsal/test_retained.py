"""A resource whose DeletionPolicy is Retain: CloudFormation never sends its Delete, and the rehearsal neither."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import synth_app
from tests.rehearsal.helpers import rehearse

APP = Path(__file__).resolve().parent / "apps" / "retained_user.py"


def test_rehearse_cycle_sends_no_delete_for_a_retained_test_user(tmp_path: Path) -> None:
    # GIVEN an app with an adopting test user (RETAIN by default, user and settings) and a plain one
    assembly = synth_app(APP, tmp_path)

    # WHEN it is rehearsed with --cycle (create, update, delete everything)
    result = rehearse(str(assembly), "--cycle", "--json")

    # THEN it succeeds; the plain test user and its settings are deleted, the retained ones get no Delete at all
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    deleted = sorted(r["logical_id"][:8] for r in report["requests"] if r["phase"] == "delete")
    assert [name for name in deleted if name.startswith("Hank")] == []
    assert len([name for name in deleted if name.startswith("Ivy")]) == 2
    retained = [line.split()[1] for line in result.stderr.splitlines() if line.lstrip().startswith("retained ")]
    assert len(retained) == 2
    assert all(path.startswith("Hank") for path in retained)
    assert "(DeletionPolicy Retain: CloudFormation sends no Delete)" in result.stderr
