"""``cognito-sms-mfa``: one command for the library's tools, ``cognito-sms-mfa <command> ...``.

- ``drift``: compare the users' MFA with what a deployed stack declares (:mod:`.drift`; needs boto3);
- ``export``: a pool's live SMS MFA state as code for ``UserSmsMfaSettingsBatch`` (:mod:`.export`; needs boto3);
- ``rehearse``: the offline rehearsal of a cloud assembly (:mod:`cognito_sms_mfa_rehearsal.__main__`; the
  ``local`` extra);
- ``emulator``: the local Cognito emulator (:mod:`cognito_sms_mfa_emulator.__main__`; the ``local`` extra).

Each command's module is imported only when it runs, so ``drift`` loads neither moto nor the emulator. A command
whose extra is not installed says which one in one line (exit status 2), and its ``--help`` still answers.
``--version`` prints the installed distribution's version (its metadata: pyproject.toml is the one source).
``python -m cognito_sms_mfa_cli`` is the same command.
"""

from __future__ import annotations

import sys
from importlib import import_module
from importlib.metadata import version
from typing import TYPE_CHECKING

from cognito_sms_mfa_cli.arguments import EXIT_USAGE

if TYPE_CHECKING:
    from collections.abc import Sequence

PROG = "cognito-sms-mfa"
DISTRIBUTION = "cdk-cognito-sms-mfa"
# Command -> (module with ``main(argv) -> int``, one line of help).
COMMANDS = {
    "drift": ("cognito_sms_mfa_cli.drift", "which users' MFA no longer matches what the deployed stack declares"),
    "export": (
        "cognito_sms_mfa_cli.export",
        "write a pool's users' SMS MFA state as code (usernames files, a snippet)",
    ),
    "rehearse": ("cognito_sms_mfa_rehearsal.__main__", "deploy a cloud assembly against a local Cognito (no AWS)"),
    "emulator": ("cognito_sms_mfa_emulator.__main__", "run the local Cognito emulator in the foreground"),
}
# The extra each command needs (a command not listed here: the extra of the module found missing, below).
COMMAND_EXTRAS = {"drift": "drift", "export": "drift", "rehearse": "local", "emulator": "local"}
# The parsers of commands whose module needs its extra, in a module that does not (its --help answers in full).
COMMAND_PARSERS = {
    "drift": ("cognito_sms_mfa_cli.arguments", "drift_parser"),
    "export": ("cognito_sms_mfa_cli.arguments", "export_parser"),
}
# Top-level modules that only an extra installs, each with the smallest extra that brings it.
EXTRA_OF_MODULE = {
    **dict.fromkeys(("boto3", "botocore", "s3transfer"), "drift"),
    **dict.fromkeys(("moto", "flask", "flask_cors", "werkzeug", "joserfc", "trustme", "yaml", "responses"), "local"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: {PROG} <command> [arguments]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", f"`{PROG} <command> --help` describes each command's arguments; `{PROG} --version` the version."]
    return "\n".join(lines)


def install_hint(extra: str) -> str:
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def missing_extra(command: str, error: ModuleNotFoundError) -> str | None:
    """The extra to install when ``command`` failed to import ``error.name``; None when no extra brings it (a bug,
    not a missing install)."""
    module = (error.name or "").partition(".")[0]
    if module not in EXTRA_OF_MODULE:
        return None
    return COMMAND_EXTRAS.get(command, EXTRA_OF_MODULE[module])


def missing_extra_help(command: str, extra: str, module: str) -> str:
    """What ``<command> --help`` says when the command cannot be imported without its extra: its own parser's help
    where that needs no extra, else what it does; then the extra to install."""
    needs = f"It needs the {extra} extra, not installed here (no module {module}): {install_hint(extra)}"
    found = COMMAND_PARSERS.get(command)
    if found is not None:
        parser_module, factory = found
        parser = getattr(import_module(parser_module), factory)(f"{PROG} {command}")
        return f"{parser.format_help().rstrip()}\n\n{needs}"
    return (
        f"usage: {PROG} {command} [arguments]\n\n{COMMANDS[command][1]}\n\n{needs}\n"
        f"Then `{PROG} {command} --help` lists its arguments."
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv[0]`` with the rest of the arguments; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else EXIT_USAGE
    if args[0] in ("-V", "--version"):
        print(f"{DISTRIBUTION} {version(DISTRIBUTION)}")
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"{usage()}\n\n{PROG}: unknown command {name!r}; choose from {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        # A command imports its extra at module level (drift) or once its arguments are parsed (rehearse,
        # emulator: their --help works without it).
        status: int = import_module(COMMANDS[name][0]).main(rest)
    except ModuleNotFoundError as error:
        extra = missing_extra(name, error)
        if extra is None:
            raise
        if "-h" in rest or "--help" in rest:
            print(missing_extra_help(name, extra, repr(error.name)))
            return 0
        hint = f"{PROG} {name}: needs the {extra} extra (no module {error.name!r}): {install_hint(extra)}"
        print(hint, file=sys.stderr)
        return EXIT_USAGE
    return status


if __name__ == "__main__":
    sys.exit(main())
