"""``python -m cognito_sms_mfa.rehearse``: deploy a cloud assembly's SMS MFA settings against a local Cognito.

Reads a synthesized cloud assembly (``cdk.out`` by default), starts the local Cognito emulator in this process
(or uses ``--endpoint``), creates the template's user pools and users there, invokes the real bundled handler
for each ``Custom::CognitoUserSmsMfaSettings`` in a Lambda-like child process, and prints what the emulator
holds afterwards. It never touches AWS: the children get dummy credentials and the local endpoint, and no
``~/.aws`` file is read. Needs the ``local`` extra: ``pip install "cdk-cognito-sms-mfa[local]"``.

Exit status: 0 when every request succeeded and every user holds exactly the desired options, 1 otherwise,
2 for a usage or assembly error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cognito_sms_mfa.local.rehearsal import Outcome


def _options(options: list[dict[str, str]] | None) -> str:
    if options is None:
        return "(no user)"
    if not options:
        return "none"
    return ", ".join(f"{o.get('DeliveryMedium')}->{o.get('AttributeName')}" for o in options)


def render_table(outcomes: Sequence[Outcome]) -> str:
    """A plain-text table, one row per request, with the Reason under each failed row."""
    header = ("STACK", "STEP", "RESOURCE", "POOL", "USERNAME", "DESIRED", "READ BACK", "RESULT", "TIME")
    rows = [
        (
            o.stack,
            o.phase,
            o.logical_id,
            o.pool,
            o.username,
            _options(o.desired),
            _options(o.read_back),
            "ok" if o.ok else ("MISMATCH" if o.status == "SUCCESS" else o.status),
            f"{o.seconds:.2f} s",
        )
        for o in outcomes
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=False)]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]
    out = [lines[0], "  ".join("-" * w for w in widths)]
    for outcome, line in zip(outcomes, lines[1:], strict=True):
        out.append(line)
        if outcome.reason:
            out.append(f"    Reason: {outcome.reason}")
    return "\n".join(out)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m cognito_sms_mfa.rehearse",
        description="Rehearse a CDK app's Cognito SMS MFA settings against a local Cognito emulator (no AWS).",
    )
    parser.add_argument("cdk_out", nargs="?", default="cdk.out", type=Path, help="cloud assembly (default: cdk.out)")
    parser.add_argument("--stack", action="append", default=[], help="rehearse only this stack (repeatable)")
    parser.add_argument("--endpoint", help="use a running emulator at this URL instead of starting one")
    parser.add_argument("--region", default="us-east-1", help="Region the requests are signed for")
    parser.add_argument("--cycle", action="store_true", help="also update (flip each user's options) and delete")
    parser.add_argument("--json", action="store_true", help="print a machine-readable result instead of the table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the rehearsal; return the exit status."""
    args = _parser().parse_args(argv)
    from cognito_sms_mfa.local.assembly import AssemblyError, load_assembly
    from cognito_sms_mfa.local.cfn_responses import ResponseCollector
    from cognito_sms_mfa.local.rehearsal import Rehearsal

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    started = time.monotonic()
    try:
        stacks = load_assembly(args.cdk_out, args.stack)
        with contextlib.ExitStack() as resources:
            endpoint = args.endpoint
            if endpoint is None:
                from cognito_sms_mfa.local import CognitoEmulator

                endpoint = resources.enter_context(CognitoEmulator(region=args.region)).endpoint
                progress(f"local Cognito emulator at {endpoint}")
            collector = resources.enter_context(ResponseCollector())
            rehearsal = Rehearsal(endpoint=endpoint, region=args.region, collector=collector, progress=progress)
            outcomes = rehearsal.run(stacks, cycle=args.cycle)
    except AssemblyError as error:
        print(f"rehearse: {error}", file=sys.stderr)
        return 2
    failed = [o for o in outcomes if not o.ok]
    elapsed = time.monotonic() - started
    if args.json:
        print(json.dumps({"ok": not failed, "seconds": round(elapsed, 2), "requests": [o.to_json() for o in outcomes]}))
    else:
        print(render_table(outcomes))
        print(
            "\nDESIRED: the options the template asks for (after an update: flipped; after a delete: none)."
            "\nREAD BACK: what the emulator's AdminGetUser reports for the user afterwards."
        )
        verdict = (
            "all requests succeeded and every user holds the desired options"
            if not failed
            else (f"{len(failed)} of {len(outcomes)} requests failed or left the wrong options")
        )
        print(f"\n{len(outcomes)} requests in {elapsed:.1f} s: {verdict}")
    return 1 if failed or not outcomes else 0


if __name__ == "__main__":
    sys.exit(main())
