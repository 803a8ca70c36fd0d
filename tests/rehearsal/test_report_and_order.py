"""The rehearsal's pure decisions: verdicts, exit statuses, column widths, resource order and construct paths."""

from __future__ import annotations

from typing import Any

import pytest

from cognito_sms_mfa_lambda.resource import SETTINGS_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE
from cognito_sms_mfa_rehearsal.assembly import Outputs, Resolver, StackTemplate, UnresolvedError, dependency_order
from cognito_sms_mfa_rehearsal.custom_types import CUSTOM_TYPES, CYCLE_PHONE_NUMBER, SMS_PREFERENCE
from cognito_sms_mfa_rehearsal.progress import batch_line
from cognito_sms_mfa_rehearsal.report import (
    COLUMNS,
    CYCLE_BATCH_LEGEND,
    IMPORTED_POOL,
    NOT_REHEARSED,
    SHRINKABLE,
    SIGN_IN,
    Outcome,
    closing,
    exit_status,
    render_table,
    summary,
    verdict,
)
from cognito_sms_mfa_rehearsal.table import column_widths, wrap_cell
from tests.rehearsal.helpers import table_rows

SMS = [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
WIDTH = 120


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


def test_column_widths_fit_the_width_and_leave_short_columns_alone() -> None:
    # GIVEN a row with a very long construct path, pool path and username
    row = ("create", "Rrrrrrr/" * 10, "Ppppp/" * 7, "U" * 36, "SMS", "SMS", "SMS / SMS_MFA*", "ok", "0.50s")
    # WHEN
    widths = column_widths([COLUMNS, row], WIDTH, [COLUMNS.index(name) for name in SHRINKABLE])
    # THEN the table fits, a username (one piece) is never narrowed, and the columns that are not shrinkable keep
    # their width
    assert sum(widths) + 2 * (len(widths) - 1) == WIDTH
    assert widths[3] == 36
    assert [widths[0], widths[7], widths[8]] == [6, 6, 5]


def test_table_wraps_long_cells_onto_continuation_lines_and_never_cuts_them() -> None:
    # GIVEN rows with the long names a new user's app has (construct paths, and logical ids without metadata)
    rows = [
        outcome("create", desired=SMS, read_back=SMS),
        outcome("rename", desired=SMS, read_back=SMS),
        outcome("create", desired=SMS, read_back=SMS),
    ]
    rows[0].path, rows[0].pool_path = "qa-alpha-user/MfaSettings", "CheckoutPool86441BA0"
    rows[1].path = "qa-alpha-user/MfaSettingsRenamed"
    rows[2].path, rows[2].pool_path = "HourEu/QaCheckoutAlphaTesterWithSms8058A79B/MfaSettings", "Checkout/Pool" * 4
    # WHEN fitted to a terminal of 120 columns, and written for a log (no width)
    table = render_table(rows, [], width=WIDTH)
    log = render_table(rows, [])
    # THEN in the terminal every line fits, a name is never split: only after a "/" (so each piece is a whole
    # name), and each cell reads whole once its continuation lines are joined
    assert max(len(line) for line in table.splitlines()) <= WIDTH
    assert "QaCheckoutAlphaTesterWithSms8058A79B" in table
    cells = table_rows(table)
    assert [row[1] for row in cells] == [
        "qa-alpha-user/MfaSettings",
        "qa-alpha-user/MfaSettingsRenamed",
        "HourEu/QaCheckoutAlphaTesterWithSms8058A79B/MfaSettings",
    ]
    assert [row[2] for row in cells] == ["CheckoutPool86441BA0", "Pool", "Checkout/Pool" * 4]
    assert len(table.splitlines()) > len(log.splitlines())  # the long cells took continuation lines
    # AND in the log each row is one line, whole
    assert [line for line in log.splitlines() if "HourEu/QaCheckoutAlphaTesterWithSms8058A79B/MfaSettings" in line]
    assert len(table_rows(log)) == len([line for line in log.splitlines() if line.startswith(("create", "rename"))])


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("qa-alpha-user/MfaSettingsRenamed", 20, ["qa-alpha-user/", "MfaSettingsRenamed"]),
        ("SMS_MFA=PREFERRED", 12, ["SMS_MFA=PREFERRED"]),
        ("SMS challenge ok", 9, ["SMS", "challenge", "ok"]),
        ("QaCheckoutAlphaTesterWithSms8058A79B", 8, ["QaCheckoutAlphaTesterWithSms8058A79B"]),
        ("short", 8, ["short"]),
        ("a/b c", None, ["a/b c"]),
    ],
    ids=["path", "equals", "spaces", "logical-id", "fits", "no-terminal"],
)
def test_wrap_cell_breaks_after_a_slash_or_at_a_space_never_inside_a_name(
    text: str, width: int | None, lines: list[str]
) -> None:
    # GIVEN / WHEN / THEN
    assert wrap_cell(text, width) == lines


def test_cycle_legend_explains_what_the_cycle_did_to_a_batch_only_when_a_batch_was_cycled() -> None:
    # GIVEN a batch's cleanup row (after --cycle's update), and a settings resource's
    cleanup = outcome("cleanup", desired=[], read_back=[])
    cleanup.batch = {"listed": 10, "written": 0, "unchanged": 0, "cleared": 1, "kept": 9, "failed": 0,
                     "writes_per_s": 1.0}  # fmt: skip
    # WHEN / THEN the legend says the list shrank, which users were written, and what the cleanup row checks
    assert CYCLE_BATCH_LEGEND in render_table([cleanup], [])
    assert "--cycle and a batch" not in render_table([outcome("create", desired=SMS, read_back=SMS)], [])
    assert "drops the first 10 % of the list" in CYCLE_BATCH_LEGEND
    assert "cleanup row" in CYCLE_BATCH_LEGEND


def test_batch_progress_line_counts_in_words_with_rates() -> None:
    # GIVEN / WHEN / THEN
    assert batch_line("  create    Staff", 300, 300, 84, 12.0) == (
        "  create    Staff: 300 of 300 users read (25/s), 84 writes (7/s), 12 s so far"
    )
    assert batch_line("  delete    Staff", 1200, 0, 1, 2.0).endswith(
        "0 of 1,200 users read (0/s), 1 write (0/s), 2 s so far"
    )


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([outcome(NOT_REHEARSED, "NOT REHEARSED")], "0 requests in 1.2 s: no failures, but 1 resource was not"),
        ([outcome("create", desired=SMS, read_back=SMS)], "1 request in 1.2 s: all requests succeeded"),
        ([outcome("create", "FAILED")], "1 request in 1.2 s: 1 of 1 request failed"),
    ],
    ids=["one-skipped", "one-ok", "one-failed"],
)
def test_summary_counts_in_the_singular_for_one(rows: list[Outcome], expected: str) -> None:
    # GIVEN / WHEN / THEN
    assert summary(rows, 1.2).startswith(expected)


def test_imported_pool_rows_get_the_stand_in_hint_under_the_closing_line() -> None:
    # GIVEN two resources not rehearsed because their pool is imported, and one for another reason
    rows = [outcome(NOT_REHEARSED, "NOT REHEARSED") for _ in range(3)]
    rows[0].reason = rows[1].reason = f"pool eu-west-1_AbC123 {IMPORTED_POOL}"
    rows[2].reason = "App/X: unsupported intrinsic"
    # WHEN
    text = closing(rows, 0.5)
    # THEN
    assert text.splitlines()[0] == "0 requests in 0.5 s: no failures, but 3 resources were not rehearsed (see above)"
    assert " ".join(text.splitlines()[1:]) == (
        "Hint: 2 resources target a pool imported by id (UserPool.from_user_pool_id): `--stand-in-pools` rehearses"
        " them against a stand-in pool holding the named user (README: the rehearsal in CI)."
    )
    assert closing(rows[2:], 0.5).splitlines()[1:] == []


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


def test_rehearsal_resolves_list_parameters_to_lists_through_select_and_split() -> None:
    # GIVEN a stack with a CommaDelimitedList parameter (given a value with spaces) and a List<String> one (its
    # default)
    stack = StackTemplate(
        name="App",
        display_name="App",
        template={
            "Parameters": {"Names": {"Type": "CommaDelimitedList"}, "Ids": {"Type": "List<String>", "Default": "a,b"}},
            "Resources": {"Mfa": {"Type": SETTINGS_RESOURCE_TYPE, "Properties": {}}},
        },
        assets={},
    )
    resolver = Resolver(stack, "us-east-1", Outputs(), parameters={"Names": "alice, bob"})
    # WHEN / THEN each Ref is a list, which Fn::Select and Fn::Join take; Fn::Split makes one
    assert resolver.resolve("Mfa", {"Ref": "Names"}) == ["alice", "bob"]
    assert resolver.resolve("Mfa", {"Fn::Select": [1, {"Ref": "Names"}]}) == "bob"
    assert resolver.resolve("Mfa", {"Fn::Join": ["-", {"Ref": "Ids"}]}) == "a-b"
    assert resolver.resolve("Mfa", {"Fn::Select": [0, {"Fn::Split": [",", "carol,dan"]}]}) == "carol"
