"""``cognito-sms-mfa <command>``: the dispatcher, its subcommands and what each one loads."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cognito_sms_mfa_cli.__main__ import COMMANDS, main


def python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=120, check=False)


def test_without_a_command_prints_the_usage_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert capsys.readouterr().err.startswith("usage: cognito-sms-mfa <command> [arguments]\n\ncommands:\n  drift ")


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines() if line.startswith("  ")] == list(COMMANDS)


def test_an_unknown_command_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan"]) == 2
    assert capsys.readouterr().err.endswith("unknown command 'plan'; choose from drift, export, rehearse, emulator\n")


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("drift", "usage: cognito-sms-mfa drift [-h] [--stack STACK] [--app APP]"),
        ("rehearse", "usage: cognito-sms-mfa rehearse [-h]"),
        ("emulator", "usage: cognito-sms-mfa emulator [-h]"),
    ],
)
def test_each_command_runs_its_tools_main(command: str, usage: str) -> None:
    # GIVEN / WHEN the command's help, through the console script's module
    result = python("-m", "cognito_sms_mfa_cli", command, "--help")
    # THEN the tool's own parser answered
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(usage)


def test_drift_loads_neither_moto_nor_the_emulator_nor_the_rehearsals_run() -> None:
    # GIVEN / WHEN the drift and export commands are imported and run up to their help
    probe = (
        "import sys\n"
        "from cognito_sms_mfa_cli.__main__ import main\n"
        "for command in ('drift', 'export'):\n"
        "    try:\n        main([command, '--help'])\n    except SystemExit:\n        pass\n"
        "loaded = sorted({m.partition('.')[0] for m in sys.modules} & {'moto', 'cognito_sms_mfa_emulator',"
        " 'crhelper', 'aws_cdk', 'flask'})\n"
        "rehearsal = sorted(m for m in sys.modules if m.startswith('cognito_sms_mfa_rehearsal.'))\n"
        "print(loaded, rehearsal, 'boto3' in sys.modules, file=sys.stderr)\n"
    )
    result = python("-c", probe)
    # THEN only boto3, the handler's decisions and the rehearsal's pure modules came in
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (
        "[] ['cognito_sms_mfa_rehearsal.assembly', 'cognito_sms_mfa_rehearsal.progress', 'cognito_sms_mfa_rehearsal.table']"
        " True"
    )


def test_the_console_script_is_declared() -> None:
    from importlib.metadata import entry_points

    [script] = [e for e in entry_points(group="console_scripts") if e.name == "cognito-sms-mfa"]
    assert script.value == "cognito_sms_mfa_cli.__main__:main"
