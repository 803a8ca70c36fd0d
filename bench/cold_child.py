"""One cold start, run as ``python -S -s -B cold_child.py VARIANT ASSET_DIR RUNTIME_DIR`` by ``cold_init.py``.

Only the asset folder, the folder holding boto3 and its dependencies, and the standard library are importable.
The time between the two ``perf_counter`` calls (and the CPU time, ``process_time``) is the variant's whole
start-up: imports, crhelper set-up and client creation, as the Lambda runtime would pay them before the first
request. Prints one JSON line.
"""

from __future__ import annotations

import sys
import time

variant, asset_dir, runtime_dir = sys.argv[1:4]
sys.path[0:1] = [asset_dir, runtime_dir]  # drop this script's folder


def _env_without_sam_local() -> None:
    """Make crhelper's constructor blind to AWS_SAM_LOCAL, so ours builds the three polling clients again."""
    import os
    import types

    from crhelper import resource_helper

    def getenv(key: str, default: str | None = None) -> str | None:
        return None if key == "AWS_SAM_LOCAL" else os.getenv(key, default)

    resource_helper.os = types.SimpleNamespace(getenv=getenv)  # type: ignore[attr-defined]


started, started_cpu = time.perf_counter(), time.process_time()
if variant == "floor":
    import boto3

    boto3.client("cognito-idp")
elif variant == "ours":
    import cognito_sms_mfa_lambda.index
elif variant == "ours_with_polling_clients":
    _env_without_sam_local()
    import cognito_sms_mfa_lambda.index  # noqa: F401
elif variant == "crhelper_default":
    import boto3
    import crhelper

    crhelper.CfnResource()
    boto3.client("cognito-idp")
else:
    raise SystemExit(f"unknown variant {variant!r}")
elapsed_ms = (time.perf_counter() - started) * 1000.0
cpu_ms = (time.process_time() - started_cpu) * 1000.0

checks: dict[str, object] = {}
if variant.startswith("ours"):
    module = sys.modules["cognito_sms_mfa_lambda.index"]
    checks = {
        "client": bool(module.clients._clients),
        "init_failed": module.helper._init_failed is not None,
        "polling_clients": hasattr(module.helper, "_lambda_client"),
    }

import json  # noqa: E402 (after the measurement on purpose)

print(json.dumps({"variant": variant, "elapsed_ms": elapsed_ms, "cpu_ms": cpu_ms, "checks": checks}))
