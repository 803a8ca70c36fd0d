"""The base install (no extra) serves a CDK app, and each command without its extra says which extra to install.

Each case runs in a child interpreter whose first import finder refuses the modules only an extra brings
(:mod:`tests.packaging.without_modules`), so an import of boto3, botocore or moto anywhere on the way fails the
test, whatever the development virtualenv holds. The clean-virtualenv matrix (``test_clean_venvs.py``) checks the
same on the built wheel.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from cognito_sms_mfa_cli.__main__ import DISTRIBUTION, missing_extra
from cognito_sms_mfa_rehearsal.__main__ import _parser as rehearse_parser
from tests.conftest import REPO_ROOT

HERE = Path(__file__).resolve().parent
WITHOUT_MODULES = HERE / "without_modules.py"
ALL_CONSTRUCTS_APP = HERE / "apps" / "all_constructs.py"
# What a base install lacks: the SDK (the Lambda runtime brings its own) and the emulator's moto.
SDK_AND_MOTO = "boto3,botocore,moto"
CUSTOM_TYPES = [
    "Custom::CognitoTestUser",
    "Custom::CognitoUserMfaPreference",
    "Custom::CognitoUserSmsMfaSettings",
    "Custom::CognitoUserSmsMfaSettingsBatch",
]
EXTRA_OF_COMMAND = {"drift": "drift", "rehearse": "local", "emulator": "local"}
TIMEOUT_S = 240


def child_env(workdir: Path) -> dict[str, str]:
    """The environment of a child: the repository's Node first (as ``make`` puts it), its own TMPDIR and outdir."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    node = REPO_ROOT / ".tools" / "node" / "bin"
    env["PATH"] = f"{node}{os.pathsep}{env.get('PATH', '')}"
    (workdir / "tmp").mkdir(exist_ok=True)
    env.update(TMPDIR=str(workdir / "tmp"), CDK_OUTDIR=str(workdir / "cdk.out"))
    return env


def without(modules: str, *args: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python ARGS`` with ``modules`` impossible to import."""
    return subprocess.run(
        [sys.executable, str(WITHOUT_MODULES), modules, *args],
        cwd=workdir,
        env=child_env(workdir),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_a_blocked_module_cannot_be_imported(tmp_path: Path) -> None:
    # GIVEN a script that imports botocore (installed in this virtualenv)
    script = tmp_path / "probe.py"
    script.write_text("import botocore.exceptions\n")
    # WHEN it runs with botocore blocked
    result = without("botocore", str(script), workdir=tmp_path)
    # THEN the import fails as in an install without it
    assert result.returncode == 1
    assert "ModuleNotFoundError: No module named 'botocore'" in result.stderr


def test_the_library_imports_without_boto3_botocore_or_moto(tmp_path: Path) -> None:
    # GIVEN a script that imports every public name of the library, then lists what came in
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys\nimport cognito_sms_mfa\nfrom cognito_sms_mfa import *\n"
        "print(sorted(cognito_sms_mfa.__all__))\n"
        "print(sorted({m.partition('.')[0] for m in sys.modules} & {'crhelper', 'cognito_sms_mfa_emulator',"
        " 'cognito_sms_mfa_rehearsal', 'cognito_sms_mfa_cli'}))\n"
    )
    # WHEN it runs with the SDK and moto blocked
    result = without(SDK_AND_MOTO, str(script), workdir=tmp_path)
    # THEN every public name imported, and none of the tools came along
    assert result.returncode == 0, result.stderr
    names, tools = result.stdout.splitlines()
    assert names == repr(sorted(__import__("cognito_sms_mfa").__all__))
    assert tools == "[]"


@pytest.mark.slow
def test_an_app_with_every_construct_synthesizes_without_boto3_botocore_or_moto(tmp_path: Path) -> None:
    # GIVEN an app with each public construct
    # WHEN it is synthesized with the SDK and moto blocked
    result = without(SDK_AND_MOTO, str(ALL_CONSTRUCTS_APP), workdir=tmp_path)
    # THEN it synthesized each custom resource type, served by one function
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"custom_types": CUSTOM_TYPES, "functions": 1}
    assert (tmp_path / "cdk.out" / "AllConstructs.template.json").is_file()


@pytest.mark.parametrize(("command", "args"), [("drift", ["--stack", "MyUsers"]), ("rehearse", []), ("emulator", [])])
def test_a_command_without_its_extra_names_it_in_one_line(command: str, args: list[str], tmp_path: Path) -> None:
    # GIVEN the command's arguments, and an install without the SDK and moto
    # WHEN it runs
    result = without(SDK_AND_MOTO, "-m", "cognito_sms_mfa_cli", command, *args, workdir=tmp_path)
    # THEN one line names the extra to install; exit status 2, no traceback
    extra = EXTRA_OF_COMMAND[command]
    assert (result.returncode, result.stdout) == (2, "")
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(
        rf"cognito-sms-mfa {command}: needs the {extra} extra \(no module '(boto3|botocore|moto)'\): "
        rf"pip install 'cdk-cognito-sms-mfa\[{extra}\]'",
        line,
    ), result.stderr


@pytest.mark.parametrize("command", ["rehearse", "emulator"])
def test_a_local_command_shows_its_own_help_without_the_extra(command: str, tmp_path: Path) -> None:
    # GIVEN / WHEN the command's help, without the SDK and moto
    result = without(SDK_AND_MOTO, "-m", "cognito_sms_mfa_cli", command, "--help", workdir=tmp_path)
    # THEN its own parser answers under the subcommand's name
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: cognito-sms-mfa {command} [-h]")


@pytest.mark.parametrize("command", ["drift", "export"])
def test_a_drift_command_shows_its_whole_help_without_the_extra(command: str, tmp_path: Path) -> None:
    # GIVEN / WHEN the command's help, without boto3 (the command's module imports it; its parser's does not)
    result = without(SDK_AND_MOTO, "-m", "cognito_sms_mfa_cli", command, "--help", workdir=tmp_path)
    # THEN its own parser's help, every argument and the exit statuses, then the extra to install
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"usage: cognito-sms-mfa {command} [-h]")
    assert "--endpoint-url" in result.stdout
    assert "exit status:" in result.stdout
    assert result.stdout.endswith(
        "It needs the drift extra, not installed here (no module 'boto3'): pip install 'cdk-cognito-sms-mfa[drift]'\n"
    )


def test_a_module_missing_for_another_reason_is_not_taken_for_an_extra(tmp_path: Path) -> None:
    # GIVEN / WHEN the emulator run with a module of its own package blocked (a broken install, not an extra)
    result = without("cognito_sms_mfa_emulator", "-m", "cognito_sms_mfa_cli", "emulator", workdir=tmp_path)
    # THEN the error is not hidden behind an install hint
    assert result.returncode == 1
    assert "ModuleNotFoundError: No module named 'cognito_sms_mfa_emulator'" in result.stderr
    assert "pip install" not in result.stderr


def test_version_is_the_distributions(tmp_path: Path) -> None:
    # GIVEN the version pyproject.toml declares
    declared = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
    # WHEN the command is asked for its version, without any extra
    result = without(SDK_AND_MOTO, "-m", "cognito_sms_mfa_cli", "--version", workdir=tmp_path)
    # THEN it prints the installed distribution's version, which is the declared one
    assert (result.returncode, result.stdout) == (0, f"{DISTRIBUTION} {declared}\n"), result.stderr
    assert version(DISTRIBUTION) == declared


@pytest.mark.parametrize("flag", ["--endpoint-url", "--endpoint"])
def test_rehearse_takes_endpoint_url_and_its_former_spelling(flag: str) -> None:
    # GIVEN / WHEN the rehearsal's arguments with either spelling of the endpoint flag
    args = rehearse_parser().parse_args(["cdk.out", flag, "http://127.0.0.1:4566"])
    # THEN both give the endpoint
    assert args.endpoint_url == "http://127.0.0.1:4566"


def test_rehearse_help_names_endpoint_url() -> None:
    assert "--endpoint-url URL, --endpoint URL" in rehearse_parser().format_help()


@pytest.mark.parametrize(
    ("command", "module", "extra"),
    [
        ("drift", "boto3", "drift"),
        ("rehearse", "boto3", "local"),  # the command's extra, not the smallest one with boto3
        ("emulator", "moto.core", "local"),
        ("export", "botocore.config", "drift"),  # a command without an entry: the module's extra
        ("emulator", "cognito_sms_mfa_emulator", None),  # not an extra's module: a broken install, re-raised
        ("drift", None, None),
    ],
)
def test_missing_extra_names_the_commands_extra(command: str, module: str | None, extra: str | None) -> None:
    assert missing_extra(command, ModuleNotFoundError(f"No module named {module!r}", name=module)) == extra
