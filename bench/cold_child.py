"""One cold start, run as ``python -S -s -B cold_child.py VARIANT ASSET_DIR RUNTIME_DIR`` by ``cold_init.py``.

Only the asset folder, the folder holding boto3 and its dependencies, and the standard library are importable.
The time between the two clock readings is the variant's whole start-up (imports, crhelper set-up, clients), as
the Lambda runtime would pay it before the first request. Prints one JSON line.
"""

from __future__ import annotations

import sys
import time

# The modules of the resource types, which index.py could import at start-up or at each type's first request.
TYPE_MODULES = ("settings", "preference", "test_user")

variant, asset_dir, runtime_dir = sys.argv[1:4]
sys.path[0:1] = [asset_dir, runtime_dir]  # drop this script's folder
if variant == "lazy":  # the type modules stand in as empty modules: what a start-up that leaves them out costs
    from types import ModuleType

    for name in TYPE_MODULES:
        stub = sys.modules[f"cognito_sms_mfa_lambda.{name}"] = ModuleType(f"cognito_sms_mfa_lambda.{name}")
        stub.RESOURCE = None  # type: ignore[attr-defined]

started, started_cpu = time.perf_counter(), time.process_time()
if variant == "floor":
    import boto3

    boto3.client("cognito-idp")
elif variant in {"ours", "lazy"}:
    import cognito_sms_mfa_lambda.index
elif variant == "eager":
    import importlib

    import cognito_sms_mfa_lambda.index

    for name in TYPE_MODULES:
        importlib.import_module(f"cognito_sms_mfa_lambda.{name}")
elif variant == "ours_with_polling_clients":
    import crhelper

    import cognito_sms_mfa_lambda.index  # noqa: F401

    crhelper.CfnResource(log_level="INFO", sleep_on_delete=0)  # without AWS_SAM_LOCAL: builds the polling clients
elif variant == "crhelper_default":
    import boto3
    import crhelper

    crhelper.CfnResource()
    boto3.client("cognito-idp")
else:
    raise SystemExit(f"unknown variant {variant!r}")
elapsed_ms = (time.perf_counter() - started) * 1000.0
cpu_ms = (time.process_time() - started_cpu) * 1000.0

import json  # noqa: E402 (after the measurement on purpose)

index = sys.modules.get("cognito_sms_mfa_lambda.index")
# Ours must have started cleanly, with its Cognito client and without crhelper's polling clients.
ok = index is None or (
    index.helper._init_failed is None and bool(index.clients._clients) and not hasattr(index.helper, "_lambda_client")
)
print(json.dumps({"elapsed_ms": elapsed_ms, "cpu_ms": cpu_ms, "ok": ok}))
