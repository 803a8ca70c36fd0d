"""The five packages import one way: cli -> rehearsal -> emulator -> the handler's rules; the constructs need no
tool, and the cli's drift check only the handler's decision modules, the rehearsal's pure modules (its assembly
reader, its table and its progress lines, which import only the standard library) and boto3; so does export.

Every import statement counts, at module level or inside a function or a ``TYPE_CHECKING`` block, read with
:mod:`ast` from the sources (nothing is imported).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = {
    "cognito_sms_mfa": REPO_ROOT / "infra" / "cognito_sms_mfa",
    "cognito_sms_mfa_lambda": REPO_ROOT / "lambda_src" / "cognito_sms_mfa_lambda",
    "cognito_sms_mfa_emulator": REPO_ROOT / "emulator" / "cognito_sms_mfa_emulator",
    "cognito_sms_mfa_rehearsal": REPO_ROOT / "rehearsal" / "cognito_sms_mfa_rehearsal",
    "cognito_sms_mfa_cli": REPO_ROOT / "cli" / "cognito_sms_mfa_cli",
}
# What each package may import of the five (besides itself).
ALLOWED = {
    "cognito_sms_mfa": {"cognito_sms_mfa_lambda"},
    "cognito_sms_mfa_lambda": set(),
    "cognito_sms_mfa_emulator": {"cognito_sms_mfa_lambda"},
    "cognito_sms_mfa_rehearsal": {"cognito_sms_mfa_emulator", "cognito_sms_mfa_lambda"},
    "cognito_sms_mfa_cli": {"cognito_sms_mfa_lambda", "cognito_sms_mfa_rehearsal"},
}
# The rehearsal's modules the cli may import: pure, standard library only (so drift loads no moto).
PURE_REHEARSAL_MODULES = {
    "cognito_sms_mfa_rehearsal.assembly",
    "cognito_sms_mfa_rehearsal.progress",
    "cognito_sms_mfa_rehearsal.table",
}
# The drift check's modules: of the handler package, only the modules of pure decisions and rules (no boto3 client
# code, no crhelper).
DRIFT_MODULES = sorted(
    [
        *(REPO_ROOT / "cli" / "cognito_sms_mfa_cli").glob("drift*.py"),
        *(REPO_ROOT / "cli" / "cognito_sms_mfa_cli").glob("export*.py"),
    ]
)
HANDLER_MODULES_FOR_DRIFT = {
    "cognito_sms_mfa_lambda.errors",
    "cognito_sms_mfa_lambda.manifest",
    "cognito_sms_mfa_lambda.ownership",
    "cognito_sms_mfa_lambda.preference_decisions",
    "cognito_sms_mfa_lambda.properties",
    "cognito_sms_mfa_lambda.resource",
    "cognito_sms_mfa_lambda.rules",
    "cognito_sms_mfa_lambda.settings_batch_decisions",
    "cognito_sms_mfa_lambda.settings_decisions",
    "cognito_sms_mfa_lambda.test_user_decisions",
}


def imported_modules(source: Path) -> set[str]:
    """The absolute module names ``source`` imports anywhere in its text (``from a import b`` counts ``a`` and,
    when ``a.b`` may be a module, ``a.b``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module is not None:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def imported_packages(source: Path) -> set[str]:
    """The top-level packages of the five that ``source`` imports anywhere in its text."""
    return {name.partition(".")[0] for name in imported_modules(source)} & PACKAGES.keys()


def test_every_package_has_modules() -> None:
    # GIVEN / WHEN / THEN each source root holds its package (so the test below reads something)
    assert {name: bool(list(folder.rglob("*.py"))) for name, folder in PACKAGES.items()} == dict.fromkeys(
        PACKAGES, True
    )


@pytest.mark.parametrize("package", sorted(PACKAGES))
def test_package_imports_only_what_its_direction_allows(package: str) -> None:
    # GIVEN every module of the package
    modules = sorted(PACKAGES[package].rglob("*.py"))
    # WHEN their imports of the five packages are read
    wrong = {}
    for module in modules:
        relative = module.relative_to(REPO_ROOT).as_posix()
        allowed = {package} | ALLOWED[package]
        extra = imported_packages(module) - allowed
        if extra:
            wrong[relative] = sorted(extra)
    # THEN none imports against the direction
    assert wrong == {}


def test_imports_are_read_from_function_bodies_and_type_checking_blocks(tmp_path: Path) -> None:
    # GIVEN a module whose only imports of the packages are deferred or for type checking
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from cognito_sms_mfa_rehearsal.report import Report\n"
        "def run():\n"
        "    import cognito_sms_mfa.checks\n"
    )
    # WHEN / THEN both count
    assert imported_packages(module) == {"cognito_sms_mfa", "cognito_sms_mfa_rehearsal"}


def test_the_drift_check_imports_only_the_handlers_decision_modules() -> None:
    # GIVEN the drift check's modules
    assert DRIFT_MODULES
    # WHEN the handler modules they import are read
    handler_modules = set()
    for module in DRIFT_MODULES:
        handler_modules |= {
            name
            for name in imported_modules(module)
            if name.startswith("cognito_sms_mfa_lambda.") and name.count(".") == 1
        }
    # THEN each is a module of decisions or rules (an imported name that is not a module is ignored)
    existing = {f"cognito_sms_mfa_lambda.{p.stem}" for p in PACKAGES["cognito_sms_mfa_lambda"].glob("*.py")}
    assert handler_modules & existing <= HANDLER_MODULES_FOR_DRIFT


def test_the_cli_imports_only_the_rehearsals_pure_modules() -> None:
    # GIVEN every module of the cli
    modules = sorted(PACKAGES["cognito_sms_mfa_cli"].rglob("*.py"))
    # WHEN the rehearsal modules they import are read
    rehearsal = {
        name for module in modules for name in imported_modules(module) if name.startswith("cognito_sms_mfa_rehearsal")
    }
    # THEN each is one of the pure modules (an imported name that is not a module is ignored)
    existing = {f"cognito_sms_mfa_rehearsal.{p.stem}" for p in PACKAGES["cognito_sms_mfa_rehearsal"].glob("*.py")}
    assert rehearsal & existing <= PURE_REHEARSAL_MODULES
    assert rehearsal & existing


@pytest.mark.parametrize("module", sorted(PURE_REHEARSAL_MODULES))
def test_the_pure_rehearsal_modules_import_only_the_standard_library(module: str) -> None:
    # GIVEN / WHEN the top-level modules a pure module imports
    source = PACKAGES["cognito_sms_mfa_rehearsal"] / f"{module.rpartition('.')[2]}.py"
    top = {name.partition(".")[0] for name in imported_modules(source)}
    # THEN all are the standard library's (or the module's own package)
    assert top - sys.stdlib_module_names - {"cognito_sms_mfa_rehearsal"} == set()
