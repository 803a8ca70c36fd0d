"""The built wheel, installed into a fresh virtualenv, serves an app of its own: the handler comes from site-packages.

The new virtualenv sees the development virtualenv's packages (aws-cdk-lib, crhelper, ...) through a ``.pth`` file
that lists its site-packages folder. Python adds such a folder to ``sys.path`` without running the ``.pth`` files
inside it, so the editable install of this repository stays invisible there: ``cognito_sms_mfa`` can only come
from the wheel.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from aws_cdk.assertions import Match, Template

from tests.constructs.test_iam import COGNITO_ACTIONS, TEST_USER_ACTIONS
from tests.packaging.conftest import Release

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
HANDLER_SOURCES = {
    f"cognito_sms_mfa_lambda/{name}"
    for name in (
        *("__init__.py", "clients.py", "errors.py", "handover.py", "index.py", "ownership.py", "preference.py"),
        *("preference_decisions.py", "properties.py", "resource.py", "responder.py", "retry.py", "rules.py"),
        *("settings.py", "settings_decisions.py", "test_user.py", "test_user_decisions.py"),
        *("manifest.py", "pacing.py", "settings_batch.py", "settings_batch_decisions.py", "own_stack.py"),
        *("holders.py", "user_lookup.py", "py.typed"),
    )
}
LIBRARY_SOURCES = {
    f"cognito_sms_mfa/{name}"
    for name in (
        "__init__.py",
        "handler_asset.py",
        "sms_mfa_handler.py",
        "sms_mfa_test_user.py",
        "user_mfa_preference.py",
        "user_sms_mfa_settings.py",
        "user_sms_mfa_settings_batch.py",
        "py.typed",
    )
}
# The emulator's, the rehearsal's and the command line's packages, each as its source root holds it (with the
# JSON Schema of drift's --json, package data of the command line).
PACKAGE_DATA = ("py.typed", "drift.schema.json")
TOOL_SOURCES = {
    f"{folder.name}/{path.name}"
    for folder in (
        REPO_ROOT / "emulator" / "cognito_sms_mfa_emulator",
        REPO_ROOT / "rehearsal" / "cognito_sms_mfa_rehearsal",
        REPO_ROOT / "cli" / "cognito_sms_mfa_cli",
    )
    for path in folder.iterdir()
    if path.suffix == ".py" or path.name in PACKAGE_DATA
}
EXAMPLE_STACK = "CognitoSmsMfaExample"
TIMEOUT_S = 180

APP_SOURCE = '''\
"""An app of its own that uses the installed library: two stacks, the second with two pools."""

import importlib.util
import json

import cognito_sms_mfa
from aws_cdk import App, Stack
from aws_cdk import aws_cognito as cognito
from cognito_sms_mfa import SmsMfaTestUser, UserSmsMfaSettings

app = App()
one = Stack(app, "OnePool")
pool = cognito.UserPool(one, "Pool")
UserSmsMfaSettings(one, "AliceMfa", user_pool=pool, username="alice")
SmsMfaTestUser(one, "Carol", user_pool=pool, username="carol", phone_number="+15555550123")

two = Stack(app, "TwoPools")
first = cognito.UserPool(two, "First")
second = cognito.UserPool(two, "Second")
UserSmsMfaSettings(two, "AliceMfa", user_pool=first, username="alice")
UserSmsMfaSettings(two, "BobMfa", user_pool=second, username="bob", mfa_options=[])
UserSmsMfaSettings(two, "AliceInSecondMfa", user_pool=second, username="alice")
app.synth()

handler = importlib.util.find_spec("cognito_sms_mfa_lambda")
print(json.dumps({"package": cognito_sms_mfa.__file__, "handler": list(handler.submodule_search_locations)}))
'''


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    site_packages: Path


@dataclass(frozen=True)
class Synthesized:
    outdir: Path
    provenance: dict[str, Any]

    def template(self, stack: str) -> Template:
        return Template.from_json(json.loads((self.outdir / f"{stack}.template.json").read_text()))

    def asset_hashes(self, stack: str) -> list[str]:
        manifest = json.loads((self.outdir / f"{stack}.assets.json").read_text())
        return [h for h, entry in manifest["files"].items() if entry["source"].get("packaging") == "zip"]


def run(command: Sequence[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``command``, failing the test with its output when it fails."""
    result = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=TIMEOUT_S, check=False, **kwargs
    )
    if result.returncode != 0:
        pytest.fail(f"{command[0]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def isolated_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="module")
def wheel(release: Release) -> Path:
    return release.wheel


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    root = tmp_path_factory.mktemp("venv") / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", root])
    python = root / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], env=isolated_env())
    site_packages = Path(purelib.stdout.strip())
    (site_packages / "development-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(
        [
            *(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--disable-pip-version-check"),
            *("--no-deps", "--no-index", wheel),
        ]
    )
    return Venv(root, python, site_packages)


@pytest.fixture(scope="module")
def synthesized(venv: Venv, tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    workdir = tmp_path_factory.mktemp("embedding-app")
    (workdir / "app.py").write_text(APP_SOURCE)
    (workdir / "tmp").mkdir()
    outdir = workdir / "cdk.out"
    result = run(
        [venv.python, "app.py"],
        cwd=workdir,
        env=isolated_env(CDK_OUTDIR=str(outdir), TMPDIR=str(workdir / "tmp")),
    )
    return Synthesized(outdir, json.loads(result.stdout.strip().splitlines()[-1]))


def test_wheel_contains_library_and_handler_sources(wheel: Path) -> None:
    # GIVEN the built wheel
    # WHEN its entries are listed
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())

    # THEN it ships the library, the handler package cognito_sms_mfa_lambda/, the emulator and the rehearsal
    # packages, and no bytecode
    assert names >= LIBRARY_SOURCES
    assert {name for name in names if name.startswith("cognito_sms_mfa_lambda/")} == HANDLER_SOURCES
    assert {
        name
        for name in names
        if name.startswith(("cognito_sms_mfa_emulator/", "cognito_sms_mfa_rehearsal/", "cognito_sms_mfa_cli/"))
    } == (TOOL_SOURCES)
    assert {
        "cognito_sms_mfa_emulator/pytest_plugin.py",
        "cognito_sms_mfa_rehearsal/lambda_bootstrap.py",
        "cognito_sms_mfa_cli/drift.py",
        "cognito_sms_mfa_cli/drift.schema.json",
    } <= TOOL_SOURCES
    assert [name for name in names if "__pycache__" in name or name.endswith(".pyc")] == []


def test_wheel_ships_license_pytest_plugin_and_a_local_extra_without_moto_server(wheel: Path) -> None:
    # GIVEN the built wheel
    # WHEN its metadata is read
    with zipfile.ZipFile(wheel) as archive:
        [dist_info] = {name.split("/")[0] for name in archive.namelist() if ".dist-info/" in name}
        license_text = archive.read(f"{dist_info}/licenses/LICENSE")
        metadata = archive.read(f"{dist_info}/METADATA").decode()
        entry_points = archive.read(f"{dist_info}/entry_points.txt").decode()

    # THEN the Apache-2.0 text, the pytest11 entry point, and the local extra's own imports only
    assert license_text == (REPO_ROOT / "LICENSE").read_bytes()
    assert "License-File: LICENSE" in metadata
    assert "[pytest11]\ncognito_sms_mfa = cognito_sms_mfa_emulator.pytest_plugin" in entry_points
    assert "[console_scripts]\ncognito-sms-mfa = cognito_sms_mfa_cli.__main__:main" in entry_points
    drift = sorted(line.split(": ", 1)[1] for line in metadata.splitlines() if line.endswith('extra == "drift"'))
    assert drift == ['boto3>=1.40; extra == "drift"']
    local = sorted(line.split(": ", 1)[1] for line in metadata.splitlines() if line.endswith('extra == "local"'))
    assert local == [
        'boto3>=1.40; extra == "local"',
        'flask-cors<7,>=6; extra == "local"',
        'flask<4,>=3; extra == "local"',
        'moto[cognitoidp,s3]==5.2.5; extra == "local"',
        'pytest<10,>=9; extra == "local"',
        'trustme<2,>=1.2; extra == "local"',
    ]


def test_wheel_handler_sources_match_repository(wheel: Path) -> None:
    # GIVEN the built wheel
    # WHEN its handler modules are read
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name: archive.read(name) for name in sorted(HANDLER_SOURCES)}

    # THEN they are lambda_src/ byte for byte
    assert shipped == {name: (REPO_ROOT / "lambda_src" / name).read_bytes() for name in sorted(HANDLER_SOURCES)}


def test_wheel_installed_package_imports_from_new_venv(venv: Venv) -> None:
    # GIVEN the wheel installed into a fresh virtualenv that sees the development packages through a .pth file
    # WHEN the new interpreter imports the library
    result = run(
        [venv.python, "-c", "import cognito_sms_mfa_lambda.rules as r; print(r.__file__)"],
        cwd=venv.root,
        env=isolated_env(),
    )

    # THEN the module comes from the new virtualenv's site-packages, not from the repository
    assert Path(result.stdout.strip()).is_relative_to(venv.site_packages)


@pytest.mark.parametrize(
    ("command", "name"), [("cognito_sms_mfa_emulator", "emulator"), ("cognito_sms_mfa_rehearsal", "rehearse")]
)
def test_wheel_installed_commands_run_from_new_venv(venv: Venv, command: str, name: str) -> None:
    # GIVEN the wheel installed into a fresh virtualenv
    # WHEN the command's help is asked for, and its package's location
    result = run([venv.python, "-m", command, "--help"], cwd=venv.root, env=isolated_env())
    where = run([venv.python, "-c", f"import {command}; print({command}.__file__)"], cwd=venv.root, env=isolated_env())

    # THEN the command answers under its subcommand's name, from the new virtualenv's site-packages
    assert result.stdout.startswith(f"usage: cognito-sms-mfa {name} [-h]")
    assert Path(where.stdout.strip()).is_relative_to(venv.site_packages)


def test_wheel_installed_console_script_runs_from_new_venv(venv: Venv) -> None:
    # GIVEN the wheel installed into a fresh virtualenv
    # WHEN its console script's help is asked for
    result = run([venv.python.parent / "cognito-sms-mfa", "--help"], cwd=venv.root, env=isolated_env())

    # THEN it lists the four commands
    assert result.stdout.startswith("usage: cognito-sms-mfa <command> [arguments]")
    assert [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")] == [
        "drift",
        "export",
        "rehearse",
        "emulator",
    ]


def test_wheel_app_loads_library_and_handler_from_new_venv(venv: Venv, synthesized: Synthesized) -> None:
    # GIVEN an app of its own, synthesized by the new virtualenv's interpreter
    # WHEN it reports where the library and the handler were found
    package = Path(synthesized.provenance["package"])
    (handler,) = (Path(folder) for folder in synthesized.provenance["handler"])

    # THEN both are in the new site-packages, where pip also compiled bytecode next to the handler
    assert package.is_relative_to(venv.site_packages)
    assert handler == venv.site_packages / "cognito_sms_mfa_lambda"
    assert (handler / "__pycache__").is_dir()


@pytest.mark.parametrize("stack", [pytest.param("OnePool", id="one-pool"), pytest.param("TwoPools", id="two-pools")])
def test_wheel_app_has_one_function_per_stack(synthesized: Synthesized, stack: str) -> None:
    # GIVEN a stack of the embedding app
    # WHEN its template is read
    template = synthesized.template(stack)

    # THEN every settings resource is served by its one function
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.resource_count_is("AWS::Logs::LogGroup", 1)


@pytest.mark.parametrize("stack", [pytest.param("OnePool", id="one-pool"), pytest.param("TwoPools", id="two-pools")])
def test_wheel_app_policy_lists_exactly_its_own_pools(synthesized: Synthesized, stack: str) -> None:
    # GIVEN a stack of the embedding app and the pools it defines
    template = synthesized.template(stack)
    pools = [{"Fn::GetAtt": [pool_id, "Arn"]} for pool_id in template.find_resources("AWS::Cognito::UserPool")]

    # WHEN its Cognito policy is read
    actions = COGNITO_ACTIONS + (TEST_USER_ACTIONS if stack == "OnePool" else [])  # OnePool has a test user
    cognito = Match.array_with([Match.object_like({"Action": actions})])
    policies = template.find_resources("AWS::IAM::Policy", {"Properties": {"PolicyDocument": {"Statement": cognito}}})

    # THEN the one policy allows the actions on exactly those pools
    ((_, policy),) = policies.items()
    (statement,) = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == actions]
    resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    assert sorted(map(json.dumps, resources)) == sorted(map(json.dumps, pools))
    assert len(pools) == {"OnePool": 1, "TwoPools": 2}[stack]


def test_wheel_app_asset_is_the_development_asset(synthesized: Synthesized, example_cloud_assembly: Path) -> None:
    # GIVEN the asset hashes of the embedding app's stacks and of the example app synthesized from the repository
    # WHEN they are compared
    hashes = {stack: synthesized.asset_hashes(stack) for stack in ("OnePool", "TwoPools")}
    development = Synthesized(example_cloud_assembly, {}).asset_hashes(EXAMPLE_STACK)

    # THEN the handler built from the wheel's sources is the same asset (its bytecode left out)
    assert hashes == {"OnePool": development, "TwoPools": development}
    assert len(development) == 1
