"""The shared rule table (cognito_sms_mfa_lambda.rules): the API's limits, judged the same by construct and handler."""

from __future__ import annotations

import pytest

from cognito_sms_mfa_lambda import rules


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("alice", id="ascii"),
        pytest.param("Zoë.O'Brien+test@example.com", id="email-like-punctuation"),
        pytest.param("用户", id="cjk-letters"),
        pytest.param("😀", id="symbol"),
        pytest.param("a" * 128, id="128-chars"),
        pytest.param("a:b/c", id="colon-and-slash"),
    ],
)
def test_username_problem_accepts_api_pattern(value: str) -> None:
    # GIVEN a name of 1-128 characters of [\p{L}\p{M}\p{S}\p{N}\p{P}]
    # WHEN / THEN
    assert rules.username_problem(value) is None


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("", "must be 1-128 characters; received 0 characters", id="empty"),
        pytest.param("a" * 129, "must be 1-128 characters; received 129 characters", id="129-chars"),
        pytest.param(
            "al ice",
            "must contain only letters, marks, symbols, numbers and punctuation; received 'al ice' with SPACE at "
            "position 3",
            id="space",
        ),
        pytest.param(
            "a\tb",
            "must contain only letters, marks, symbols, numbers and punctuation; received 'a\\tb' with 0x9 at position 2",
            id="tab",
        ),
    ],
)
def test_username_problem_rejects_outside_api_pattern(value: str, problem: str) -> None:
    # GIVEN / WHEN / THEN
    assert rules.username_problem(value) == problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        pytest.param("us-east-1_abc123", None, id="valid"),
        pytest.param("", "must be 1-55 characters; received 0 characters", id="empty"),
        pytest.param("us-east-1_" + "a" * 46, "must be 1-55 characters; received 56 characters", id="56-chars"),
        pytest.param(
            "useast1", "must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); received 'useast1'", id="no-underscore"
        ),
        pytest.param(
            "us-east-1_ab-c", "must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); received 'us-east-1_ab-c'", id="dash-id"
        ),
        pytest.param(
            "üs-east-1_abc", "must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); received 'üs-east-1_abc'", id="non-ascii"
        ),
    ],
)
def test_user_pool_id_problem_follows_length_and_pattern(value: str, problem: str | None) -> None:
    # GIVEN / WHEN / THEN
    assert rules.user_pool_id_problem(value) == problem


def test_delivery_medium_problem_rejects_email() -> None:
    # GIVEN EMAIL, which the model's enum has but AdminSetUserSettings does not set
    # WHEN / THEN
    assert rules.delivery_medium_problem("EMAIL") == (
        "must be 'SMS' (the only medium AdminSetUserSettings sets); received 'EMAIL'"
    )
    assert rules.delivery_medium_problem("SMS") is None


def test_attribute_name_problem_rejects_other_attributes() -> None:
    # GIVEN / WHEN / THEN
    assert rules.attribute_name_problem("email") == (
        "must be 'phone_number' (the only attribute AdminSetUserSettings accepts); received 'email'"
    )
    assert rules.attribute_name_problem("phone_number") is None


def test_duplicate_option_problem_names_the_repeated_option() -> None:
    # GIVEN / WHEN / THEN
    assert rules.duplicate_option_problem([("SMS", "phone_number")] * 2) == (
        "must not repeat an option; SMS/phone_number appears more than once"
    )
    assert rules.duplicate_option_problem([("SMS", "phone_number")]) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        pytest.param("+15555550123", True, id="us"),
        pytest.param("+447700900123", True, id="uk"),
        pytest.param("15555550123", False, id="no-plus"),
        pytest.param("+1 555 555 0123", False, id="spaces"),
        pytest.param("+0123456", False, id="leading-zero"),
        pytest.param("+1234567890123456", False, id="16-digits"),
    ],
)
def test_phone_number_problem_requires_e164(value: str, ok: bool) -> None:
    # GIVEN / WHEN
    problem = rules.phone_number_problem(value)
    # THEN
    assert (problem is None) is ok


def test_show_cuts_long_values() -> None:
    # GIVEN a value longer than an error message should quote
    # WHEN
    shown = rules.show("x" * 100)
    # THEN
    assert shown == "'" + "x" * 36 + "..."
    assert rules.show(14) == "int 14"


@pytest.mark.parametrize(
    ("pool_id", "region"),
    [
        pytest.param("eu-west-1_AbC123", "eu-west-1", id="eu-west-1"),
        pytest.param("us-east-1_abc", "us-east-1", id="us-east-1"),
        pytest.param("us-gov-west-1_X1", "us-gov-west-1", id="gov-partition"),
        pytest.param("ap-southeast-3_Z", "ap-southeast-3", id="three-part"),
        pytest.param("cn-north-1_Q", "cn-north-1", id="china-partition"),
    ],
)
def test_pool_region_is_the_prefix_of_the_pool_id(pool_id: str, region: str) -> None:
    # GIVEN a pool id as Cognito makes them, <region>_<id>
    # WHEN / THEN the Region is the part before the last underscore
    assert rules.pool_region(pool_id) == region


@pytest.mark.parametrize(
    "pool_id",
    [
        pytest.param("pool_abc", id="no-region"),
        pytest.param("local_pool_abc", id="underscores"),
        pytest.param("EU-WEST-1_abc", id="upper-case"),
        pytest.param("us-east-1", id="no-underscore"),
    ],
)
def test_pool_region_is_none_when_prefix_is_no_region(pool_id: str) -> None:
    # GIVEN an id whose prefix is not shaped like a Region
    # WHEN / THEN the handler falls back to its own Region
    assert rules.pool_region(pool_id) is None
