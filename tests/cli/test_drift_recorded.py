"""``cognito-sms-mfa drift`` against deployments recorded in the emulator: every verdict of every type, nested
stacks, Refs from parameters, pagination, throttling, access denied, a stack that does not exist; read-only."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from cognito_sms_mfa_emulator.stacks import PAGE_SIZE
from cognito_sms_mfa_lambda import ownership, preference_decisions, settings_decisions
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE
from tests.cli.conftest import Deployment

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
POOL_REF = {"Ref": "Pool"}
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:pw-AbCdEf"
PASSWORD = "Correct-Horse-9"
UNRESOLVABLE = {"Fn::If": ["IsProd", "a", "b"]}


def make_user(cognito: CognitoIdentityProviderClient, pool: str, name: str, phone: str = "+15555550100") -> str:
    """A user with a verified phone number; its sub."""
    made = cognito.admin_create_user(
        UserPoolId=pool,
        Username=name,
        UserAttributes=[{"Name": "phone_number", "Value": phone}, {"Name": "phone_number_verified", "Value": "true"}],
        MessageAction="SUPPRESS",
    )
    return next(a["Value"] for a in made["User"]["Attributes"] if a["Name"] == "sub")


def sms_preferred(cognito: CognitoIdentityProviderClient, pool: str, name: str, on: bool = True) -> None:
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username=name, SMSMfaSettings={"Enabled": on, "PreferredMfa": on}
    )


def test_every_verdict_of_every_type(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a deployed stack with settings, preferences and test users, one of each in each state
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    deployment = Deployment(emulator)
    deployment.add("Pool", "AWS::Cognito::UserPool", pool)
    subs = {name: make_user(cognito, pool, name) for name in ("sa", "sb", "pa", "pb", "ta", "tb", "tc", "td")}
    for name in ("sa", "sb"):
        cognito.admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
    for name in ("pa", "pb", "ta", "tb", "tc", "td"):
        sms_preferred(cognito, pool, name)
    for name in ("ta", "tb", "tc", "td"):
        cognito.admin_set_user_password(UserPoolId=pool, Username=name, Password=PASSWORD, Permanent=True)
    for logical_id, name in (("SInSync", "sa"), ("SDrift", "sb"), ("SGone", "sc"), ("SNotChecked", "sa")):
        options = UNRESOLVABLE if logical_id == "SNotChecked" else [SMS]
        deployment.add(logical_id, SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, name)),
                       {"UserPoolId": POOL_REF, "Username": name, "MFAOptions": options})  # fmt: skip
    for logical_id, name in (("PInSync", "pa"), ("PDrift", "pb"), ("PGone", "pc"), ("PNotChecked", "pa")):
        state = UNRESOLVABLE if logical_id == "PNotChecked" else "PREFERRED"
        deployment.add(logical_id, PREFERENCE_RESOURCE_TYPE, preference_decisions.physical_id(UserRef(pool, name)),
                       {"UserPoolId": POOL_REF, "Username": name, "SmsMfa": state})  # fmt: skip
    for logical_id, name in (("TInSync", "ta"), ("TDrift", "tb"), ("TReplaced", "tc"), ("TGone", "te"),
                             ("TNotChecked", "td")):  # fmt: skip
        phone = UNRESOLVABLE if logical_id == "TNotChecked" else "+15555550100"
        sub = subs.get(name, "22222222-3333-4444-8555-666666666666")
        deployment.add(logical_id, TEST_USER_RESOURCE_TYPE, ownership.physical_id(pool, name, sub),
                       {"UserPoolId": POOL_REF, "Username": name, "PhoneNumber": phone, "SmsMfaPreferred": True,
                        "PasswordSecretArn": SECRET_ARN})  # fmt: skip
    deployment.record()
    # WHEN the drift is checked before and after changes made by hand
    before = run_drift("--stack", "Users", "--json")
    cognito.admin_set_user_settings(UserPoolId=pool, Username="sb", MFAOptions=[])
    sms_preferred(cognito, pool, "pb", on=False)
    cognito.admin_update_user_attributes(
        UserPoolId=pool, Username="tb", UserAttributes=[{"Name": "phone_number", "Value": "+15555550999"}]
    )
    cognito.admin_delete_user(UserPoolId=pool, Username="tc")
    make_user(cognito, pool, "tc")  # made again outside the stack: another sub
    after = run_drift("--stack", "Users", "--json")
    # THEN
    assert before.status == 1  # the users that never existed
    assert after.status == 1
    assert after.verdicts() == {
        "Users/SInSync": "IN_SYNC", "Users/SDrift": "DRIFTED", "Users/SGone": "USER_GONE",
        "Users/SNotChecked": "NOT_CHECKED",
        "Users/PInSync": "IN_SYNC", "Users/PDrift": "DRIFTED", "Users/PGone": "USER_GONE",
        "Users/PNotChecked": "NOT_CHECKED",
        "Users/TInSync": "IN_SYNC", "Users/TDrift": "DRIFTED", "Users/TReplaced": "DRIFTED", "Users/TGone": "USER_GONE",
        "Users/TNotChecked": "NOT_CHECKED",
    }  # fmt: skip
    rows = {row["resource"]: row for row in after.json["stacks"][0]["resources"]}
    assert rows["TDrift"]["reason"] == "phone_number is +1*******999, declared +1*******100"
    assert rows["TReplaced"]["reason"].startswith("replaced outside the stack")
    assert rows["PDrift"]["reason"] == "SMS_MFA is DISABLED, declared PREFERRED"
    assert rows["SNotChecked"]["reason"].startswith("MFAOptions: Fn::If is not resolved")
    assert after.json["summary"] == {"IN_SYNC": 3, "DRIFTED": 4, "USER_GONE": 3, "NOT_CHECKED": 3}
    # the table names each drifted resource and its reason, masked
    table = run_drift("--stack", "Users")
    assert table.status == 1
    assert "TDrift" in table.out
    assert "phone_number is +1*******999, declared +1*******100" in table.out
    assert "+15555550999" not in table.out
    assert table.out.splitlines()[-1].startswith("13 resources: 3 IN_SYNC, 4 DRIFTED, 3 USER_GONE, 3 NOT_CHECKED")


def test_drift_is_read_only(emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any) -> None:
    # GIVEN a drifted deployment
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    make_user(cognito, pool, "alice")
    deployment = Deployment(emulator)
    deployment.add("Mfa", SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, "alice")),
                   {"UserPoolId": pool, "Username": "alice", "MFAOptions": [SMS]})  # fmt: skip
    deployment.record()
    emulator.clear_calls()
    # WHEN checked twice
    assert run_drift("--stack", "Users").status == 1
    assert run_drift("--stack", "Users").status == 1
    # THEN only AdminGetUser reached Cognito (the CloudFormation side serves read actions only)
    assert emulator.calls() == ["AdminGetUser", "AdminGetUser"]


def test_nested_stacks_are_followed_with_refs_from_their_parameters(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a parent stack holding the pool and a nested stack whose settings take the pool from a parameter
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    make_user(cognito, pool, "nora")
    child = Deployment(emulator, name="Parent-InnerNestedStack-1AB2C3")
    child.parameters = {"PoolParam": {"Type": "String"}}
    child.values = {"PoolParam": pool}
    child.add("NoraMfa", SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, "nora")),
              {"UserPoolId": {"Ref": "PoolParam"}, "Username": "nora", "MFAOptions": []})  # fmt: skip
    child.record()
    parent = Deployment(emulator, name="Parent")
    parent.add("Pool", "AWS::Cognito::UserPool", pool)
    parent.add(
        "InnerNestedStack", "AWS::CloudFormation::Stack", child.stack_id, {"Parameters": {"PoolParam": POOL_REF}}
    )
    parent.record()
    # WHEN
    result = run_drift("--stack", "Parent", "--json")
    cognito.admin_set_user_settings(UserPoolId=pool, Username="nora", MFAOptions=[SMS])  # type: ignore[list-item]
    drifted = run_drift("--stack", "Parent", "--json")
    # THEN the nested stack's resource is checked under the parent's name, with the pool from its parameter
    assert (result.status, result.verdicts()) == (0, {"Parent/InnerNestedStack/NoraMfa": "IN_SYNC"})
    assert [stack["stack"] for stack in result.json["stacks"]] == ["Parent", "Parent/InnerNestedStack"]
    assert (drifted.status, drifted.verdicts()) == (1, {"Parent/InnerNestedStack/NoraMfa": "DRIFTED"})


def test_every_page_of_a_stack_past_100_resources_is_read(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a stack of more resources than one ListStackResources page holds
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    deployment = Deployment(emulator)
    for index in range(PAGE_SIZE + 5):
        name = f"user{index}"
        make_user(cognito, pool, name)
        deployment.add(f"Mfa{index}", SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, name)),
                       {"UserPoolId": pool, "Username": name, "MFAOptions": []})  # fmt: skip
    deployment.record()
    cognito.admin_set_user_settings(UserPoolId=pool, Username="user104", MFAOptions=[SMS])  # type: ignore[list-item]
    # WHEN
    result = run_drift("--stack", "Users", "--json")
    # THEN every resource was listed and checked: the last one, on the second page, drifted
    assert result.status == 1
    assert result.json["summary"] == {"IN_SYNC": PAGE_SIZE + 4, "DRIFTED": 1, "USER_GONE": 0, "NOT_CHECKED": 0}
    assert result.verdicts()["Users/Mfa104"] == "DRIFTED"
    assert result.json["calls"] == {"DescribeStacks": 1, "GetTemplate": 1, "ListStackResources": 2, "AdminGetUser": 105}


def test_throttled_reads_are_retried(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a UserRead quota far below the pace asked for
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    deployment = Deployment(emulator)
    for index in range(30):
        make_user(cognito, pool, f"u{index}")
        deployment.add(f"Mfa{index}", SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, f"u{index}")),
                       {"UserPoolId": pool, "Username": f"u{index}", "MFAOptions": []})  # fmt: skip
    deployment.record()
    emulator.set_rate_limits({"UserRead": 20})
    # WHEN
    result = run_drift("--stack", "Users", "--json")
    # THEN some calls were throttled, retried by botocore, and every user was checked
    assert emulator.throttled()["UserRead"] > 0
    assert (result.status, result.json["summary"]["IN_SYNC"]) == (0, 30)
    assert result.json["attempts"] > sum(result.json["calls"].values())


def test_access_denied_to_admin_get_user_names_the_permission(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a deployed settings resource and a caller that may not read users
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    make_user(cognito, pool, "alice")
    deployment = Deployment(emulator)
    deployment.add("Mfa", SETTINGS_RESOURCE_TYPE, settings_decisions.physical_id(UserRef(pool, "alice")),
                   {"UserPoolId": pool, "Username": "alice", "MFAOptions": []})  # fmt: skip
    deployment.record()
    emulator.inject("AdminGetUser", "AccessDeniedException")
    # WHEN
    result = run_drift("--stack", "Users")
    # THEN not checked, exit 3, the permission named
    needed = f"AdminGetUser denied (AccessDeniedException); the caller needs cognito-idp:AdminGetUser on pool {pool}"
    assert result.status == 3
    assert needed in result.out
    assert f"drift: {needed}" in result.err


@pytest.mark.parametrize("action", ["DescribeStacks", "GetTemplate", "ListStackResources"])
def test_access_denied_to_cloudformation_names_the_permission(
    emulator: CognitoEmulator, run_drift: Any, action: str
) -> None:
    # GIVEN a recorded stack and a caller that may not make one of the three reads
    Deployment(emulator).record()
    emulator.inject(action, "AccessDeniedException")
    # WHEN
    result = run_drift("--stack", "Users", "--json")
    # THEN that stack is an ERROR naming the permission, exit 3
    message = f"stack Users: {action} denied (AccessDenied); the caller needs cloudformation:{action}"
    [stack] = result.json["stacks"]
    assert (result.status, stack["outcome"], stack["cause"], stack["resources"]) == (3, "ERROR", message, [])
    assert f"drift: stack Users: could not check: {message}" in result.err


def test_a_stack_that_does_not_exist(emulator: CognitoEmulator, run_drift: Any) -> None:
    result = run_drift("--stack", "Nowhere")
    cause = "stack Nowhere does not exist (in this account and Region)"
    assert (result.status, result.out.splitlines()[0]) == (3, f"Nowhere: could not check: {cause}")
    assert result.out.splitlines()[-1].startswith(
        "0 resources: 0 IN_SYNC, 0 DRIFTED, 0 USER_GONE, 0 NOT_CHECKED; 1 stack: 1 ERROR"
    )
    assert result.err == f"drift: stack Nowhere: could not check: {cause}\n"


def test_a_stack_without_resources_of_the_library_is_in_sync(emulator: CognitoEmulator, run_drift: Any) -> None:
    deployment = Deployment(emulator)
    deployment.add("Pool", "AWS::Cognito::UserPool", "us-east-1_X")
    deployment.record()
    result = run_drift("--stack", "Users")
    assert result.status == 0
    assert result.out.startswith("Users\n  (no resource of cognito-sms-mfa)\n")


def test_no_credentials_could_not_check(emulator: CognitoEmulator) -> None:
    # GIVEN no credentials anywhere (and no instance metadata to ask)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env |= {
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    # WHEN the console script's module runs
    result = subprocess.run(
        [sys.executable, "-m", "cognito_sms_mfa_cli", "drift", "--stack", "Users", "--region", "us-east-1",
         "--endpoint-url", emulator.endpoint],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    # THEN a usage or environment error: exit 2
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("drift: cannot run: no usable AWS credentials or Region")


def test_a_resource_being_deleted_is_not_checked(emulator: CognitoEmulator, run_drift: Any) -> None:
    deployment = Deployment(emulator)
    deployment.add("Mfa", SETTINGS_RESOURCE_TYPE, "cognito-sms-mfa:us-east-1_X:alice",
                   {"UserPoolId": "us-east-1_X", "Username": "alice", "MFAOptions": []}, status="DELETE_IN_PROGRESS")  # fmt: skip
    deployment.record()
    result = run_drift("--stack", deployment.stack_id, "--json")
    assert result.status == 3
    assert result.json["stacks"][0]["resources"][0]["reason"] == (
        "resource status DELETE_IN_PROGRESS: not deployed as the template declares"
    )
