"""``Custom::CognitoUserSmsMfaSettingsBatch`` request by request, through crhelper, against the emulator over HTTP."""

from __future__ import annotations

import importlib
import time
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_lambda.resource import SETTINGS_BATCH_RESOURCE_TYPE
from tests.handler.functional.batch_harness import add_users, batch_props, options_of, upload
from tests.handler.functional.harness import SMS, STACK_ID, Deployer, Pool, props, record

if TYPE_CHECKING:
    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

GET, SET, PREF = "AdminGetUser", "AdminSetUserSettings", "AdminSetUserMFAPreference"
BATCH = SETTINGS_BATCH_RESOURCE_TYPE
NAMES = [f"user{i:03d}" for i in range(20)]


def _pool(pool: Pool, names: list[str] = NAMES) -> Pool:
    add_users(pool.client, pool.id, names)
    return pool


def test_create_writes_every_user_then_a_repeat_writes_none(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN 20 users without MFA options
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES)
    # WHEN
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    # THEN every user read, then written; the id names the pool and the list
    assert created.status == "SUCCESS", created.reason
    assert created.physical_id.startswith(f"cognito-sms-mfa-batch:{pool.id}:{properties['ManifestSha256']}:20:s3://")
    assert sorted(deploy.calls()) == sorted([GET] * 20 + [SET] * 20)
    assert created.data["Written"] == "20"
    assert created.data["UserCount"] == "20"
    assert set(map(str, options_of(pool.client, pool.id, NAMES).values())) == {str([SMS])}
    # WHEN the same request again (an Update that changes nothing of the users)
    again = deploy.send("Update", properties, physical_id=created.physical_id, old_properties=properties,
                        resource_type=BATCH, logical_id="Batch")  # fmt: skip
    # THEN reads only
    assert again.status == "SUCCESS", again.reason
    assert again.physical_id == created.physical_id
    assert deploy.calls() == [GET] * 20
    assert again.data["Unchanged"] == "20"


def test_create_fails_before_any_write_naming_the_first_problems(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN two listed users missing, one without a phone number
    _pool(pool)
    add_users(pool.client, pool.id, ["nophone"], phone=False)
    names = [*NAMES, "ghost1", "nophone", "ghost2"]
    # WHEN
    response = deploy.send("Create", batch_props(emulator, pool.id, names), resource_type=BATCH, logical_id="Batch")
    # THEN one reason counts them and names the first few; nothing was written
    assert response.status == "FAILED"
    assert response.reason.startswith(
        f"3 of 23 users of {pool.id} failed, nothing was written: 'ghost1' (not a user), 'nophone' (no phone_number)"
    ), response.reason
    assert set(deploy.calls()) == {GET}
    # and it answers its own id, whose record holds nobody: the rollback Delete puts nobody back
    assert response.physical_id.startswith("cognito-sms-mfa-batch:")
    rollback = deploy.send("Delete", batch_props(emulator, pool.id, names), physical_id=response.physical_id,
                           resource_type=BATCH, logical_id="Batch")  # fmt: skip
    assert rollback.status == "SUCCESS", rollback.reason
    assert deploy.calls() == []


def test_reason_masks_a_phone_number_username(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    response = deploy.send("Create", batch_props(emulator, pool.id, ["+15555550177"]), resource_type=BATCH)
    assert response.status == "FAILED"
    assert "+15555550177" not in response.reason
    assert "+1*******177" in response.reason


def test_a_list_changed_in_the_bucket_fails_before_any_call(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES)
    upload(emulator, ["someone-else"], key=properties["ManifestKey"])
    response = deploy.send("Create", properties, resource_type=BATCH)
    assert response.status == "FAILED"
    assert response.reason.startswith("ManifestSha256: the list at s3://"), response.reason
    assert deploy.calls() == []


def test_update_of_the_list_writes_only_the_change_and_cleanup_clears_only_the_removed(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a batch of 20 users with SMS
    _pool(pool, [*NAMES, "newcomer"])
    old = batch_props(emulator, pool.id, NAMES)
    created = deploy.send("Create", old, resource_type=BATCH, logical_id="Batch")
    # AND one user changed by hand since
    pool.client.admin_set_user_settings(UserPoolId=pool.id, Username=NAMES[5], MFAOptions=[])
    # WHEN the list drops user000 and adds newcomer (a new list: a new id)
    new_names = [*NAMES[1:], "newcomer"]
    new = batch_props(emulator, pool.id, new_names)
    updated = deploy.send("Update", new, physical_id=created.physical_id, old_properties=old,
                          resource_type=BATCH, logical_id="Batch")  # fmt: skip
    # THEN reads of the new list, writes for the newcomer and the user changed by hand only
    assert updated.status == "SUCCESS", updated.reason
    assert updated.physical_id != created.physical_id
    assert sorted(deploy.calls()) == sorted([GET] * 20 + [SET] * 2)
    assert options_of(pool.client, pool.id, ["user000"]) == {"user000": [SMS]}  # cleared by the cleanup, not here
    # WHEN CloudFormation's cleanup deletes the old id (the stack lists the resource with its new id meanwhile)
    deploy.keeps_record = False
    cleanup = deploy.send("Delete", old, physical_id=created.physical_id, resource_type=BATCH, logical_id="Batch")
    # THEN only the removed user is read and cleared
    assert cleanup.status == "SUCCESS", cleanup.reason
    assert sorted(deploy.calls()) == [GET, SET]
    assert options_of(pool.client, pool.id, ["user000", "user001", "newcomer"]) == {
        "user000": [], "user001": [SMS], "newcomer": [SMS]}  # fmt: skip


def test_rollback_update_keeping_the_id_puts_back_only_what_the_failed_update_wrote(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a batch, and an Update to a longer list (newcomers, and a user that had SMS before) that wrote some of
    # the newcomers and failed for the others (the quota taken by other traffic, little time left)
    newcomers = [f"newcomer{i}" for i in range(10)]
    _pool(pool, [*NAMES, *newcomers, "hadsms"])
    pool.client.admin_set_user_settings(UserPoolId=pool.id, Username="hadsms", MFAOptions=[SMS])  # type: ignore[list-item]
    old = batch_props(emulator, pool.id, NAMES)
    created = deploy.send("Create", old, resource_type=BATCH, logical_id="Batch")
    failed_new = batch_props(emulator, pool.id, [*NAMES, *newcomers, "hadsms"])
    emulator.set_rate_limits({"UserUpdate": 1})
    failed = deploy.send("Update", failed_new, physical_id=created.physical_id, old_properties=old,
                         resource_type=BATCH, logical_id="Batch", remaining_s=34)  # fmt: skip
    assert failed.status == "FAILED", failed.reason
    assert failed.physical_id == created.physical_id
    assert any(options_of(pool.client, pool.id, newcomers).values())
    emulator.set_rate_limits({})
    # WHEN CloudFormation rolls back: Update with the old properties, the failed ones as old, the old id
    emulator.set_stack_status(STACK_ID, "UPDATE_ROLLBACK_IN_PROGRESS")
    rollback = deploy.send("Update", old, physical_id=created.physical_id, old_properties=failed_new,
                           resource_type=BATCH, logical_id="Batch")  # fmt: skip
    # THEN the id stays, the newcomers it wrote are put back, and the user that had SMS before keeps it
    assert rollback.status == "SUCCESS", rollback.reason
    assert rollback.physical_id == created.physical_id
    assert int(rollback.data["Cleared"]) >= 1
    assert not any(options_of(pool.client, pool.id, newcomers).values())
    assert options_of(pool.client, pool.id, ["hadsms", "user001"]) == {"hadsms": [SMS], "user001": [SMS]}


def test_half_way_failure_of_create_answers_its_id_so_the_rollback_delete_clears(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a quota that other traffic has taken (1 write/s), and little time left: some writes go through
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES)
    emulator.set_rate_limits({"UserUpdate": 1})
    # WHEN
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch", remaining_s=34)
    # THEN FAILED with the batch's own id, some users written
    assert created.status == "FAILED"
    assert created.physical_id.startswith("cognito-sms-mfa-batch:"), created.physical_id
    assert " written: " in created.reason, created.reason
    assert "(AdminSetUserSettings TooManyRequestsException)" in created.reason
    assert any(options for options in options_of(pool.client, pool.id, NAMES).values())
    # WHEN the rollback Delete arrives with that id (the quota free again)
    emulator.set_rate_limits({})
    record(emulator, "Batch", created.physical_id, "DELETE_IN_PROGRESS", resource_type=BATCH)
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    # THEN every user is clear again
    assert deleted.status == "SUCCESS", deleted.reason
    assert set(map(str, options_of(pool.client, pool.id, NAMES).values())) == {"[]"}


def test_delete_keeps_users_another_live_batch_or_single_lists(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN batch A of 20 users, batch B listing two of them, and a single settings resource of alice (in A)
    _pool(pool)
    names = [*NAMES, "alice"]
    a = batch_props(emulator, pool.id, names)
    created = deploy.send("Create", a, resource_type=BATCH, logical_id="BatchA")
    b = batch_props(emulator, pool.id, ["USER003", "user004"])
    b_id = deploy.send("Create", b, resource_type=BATCH, logical_id="BatchB").physical_id
    deploy.send("Create", props(pool.id, "alice"), logical_id="AliceMfa")
    assert b_id.startswith("cognito-sms-mfa-batch:")
    # WHEN A is deleted (B and the single live)
    record(emulator, "BatchA", created.physical_id, "DELETE_IN_PROGRESS", resource_type=BATCH)
    deleted = deploy.send("Delete", a, physical_id=created.physical_id, resource_type=BATCH, logical_id="BatchA")
    # THEN the users B and the single list keep their options (B's names compare case-insensitively)
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.data["Kept"] == "3"
    after = options_of(pool.client, pool.id, names)
    assert {n for n, options in after.items() if options} == {"user003", "user004", "alice"}


def test_delete_keeps_everyone_when_the_stack_cannot_be_read(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a batch, and CloudFormation out of reach when its Delete asks who else lists its users
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES)
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", "http://127.0.0.1:9")
    # WHEN
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    # THEN SUCCESS, and every user keeps MFA (the safe side)
    assert deleted.status == "SUCCESS", deleted.reason
    assert deploy.calls() == []
    assert set(map(str, options_of(pool.client, pool.id, NAMES).values())) == {str([SMS])}


def test_delete_succeeds_when_users_or_the_pool_are_gone(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES)
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    pool.client.admin_delete_user(UserPoolId=pool.id, Username=NAMES[0])
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.data["Cleared"] == "19"
    pool.client.delete_user_pool(UserPoolId=pool.id)
    again = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                        logical_id="Batch")  # fmt: skip
    assert again.status == "SUCCESS", again.reason


def test_sms_preference_is_written_with_the_options_and_disabled_on_delete(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    _pool(pool, NAMES[:3])
    properties = batch_props(emulator, pool.id, NAMES[:3], sms="PREFERRED")
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    assert created.status == "SUCCESS", created.reason
    assert sorted(deploy.calls()) == sorted([GET] * 3 + [SET] * 3 + [PREF] * 3)
    user = pool.client.admin_get_user(UserPoolId=pool.id, Username=NAMES[0])
    assert user.get("PreferredMfaSetting") == "SMS_MFA"
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    assert deleted.status == "SUCCESS", deleted.reason
    user = pool.client.admin_get_user(UserPoolId=pool.id, Username=NAMES[0])
    assert "SMS_MFA" not in user.get("UserMFASettingList", [])
    assert user.get("MFAOptions", []) == []


def test_work_that_cannot_fit_the_time_left_fails_before_writing_with_the_arithmetic(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES, rates={"UserRead": "100", "UserUpdate": "0.5"})
    response = deploy.send("Create", properties, resource_type=BATCH, remaining_s=60)
    assert response.status == "FAILED"
    assert "20 UserUpdate / 0.5/s = 40 s" in response.reason, response.reason
    assert set(deploy.calls()) == {GET}


def test_paced_under_the_quota_no_call_is_throttled(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    # GIVEN the emulator enforcing 10 writes/s, and the batch paced at 8/s
    _pool(pool)
    emulator.set_rate_limits({"UserUpdate": 10, "UserRead": 50})
    properties = batch_props(emulator, pool.id, NAMES, rates={"UserRead": "40", "UserUpdate": "8"})
    # WHEN
    created = deploy.send("Create", properties, resource_type=BATCH)
    # THEN
    assert created.status == "SUCCESS", created.reason
    assert emulator.throttled() == {"UserUpdate": 0, "UserRead": 0}


def test_paced_over_the_quota_it_backs_off_and_finishes(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a quota the batch's rate exceeds (other traffic, or a wrong setting)
    _pool(pool)
    emulator.set_rate_limits({"UserUpdate": 5})
    properties = batch_props(emulator, pool.id, NAMES, rates={"UserRead": "200", "UserUpdate": "50"})
    # WHEN
    created = deploy.send("Create", properties, resource_type=BATCH)
    # THEN throttled, and still done
    assert created.status == "SUCCESS", created.reason
    assert emulator.throttled()["UserUpdate"] > 0
    assert set(map(str, options_of(pool.client, pool.id, NAMES).values())) == {str([SMS])}


def test_a_continuing_batch_that_cannot_end_before_cloudformation_stops_waiting_fails_before_writing(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a batch that may go on over invocations, but whose writes (20 at 0.05/s = 400 s) cannot fit what
    # CloudFormation waits (ServiceTimeout 300 s)
    _pool(pool)
    properties = {
        **batch_props(emulator, pool.id, NAMES, rates={"UserRead": "100", "UserUpdate": "0.05"}),
        "Continuation": "true",
    }
    # WHEN
    response = deploy.send("Create", properties, resource_type=BATCH, remaining_s=120)
    # THEN it fails in its first invocation, after the check's reads, with the arithmetic, and writes nobody
    assert response.status == "FAILED"
    assert response.reason.startswith("the write needs at least 20 UserRead / 100/s + 20 UserUpdate / 0.05/s = "), (
        response.reason
    )
    assert "of the stack operation's time remain" in response.reason
    assert set(deploy.calls()) == {GET}
    assert len(deploy.invocations) == 1


def test_a_continuing_batch_slower_than_its_pace_leaves_the_users_it_did_not_start_for_the_next_invocation(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN calls far slower than the declared pace (each takes 0.2 s: 40/s over 8 workers, against 1,000/s), and
    # invocations with 1 s of work each, so a chunk sized by the pace runs past the invocation's time
    names = [f"slow{i:03d}" for i in range(100)]
    add_users(pool.client, pool.id, names)
    properties = {
        **batch_props(emulator, pool.id, names, rates={"UserRead": "1000", "UserUpdate": "1000"}),
        "Continuation": "true",
    }
    pacing = importlib.import_module("cognito_sms_mfa_lambda.pacing")  # the module the handler imports next
    monkeypatch.setattr(pacing.Pacer, "wait", lambda _self, _category: time.sleep(0.2))
    # WHEN
    response = deploy.send("Create", properties, resource_type=BATCH, remaining_s=31)
    # THEN the users not started are not failures: the next invocations take them, and every user is written once
    assert response.status == "SUCCESS", response.reason
    assert len(deploy.invocations) >= 3
    assert (response.data["Written"], response.data["Unchanged"]) == ("100", "0")
    assert all(options == [SMS] for options in options_of(pool.client, pool.id, names).values())


def _before_records(properties: dict[str, Any]) -> dict[str, Any]:
    """The properties of a batch made by a construct before records (no ``Record``)."""
    return {name: value for name, value in properties.items() if name != "Record"}


def test_a_batch_made_before_records_deletes_as_it_always_did(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a batch whose properties have no Record (its Create kept none)
    _pool(pool)
    properties = _before_records(batch_props(emulator, pool.id, NAMES))
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    assert created.status == "SUCCESS", created.reason
    # WHEN it is deleted
    record(emulator, "Batch", created.physical_id, "DELETE_IN_PROGRESS", resource_type=BATCH)
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    # THEN every listed user is cleared
    assert deleted.status == "SUCCESS", deleted.reason
    assert deleted.data["Cleared"] == str(len(NAMES))


def test_the_update_that_brings_records_takes_over_every_user_the_older_batch_managed(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN a batch made before records, then the deploy of a construct that records (the same list)
    _pool(pool)
    new = batch_props(emulator, pool.id, NAMES)
    old = _before_records(new)
    created = deploy.send("Create", old, resource_type=BATCH, logical_id="Batch")
    updated = deploy.send("Update", new, physical_id=created.physical_id, old_properties=old,
                          resource_type=BATCH, logical_id="Batch")  # fmt: skip
    assert updated.status == "SUCCESS", updated.reason
    assert updated.data["Unchanged"] == str(len(NAMES))
    # WHEN the stack is deleted
    record(emulator, "Batch", created.physical_id, "DELETE_IN_PROGRESS", resource_type=BATCH)
    deleted = deploy.send("Delete", new, physical_id=created.physical_id, resource_type=BATCH, logical_id="Batch")
    # THEN every user is cleared, as the older batch's Delete would have done
    assert deleted.status == "SUCCESS", deleted.reason
    assert set(map(str, options_of(pool.client, pool.id, NAMES).values())) == {"[]"}


class _DeniedS3:
    """An S3 client that answers AccessDenied where S3 would without ``s3:ListBucket``: for a missing object, or
    (``always``) for every read of a record."""

    def __init__(self, s3: Any, *, always: bool) -> None:
        self._s3, self._always = s3, always

    def get_object(self, **kwargs: Any) -> Any:
        answer: Any = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
        denied = ClientError(answer, "GetObject")
        if self._always and ".cognito-sms-mfa-record." in kwargs["Key"]:
            raise denied
        try:
            return self._s3.get_object(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] == "NoSuchKey":
                raise denied from None
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._s3, name)


def _deny_s3(deploy: Deployer, monkeypatch: pytest.MonkeyPatch, *, always: bool) -> None:
    clients = deploy.module.clients
    real = clients.client

    def client(service: str, region: str | None = None) -> Any:
        found = real(service, region)
        return _DeniedS3(found, always=always) if service == "s3" else found

    monkeypatch.setattr(clients, "client", client)


def test_a_missing_record_answered_as_access_denied_is_made_and_the_batch_goes_on(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN S3 answering AccessDenied for the record not yet written, and a listed user that had SMS before
    _pool(pool)
    pool.client.admin_set_user_settings(UserPoolId=pool.id, Username="user000", MFAOptions=[])
    pool.client.admin_set_user_settings(UserPoolId=pool.id, Username="user001", MFAOptions=[SMS])  # type: ignore[list-item]
    _deny_s3(deploy, monkeypatch, always=False)
    properties = batch_props(emulator, pool.id, NAMES)
    # WHEN the batch is created and deleted
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    assert created.status == "SUCCESS", created.reason
    record(emulator, "Batch", created.physical_id, "DELETE_IN_PROGRESS", resource_type=BATCH)
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    # THEN the Delete put back what the Create wrote, and the user that had SMS before keeps it
    assert deleted.status == "SUCCESS", deleted.reason
    assert options_of(pool.client, pool.id, ["user000", "user001"]) == {"user000": [], "user001": [SMS]}


def test_a_record_that_cannot_be_read_fails_the_create_before_any_cognito_call(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _pool(pool)
    properties = batch_props(emulator, pool.id, NAMES)
    assert deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch").status == "SUCCESS"
    # GIVEN a record that exists and that S3 refuses to the role
    _deny_s3(deploy, monkeypatch, always=True)
    # WHEN the same batch is created again (another request), 45 s of the invocation left (the denial is retried, as
    # IAM propagation, while more than 30 s would remain)
    again = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch", remaining_s=45.0)
    # THEN FAILED, naming the record, before any Cognito call
    assert again.status == "FAILED"
    assert again.reason.startswith("Record: GetObject AccessDenied: Access Denied; the record is s3://"), again.reason
    assert deploy.calls() == []


def test_the_delete_of_a_clearing_batch_gives_back_the_sms_it_took_and_reports_a_user_without_phone(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN users with SMS, and a batch that clears their options
    _pool(pool)
    for name in NAMES[:3]:
        pool.client.admin_set_user_settings(UserPoolId=pool.id, Username=name, MFAOptions=[SMS])  # type: ignore[list-item]
    properties = batch_props(emulator, pool.id, NAMES[:3], options=[])
    created = deploy.send("Create", properties, resource_type=BATCH, logical_id="Batch")
    assert created.status == "SUCCESS", created.reason
    assert created.data["Written"] == "3"
    # and one of them has lost its phone number since
    pool.client.admin_delete_user_attributes(UserPoolId=pool.id, Username=NAMES[2], UserAttributeNames=["phone_number"])
    # WHEN the stack is deleted
    record(emulator, "Batch", created.physical_id, "DELETE_IN_PROGRESS", resource_type=BATCH)
    deleted = deploy.send("Delete", properties, physical_id=created.physical_id, resource_type=BATCH,
                          logical_id="Batch")  # fmt: skip
    # THEN the two with a phone have SMS again, and the third is reported, not a failure
    assert deleted.status == "SUCCESS", deleted.reason
    assert options_of(pool.client, pool.id, NAMES[:3]) == {NAMES[0]: [SMS], NAMES[1]: [SMS], NAMES[2]: []}
    assert deleted.data["Skipped"] == "1"
    assert f"'{NAMES[2]}' (no phone_number)" in deleted.data["Report"]
