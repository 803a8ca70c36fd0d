"""The handler asset of the example app: what it holds, how small it is, and that it is the same on every synthesis."""

from __future__ import annotations

import importlib.util
import io
import json
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa.handler_asset import asset_files as source_files
from cognito_sms_mfa.handler_asset import asset_hash

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_STACK = "CognitoSmsMfaExample"
HANDLER_MODULES = [
    f"cognito_sms_mfa_lambda/{name}"
    for name in (
        "__init__.py",
        "clients.py",
        "errors.py",
        "handover.py",
        "holders.py",
        "index.py",
        "manifest.py",
        "own_stack.py",
        "ownership.py",
        "pacing.py",
        "preference.py",
        "preference_decisions.py",
        "properties.py",
        "resource.py",
        "responder.py",
        "retry.py",
        "rules.py",
        "settings.py",
        "settings_batch.py",
        "settings_batch_decisions.py",
        "settings_decisions.py",
        "test_user.py",
        "test_user_decisions.py",
        "user_lookup.py",
    )
]
CRHELPER_FILES = [
    "crhelper/LICENSE",
    "crhelper/NOTICE",
    "crhelper/__init__.py",
    "crhelper/log_helper.py",
    "crhelper/resource_helper.py",
    "crhelper/utils.py",
]
# A guard against bundling boto3 or other dependencies (megabytes), not a size budget: four resource types'
# modules (the batch with its continuation and its record of writes, the hand-over across types, the own-stack
# check) and crhelper zip to about 85 KB, against 87 KB for AwsCustomResource's handler (docs/benchmarks.md).
MAX_ZIPPED_BYTES = 96_000


def handler_asset(outdir: Path, stack: str = EXAMPLE_STACK) -> tuple[str, Path]:
    """The hash and folder of the stack's one zipped asset (the handler) in a cloud assembly."""
    manifest = json.loads((outdir / f"{stack}.assets.json").read_text())
    zipped = [
        (asset_hash, entry["source"]["path"])
        for asset_hash, entry in manifest["files"].items()
        if entry["source"].get("packaging") == "zip"
    ]
    ((asset_hash, path),) = zipped
    return asset_hash, outdir / path


def asset_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``: relative POSIX path to bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()
    }


def zipped_size(files: dict[str, bytes]) -> int:
    """The size of ``files`` as a deflated zip archive, as the asset is uploaded."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return len(buffer.getvalue())


def installed_crhelper() -> Path:
    spec = importlib.util.find_spec("crhelper")
    assert spec is not None
    assert spec.submodule_search_locations is not None
    return Path(next(iter(spec.submodule_search_locations)))


def test_asset_two_syntheses_in_different_folders_are_identical(
    example_cloud_assembly: Path, synth_example_app: Callable[[Path], Path], tmp_path: Path
) -> None:
    # GIVEN the example app synthesized once in one folder, with its asset staged in one temporary folder
    first_hash, first_folder = handler_asset(example_cloud_assembly)

    # WHEN it is synthesized again from another folder, staging the asset in another temporary folder
    second = synth_example_app(tmp_path)
    second_hash, second_folder = handler_asset(second)

    # THEN the asset hash, the asset's files and the whole template are the same
    assert second != example_cloud_assembly
    assert second_hash == first_hash
    assert asset_files(second_folder) == asset_files(first_folder)
    template = f"{EXAMPLE_STACK}.template.json"
    assert (second / template).read_text() == (example_cloud_assembly / template).read_text()


def test_asset_ignores_folder_planted_at_old_shared_path_and_leaves_temp_folder_clean(
    example_cloud_assembly: Path, synth_example_app: Callable[[Path], Path], tmp_path: Path
) -> None:
    # GIVEN code planted where the asset used to be staged and reused unchecked: $TMPDIR/cognito-sms-mfa-asset-<hash>
    expected = asset_files(handler_asset(example_cloud_assembly)[1])
    old_path = f"cognito-sms-mfa-asset-{asset_hash(source_files())[:16]}"
    planted = tmp_path / "tmp" / old_path / "cognito_sms_mfa_lambda" / "index.py"
    planted.parent.mkdir(parents=True)
    planted.write_text("PLANTED = True\n")

    # WHEN the app is synthesized with that TMPDIR
    outdir = synth_example_app(tmp_path)

    # THEN the asset holds the sources, not the planted file, and nothing of the asset is left in TMPDIR
    assert asset_files(handler_asset(outdir)[1]) == expected
    assert sorted(path.name for path in (tmp_path / "tmp").iterdir()) == [old_path]
    assert planted.read_text() == "PLANTED = True\n"


def test_asset_holds_handler_modules_and_crhelper_only(example_cloud_assembly: Path) -> None:
    # GIVEN the example app's handler asset
    _, folder = handler_asset(example_cloud_assembly)

    # WHEN its files are listed
    files = asset_files(folder)

    # THEN it holds the handler package's modules and crhelper's modules and notices, nothing else (no bytecode)
    assert sorted(files) == sorted(HANDLER_MODULES + CRHELPER_FILES)
    assert not [name for name in files if "__pycache__" in name or name.endswith(".pyc")]


def test_asset_files_are_the_sources_byte_for_byte(example_cloud_assembly: Path) -> None:
    # GIVEN the example app's handler asset
    _, folder = handler_asset(example_cloud_assembly)

    # WHEN its files are compared with the repository's handler and the installed crhelper
    files = asset_files(folder)

    # THEN each module is an exact copy
    for module in HANDLER_MODULES:
        assert files[module] == (REPO_ROOT / "lambda_src" / module).read_bytes(), module
    for source in sorted(installed_crhelper().glob("*.py")):
        assert files[f"crhelper/{source.name}"] == source.read_bytes(), source.name


def test_asset_zipped_stays_small(example_cloud_assembly: Path) -> None:
    # GIVEN the example app's handler asset
    _, folder = handler_asset(example_cloud_assembly)

    # WHEN it is zipped as it is for upload
    size = zipped_size(asset_files(folder))

    # THEN it stays small: no boto3, no dependencies beyond crhelper
    assert size < MAX_ZIPPED_BYTES
