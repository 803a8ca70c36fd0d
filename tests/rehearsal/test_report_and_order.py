"""The rehearsal's pure decisions: verdicts, exit statuses, column widths, resource order and construct paths."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.assembly import StackTemplate, UnresolvedError, dependency_order
from cognito_sms_mfa_rehearsal.custom_types import CUSTOM_TYPES, CYCLE_PHONE_NUMBER, SMS_PREFERENCE
from cognito_sms_mfa_rehearsal.report import (
    COLUMNS,
    NOT_REHEARSED,
    SIGN_IN,
    WIDTH,
    Outcome,
    column_widths,
    exit_status,
    verdict,
)

SMS = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]


def outcome(
    phase: str,
    status: str = "SUCCESS",
    desired: Any = None,
    read_back: Any = None,
    resource_type: str = SETTINGS_RESOURCE_TYPE,
) -> Outcome:
    return Outcome(
        stack="S",
        path="AliceMfa",
        logical_id="AliceMfa1234",
        resource_type=resource_type,
        phase=phase,
        pool="us-east-1_a",
        pool_path="Pool",
        username="alice",
        desired=desired,
        read_back=read_back,
        status=status,
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (outcome("create", desired=SMS, read_back=SMS), "ok"),
        (outcome("create", desired=SMS, read_back=[]), "MISMATCH"),
        (outcome("create", desired=SMS, read_back=None), "MISMATCH"),
        (outcome("create", "FAILED", desired=SMS, read_back=None), "FAILED"),
        (outcome("delete", desired=[], read_back=None), "ok"),
        (outcome("delete", desired=[], read_back=SMS), "MISMATCH"),
        (outcome(NOT_REHEARSED, "NOT REHEARSED"), "skipped"),
        (outcome("delete", desired=None, read_back=None, resource_type=TEST_USER_RESOURCE_TYPE), "ok"),
        (outcome("delete", desired=None, read_back=[], resource_type=TEST_USER_RESOURCE_TYPE), "MISMATCH"),
        (
            outcome(
                SIGN_IN, desired="SMS challenge ok", read_back="SMS challenge ok", resource_type=TEST_USER_RESOURCE_TYPE
            ),
            "ok",
        ),
        (
            outcome(
                SIGN_IN, desired="SMS challenge ok", read_back="no SMS challenge", resource_type=TEST_USER_RESOURCE_TYPE
            ),
            "MISMATCH",
        ),
    ],
    ids=[
        "match",
        "mismatch",
        "create-no-user",
        "failed",
        "delete-gone-user",
        "delete-not-cleared",
        "skipped",
        "test-user-gone",
        "test-user-still-there",
        "sign-in-ok",
        "sign-in-other-result",
    ],
)
def test_outcome_verdict_says_what_happened(row: Outcome, expected: str) -> None:
    # GIVEN / WHEN / THEN
    assert row.verdict == expected


def test_verdict_of_a_failed_status_is_the_status() -> None:
    # GIVEN / WHEN / THEN
    assert verdict("create", "NO RESPONSE", matches=True) == "NO RESPONSE"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([], 3),
        ([outcome("create", desired=SMS, read_back=SMS)], 0),
        ([outcome("create", desired=SMS, read_back=SMS), outcome(NOT_REHEARSED, "NOT REHEARSED")], 3),
        ([outcome("create", "FAILED"), outcome(NOT_REHEARSED, "NOT REHEARSED")], 1),
    ],
    ids=["nothing", "all-ok", "some-skipped", "failed-wins"],
)
def test_exit_status_zero_only_when_everything_was_rehearsed_and_ok(rows: list[Outcome], expected: int) -> None:
    # GIVEN / WHEN / THEN
    assert exit_status(rows) == expected


def test_column_widths_shrink_the_widest_shrinkable_column_to_fit_the_width() -> None:
    # GIVEN a row with a very long construct path, pool path and username
    row = ("create", "R" * 80, "P" * 40, "U" * 36, "SMS", "SMS", "SMS / SMS_MFA*", "ok", "0.50s")
    # WHEN
    widths = column_widths([COLUMNS, row])
    # THEN the table fits, and only the widest (RESOURCE, POOL and USER) gave up characters
    assert sum(widths) + 2 * (len(widths) - 1) == WIDTH
    assert [widths[0], *widths[4:]] == [6, 7, 9, 14, 6, 5]


def template(resources: dict[str, Any], display_name: str = "App") -> StackTemplate:
    return StackTemplate(name=display_name, display_name=display_name, template={"Resources": resources}, assets={})


def test_ordered_runs_custom_resources_before_users_they_do_not_depend_on() -> None:
    # GIVEN a pool, a user and settings that depend only on the pool (declared after the user)
    stack = template(
        {
            "Pool": {"Type": "AWS::Cognito::UserPool"},
            "User": {"Type": "AWS::Cognito::UserPoolUser", "Properties": {"UserPoolId": {"Ref": "Pool"}}},
            "Mfa": {"Type": SETTINGS_RESOURCE_TYPE, "Properties": {"UserPoolId": {"Ref": "Pool"}}},
            "Linked": {"Type": SETTINGS_RESOURCE_TYPE, "Properties": {"Username": {"Ref": "User"}}},
        }
    )
    handled = {"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolUser", SETTINGS_RESOURCE_TYPE}
    # WHEN
    order = stack.ordered(handled, first={SETTINGS_RESOURCE_TYPE})
    # THEN
    assert order == ["Pool", "Mfa", "User", "Linked"]
    assert stack.depends_on("Linked", "Pool")
    assert not stack.depends_on("Mfa", "User")


def test_path_is_the_construct_path_inside_the_stack_without_inner_ids() -> None:
    # GIVEN resources with and without aws:cdk:path metadata
    stack = template(
        {
            "CarolMfa1": {"Type": "T", "Metadata": {"aws:cdk:path": "Stage/App/Carol/MfaSettings/Resource/Default"}},
            "Plain2": {"Type": "T"},
        },
        display_name="Stage/App",
    )
    # WHEN / THEN
    assert stack.path("CarolMfa1") == "Carol/MfaSettings"
    assert stack.path("Plain2") == "Plain2"


def test_dependency_order_puts_each_stack_after_those_it_depends_on() -> None:
    # GIVEN a consumer listed before its producer
    consumer = StackTemplate("Consumer", "Consumer", {}, {}, dependencies=("Producer",))
    producer = StackTemplate("Producer", "Producer", {}, {}, dependencies=())
    # WHEN / THEN
    assert [s.name for s in dependency_order([consumer, producer])] == ["Producer", "Consumer"]


def test_asset_dir_raises_naming_the_function_when_code_is_not_an_asset() -> None:
    # GIVEN a function whose code is not an asset of the assembly
    stack = template({"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Code": {"ZipFile": "x"}}}})
    # WHEN / THEN the error names the resource and what to do
    with pytest.raises(UnresolvedError, match=r"^App/Fn: Code is not a file asset of this assembly"):
        stack.asset_dir("Fn")


def test_test_user_type_wants_the_sms_preference_and_no_user_after_delete() -> None:
    # GIVEN
    kind = CUSTOM_TYPES[TEST_USER_RESOURCE_TYPE]
    properties = {"Username": "carol", "SmsMfaPreferred": "true", "PhoneNumber": "+15555550123"}
    # WHEN / THEN
    assert kind.desired(properties) == [SMS_PREFERENCE]
    assert kind.desired({**properties, "SmsMfaPreferred": "false"}) == []
    assert kind.cleared(properties) is None
    assert kind.read_back({"PreferredMfaSetting": "SMS_MFA"}, properties) == [SMS_PREFERENCE]
    assert kind.read_back({"UserMFASettingList": ["SMS_MFA"]}, properties) == []
    assert [kind.render([SMS_PREFERENCE]), kind.render([]), kind.render("no MFA ok")] == [
        "SMS preferred",
        "none",
        "no MFA ok",
    ]


def test_test_user_synthetic_update_changes_phone_and_password_version_only_with_a_secret() -> None:
    # GIVEN
    kind = CUSTOM_TYPES[TEST_USER_RESOURCE_TYPE]
    without = {"Username": "nora", "SmsMfaPreferred": "true", "PhoneNumber": "+15555550150"}
    with_secret = {**without, "PasswordSecretArn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:p"}
    # WHEN
    changed, rotated = kind.flipped(without), kind.flipped(with_secret)
    # THEN
    assert changed == {**without, "PhoneNumber": CYCLE_PHONE_NUMBER}
    assert rotated["PhoneNumber"] == CYCLE_PHONE_NUMBER
    assert rotated["PasswordRevision"] not in (None, with_secret.get("PasswordRevision"))
