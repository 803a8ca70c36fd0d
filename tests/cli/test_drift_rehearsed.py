"""The drift check of a deployment the rehearsal made in a running emulator, as a team would run both commands:
``cognito-sms-mfa rehearse --endpoint ...`` then ``cognito-sms-mfa drift --endpoint-url ...``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV
from tests.conftest import synth_app
from tests.emulator.conftest import REGION

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

NESTED_APP = Path(__file__).resolve().parent / "apps" / "nested_users.py"
BATCH_APP = Path(__file__).resolve().parents[1] / "rehearsal" / "apps" / "batch_app.py"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}


def command(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m cognito_sms_mfa_cli ARGS`` (the console script's module) with dummy credentials only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | OFFLINE_AWS_ENV
    return subprocess.run(
        [sys.executable, "-m", "cognito_sms_mfa_cli", *args],
        capture_output=True,
        text=True,
        env={**env, "AWS_REGION": REGION},
        timeout=240,
        check=False,
    )


def rehearse_into(emulator: CognitoEmulator, assembly: Path) -> None:
    """``cognito-sms-mfa rehearse ASSEMBLY --endpoint <emulator>`` (no --cycle: the deployment stays)."""
    rehearsed = command("rehearse", str(assembly), "--endpoint", emulator.endpoint)
    assert rehearsed.returncode == 0, rehearsed.stdout + rehearsed.stderr


def pool_of(cognito: CognitoIdentityProviderClient) -> str:
    [pool] = cognito.list_user_pools(MaxResults=10)["UserPools"]
    return pool["Id"]


@pytest.mark.slow
def test_rehearsed_example_app_drifts_when_changed_by_hand_and_not_when_put_back(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, example_cloud_assembly: Path
) -> None:
    # GIVEN the example app rehearsed into the running emulator (no --cycle: the deployment stays)
    rehearse_into(emulator, example_cloud_assembly)
    stack = ["drift", "--stack", "CognitoSmsMfaExample", "--endpoint-url", emulator.endpoint]
    in_sync = command(*stack)
    # WHEN alice's SMS MFA is turned off by hand, and then put back
    pool = pool_of(cognito)
    cognito.admin_set_user_settings(UserPoolId=pool, Username="alice", MFAOptions=[])
    drifted = command(*stack)
    cognito.admin_set_user_settings(UserPoolId=pool, Username="alice", MFAOptions=[SMS])  # type: ignore[list-item]
    put_back = command(*stack, "--json")
    # THEN in sync, then exit 1 naming the resource, then in sync again
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
    assert in_sync.stdout.splitlines()[-1].startswith("5 resources: 5 IN_SYNC, 0 DRIFTED")
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    [row] = [line.split() for line in drifted.stdout.splitlines() if line.strip().startswith("AliceMfa")]
    assert row == ["AliceMfa3F30C27C", "AliceMfa3F30C27C", "settings", "alice", "SMS", "none", "DRIFTED"]  # no metadata
    assert "      MFAOptions are none, declared SMS" in drifted.stdout
    assert put_back.returncode == 0, put_back.stdout + put_back.stderr
    assert json.loads(put_back.stdout)["summary"] == {"IN_SYNC": 5, "DRIFTED": 0, "USER_GONE": 0, "NOT_CHECKED": 0}


@pytest.mark.slow
def test_rehearsed_nested_stack_with_every_type_is_checked_through_its_parameters(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    # GIVEN an app whose users' MFA is in a nested stack, rehearsed into the running emulator
    assembly = synth_app(NESTED_APP, tmp_path)
    rehearse_into(emulator, assembly)
    stack = ["drift", "--stack", "Parent", "--endpoint-url", emulator.endpoint, "--json"]
    in_sync = command(*stack)
    whole_app = command("drift", "--app", str(assembly), "--endpoint-url", emulator.endpoint, "--json")
    # WHEN the test user is deleted by hand
    cognito.admin_delete_user(UserPoolId=pool_of(cognito), Username="nora")
    gone = command(*stack)
    # THEN every type was checked in the nested stack, then the test user is gone
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
    stacks = json.loads(in_sync.stdout)["stacks"]
    parent, nested = stacks
    assert (parent["stack"], parent["resources"]) == ("Parent", [])
    assert nested["stack"].startswith("Parent/Inner")
    assert sorted((row["resource_type"], row["user"], row["verdict"]) for row in nested["resources"]) == [
        ("Custom::CognitoTestUser", "nora", "IN_SYNC"),
        ("Custom::CognitoUserMfaPreference", "olga", "IN_SYNC"),
        ("Custom::CognitoUserSmsMfaSettings", "nora", "IN_SYNC"),  # the test user's own settings
        ("Custom::CognitoUserSmsMfaSettings", "olga", "IN_SYNC"),
    ]
    # every stack of the app (--app) is the same: the parent, and its nested stack followed from it
    assert whole_app.returncode == 0, whole_app.stdout + whole_app.stderr
    assert json.loads(whole_app.stdout)["stacks"] == stacks
    assert gone.returncode == 1
    rows = json.loads(gone.stdout)["stacks"][1]["resources"]
    assert [row["verdict"] for row in rows if row["resource_type"] == "Custom::CognitoTestUser"] == ["USER_GONE"]


@pytest.mark.slow
def test_rehearsed_batches_are_one_row_each_and_name_a_user_changed_by_hand(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, tmp_path: Path
) -> None:
    # GIVEN an app with two batches (120 users with SMS and its preference, 50 cleared) and a single settings
    # resource, rehearsed into the running emulator (the lists uploaded to its S3 from cdk.out)
    assembly = synth_app(BATCH_APP, tmp_path)
    rehearse_into(emulator, assembly)
    stack = ["drift", "--stack", "Batches", "--endpoint-url", emulator.endpoint]
    in_sync = command(*stack)
    # WHEN one staff member's SMS preference is turned off by hand, and a former one given SMS
    pool = pool_of(cognito)
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="staff0042", SMSMfaSettings={"Enabled": False, "PreferredMfa": False}
    )
    cognito.admin_set_user_settings(UserPoolId=pool, Username="former007", MFAOptions=[SMS])  # type: ignore[list-item]
    drifted = command(*stack, "--json")
    # THEN one row per batch, in sync; then each batch names its user
    assert in_sync.returncode == 0, in_sync.stdout + in_sync.stderr
    rows = {line.split()[0][:6]: line.split(None, 2)[2].split() for line in in_sync.stdout.splitlines()
            if line.strip().startswith(("Staff", "Former"))}  # fmt: skip
    assert rows["Staff3"] == ["batch", "120", "users", "SMS,SMS_MFA=PREFERRED", "120", "in", "sync,", "0", "drifted,",
                              "0", "gone", "IN_SYNC"]  # fmt: skip
    assert rows["Former"][:4] == ["batch", "50", "users", "none"]
    assert in_sync.stdout.splitlines()[-1].startswith(
        "3 resources: 3 IN_SYNC, 0 DRIFTED, 0 USER_GONE, 0 NOT_CHECKED; 1 stack:"
    )
    assert drifted.returncode == 1, drifted.stdout + drifted.stderr
    reasons = {
        row["resource"][:6]: row["reason"]
        for row in json.loads(drifted.stdout)["stacks"][0]["resources"]
        if row["verdict"] == "DRIFTED"
    }
    assert reasons == {
        "Staff3": "1 of 120 listed users differ: [42] staff0042 (SMS_MFA is DISABLED, declared PREFERRED)",
        "Former": "1 of 50 listed users differ: [7] former007 (MFAOptions are SMS, declared none)",
    }
