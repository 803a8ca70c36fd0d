"""The integration tests' snapshots, checked offline as integ-runner checks them before any deploy: each integ app
is synthesized and compared with its committed ``*.snapshot`` folder (templates, asset hashes ignored)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.integ.helpers import INTEG_APPS, INTEG_DIR, integ_runner

pytestmark = pytest.mark.slow
SETTINGS_APP = "integ_settings_preference.py"
# What a snapshot written on one machine must not hold, so that it is the same from any clone.
MACHINE_MARKERS = (str(REPO_ROOT), "/tmp/", "/home/", "/root/", "jsii-kernel-")


def test_integ_apps_are_the_two_documented() -> None:
    assert INTEG_APPS == ["integ_settings_preference.py", "integ_test_user_sign_in.py"]


def test_every_integ_app_matches_its_committed_snapshot() -> None:
    # GIVEN the integ apps and their committed snapshots, no AWS credentials and no network
    # WHEN integ-runner runs without deploying
    returncode, output = integ_runner(INTEG_DIR)
    # THEN each app synthesizes to its snapshot
    assert returncode == 0, output
    for app in INTEG_APPS:
        assert f"UNCHANGED  {app.removesuffix('.py')}" in output, output
    assert f"Tests:    {len(INTEG_APPS)} passed, {len(INTEG_APPS)} total" in output


def test_a_changed_integ_app_fails_the_snapshot_check(tmp_path: Path) -> None:
    # GIVEN a copy of one integ app and its snapshot, with a property changed in the app
    source = (INTEG_DIR / SETTINGS_APP).read_text()
    assert source.count('"+15555550142"') == 1
    (tmp_path / SETTINGS_APP).write_text(source.replace('"+15555550142"', '"+15555550149"'))
    shutil.copytree(INTEG_DIR / f"{SETTINGS_APP}.snapshot", tmp_path / f"{SETTINGS_APP}.snapshot")
    # WHEN
    returncode, output = integ_runner(tmp_path)
    # THEN integ-runner names the app and the resource whose template changed
    assert returncode != 0, output
    assert f"CHANGED    {SETTINGS_APP.removesuffix('.py')}" in output, output
    assert "[~] AWS::Cognito::UserPoolUser DanaUser" in output, output
    assert "Tests:    1 failed, 1 total" in output


@pytest.mark.parametrize("app", INTEG_APPS)
def test_snapshot_holds_no_machine_path(app: str) -> None:
    # GIVEN the snapshot's manifests, templates and metadata (the assets are the sources and a vendored bundle)
    snapshot = INTEG_DIR / f"{app}.snapshot"
    files = sorted(snapshot.glob("*.json"))
    assert {"manifest.json", "integ.json", "tree.json"} <= {f.name for f in files}
    # THEN none names this checkout, a temporary folder or a home folder
    for path in files:
        text = path.read_text()
        json.loads(text)
        found = [marker for marker in MACHINE_MARKERS if marker in text]
        assert not found, f"{path.relative_to(REPO_ROOT)} holds {found}"
