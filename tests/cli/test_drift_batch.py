"""``cognito-sms-mfa drift`` of ``Custom::CognitoUserSmsMfaSettingsBatch`` resources recorded in the emulator: the
list read from the emulator's S3 as the handler reads it, each listed user read with AdminGetUser, one row per
batch with counts, the first differing users named under it, and each user's outcome in ``--json``."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest
from botocore.awsrequest import AWSResponse

from cognito_sms_mfa_emulator.clients import emulator_service_client
from cognito_sms_mfa_lambda import settings_batch_decisions
from cognito_sms_mfa_lambda.manifest import ManifestLocation
from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from tests.cli.conftest import Deployment
from tests.emulator.conftest import REGION
from tests.handler.functional.batch_harness import BUCKET, add_users, upload

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
POOL_REF = {"Ref": "Pool"}
ASSET_BUCKET = {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}


def with_sms(
    cognito: CognitoIdentityProviderClient, pool: str, names: Sequence[str], *, preferred: bool = False
) -> None:
    for name in names:
        cognito.admin_set_user_settings(UserPoolId=pool, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
        if preferred:
            cognito.admin_set_user_mfa_preference(
                UserPoolId=pool, Username=name, SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
            )


def deploy_batch(
    emulator: CognitoEmulator,
    pool: str,
    names: Sequence[str],
    *,
    sms: str | None = None,
    physical_id: str | None = None,
    logical_id: str = "StaffMfa",
) -> dict[str, Any]:
    """A stack holding the pool and one batch of ``names`` with SMS options, as a deployment leaves it (the list
    in S3, the template's location built with Fn::Sub as the construct builds it); its location properties."""
    location = upload(emulator, names)
    properties: dict[str, Any] = {
        "UserPoolId": POOL_REF,
        **location,
        "ManifestBucket": ASSET_BUCKET if location["ManifestBucket"] == BUCKET else location["ManifestBucket"],
        "MFAOptions": [SMS],
        "MaxRequestsPerSecond": {"UserRead": "96", "UserUpdate": "20"},
    }
    if sms is not None:
        properties["SmsMfa"] = sms
    manifest = ManifestLocation(BUCKET, location["ManifestKey"], location["ManifestSha256"], len(names))
    deployment = Deployment(emulator)
    deployment.add("Pool", "AWS::Cognito::UserPool", pool)
    deployment.add(
        logical_id,
        SETTINGS_BATCH_RESOURCE_TYPE,
        physical_id or settings_batch_decisions.physical_id(pool, manifest),
        properties,
    )
    deployment.record()
    return location


def pool_with(cognito: CognitoIdentityProviderClient, names: Sequence[str]) -> str:
    pool = cognito.create_user_pool(PoolName="users")["UserPool"]["Id"]
    add_users(cognito, pool, names)
    return pool


def batch_row(result: Any) -> dict[str, Any]:
    [row] = [row for row in result.json["stacks"][0]["resources"] if row["resource"] == "StaffMfa"]
    return dict(row)


def table_row(result: Any) -> list[str]:
    [line] = [line for line in result.out.splitlines() if line.strip().startswith("StaffMfa")]
    return re.split(r"\s{2,}", line.strip())


NAMES = [f"staff{i:02d}" for i in range(6)]


def test_batch_in_sync_is_one_row_with_counts_and_a_neighbour_outside_the_list_is_not_read(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a batch of six users in sync, and a neighbour of the same pool, not listed, whose MFA is off
    pool = pool_with(cognito, [*NAMES, "neighbour"])
    with_sms(cognito, pool, NAMES)
    deploy_batch(emulator, pool, NAMES)
    emulator.clear_calls()
    # WHEN
    table = run_drift("--stack", "Users")
    result = run_drift("--stack", "Users", "--json")
    # THEN one row for the batch, in sync; the neighbour is neither read nor reported
    assert table.status == 0, table.out + table.err
    assert table_row(table) == ["StaffMfa", "StaffMfa", "batch", "6 users", "SMS", "6 in sync, 0 drifted, 0 gone",
                                "IN_SYNC"]  # fmt: skip
    assert table.out.splitlines()[-1].startswith("1 resource: 1 IN_SYNC, 0 DRIFTED, 0 USER_GONE, 0 NOT_CHECKED")
    assert result.status == 0
    row = batch_row(result)
    assert (row["resource_type"], row["user"], row["desired"], row["verdict"]) == (
        SETTINGS_BATCH_RESOURCE_TYPE, "6 users", "SMS", "IN_SYNC",
    )  # fmt: skip
    assert row["users"] == [
        {"index": index, "user": name, "verdict": "IN_SYNC", "detail": "SMS"} for index, name in enumerate(NAMES)
    ]
    assert "neighbour" not in table.out + result.out
    assert emulator.calls() == ["AdminGetUser"] * 2 * len(NAMES)
    assert result.json["calls"]["AdminGetUser"] == len(NAMES)


def test_a_user_changed_by_hand_makes_the_batch_drifted_naming_that_user_masked(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a batch in sync whose users include one named by a phone number
    names = [*NAMES, "+15555550177"]
    pool = pool_with(cognito, names)
    with_sms(cognito, pool, names, preferred=True)
    deploy_batch(emulator, pool, names, sms="PREFERRED")
    # WHEN one user's options are cleared and another's SMS factor turned off, by hand
    cognito.admin_set_user_settings(UserPoolId=pool, Username="+15555550177", MFAOptions=[])
    cognito.admin_set_user_mfa_preference(
        UserPoolId=pool, Username="staff03", SMSMfaSettings={"Enabled": False, "PreferredMfa": False}
    )
    table = run_drift("--stack", "Users")
    result = run_drift("--stack", "Users", "--json")
    # THEN the batch is DRIFTED (exit 1), the two users are named under its row with what differs, masked
    assert table.status == 1
    assert table_row(table) == [
        "StaffMfa", "StaffMfa", "batch", "7 users", "SMS,SMS_MFA=PREFERRED", "5 in sync, 2 drifted, 0 gone", "DRIFTED",
    ]  # fmt: skip
    reason = (
        "2 of 7 listed users differ: [3] staff03 (SMS_MFA is DISABLED, declared PREFERRED), [6] +1*******177 (MFAOptions "
        "are none, declared SMS)"
    )
    assert f"      {reason}" in table.out
    assert "+15555550177" not in table.out + result.out
    assert result.status == 1
    row = batch_row(result)
    assert (row["verdict"], row["actual"], row["reason"]) == ("DRIFTED", "5 in sync, 2 drifted, 0 gone", reason)
    outcomes = {user["user"]: user for user in row["users"]}
    assert outcomes["staff03"] == {
        "index": 3, "user": "staff03", "verdict": "DRIFTED", "detail": "SMS_MFA is DISABLED, declared PREFERRED",
    }  # fmt: skip
    assert outcomes["+1*******177"]["detail"] == "MFAOptions are none, declared SMS"
    assert outcomes["staff00"] == {
        "index": 0,
        "user": "staff00",
        "verdict": "IN_SYNC",
        "detail": "SMS,SMS_MFA=PREFERRED",
    }
    assert result.json["summary"] == {"IN_SYNC": 0, "DRIFTED": 1, "USER_GONE": 0, "NOT_CHECKED": 0}


def test_a_user_deleted_by_hand_is_counted_gone_and_the_batch_drifted(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a batch in sync
    pool = pool_with(cognito, NAMES)
    with_sms(cognito, pool, NAMES)
    deploy_batch(emulator, pool, NAMES)
    # WHEN one listed user is deleted by hand
    cognito.admin_delete_user(UserPoolId=pool, Username="staff04")
    result = run_drift("--stack", "Users", "--json")
    # THEN
    assert result.status == 1
    row = batch_row(result)
    gone = "the user does not exist (AdminGetUser: UserNotFoundException)"
    assert (row["verdict"], row["actual"]) == ("DRIFTED", "5 in sync, 0 drifted, 1 gone")
    assert row["reason"] == f"1 of 6 listed users differ: [4] staff04 ({gone})"
    assert {"index": 4, "user": "staff04", "verdict": "USER_GONE", "detail": gone} in row["users"]


def test_only_the_first_three_differing_users_are_named_under_the_row(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a batch of six users, none of which has the SMS option it declares
    pool = pool_with(cognito, NAMES)
    deploy_batch(emulator, pool, NAMES)
    # WHEN
    result = run_drift("--stack", "Users", "--json")
    # THEN three named in list order, the rest counted; every user in --json
    row = batch_row(result)
    assert row["reason"] == (
        "6 of 6 listed users differ: [0] staff00 (MFAOptions are none, declared SMS), [1] staff01 (MFAOptions are "
        "none, declared SMS), [2] staff02 (MFAOptions are none, declared SMS) and 3 more (--json lists every user)"
    )
    assert [user["verdict"] for user in row["users"]] == ["DRIFTED"] * 6


def test_a_list_that_is_gone_or_changed_in_s3_leaves_the_batch_not_checked(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a batch in sync whose list is then replaced in the bucket
    pool = pool_with(cognito, NAMES)
    with_sms(cognito, pool, NAMES)
    location = deploy_batch(emulator, pool, NAMES)
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    s3.put_object(Bucket=BUCKET, Key=location["ManifestKey"], Body=b'{"format":"other"}')
    replaced = run_drift("--stack", "Users", "--json")
    # WHEN it is deleted
    s3.delete_object(Bucket=BUCKET, Key=location["ManifestKey"])
    emulator.clear_calls()
    deleted = run_drift("--stack", "Users", "--json")
    # THEN not checked (exit 2) with the handler's own reason (cut as a FAILED Reason is), and no user is read
    uri = f"s3://{BUCKET}/{location['ManifestKey']}"
    assert replaced.status == 3
    assert batch_row(replaced)["verdict"] == "NOT_CHECKED"
    assert batch_row(replaced)["reason"].startswith(f"ManifestSha256: the list at {uri} has SHA-256 ")
    assert deleted.status == 3
    assert (batch_row(deleted)["verdict"], batch_row(deleted)["reason"]) == (
        "NOT_CHECKED",
        f"ManifestKey: {uri} cannot be read (GetObject: NoSuchKey)",
    )
    assert batch_row(deleted)["users"] == []
    assert emulator.calls() == []


def test_a_list_the_caller_may_not_read_names_s3_get_object(
    emulator: CognitoEmulator,
    cognito: CognitoIdentityProviderClient,
    run_drift: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN a batch whose list S3 refuses to this caller (the emulator's S3 serves everyone, so the refusal is
    # answered at the client, as S3 answers it: 403 AccessDenied)
    pool = pool_with(cognito, NAMES)
    with_sms(cognito, pool, NAMES)
    location = deploy_batch(emulator, pool, NAMES)
    deny_s3_get_object(monkeypatch)
    # WHEN
    result = run_drift("--stack", "Users")
    # THEN not checked, exit 2, the permission named in the row's reason and on standard error
    needed = (
        f"ManifestKey: s3://{BUCKET}/{location['ManifestKey']} cannot be read: GetObject denied (AccessDenied); "
        f"the caller needs s3:GetObject on {BUCKET}/{location['ManifestKey']}"
    )
    assert result.status == 3
    assert table_row(result) == ["StaffMfa", "StaffMfa", "batch", "6 users", "SMS", "-", "NOT_CHECKED"]
    assert needed in result.out
    assert f"drift: {needed}" in result.err


def deny_s3_get_object(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every S3 client made from now on answers GetObject with S3's 403 AccessDenied, without sending it."""
    import boto3.session

    made: Any = boto3.session.Session.client

    def client(self: Any, service: str, *args: Any, **kwargs: Any) -> Any:
        found = made(self, service, *args, **kwargs)
        if service == "s3":
            found.meta.events.register("before-call.s3.GetObject", _denied)
        return found

    monkeypatch.setattr(boto3.session.Session, "client", client)


def _denied(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    response = AWSResponse("https://s3.amazonaws.com", 403, {}, None)  # type: ignore[arg-type]
    parsed = {
        "Error": {"Code": "AccessDenied", "Message": "Access Denied"},
        "ResponseMetadata": {"HTTPStatusCode": 403},
    }
    return response, parsed


def test_an_id_that_is_not_a_batch_id_is_not_checked(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    pool = pool_with(cognito, NAMES)
    deploy_batch(emulator, pool, NAMES, physical_id="StaffMfa-1A2B3C4D")
    result = run_drift("--stack", "Users", "--json")
    assert result.status == 3
    assert batch_row(result)["reason"] == (
        "physical id 'StaffMfa-1A2B3C4D' is not a batch id "
        "(cognito-sms-mfa-batch:<pool>:<sha256>:<count>:s3://<bucket>/<key>)"
    )


def test_the_batchs_reads_are_paced_by_the_same_bucket(
    emulator: CognitoEmulator, cognito: CognitoIdentityProviderClient, run_drift: Any
) -> None:
    # GIVEN a batch of 20 users in sync
    names = [f"u{i:02d}" for i in range(20)]
    pool = pool_with(cognito, names)
    with_sms(cognito, pool, names)
    deploy_batch(emulator, pool, names)
    # WHEN checked at 40 calls per second
    started = time.monotonic()
    result = run_drift("--stack", "Users", "--json", "--max-rps", "40")
    elapsed = time.monotonic() - started
    # THEN the 20 reads took at least 19 intervals of 1/40 s
    assert result.status == 0, result.out
    assert result.json["calls"]["AdminGetUser"] == 20
    assert elapsed >= 19 / 40
