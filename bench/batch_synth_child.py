"""One synthesis in a fresh process: ``python batch_synth_child.py VARIANT USERS OUTDIR`` (``batch.py``).

Variants (a user pool plus): ``pool`` (nothing more), ``batch`` (one ``UserSmsMfaSettingsBatch`` of ``USERS``
names at the default pace; 50,000 goes on over several invocations), ``singles`` (``USERS``
``UserSmsMfaSettings``). Prints one JSON line: wall time in the process, the template's size, the batch's
properties, the largest event (an Update carries old and new properties), the largest rule input of a continuation
(the event, crhelper's keys and the progress), and the list's size.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from aws_cdk import App, Stack  # noqa: E402
from aws_cdk import aws_cognito as cognito  # noqa: E402

from cognito_sms_mfa import UserSmsMfaSettings, UserSmsMfaSettingsBatch  # noqa: E402
from cognito_sms_mfa_lambda.resource import CONTINUATION_KEY, SETTINGS_BATCH_RESOURCE_TYPE  # noqa: E402
from cognito_sms_mfa_lambda.settings_batch_decisions import NAMED_PROBLEMS, NO_PHONE, Progress  # noqa: E402


def main() -> None:
    variant, users, outdir = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    app = App(outdir=str(outdir))
    stack = Stack(app, "Bench")
    pool = cognito.UserPool(stack, "Pool", mfa=cognito.Mfa.OPTIONAL)
    names = [f"user{i:06d}@example.com" for i in range(users)]
    if variant == "batch":
        UserSmsMfaSettingsBatch(stack, "Batch", user_pool=pool, usernames=names)
    elif variant == "singles":
        for index, name in enumerate(names):
            UserSmsMfaSettings(stack, f"User{index}", user_pool=pool, username=name)
    built = time.perf_counter()
    assembly = Path(app.synth().directory)
    template_file = assembly / "Bench.template.json"
    template = json.loads(template_file.read_text())
    result = {
        "wall_s": time.perf_counter() - STARTED,
        "build_s": built - STARTED,
        "template_bytes": template_file.stat().st_size,
        "resources": len(template["Resources"]),
    }
    batches = [r for r in template["Resources"].values() if r["Type"] == SETTINGS_BATCH_RESOURCE_TYPE]
    if batches:
        properties = batches[0]["Properties"]
        resolved = {**properties, "ServiceToken": "arn:aws:lambda:eu-west-1:123456789012:function:" + "x" * 64,
                    "ManifestBucket": "cdk-hnb659fds-assets-123456789012-eu-west-1"}  # fmt: skip
        event = {
            "RequestType": "Update",
            "ResponseURL": "https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/" + "x" * 900,
            "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/Bench/" + "x" * 36,
            "RequestId": "x" * 36,
            "LogicalResourceId": "BatchResourceXXXXXXXX",
            "PhysicalResourceId": "cognito-sms-mfa-batch:eu-west-1_XXXXXXXXX:" + "x" * 64 + ":50000:s3://" + "x" * 140,
            "ResourceType": SETTINGS_BATCH_RESOURCE_TYPE,
            "ResourceProperties": resolved,
            "OldResourceProperties": resolved,
        }
        result["properties_bytes"] = len(json.dumps(resolved))
        result["event_bytes"] = len(json.dumps(event))
        # What a continuation's rule carries: the event, crhelper's keys and the progress at its largest (three
        # problems named with the longest usernames, every count in the millions).
        progress = Progress("x" * 36, 1_800_000_000.0, cursor=users)
        progress.written = progress.unchanged = progress.cleared = progress.kept = progress.gone = 9_999_999
        for index in range(NAMED_PROBLEMS):
            progress.problems.add("x" * 128, NO_PHONE)
            progress.failures.add("y" * 128, f"AdminSetUserMFAPreference TooManyRequestsException {index}")
        rule_input = {
            **event,
            "CrHelperData": {"PhysicalResourceId": None, CONTINUATION_KEY: progress.to_state()},
            "CrHelperPoll": True,
            "CrHelperRule": "arn:aws:events:eu-west-1:123456789012:rule/BatchResourceXXXXXXXXXXXXXXXX",
            "CrHelperPermission": "BatchResourceXXXXXXXXXXXXXXXX",
        }
        result["rule_input_bytes"] = len(json.dumps(rule_input))
        result["continuation"] = properties.get("Continuation") == "true"
        result["list_bytes"] = (assembly / f"asset.{properties['ManifestKey']}").stat().st_size
    print(json.dumps(result))


if __name__ == "__main__":
    main()
