"""Hand-over across types, the decision: which live resources of the stack hold which setting of which user."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa_lambda import holders, ownership, preference_decisions, settings_decisions
from cognito_sms_mfa_lambda import settings_batch_decisions as batch_decisions
from cognito_sms_mfa_lambda.manifest import ManifestLocation
from cognito_sms_mfa_lambda.properties import UserRef
from cognito_sms_mfa_lambda.rules import MfaFactor, MfaOption

if TYPE_CHECKING:
    from collections.abc import Callable

POOL = "us-east-1_Abc123"
OTHER_POOL = "us-east-1_Other9"
SUB = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
LIST = ManifestLocation("bucket", "key.json", "a" * 64, 2)
BATCH_ID = batch_decisions.physical_id(POOL, LIST)
OWN = ("Old", "cognito-sms-mfa:us-east-1_Abc123:alice")


def item(logical_id: str, physical_id: str, status: str = "CREATE_COMPLETE") -> dict[str, str]:
    return {"LogicalResourceId": logical_id, "PhysicalResourceId": physical_id, "ResourceStatus": status}


def lists(names: tuple[str, ...] | None) -> Callable[[ManifestLocation], tuple[str, ...] | None]:
    return lambda location: names if location == LIST else None


def test_each_type_holds_its_setting_of_its_user() -> None:
    summaries = [
        item("Single", settings_decisions.physical_id(UserRef(POOL, "Ann"))),
        item("Pref", preference_decisions.physical_id(UserRef(POOL, "bo"))),
        item("Tester", ownership.physical_id(POOL, "carol", SUB)),
        item("Batch", BATCH_ID),
    ]
    found = holders.holdings_of(summaries, OWN, POOL, lists(("Dan", "eve@example.com")))
    assert found is not None
    assert found.held[holders.OPTIONS] == {"ann", "dan", "eve@example.com"}
    assert found.held[holders.SMS] == {"bo", "carol", "dan", "eve@example.com"}
    assert found.listed
    assert not found.same_id
    assert found.holds(holders.OPTIONS, ["ANN"])  # case-insensitive: keeping by mistake is the safe side


def test_deleted_resources_other_pools_and_the_request_itself_hold_nothing() -> None:
    summaries = [
        item("Gone", settings_decisions.physical_id(UserRef(POOL, "ann")), "DELETE_IN_PROGRESS"),
        item("Elsewhere", settings_decisions.physical_id(UserRef(OTHER_POOL, "bo"))),
        item(*OWN),
        item("Random", "FunctionalTest_Old_AbCdEfGh"),
    ]
    found = holders.holdings_of(summaries, OWN, POOL, lists(None))
    assert found == holders.Holdings(False, {holders.OPTIONS: frozenset(), holders.SMS: frozenset()}, False)


def test_another_logical_id_with_the_same_id_is_a_rename() -> None:
    found = holders.holdings_of([item("New", OWN[1])], OWN, POOL, lists(None))
    assert found is not None
    assert found.same_id


def test_an_unreadable_list_of_the_pool_makes_it_unknown_and_of_another_pool_does_not() -> None:
    assert holders.holdings_of([item("Batch", BATCH_ID)], OWN, POOL, lists(None)) is None
    other = batch_decisions.physical_id(OTHER_POOL, LIST)
    assert holders.holdings_of([item("Batch", other)], OWN, POOL, lists(None)) is not None


@pytest.mark.parametrize(
    ("sms", "expected"),
    [
        pytest.param(None, (holders.OPTIONS,), id="options-only"),
        pytest.param(MfaFactor.ENABLED, (holders.OPTIONS, holders.SMS), id="with-sms"),
    ],
)
def test_a_batch_target_writes_its_settings(sms: MfaFactor | None, expected: tuple[str, ...]) -> None:
    assert holders.settings_of(batch_decisions.Target((MfaOption.sms(),), sms)) == expected


def test_writes_of_held_settings_are_left_out() -> None:
    found = holders.Holdings(False, {holders.OPTIONS: frozenset(), holders.SMS: frozenset({"alice"})}, False)
    writes = (batch_decisions.SET_SETTINGS, batch_decisions.SET_PREFERENCE)
    assert holders.not_held_writes(writes, found, ["x", "Alice"]) == (batch_decisions.SET_SETTINGS,)
    assert not found.holds_every((holders.OPTIONS, holders.SMS), ["alice"])


def test_user_names_are_the_canonical_name_the_sub_and_the_aliases() -> None:
    answer = {
        "Username": SUB,
        "UserAttributes": [
            {"Name": "sub", "Value": SUB},
            {"Name": "email", "Value": "ann@example.com"},
            {"Name": "phone_number", "Value": "+15555550100"},
            {"Name": "given_name", "Value": "Ann"},
        ],
    }
    assert holders.user_names(answer) == (SUB, SUB, "ann@example.com", "+15555550100")


def test_a_preference_delete_disables_only_the_factors_not_held() -> None:
    factors = preference_decisions.parse_factors({"SmsMfa": "PREFERRED", "EmailMfa": "ENABLED"})
    held = (holders.SMS,)
    assert preference_decisions.held_settings(factors) == ("SmsMfa", "EmailMfa")
    assert [f.property for f, _ in preference_decisions.not_held(factors, held)] == ["EmailMfa"]
