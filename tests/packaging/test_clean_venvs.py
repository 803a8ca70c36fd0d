"""What users install: the built wheel in clean virtualenvs, one per extra, each holding the wheel and what its
requirements bring (the versions pinned in requirements.lock), nothing of the development virtualenv.

- base (no extra): the library imports and an app with every construct synthesizes, with neither boto3 nor moto;
  ``--version``, every command's ``--help``, and each command's one-line hint naming its extra;
- ``[drift]``: boto3 without moto: drift's own help, its error for an endpoint that does not answer, and the
  rehearsal's hint for the ``local`` extra;
- ``[local]``: the rehearsal of the example app, and the emulator's help.

The wheel is the one ``python -m build`` made from the sdist (``conftest.release``), built once per session. Each
virtualenv is installed with the README's own ``pip install`` line for its extra (Install into your own app), run as
written from the folder that holds ``dist/``, with the virtualenv's pip (the development one, ``--python``), pinned
versions (``-c requirements.lock``), pip's cache, and no bytecode compiled at install (the interpreter compiles what
it imports).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import REPO_ROOT
from tests.packaging.conftest import Release
from tests.packaging.test_base_install import ALL_CONSTRUCTS_APP, CUSTOM_TYPES, EXTRA_OF_COMMAND
from tests.packaging.test_docs_code_blocks import code_blocks

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.slow

INSTALL_TIMEOUT_S = 600
RUN_TIMEOUT_S = 300
VERSION = re.search(r'^version = "(.+)"$', (REPO_ROOT / "pyproject.toml").read_text(), re.MULTILINE)
# Dummy credentials and a Region: drift must get as far as calling the endpoint.
DUMMY_AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


@dataclass(frozen=True)
class CleanVenv:
    root: Path
    workdir: Path

    @property
    def command(self) -> Path:
        return self.root / "bin" / "cognito-sms-mfa"

    def run(self, *args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run ``args`` (the venv's ``python`` when the first is not a path) from a folder outside the repository,
        with no AWS variable but ``env``."""
        command: Sequence[str | Path] = args if isinstance(args[0], Path) else (self.root / "bin" / "python", *args)
        base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTHONPATH"}
        node = REPO_ROOT / ".tools" / "node" / "bin"  # jsii's Node, as `make` puts it first
        base["PATH"] = f"{node}{os.pathsep}{base.get('PATH', '')}"
        base["TMPDIR"] = str(self.workdir)
        return subprocess.run(
            [str(part) for part in command],
            cwd=self.workdir,
            env={**base, **(env or {})},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )


def readme_installs() -> dict[str, list[str]]:
    """The README's ``pip install`` lines of the wheel (Install into your own app, its first block), by extra
    (``""``: none): the arguments after ``pip install``, as a shell splits them."""
    blocks = [block for block in code_blocks("README.md", "Install into your own app") if block.language == "bash"]
    installs: dict[str, list[str]] = {}
    for line in blocks[0].text.splitlines():
        words = shlex.split(line, comments=True)
        if words[:2] == ["pip", "install"]:
            extra = re.search(r"\[(\w+)\]$", words[-1])
            installs[extra[1] if extra else ""] = words[2:]
    return installs


README_INSTALLS = readme_installs()


def test_readme_installs_the_built_wheel_with_each_extra(release: Release) -> None:
    # GIVEN / WHEN the README's install lines are read
    # THEN one per extra, each naming the wheel a build of this version makes
    assert sorted(README_INSTALLS) == ["", "drift", "local"]
    for extra, args in README_INSTALLS.items():
        assert args == [f"dist/{release.wheel.name}" + (f"[{extra}]" if extra else "")]


def install(release: Release, extra: str, tmp_path_factory: pytest.TempPathFactory) -> CleanVenv:
    root = tmp_path_factory.mktemp(f"venv-{extra or 'base'}")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", root], check=True, timeout=INSTALL_TIMEOUT_S)
    requirement = README_INSTALLS[extra]
    pip = [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python")]
    result = subprocess.run(
        [*pip, "install", "-q", "--no-compile", "-c", str(REPO_ROOT / "requirements.lock"), *requirement],
        cwd=release.root,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"pip install {shlex.join(requirement)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    workdir = tmp_path_factory.mktemp(f"work-{extra or 'base'}")
    return CleanVenv(root, workdir)


@pytest.fixture(scope="module")
def base(release: Release, tmp_path_factory: pytest.TempPathFactory) -> CleanVenv:
    return install(release, "", tmp_path_factory)


@pytest.fixture(scope="module")
def drift(release: Release, tmp_path_factory: pytest.TempPathFactory) -> CleanVenv:
    return install(release, "drift", tmp_path_factory)


@pytest.fixture(scope="module")
def local(release: Release, tmp_path_factory: pytest.TempPathFactory) -> CleanVenv:
    return install(release, "local", tmp_path_factory)


def importable(venv: CleanVenv, *modules: str) -> dict[str, bool]:
    probe = (
        f"import importlib.util, json; print(json.dumps({{m: bool(importlib.util.find_spec(m)) for m in {modules!r}}}))"
    )
    found: dict[str, bool] = json.loads(venv.run("-c", probe).stdout)
    return found


def test_base_holds_neither_the_sdk_nor_moto(base: CleanVenv) -> None:
    # GIVEN / WHEN the base install is asked what it can import
    # THEN the library, and none of what only an extra brings
    assert importable(base, "cognito_sms_mfa", "aws_cdk", "crhelper", "boto3", "botocore", "moto") == {
        "cognito_sms_mfa": True,
        "aws_cdk": True,
        "crhelper": True,
        "boto3": False,
        "botocore": False,
        "moto": False,
    }


def test_base_synthesizes_an_app_with_every_construct(base: CleanVenv) -> None:
    # GIVEN an app with each public construct, outside the repository
    shutil.copy(ALL_CONSTRUCTS_APP, base.workdir / "app.py")
    # WHEN the base install's interpreter synthesizes it
    result = base.run("app.py", env={"CDK_OUTDIR": str(base.workdir / "cdk.out")})
    # THEN every custom resource type is in the template, served by one function
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"custom_types": CUSTOM_TYPES, "functions": 1}


def test_base_command_prints_the_distributions_version(base: CleanVenv) -> None:
    assert VERSION is not None
    result = base.run(base.command, "--version")
    assert (result.returncode, result.stdout) == (0, f"cdk-cognito-sms-mfa {VERSION[1]}\n"), result.stderr


@pytest.mark.parametrize("command", list(EXTRA_OF_COMMAND))
def test_base_command_help_answers(base: CleanVenv, command: str) -> None:
    # GIVEN / WHEN a command's help, without its extra
    result = base.run(base.command, command, "--help")
    # THEN its own parser answers under its name (drift: with the extra to install after it)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith(f"usage: cognito-sms-mfa {command} [-h]")


@pytest.mark.parametrize(("command", "args"), [("drift", ["--stack", "MyUsers"]), ("rehearse", []), ("emulator", [])])
def test_base_command_names_its_extra_in_one_line(base: CleanVenv, command: str, args: list[str]) -> None:
    # GIVEN / WHEN a command run without its extra
    result = base.run(base.command, command, *args)
    # THEN one line names the extra; exit status 2
    extra = EXTRA_OF_COMMAND[command]
    assert (result.returncode, result.stdout, len(result.stderr.splitlines())) == (2, "", 1), result.stderr
    assert result.stderr.endswith(f": pip install 'cdk-cognito-sms-mfa[{extra}]'\n")
    assert result.stderr.startswith(f"cognito-sms-mfa {command}: needs the {extra} extra (no module ")


def test_drift_extra_holds_boto3_without_moto(drift: CleanVenv) -> None:
    assert importable(drift, "boto3", "moto") == {"boto3": True, "moto": False}


def test_drift_extra_shows_drifts_own_help(drift: CleanVenv) -> None:
    result = drift.run(drift.command, "drift", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: cognito-sms-mfa drift [-h]")
    assert "--endpoint-url" in result.stdout


def closed_port() -> int:
    """A port nothing listens on: one the system just handed out and that was closed again."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_drift_extra_reports_an_endpoint_that_does_not_answer(drift: CleanVenv) -> None:
    # GIVEN an endpoint nothing answers at
    endpoint = f"http://127.0.0.1:{closed_port()}"
    # WHEN drift is pointed at it, with dummy credentials and a Region
    result = drift.run(drift.command, "drift", "--stack", "MyUsers", "--endpoint-url", endpoint, env=DUMMY_AWS)
    # THEN it could not check (neither in sync nor drifted), says why naming the endpoint, without a traceback
    assert result.returncode not in (0, 1), result.stdout
    assert f'Could not connect to the endpoint URL: "{endpoint}/' in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_drift_extra_rehearse_names_the_local_extra(drift: CleanVenv) -> None:
    result = drift.run(drift.command, "rehearse", "cdk.out")
    assert (result.returncode, len(result.stderr.splitlines())) == (2, 1), result.stderr
    assert re.fullmatch(
        r"cognito-sms-mfa rehearse: needs the local extra \(no module '\w+'\): pip install 'cdk-cognito-sms-mfa\[local\]'\n",
        result.stderr,
    )


def test_local_extra_rehearses_the_example_app(local: CleanVenv, example_cloud_assembly: Path) -> None:
    # GIVEN the example app's cloud assembly (synthesized by the development virtualenv: the app uses cdk-nag)
    # WHEN the local install rehearses it, with no AWS variable
    result = local.run(local.command, "rehearse", example_cloud_assembly)
    # THEN every request succeeded and read back as desired
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.rstrip().endswith("all requests succeeded and every user holds the desired options")


def test_local_extra_shows_the_emulators_own_help(local: CleanVenv) -> None:
    result = local.run(local.command, "emulator", "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: cognito-sms-mfa emulator [-h]")
