"""The drift check's verdicts: each type's desired state against an AdminGetUser answer, and the exit status."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_cli.drift import TokenBucket
from cognito_sms_mfa_cli.drift_decisions import (
    DRIFTED,
    ERROR,
    IN_SYNC,
    NOT_CHECKED,
    NOT_COMPARABLE,
    USER_GONE,
    BatchLookup,
    Lookup,
    Row,
    UserOutcome,
    exit_status,
    judge,
    stack_outcome,
)
from cognito_sms_mfa_cli.drift_template import Target
from cognito_sms_mfa_lambda.manifest import ManifestLocation
from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_BATCH_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)

POOL = "us-east-1_AbC123"
SUB = "0f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b"
OTHER_SUB = "11111111-2222-4333-8444-555555555555"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
PHONE = "+15555550100"


def target(kind: str, properties: dict[str, Any], sub: str | None = None, username: str = "alice") -> Target:
    props = {"UserPoolId": POOL, "Username": username, **properties}
    return Target("Users", "Res", kind, POOL, username, sub, props)


def user(**fields: Any) -> dict[str, Any]:
    attributes = fields.pop("attributes", {"sub": SUB})
    return {"Username": "alice", "UserAttributes": [{"Name": k, "Value": v} for k, v in attributes.items()], **fields}


SYNCED_TEST_USER = {
    "sub": SUB, "phone_number": PHONE, "phone_number_verified": "true", "email": "alice@example.com",
    "email_verified": "true",
}  # fmt: skip
TEST_USER_PROPS = {"PhoneNumber": PHONE, "SmsMfaPreferred": "true", "Email": "alice@example.com",
                   "PasswordSecretArn": "arn:aws:secretsmanager:us-east-1:1:secret:pw"}  # fmt: skip
SMS_ON = {"UserMFASettingList": ["SMS_MFA"], "PreferredMfaSetting": "SMS_MFA"}


# A valid declaration of each type.
DECLARED: dict[str, dict[str, Any]] = {
    SETTINGS_RESOURCE_TYPE: {"MFAOptions": []},
    PREFERENCE_RESOURCE_TYPE: {"SmsMfa": "ENABLED"},
    TEST_USER_RESOURCE_TYPE: TEST_USER_PROPS,
}


def without(name: str) -> dict[str, str]:
    """The test user's properties without ``name``."""
    return {key: value for key, value in TEST_USER_PROPS.items() if key != name}


@pytest.mark.parametrize(
    ("resource", "found", "verdict", "reason"),
    [
        pytest.param(target(SETTINGS_RESOURCE_TYPE, {"MFAOptions": [SMS]}), user(MFAOptions=[SMS]), IN_SYNC, "",
                     id="settings-in-sync"),
        pytest.param(target(SETTINGS_RESOURCE_TYPE, {"MFAOptions": [SMS]}), user(), DRIFTED,
                     "MFAOptions are none, declared SMS", id="settings-drifted"),
        pytest.param(target(SETTINGS_RESOURCE_TYPE, {"MFAOptions": []}), user(MFAOptions=[SMS]), DRIFTED,
                     "MFAOptions are SMS, declared none", id="settings-drifted-on"),
        pytest.param(target(PREFERENCE_RESOURCE_TYPE, {"SmsMfa": "PREFERRED"}), user(**SMS_ON), IN_SYNC, "",
                     id="preference-in-sync"),
        pytest.param(target(PREFERENCE_RESOURCE_TYPE, {"SmsMfa": "PREFERRED", "EmailMfa": "DISABLED"}),
                     user(UserMFASettingList=["SMS_MFA", "EMAIL_OTP"]), DRIFTED,
                     "SMS_MFA is ENABLED, declared PREFERRED; EMAIL_OTP is ENABLED, declared DISABLED",
                     id="preference-drifted"),
        pytest.param(target(PREFERENCE_RESOURCE_TYPE, {"SmsMfa": "DISABLED"}),
                     user(UserMFASettingList=["SOFTWARE_TOKEN_MFA"], PreferredMfaSetting="SOFTWARE_TOKEN_MFA"),
                     IN_SYNC, "", id="preference-unmanaged-factor-ignored"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, SUB),
                     user(attributes=SYNCED_TEST_USER, UserStatus="CONFIRMED", **SMS_ON), IN_SYNC, "",
                     id="test-user-in-sync"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, None),
                     user(attributes=SYNCED_TEST_USER, UserStatus="CONFIRMED", **SMS_ON), IN_SYNC, "",
                     id="test-user-old-id-without-sub"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, SUB),
                     user(attributes={**SYNCED_TEST_USER, "sub": OTHER_SUB}, UserStatus="CONFIRMED", **SMS_ON),
                     DRIFTED, "replaced outside the stack", id="test-user-replaced"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, SUB),
                     user(attributes={**SYNCED_TEST_USER, "phone_number": "+15555550999"}, UserStatus="CONFIRMED",
                          **SMS_ON),
                     DRIFTED, "phone_number is +1*******999, declared +1*******100", id="test-user-phone"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, without("Email"), SUB),
                     user(attributes=SYNCED_TEST_USER, UserStatus="CONFIRMED", **SMS_ON), DRIFTED,
                     "email is a***@example.com, declared none; email_verified is true, declared none",
                     id="test-user-undeclared-email"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, SUB),
                     user(attributes=SYNCED_TEST_USER, UserStatus="FORCE_CHANGE_PASSWORD", **SMS_ON), DRIFTED,
                     "status is FORCE_CHANGE_PASSWORD, declared CONFIRMED (a password from the secret)",
                     id="test-user-status"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, without("PasswordSecretArn"), SUB),
                     user(attributes=SYNCED_TEST_USER, UserStatus="FORCE_CHANGE_PASSWORD", **SMS_ON), IN_SYNC, "",
                     id="test-user-without-secret-any-status"),
        pytest.param(target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, SUB),
                     user(attributes=SYNCED_TEST_USER, UserStatus="CONFIRMED"), DRIFTED,
                     "SMS MFA preferred is no, declared yes", id="test-user-sms-off"),
    ],
)  # fmt: skip
def test_verdict_of_each_type(resource: Target, found: dict[str, Any], verdict: str, reason: str) -> None:
    # GIVEN / WHEN
    row = judge(resource, Lookup(user=found))
    # THEN
    assert (row.verdict, row.reason[: len(reason)]) == (verdict, reason)


@pytest.mark.parametrize("kind", [SETTINGS_RESOURCE_TYPE, PREFERENCE_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE])
def test_user_gone_and_not_checked_for_each_type(kind: str) -> None:
    properties = DECLARED[kind]
    resource = target(kind, properties, SUB if kind == TEST_USER_RESOURCE_TYPE else None)
    gone = judge(resource, Lookup(gone="the user does not exist (AdminGetUser: UserNotFoundException)"))
    denied = judge(resource, Lookup(error="AdminGetUser denied (AccessDeniedException); the caller needs X"))
    unparsable = judge(target(kind, {**properties, "Username": ""}), Lookup(user=user()))
    assert (gone.verdict, gone.actual) == (USER_GONE, "(no user)")
    assert (denied.verdict, denied.reason) == (
        NOT_CHECKED,
        "AdminGetUser denied (AccessDeniedException); the caller needs X",
    )
    assert unparsable.verdict == NOT_CHECKED
    assert unparsable.reason.startswith("the template's properties: Username must be 1-128 characters")


def test_a_target_that_cannot_be_checked_keeps_its_reason() -> None:
    resource = Target("Users", "Res", SETTINGS_RESOURCE_TYPE, reason="MFAOptions: Fn::If is not resolved")
    assert judge(resource, None) == Row("Users", "Res", SETTINGS_RESOURCE_TYPE, "-", "-", "-", NOT_CHECKED,
                                        "MFAOptions: Fn::If is not resolved")  # fmt: skip


def test_user_and_personal_values_are_masked() -> None:
    resource = target(TEST_USER_RESOURCE_TYPE, TEST_USER_PROPS, SUB, username="+15555550177")
    found = {**user(attributes=SYNCED_TEST_USER, UserStatus="CONFIRMED", **SMS_ON), "Username": "+15555550177"}
    row = judge(resource, Lookup(user=found))
    assert (row.user, row.desired, row.verdict) == (
        "+1*******177",
        "+1*******100 a***@example.com CONFIRMED SMS",
        IN_SYNC,
    )


def row(verdict: str) -> Row:
    return Row("S", "R", SETTINGS_RESOURCE_TYPE, "u", "d", "a", verdict)


@pytest.mark.parametrize(
    ("verdicts", "outcome"),
    [
        ([IN_SYNC, IN_SYNC], IN_SYNC),
        ([], IN_SYNC),
        ([IN_SYNC, DRIFTED, NOT_CHECKED], DRIFTED),
        ([USER_GONE], DRIFTED),
        ([IN_SYNC, NOT_CHECKED], NOT_CHECKED),
    ],
)
def test_stack_outcome_drift_first_then_not_checked(verdicts: list[str], outcome: str) -> None:
    assert stack_outcome(map(row, verdicts)) == outcome


@pytest.mark.parametrize(
    ("status", "error", "outcome"),
    [
        ("UPDATE_IN_PROGRESS", "", NOT_COMPARABLE),
        ("UPDATE_ROLLBACK_IN_PROGRESS", "", NOT_COMPARABLE),
        ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "", NOT_COMPARABLE),
        ("ROLLBACK_COMPLETE", "", NOT_COMPARABLE),
        ("UPDATE_ROLLBACK_COMPLETE", "", DRIFTED),
        ("UPDATE_COMPLETE", "", DRIFTED),
        ("", "stack Users does not exist", ERROR),
    ],
)
def test_stack_outcome_of_a_stack_in_progress_or_unreadable_is_not_its_rows(
    status: str, error: str, outcome: str
) -> None:
    # GIVEN a drifted row; WHEN the stack is in progress, failed or unreadable THEN that decides
    assert stack_outcome([row(DRIFTED)], status=status, error=error) == outcome


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        ([IN_SYNC, IN_SYNC], 0),
        ([IN_SYNC, DRIFTED, ERROR, NOT_COMPARABLE], 1),
        ([IN_SYNC, NOT_CHECKED], 3),
        ([IN_SYNC, NOT_COMPARABLE], 3),
        ([ERROR], 3),
    ],
)
def test_exit_status_drift_first_then_any_stack_not_in_sync(outcomes: list[str], status: int) -> None:
    assert exit_status(outcomes) == status


def test_token_bucket_spaces_calls_at_the_rate_without_a_burst() -> None:
    # GIVEN a bucket at 4 calls per second on a fake clock
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 6))
        now[0] += seconds

    bucket = TokenBucket(4.0, clock=lambda: now[0], sleep=sleep)
    # WHEN five calls are made at once
    for _ in range(5):
        bucket.acquire()
    # THEN the first goes at once, each next one a quarter second later
    assert waits == [0.25, 0.25, 0.25, 0.25]
    with pytest.raises(ValueError, match="rate must be above 0"):
        TokenBucket(0)


BATCH_LIST = ManifestLocation("cdk-assets", "abc.json", "a" * 64, 3)
GONE = "the user does not exist (AdminGetUser: UserNotFoundException)"
DENIED = f"AdminGetUser denied (AccessDeniedException); the caller needs cognito-idp:AdminGetUser on pool {POOL}"


def batch(properties: dict[str, Any] | None = None, manifest: ManifestLocation = BATCH_LIST) -> Target:
    props = {"UserPoolId": POOL, "MFAOptions": [SMS]} if properties is None else properties
    return Target("Users", "Staff", SETTINGS_BATCH_RESOURCE_TYPE, POOL, properties=props, manifest=manifest)


def named(name: str, **fields: Any) -> Lookup:
    return Lookup(user={**user(**fields), "Username": name})


def test_batch_in_sync_counts_every_user_and_leaves_an_unmanaged_factor_alone() -> None:
    # GIVEN three listed users with the declared option, the SMS factor not managed (one has it off)
    users = (
        ("ann", named("ann", MFAOptions=[SMS])),
        ("bob", named("bob", MFAOptions=[SMS], UserMFASettingList=["SOFTWARE_TOKEN_MFA"])),
        ("cy", named("cy", MFAOptions=[SMS])),
    )
    # WHEN
    row = judge(batch(), BatchLookup(users=users))
    # THEN one row, the count in the USER column, each user's outcome kept
    assert (row.user, row.desired, row.actual, row.verdict, row.reason) == (
        "3 users", "SMS", "3 in sync, 0 drifted, 0 gone", IN_SYNC, "",
    )  # fmt: skip
    assert row.users == tuple(UserOutcome(name, IN_SYNC, "SMS", i) for i, name in enumerate(("ann", "bob", "cy")))


def test_batch_drifted_when_a_write_would_be_needed_or_a_user_is_gone() -> None:
    # GIVEN a batch that also manages the SMS factor
    six = ManifestLocation("cdk-assets", "abc.json", "a" * 64, 6)
    resource = batch({"UserPoolId": POOL, "MFAOptions": [SMS], "SmsMfa": "PREFERRED"}, six)
    users = (
        ("ann", named("ann", MFAOptions=[SMS], **SMS_ON)),
        ("bob", named("bob", MFAOptions=[SMS], UserMFASettingList=["SMS_MFA"])),
        ("cy", Lookup(gone=GONE)),
        ("dee@example.com", named("dee@example.com", **SMS_ON)),
        ("eve", named("eve")),
        ("fay", Lookup(error=DENIED)),
    )
    # WHEN
    row = judge(resource, BatchLookup(users=users))
    # THEN DRIFTED, counted, the first three differing users named (masked), the rest counted
    assert (row.user, row.desired, row.actual, row.verdict) == (
        "6 users", "SMS,SMS_MFA=PREFERRED", "1 in sync, 3 drifted, 1 gone, 1 not checked", DRIFTED,
    )  # fmt: skip
    assert row.reason == (
        "4 of 6 listed users differ: [1] bob (SMS_MFA is ENABLED, declared PREFERRED), [2] cy (" + GONE + "), "
        "[3] d***@example.com (MFAOptions are none, declared SMS) and 1 more (--json lists every user)"
    )
    assert row.users[3:] == (
        UserOutcome("d***@example.com", DRIFTED, "MFAOptions are none, declared SMS", 3),
        UserOutcome("eve", DRIFTED, "MFAOptions are none, declared SMS; SMS_MFA is DISABLED, declared PREFERRED", 4),
        UserOutcome("fay", NOT_CHECKED, DENIED, 5),
    )
    assert row.to_json()["users"][2] == {"user": "cy", "verdict": USER_GONE, "detail": GONE, "index": 2}


def test_batch_not_checked_when_users_cannot_be_read_the_list_cannot_or_the_properties_are_refused() -> None:
    denied = judge(batch(), BatchLookup(users=(("ann", named("ann", MFAOptions=[SMS])), ("bob", Lookup(error=DENIED)))))
    unreadable = judge(batch(), BatchLookup(error="ManifestKey: s3://b/k cannot be read (GetObject: NoSuchKey)"))
    refused = judge(batch({"UserPoolId": POOL, "MFAOptions": "SMS"}), BatchLookup(users=()))
    one = judge(
        batch(manifest=ManifestLocation("b", "k", "a" * 64, 1)), BatchLookup(users=(("ann", Lookup(gone=GONE)),))
    )
    assert (denied.actual, denied.verdict, denied.reason) == (
        "1 in sync, 0 drifted, 0 gone, 1 not checked", NOT_CHECKED, f"1 of 2 listed users not checked: [1] bob ({DENIED})",
    )  # fmt: skip
    assert (unreadable.actual, unreadable.verdict, unreadable.reason, unreadable.users) == (
        "-", NOT_CHECKED, "ManifestKey: s3://b/k cannot be read (GetObject: NoSuchKey)", (),
    )  # fmt: skip
    assert (refused.verdict, refused.reason[:40]) == (NOT_CHECKED, "the template's properties: MFAOptions mu")
    assert (one.user, one.actual, one.verdict) == ("1 user", "0 in sync, 0 drifted, 1 gone", DRIFTED)


def test_only_batch_rows_carry_users_in_json() -> None:
    single = judge(target(SETTINGS_RESOURCE_TYPE, {"MFAOptions": []}), Lookup(user=user()))
    assert "users" not in single.to_json()
    assert judge(batch(), BatchLookup(error="x")).to_json()["users"] == []
