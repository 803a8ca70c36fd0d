"""The rehearsal runs batch resources: the lists uploaded from cdk.out, one row per request with counts, --cycle's
update of a share of the users and its cleanup, and each user's outcome in --json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import synth_app
from tests.rehearsal.helpers import rehearse

BATCH_APP = Path(__file__).resolve().parent / "apps" / "batch_app.py"


@pytest.fixture(scope="module")
def batch_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_app(BATCH_APP, tmp_path_factory.mktemp("batch-app"))


def test_cycle_rehearses_every_batch_request_with_counts(batch_assembly: Path) -> None:
    # WHEN
    result = rehearse(str(batch_assembly), "--cycle", "--json")
    # THEN every request ok, one row per batch request
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    staff = [r for r in report["requests"] if r["path"].startswith("Staff")]
    assert [r["phase"] for r in staff] == ["create", "synthetic-update", "cleanup", "delete"]
    create, update, cleanup, delete = (r["batch"] for r in staff)
    assert create == {"listed": 120, "written": 120, "unchanged": 0, "cleared": 0, "kept": 0, "failed": 0,
                      "writes_per_s": create["writes_per_s"]}  # fmt: skip
    # the update drops 12 users and puts back the 12 changed by hand; the cleanup clears only the 12 dropped
    assert (update["listed"], update["written"], update["unchanged"]) == (108, 12, 96)
    assert (cleanup["cleared"], cleanup["kept"], cleanup["failed"]) == (12, 108, 0)
    assert (delete["listed"], delete["cleared"], delete["failed"]) == (108, 108, 0)
    # the waits said how far they got, in words: users read and writes so far with their rates; no raw counts
    progress = result.stderr.splitlines()
    ticks = [line for line in progress if re.fullmatch(
        r"  (create|update\*|delete|cleanup|synthetic-update) +Staff\S*: \d+ of 1[02][08] users read \(\d+/s\), "
        r"[\d,]+ writes? \(\d+/s\), \d+ s so far", line)]  # fmt: skip
    assert ticks, "\n".join(progress)
    assert not [line for line in progress if "{" in line]
    assert [line for line in progress if "-> ok (" in line and ": 120 listed: 120 written, 0 unchanged," in line]
    # each user's outcome
    users = {u["username"]: u for u in staff[0]["users"]}
    assert len(users) == 120
    assert users["staff0000"]["ok"] is True
    assert users["staff0000"]["read_back"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]


def test_table_shows_one_row_per_batch_request(batch_assembly: Path) -> None:
    result = rehearse(str(batch_assembly))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {line.split()[1][:6]: line.split() for line in result.stdout.splitlines() if line.startswith("create")}
    assert rows["Staff3"][3:7] == ["120", "users", "SMS", "x120"]
    assert rows["Former"][3:7] == ["50", "users", "none", "x50"]
    assert "w120" in rows["Staff3"]
