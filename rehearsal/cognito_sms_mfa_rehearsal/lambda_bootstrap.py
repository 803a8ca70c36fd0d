"""The Lambda-like child's entry point, and the Lambda context object handlers read.

:func:`cognito_sms_mfa_rehearsal.lambda_runner.invoke` runs this file as a script in isolated mode
(``python -I -S -B -u lambda_bootstrap.py ASSET RUNTIME ENTRY TIMEOUT NAME``), so the child can import only the
standard library, the asset folder and a folder holding boto3: nothing of this package, nothing of the parent's
site-packages. It imports the handler (Lambda's init phase), writes READY_MARKER as a line of standard error,
reads the event from standard input, calls the handler with a :class:`LambdaContext` whose remaining time
follows the function's timeout from that moment, and writes ``{"result": ...}`` as the last line of standard
error.

Standard library only: this module is imported by the parent (for :class:`LambdaContext`) and run by the child.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import time
import uuid

READY_MARKER = "lambda-bootstrap: ready"


class LambdaContext:
    """The parts of Lambda's context object that crhelper and handlers read.

    Parameters
    ----------
    remaining_s
        Seconds until the (simulated) timeout, from now.
    function_name
        The function's name. Default: ``"local-function"``.
    """

    def __init__(self, remaining_s: float, function_name: str = "local-function") -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = "256"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.invoked_function_arn = f"arn:aws:lambda:local:000000000000:function:{function_name}"
        self._deadline = time.monotonic() + remaining_s

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the (simulated) timeout."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main(argv: list[str]) -> None:
    """Invoke ``ENTRY`` (``package.module.function``) from ``ASSET`` with the event on standard input."""
    asset, runtime_dir, entry, timeout_s, name = argv
    sys.path[:0] = [asset, runtime_dir]
    # Like the Lambda runtime: a root handler on stdout (the level is the function's to set).
    logging.basicConfig(stream=sys.stdout, format="[%(levelname)s] %(name)s: %(message)s")
    module_name, _, function_name = entry.rpartition(".")
    handler = getattr(importlib.import_module(module_name), function_name)
    print(READY_MARKER, file=sys.stderr, flush=True)
    event = json.load(sys.stdin)
    result = handler(event, LambdaContext(float(timeout_s), name))
    print(json.dumps({"result": result}, default=str), file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
