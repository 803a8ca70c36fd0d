"""``cognito-sms-mfa``: one command for the library's tools, ``cognito-sms-mfa <command> ...``.

- ``drift``: compare the users' MFA with what a deployed stack declares (:mod:`.drift`; needs boto3);
- ``export``: a pool's live SMS MFA state as code for ``UserSmsMfaSettingsBatch`` (:mod:`.export`; needs boto3);
- ``rehearse``: the offline rehearsal of a cloud assembly (``python -m cognito_sms_mfa_rehearsal``);
- ``emulator``: the local Cognito emulator (``python -m cognito_sms_mfa_emulator``).

Each command's module is imported only when it runs, so ``drift`` loads neither moto nor the emulator.
``python -m cognito_sms_mfa_cli`` is the same command.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

PROG = "cognito-sms-mfa"
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
EXIT_USAGE = 2


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"usage: {PROG} <command> [arguments]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", f"`{PROG} <command> --help` describes each command's arguments."]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command ``argv[0]`` with the rest of the arguments; return its exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(usage(), file=sys.stdout if args else sys.stderr)
        return 0 if args else EXIT_USAGE
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"{usage()}\n\n{PROG}: unknown command {name!r}; choose from {', '.join(COMMANDS)}", file=sys.stderr)
        return EXIT_USAGE
    module = import_module(COMMANDS[name][0])
    status: int = module.main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main())
