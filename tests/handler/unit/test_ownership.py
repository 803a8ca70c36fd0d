"""The ownership facts of a test user, as pure decisions: each situation in which a request meets an existing user.

The rows of the ownership table in ``docs/design.md``; the lifecycle through the bundled asset is in
``tests/handler/functional/test_test_user_ownership.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cognito_sms_mfa_lambda import ownership
from cognito_sms_mfa_lambda.resource import TEST_USER_RESOURCE_TYPE

POOL = "us-east-1_Pool1"
SUB = "0f6c3a8e-4b1d-4c2e-9a7f-2d5b8e1c6a90"
OTHER_SUB = "7d2e9b1a-3c4f-4e5d-8a6b-1f0c9e8d7b62"
T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def user(username: str = "frank", sub: str = SUB, status: str = "CONFIRMED", created: datetime = T0) -> dict[str, Any]:
    """An AdminGetUser answer."""
    return {
        "Username": username,
        "UserAttributes": [{"Name": "sub", "Value": sub}],
        "UserStatus": status,
        "UserCreateDate": created,
    }


def summary(
    logical_id: str, physical_id: str, status: str = "UPDATE_COMPLETE", kind: str = TEST_USER_RESOURCE_TYPE
) -> dict[str, Any]:
    return {
        "LogicalResourceId": logical_id,
        "PhysicalResourceId": physical_id,
        "ResourceType": kind,
        "ResourceStatus": status,
    }


def test_physical_id_records_pool_sub_and_canonical_name_and_reads_back() -> None:
    # GIVEN a user with a colon in its name
    # WHEN its id is written and read
    value = ownership.physical_id(POOL, "team:frank", SUB)
    # THEN the three parts come back as they went in
    assert value == f"cognito-test-user:{POOL}:{SUB}:team:frank"
    assert ownership.parse_physical_id(value) == ownership.TestUserId(POOL, "team:frank", SUB)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        pytest.param(
            f"cognito-test-user:{POOL}:frank", ownership.TestUserId(POOL, "frank", None), id="written-before-the-sub"
        ),
        pytest.param("CognitoStack_Frank_AbCdEfGh", None, id="crhelper-random-id"),
        pytest.param(f"cognito-sms-mfa:{POOL}:frank", None, id="settings-id"),
        pytest.param(f"cognito-test-user:not a pool:{SUB}:frank", None, id="bad-pool"),
        pytest.param(f"cognito-test-user:{POOL}:{SUB}:", None, id="no-username"),
        pytest.param(None, None, id="none"),
        pytest.param(
            f"cognito-test-user:{POOL}:{SUB}/{POOL}/{OTHER_SUB}:frank",
            ownership.TestUserId(POOL, "frank", SUB, (POOL, OTHER_SUB)),
            id="replaced-another-user",
        ),
        pytest.param(
            f"cognito-test-user:{POOL}:{SUB}/{POOL}:frank",
            ownership.TestUserId(POOL, f"{SUB}/{POOL}:frank", None),
            id="half-a-replaced-record-is-a-name",
        ),
    ],
)
def test_parse_physical_id_accepts_only_ids_of_ours(value: object, parsed: ownership.TestUserId | None) -> None:
    assert ownership.parse_physical_id(value) == parsed


@pytest.mark.parametrize(
    ("found", "created_here", "held_by", "adopt", "how", "reason_start"),
    [
        pytest.param(
            user("alice"),
            False,
            False,
            True,
            None,
            "Username 'alice@example.com' names another user",
            id="alias-refused-even-with-adopt",
        ),
        pytest.param(
            user("frank", status="FORCE_CHANGE_PASSWORD"),
            True,
            False,
            False,
            "created",
            "",
            id="lost-answer-own-create",
        ),
        pytest.param(
            user(), False, ownership.physical_id(POOL, "frank", SUB), False, "handed-over", "", id="renamed-construct"
        ),
        pytest.param(user(), False, f"cognito-test-user:{POOL}:frank", False, "handed-over", "", id="renamed-old-id"),
        pytest.param(
            user(sub=OTHER_SUB),
            False,
            ownership.physical_id(POOL, "frank", SUB),
            False,
            None,
            "Username 'frank' is an existing user",
            id="held-id-of-another-sub",
        ),
        pytest.param(user(), False, False, True, "adopted", "", id="deliberate-adoption"),
        pytest.param(
            user(),
            False,
            None,
            False,
            None,
            "Username 'frank' exists in pool us-east-1_Pool1 and CloudFormation could not tell",
            id="unknown-holder",
        ),
        pytest.param(
            user(),
            False,
            False,
            False,
            None,
            "Username 'frank' is an existing user of pool us-east-1_Pool1 that this stack did not create",
            id="another-stacks-user",
        ),
    ],
)
def test_claim_existing_takes_only_what_the_stack_owns(
    found: dict[str, Any],
    created_here: bool,
    held_by: str | bool | None,
    adopt: bool,
    how: str | None,
    reason_start: str,
) -> None:
    # GIVEN a Create that met an existing user
    wanted = "alice@example.com" if found["Username"] == "alice" else "frank"
    # WHEN it decides
    claim = ownership.claim_existing(
        wanted=wanted, user_pool_id=POOL, found=found, created_here=created_here, held_by=held_by, adopt=adopt
    )
    # THEN it takes the user only on a fact of ownership, and otherwise says which user exists and why not
    assert claim.how == how
    assert claim.reason.startswith(reason_start)
    assert len(claim.reason) < 200


def test_an_id_that_replaced_a_user_records_its_pool_and_sub_and_reads_back() -> None:
    # GIVEN the id a move from frank (OTHER_SUB, pool 2) to the user of SUB answers
    previous = ownership.TestUserId("eu-west-1_Pool2", "frank", OTHER_SUB)
    value = ownership.physical_id(POOL, "team:dave", SUB, ownership.replaced_by_move(previous))
    # WHEN it is read
    parsed = ownership.parse_physical_id(value)
    # THEN it names the new user and the replaced one's pool and sub, which only that very user restores
    assert parsed == ownership.TestUserId(POOL, "team:dave", SUB, ("eu-west-1_Pool2", OTHER_SUB))
    assert ownership.restores(parsed, "eu-west-1_Pool2", user("frank", sub=OTHER_SUB))
    assert not ownership.restores(parsed, "eu-west-1_Pool2", user("frank", sub=SUB))
    assert not ownership.restores(parsed, POOL, user("frank", sub=OTHER_SUB))
    assert not ownership.restores(ownership.TestUserId(POOL, "dave", SUB), POOL, user("frank", sub=OTHER_SUB))
    # AND an id written before the sub was recorded leaves nothing to record
    assert ownership.replaced_by_move(ownership.TestUserId(POOL, "frank", None)) is None


def test_claim_existing_restores_the_user_a_rolled_back_move_left() -> None:
    # WHEN a rollback Update meets the user it held before the move (no holder, no adoption)
    claim = ownership.claim_existing(
        wanted="frank", user_pool_id=POOL, found=user(), created_here=False, held_by=False, adopt=False, restored=True
    )
    # THEN it takes it back
    assert claim.how == "restored"


def test_claim_existing_refuses_a_case_variant_of_the_stored_name() -> None:
    # GIVEN a case-insensitive pool where "Frank" resolves to the stored "frank"
    claim = ownership.claim_existing(
        wanted="Frank", user_pool_id=POOL, found=user("frank"), created_here=False, held_by=False, adopt=True
    )
    # WHEN / THEN the name is not the canonical one: refused
    assert claim.how is None
    assert "('frank': Cognito resolves an alias, a sub or another spelling to it)" in claim.reason


@pytest.mark.parametrize(
    ("status", "created", "mine"),
    [
        pytest.param("FORCE_CHANGE_PASSWORD", T0, True, id="made-after-the-first-attempt"),
        pytest.param("FORCE_CHANGE_PASSWORD", T0 - timedelta(seconds=1), True, id="within-clock-tolerance"),
        pytest.param("FORCE_CHANGE_PASSWORD", T0 - timedelta(seconds=30), False, id="made-before-the-request"),
        pytest.param("CONFIRMED", T0 + timedelta(seconds=1), False, id="already-has-a-password"),
    ],
)
def test_created_by_this_request_needs_a_fresh_user_without_password(
    status: str, created: datetime, mine: bool
) -> None:
    assert ownership.created_by_this_request(user(status=status, created=created), T0) is mine


def test_holder_is_another_live_test_user_of_the_same_pool_and_name() -> None:
    # GIVEN the stack's resources: the request's own, a deleted one, a settings resource and a live renamed one
    own = ownership.physical_id(POOL, "frank", SUB)
    summaries = [
        summary("Frank", own),
        summary("Gone", own, status="DELETE_COMPLETE"),
        summary("Settings", f"cognito-sms-mfa:{POOL}:frank", kind="Custom::CognitoUserSmsMfaSettings"),
        summary("OtherPool", ownership.physical_id("us-east-1_Pool2", "frank", SUB)),
    ]
    # WHEN / THEN none holds it for another resource; a live renamed one does
    assert ownership.holder(summaries, "Frank", POOL, "frank") is None
    assert ownership.holder([*summaries, summary("FrankOld", own)], "Frank", POOL, "frank") == own


@pytest.mark.parametrize(
    ("found", "same"),
    [
        pytest.param(user(), True, id="same-name-and-sub"),
        pytest.param(user(sub=OTHER_SUB), False, id="made-again-outside"),
        pytest.param(user("alice"), False, id="name-resolved-to-another-user"),
    ],
)
def test_is_same_user_compares_canonical_name_and_sub(found: dict[str, Any], same: bool) -> None:
    assert ownership.is_same_user(ownership.TestUserId(POOL, "frank", SUB), found) is same


def test_is_same_user_of_an_id_without_sub_compares_the_name() -> None:
    assert ownership.is_same_user(ownership.TestUserId(POOL, "frank", None), user(sub=OTHER_SUB)) is True


@pytest.mark.parametrize(
    ("how", "secret_changed", "status", "version", "holder_updated", "needed"),
    [
        pytest.param("created", False, "FORCE_CHANGE_PASSWORD", None, None, True, id="created"),
        pytest.param("adopted", False, "CONFIRMED", None, None, True, id="adopted"),
        pytest.param("in-place", False, "CONFIRMED", T0, None, False, id="in-place-same-secret"),
        pytest.param("in-place", True, "CONFIRMED", T0, None, True, id="in-place-new-revision"),
        pytest.param("in-place", False, "FORCE_CHANGE_PASSWORD", T0, None, True, id="in-place-no-password-yet"),
        pytest.param("restored", True, "CONFIRMED", T0, None, False, id="rollback-of-a-move-keeps-the-password"),
        pytest.param("restored", False, "FORCE_CHANGE_PASSWORD", T0, None, True, id="rollback-user-has-none"),
        pytest.param(
            "handed-over", False, "CONFIRMED", T0, T0 + timedelta(minutes=1), False, id="rename-keeps-version"
        ),
        pytest.param(
            "handed-over", False, "CONFIRMED", T0 + timedelta(minutes=2), T0, True, id="rename-with-new-version"
        ),
        pytest.param(
            "handed-over",
            False,
            "FORCE_CHANGE_PASSWORD",
            T0,
            T0 + timedelta(minutes=1),
            True,
            id="rename-holder-had-none",
        ),
    ],
)
def test_password_is_set_once_per_secret_version(
    how: str, secret_changed: bool, status: str, version: datetime | None, holder_updated: datetime | None, needed: bool
) -> None:
    assert (
        ownership.password_needed(
            how=how,
            secret_changed=secret_changed,
            user=user(status=status),
            version_created=version,
            holder_updated=holder_updated,
        )
        is needed
    )
