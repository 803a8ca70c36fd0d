"""Run the local Cognito emulator in the foreground: ``cognito-sms-mfa emulator [--port N]``.

``python -m cognito_sms_mfa_emulator`` is the same command. The emulator (moto, the ``local`` extra) is imported
only once the arguments are parsed, so ``--help`` works without it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import TYPE_CHECKING

from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS, check_limits

if TYPE_CHECKING:
    from types import FrameType

PROG = "cognito-sms-mfa emulator"


def main(argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C or SIGTERM; print the endpoint first. Returns the exit status."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Local Amazon Cognito user pools endpoint (moto with AdminSetUserSettings) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: 0, any free port)")
    parser.add_argument("--region", default="us-east-1", help="Region to advertise (default: us-east-1)")
    parser.add_argument(
        "--quotas", action="store_true", help="rate-limit as the service does (UserUpdate 25/s, UserRead 120/s)"
    )
    parser.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        metavar="CATEGORY=RPS",
        help="rate-limit one category, e.g. UserUpdate=5 (repeatable; overrides --quotas for that category)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    try:
        limits = check_limits({**(SERVICE_QUOTAS if args.quotas else {}), **_rate_limits(args.rate_limit)})
    except ValueError as error:
        parser.error(str(error))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, format="%(message)s")
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator  # moto (the local extra), after --help

    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with CognitoEmulator(port=args.port, region=args.region, rate_limits=limits) as emulator:
        print(f"Cognito emulator listening on {emulator.endpoint} (region {emulator.region})", flush=True)
        if limits:
            shown = ", ".join(f"{category} {rate:g}/s" for category, rate in limits.items())
            print(f"  rate limits: {shown}", flush=True)
        print(f"  export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER={emulator.endpoint}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


def _rate_limits(values: list[str]) -> dict[str, object]:
    """``["UserUpdate=5"]`` as ``{"UserUpdate": 5.0}``; a value that is not a number is left for check_limits."""
    limits: dict[str, object] = {}
    for value in values:
        category, _, rate = value.partition("=")
        try:
            limits[category] = float(rate)
        except ValueError:
            limits[category] = rate
    return limits


if __name__ == "__main__":
    raise SystemExit(main())
