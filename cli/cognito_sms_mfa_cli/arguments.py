"""The arguments of ``cognito-sms-mfa drift`` and ``export``: their parsers, defaults and exit statuses.

Standard library and the pure verdict constants only, so that ``--help`` answers in full where the command's
extra (boto3) is not installed (``cognito_sms_mfa_cli.__main__``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

# The exit statuses of drift and export.
EXIT_IN_SYNC, EXIT_DRIFT, EXIT_USAGE, EXIT_NOT_CHECKED = 0, 1, 2, 3
# Cognito's default quotas (per account and Region) of the categories the commands read, and the share taken.
USER_READ_QUOTA_RPS = 120.0
USER_LIST_QUOTA_RPS = 30.0
DEFAULT_MAX_RPS = USER_READ_QUOTA_RPS * 0.8
DEFAULT_LIST_RPS = USER_LIST_QUOTA_RPS * 0.8

DRIFT_EXIT_STATUSES = f"""exit status:
  {EXIT_IN_SYNC}  every stack is in sync (every resource of the checked types IN_SYNC)
  {EXIT_DRIFT}  drift: a resource DRIFTED or its user is gone (USER_GONE), in any stack
  {EXIT_USAGE}  usage or environment error: bad arguments, no Region, no usable credentials, an --app that
     cannot be read, a missing extra; nothing was checked
  {EXIT_NOT_CHECKED}  nothing drifted, but some stack could not be checked: not found or a read denied (ERROR, the
     cause named), in progress or failed (NOT_COMPARABLE, its status named), or a resource NOT_CHECKED
     (the reason under its row)"""

EXPORT_EXIT_STATUSES = f"""exit status:
  {EXIT_IN_SYNC}  every user was read; the files and the snippet are written
  {EXIT_USAGE}  usage or environment error (no Region, no credentials), or the pool cannot be listed; nothing written
  {EXIT_NOT_CHECKED}  some users could not be read (named on standard error, left out of the files)"""


def _add_aws_arguments(parser: argparse.ArgumentParser, *, region_default: str) -> None:
    """Where and how fast the command reads, spelt as the AWS CLI spells them."""
    parser.add_argument("--region", help=f"AWS Region (default: {region_default})")
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, the default chain)")
    parser.add_argument("--endpoint-url", help="endpoint for every call (a local emulator, for instance)")
    parser.add_argument(
        "--max-rps",
        type=float,
        default=DEFAULT_MAX_RPS,
        help=f"AdminGetUser calls per second at most (default: {DEFAULT_MAX_RPS:g}, 80%% of the UserRead quota)",
    )


def drift_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Compare the users' MFA with what deployed stacks declare (read-only; custom resources "
        "of cognito-sms-mfa: settings, preference, test users, batches). Each stack gets its own outcome.",
        epilog=DRIFT_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--stack", action="append", default=[], help="stack name or id (repeatable; with --app: only these)"
    )
    parser.add_argument(
        "--app",
        type=Path,
        help="every stack of a synthesized app: its cdk.out, or its cdk.json (stages included; each stack in the "
        "Region its environment names)",
    )
    _add_aws_arguments(parser, region_default="AWS_REGION, the profile's")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument(
        "--json", action="store_true", help="print one JSON object (its schema: drift.schema.json in the package)"
    )
    shown.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    return parser


def export_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Write a pool's users' SMS MFA state as code: a usernames file per state and a Python snippet "
        "declaring a UserSmsMfaSettingsBatch for each (read-only).",
        epilog=EXPORT_EXIT_STATUSES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--user-pool-id", required=True, help="the pool to read (its Region is the default)")
    parser.add_argument("--out", required=True, type=Path, help="folder for the usernames files and the snippet")
    _add_aws_arguments(parser, region_default="AWS_REGION, else the pool id's")
    parser.add_argument(
        "--max-list-rps",
        type=float,
        default=DEFAULT_LIST_RPS,
        help=f"ListUsers calls per second at most (default: {DEFAULT_LIST_RPS:g}, 80%% of the UserList quota)",
    )
    parser.add_argument("--json", action="store_true", help="print what was exported as one JSON object")
    return parser
