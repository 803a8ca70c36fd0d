"""``cognito-sms-mfa rehearse``: deploy a cloud assembly's SMS MFA settings against a local Cognito.

Reads a synthesized cloud assembly (``cdk.out`` by default, stages and nested stacks included), starts the
local Cognito emulator in this process (or uses ``--endpoint-url``), creates the templates' user pools, users and
secrets there, invokes the real bundled handler for each settings, preference and test-user resource in a
Lambda-like child process, signs each test user with a password in, and prints what the emulator holds
afterwards. It never touches AWS: the children get dummy credentials and the local endpoint, and no ``~/.aws``
file is read. Needs the ``local`` extra (``cdk-cognito-sms-mfa[local]``), imported only once the arguments are
parsed, so ``--help`` works without it; ``python -m cognito_sms_mfa_rehearsal`` is the same command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

EXIT_STATUSES = """exit status:
  0  every settings resource was rehearsed; every request succeeded and read back as desired
  1  a request failed, got no response, or left the wrong options (the Reason is under its row)
  2  usage error, or no readable cloud assembly (unknown --stack, no manifest.json, a dependency cycle)
  3  nothing failed, but some settings were not rehearsed (listed with the reason), or there were none"""


PROG = "cognito-sms-mfa rehearse"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Rehearse a CDK app's Cognito SMS MFA settings against a local Cognito emulator (no AWS).",
        epilog=EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("cdk_out", nargs="?", default="cdk.out", type=Path, help="cloud assembly (default: cdk.out)")
    parser.add_argument(
        "--stack",
        action="append",
        default=[],
        help="rehearse only this stack, by display name (Stage/Stack) or stack name (repeatable)",
    )
    parser.add_argument(
        "--endpoint-url",
        "--endpoint",
        dest="endpoint_url",
        metavar="URL",
        help="use a running emulator at this URL instead of starting one (--endpoint: the same)",
    )
    parser.add_argument(
        "--region",
        default="us-east-1",
        help="Region of environment-agnostic stacks (default: us-east-1); a stack with a Region in its environment"
        " (env=Environment(region=...)) is rehearsed in that Region",
    )
    parser.add_argument(
        "--cycle",
        action="store_true",
        help="also a synthetic update (each user's options flipped, not in the template), then delete everything",
    )
    parser.add_argument(
        "--fail-after",
        metavar="RESOURCE",
        help="with --cycle: the update of RESOURCE's stack fails right after RESOURCE (a custom resource's construct"
        " path or logical id) is updated, and is rolled back as CloudFormation would (Updates with the old"
        " properties, then the clean-up Deletes), a row for each step",
    )
    parser.add_argument(
        "--stand-in-pools",
        action="store_true",
        help="rehearse settings of an imported pool (UserPool.from_user_pool_id) against a stand-in pool holding the"
        " named user (default: list them as not rehearsed, exit status 3)",
    )
    parser.add_argument("--json", action="store_true", help="print a machine-readable result instead of the table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments and run the rehearsal; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.fail_after is not None and not args.cycle:
        parser.error("--fail-after needs --cycle (it fails the synthetic update)")
    from cognito_sms_mfa_rehearsal.rehearsal import rehearse  # the local extra (moto, Flask), after --help

    return rehearse(
        args.cdk_out,
        stacks=args.stack,
        endpoint=args.endpoint_url,
        region=args.region,
        cycle=args.cycle,
        as_json=args.json,
        stand_in_pools=args.stand_in_pools,
        fail_after=args.fail_after,
    )


if __name__ == "__main__":
    sys.exit(main())
