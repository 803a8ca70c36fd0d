"""The pure decisions of the batch type: properties, physical id, manifest, writes, reasons, hand-over, pacing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cognito_sms_mfa_lambda import pacing
from cognito_sms_mfa_lambda import settings_batch_decisions as decisions
from cognito_sms_mfa_lambda.errors import HandlerError
from cognito_sms_mfa_lambda.manifest import ManifestLocation, manifest_bytes, parse_manifest, sha256
from cognito_sms_mfa_lambda.rules import MfaFactor, MfaOption

POOL = "eu-west-1_AbC123"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
DIGEST = "a" * 64


def _props(**changes: Any) -> dict[str, Any]:
    props = {
        "UserPoolId": POOL,
        "ManifestBucket": "bucket",
        "ManifestKey": "k.json",
        "ManifestSha256": DIGEST,
        "UserCount": "3",
        "MFAOptions": [SMS],
        "MaxRequestsPerSecond": {"UserUpdate": "10"},
        "ServiceToken": "arn",
    }
    props.update(changes)
    return {k: v for k, v in props.items() if v is not None}


def test_properties_parse_with_default_rates_for_categories_not_given() -> None:
    request = decisions.parse_properties(_props(SmsMfa="PREFERRED"))
    assert request.manifest == ManifestLocation("bucket", "k.json", DIGEST, 3)
    assert request.target == decisions.Target((MfaOption.sms(),), MfaFactor.PREFERRED)
    assert request.rates == {"UserRead": 96.0, "UserUpdate": 10.0}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ManifestSha256": "xyz"}, "ManifestSha256 must be 64 lowercase hex digits"),
        ({"UserCount": "0"}, "UserCount must be a whole number of at least 1"),
        ({"ManifestKey": None}, "ManifestKey is required"),
        ({"Usernames": "a"}, "Usernames is not a property of this resource"),
        ({"SmsMfa": "ON"}, "SmsMfa must be one of"),
        ({"MaxRequestsPerSecond": {"UserWrite": "1"}}, "MaxRequestsPerSecond.UserWrite is not a category"),
        ({"MaxRequestsPerSecond": {"UserRead": "-1"}}, "MaxRequestsPerSecond.UserRead must be a number above 0"),
    ],
)
def test_bad_properties_are_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(HandlerError, match=message):
        decisions.parse_properties(_props(**change))


def test_physical_id_names_pool_and_list_and_parses_back() -> None:
    location = ManifestLocation("cdk-assets-1-eu-west-1", "f00.json", DIGEST, 5000)
    value = decisions.physical_id(POOL, location)
    assert value == f"cognito-sms-mfa-batch:{POOL}:{DIGEST}:5000:s3://cdk-assets-1-eu-west-1/f00.json"
    assert decisions.parse_physical_id(value) == decisions.BatchId(POOL, location)


@pytest.mark.parametrize(
    "value", [None, "", "cognito-sms-mfa:eu-west-1_AbC123:alice", f"cognito-sms-mfa-batch:{POOL}:{DIGEST}:5:x/y"]
)
def test_other_ids_are_not_batch_ids(value: object) -> None:
    assert decisions.parse_physical_id(value) is None


def test_manifest_round_trips_and_checks_digest_and_count() -> None:
    data = manifest_bytes(["alice", "bób"])
    location = ManifestLocation("b", "k", sha256(data), 2)
    assert parse_manifest(data, location) == ("alice", "bób")
    with pytest.raises(HandlerError, match="ManifestSha256: the list at s3://b/k has SHA-256"):
        parse_manifest(data + b" ", location)
    with pytest.raises(HandlerError, match="UserCount is 3, but s3://b/k lists 2 users"):
        parse_manifest(data, ManifestLocation("b", "k", sha256(data), 3))


def _state(options: tuple[MfaOption, ...] = (), sms: MfaFactor = MfaFactor.DISABLED, phone: bool = True) -> Any:
    return decisions.UserState("alice", options, sms, phone)


def test_writes_only_what_differs() -> None:
    target = decisions.Target((MfaOption.sms(),), MfaFactor.PREFERRED)
    assert decisions.writes_needed(_state(), target) == (decisions.SET_SETTINGS, decisions.SET_PREFERENCE)
    assert decisions.writes_needed(_state((MfaOption.sms(),), MfaFactor.PREFERRED), target) == ()
    assert decisions.writes_needed(_state(sms=MfaFactor.ENABLED), decisions.Target((), None)) == ()
    assert decisions.writes_needed(_state(sms=MfaFactor.ENABLED), target.cleared()) == (decisions.SET_PREFERENCE,)


def test_read_problems() -> None:
    sms = decisions.Target((MfaOption.sms(),), None)
    assert decisions.read_problem(None, sms) == decisions.NOT_A_USER
    assert decisions.read_problem(_state(phone=False), sms) == decisions.NO_PHONE
    assert decisions.read_problem(_state(phone=False), sms.cleared()) is None


def test_user_state_reads_an_admin_get_user_answer() -> None:
    answer = {
        "Username": "alice",
        "MFAOptions": [SMS],
        "UserMFASettingList": ["SMS_MFA"],
        "PreferredMfaSetting": "SMS_MFA",
        "UserAttributes": [{"Name": "phone_number", "Value": "+15555550100"}],
    }
    assert decisions.user_state(answer) == decisions.UserState("alice", (MfaOption.sms(),), MfaFactor.PREFERRED, True)


def test_problems_reason_counts_first_and_names_three() -> None:
    problems = decisions.Tally()
    for i in range(5):
        problems.add(f"u{i}", "not a user")
    reason = decisions.problems_reason(problems, 1000, POOL, written=0)
    assert reason == (
        f"5 of 1,000 users of {POOL} failed, nothing was written: 'u0' (not a user), 'u1' (not a user), "
        "'u2' (not a user) and 2 more"
    )
    assert ", 7 written: " in decisions.problems_reason(problems, 10, POOL, written=7)


def test_least_time_and_its_words() -> None:
    calls = {"UserRead": 1000, "UserUpdate": 1000}
    rates = pacing.default_rates()
    assert pacing.least_time_s(calls, rates) == pytest.approx(1000 / 96 + 1000 / 20)
    assert pacing.describe_least_time(calls, rates) == "1,000 UserRead / 96/s + 1,000 UserUpdate / 20/s = 60 s"


def test_pacer_spaces_calls_and_halves_the_rate_after_a_throttle() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = pacing.Pacer({"UserUpdate": 20.0}, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        pacer.wait("UserUpdate")
    assert slept == pytest.approx([0.05, 0.05])
    pacer.throttled("UserUpdate")
    pacer.wait("UserUpdate")
    pacer.wait("UserUpdate")
    assert slept[-1] == pytest.approx(0.1)
    assert pacer.counts() == {"UserUpdate": (5, 1)}


def test_the_category_table_agrees_with_the_emulators() -> None:
    from cognito_sms_mfa_emulator.rate_limits import SERVICE_QUOTAS, category_of

    assert {op: category_of(op) for op in pacing.OPERATION_CATEGORIES} == pacing.OPERATION_CATEGORIES
    assert pacing.DEFAULT_QUOTAS_RPS == SERVICE_QUOTAS


def test_progress_line() -> None:
    line = decisions.progress_line("read", 500, 1000, {"UserRead": (500, 2), "UserUpdate": (0, 0)}, 5.0)
    assert line == "batch read 500/1000 UserRead=100.0/s UserUpdate=0.0/s throttles=2 elapsed=5.0s"


def test_progress_state_round_trips_and_counts_the_invocation() -> None:
    # GIVEN a request half-way through its write phase, with a problem and a failure named
    progress = decisions.Progress("req-1", 1_700_000_000.5, phase=decisions.WRITE, cursor=400, written=390)
    progress.unchanged, progress.kept, progress.gone = 10, 2, 1
    progress.failures.add("bob", "AdminSetUserSettings AccessDeniedException")
    # WHEN it travels to the next invocation
    resumed = decisions.resume(json.loads(json.dumps(progress.to_state())), "req-1")
    # THEN the next invocation goes on where it stopped, and is counted
    assert (resumed.phase, resumed.cursor, resumed.written, resumed.unchanged) == (decisions.WRITE, 400, 390, 10)
    assert (resumed.kept, resumed.gone, resumed.started) == (2, 1, 1_700_000_000.5)
    assert resumed.failures == progress.failures
    assert resumed.invocations == 2


def test_progress_state_stays_small_whatever_it_names() -> None:
    progress = decisions.Progress("0a1b2c3d-aaaa-bbbb-cccc-000000000001", 1_700_000_000.0, cursor=49_999)
    for i in range(50):
        for tally in (progress.problems, progress.failures, progress.skipped):
            tally.add("x" * 128 + str(i), "AdminSetUserSettings TooManyRequestsException")
    assert progress.problems.count == 50
    assert len(json.dumps(progress.to_state())) < 2048
    assert decisions.resume(progress.to_state(), progress.request_id).skipped.count == 50


STATE = decisions.UserState("ann", (), MfaFactor.DISABLED, has_phone=True)
WITH_SMS = decisions.UserState("ann", (MfaOption.sms(),), MfaFactor.PREFERRED, has_phone=True)
TARGET = decisions.Target((MfaOption.sms(),), MfaFactor.PREFERRED)


def test_a_record_round_trips_its_priors_and_claims_and_keeps_the_first_prior() -> None:
    record = decisions.WriteRecord()
    assert record.add("Ann", decisions.Prior.of(STATE))
    assert not record.add("ann", decisions.Prior.of(WITH_SMS))  # the prior from before any write stays
    record.add("bo", decisions.Prior.of(WITH_SMS))
    assert record.claim("req-1", 1)
    again = decisions.WriteRecord.from_bytes(record.to_bytes(), "s3://b/k")
    assert again.get("ANN") == decisions.Prior((), MfaFactor.DISABLED)
    assert again.get("bo") == decisions.Prior((MfaOption.sms(),), MfaFactor.PREFERRED)
    assert again.get("cy") is None
    assert again.claims == {"req-1": 1}
    again.forget()
    assert len(again) == 0
    assert again.claims == {"req-1": 1}


def test_a_claim_is_taken_once_per_invocation_and_only_the_last_requests_are_kept() -> None:
    record = decisions.WriteRecord()
    assert record.claim("req-1", 1)
    assert not record.claim("req-1", 1)  # the same delivery again
    assert record.claim("req-1", 2)
    assert not record.claim("req-1", 1)  # an older poll arriving late
    for n in range(decisions.MAX_CLAIMS):
        record.claim(f"other-{n}", 1)
    assert "req-1" not in record.claims
    assert len(record.claims) == decisions.MAX_CLAIMS


@pytest.mark.parametrize("data", [b"{}", b"[]", b"not json", json.dumps({"format": decisions.RECORD_FORMAT}).encode()])
def test_a_record_of_another_shape_is_refused(data: bytes) -> None:
    with pytest.raises(HandlerError, match=r"^Record: s3://b/k is not a record"):
        decisions.WriteRecord.from_bytes(data, "s3://b/k")


def test_restore_writes_put_back_only_what_the_batch_changed_and_differs_now() -> None:
    prior = decisions.Prior.of(STATE)
    # written by the batch (options and factor differed from the target): both put back
    assert decisions.restore_writes(WITH_SMS, prior, TARGET) == (decisions.SET_SETTINGS, decisions.SET_PREFERENCE)
    assert decisions.restoring(prior, TARGET) == decisions.Target((), MfaFactor.DISABLED)
    # already back: nothing
    assert decisions.restore_writes(STATE, prior, TARGET) == ()
    # the factor not managed: only the options
    assert decisions.restore_writes(WITH_SMS, prior, decisions.Target((MfaOption.sms(),), None)) == (
        decisions.SET_SETTINGS,
    )
    # a prior equal to the target (the batch never changed it): nothing, whatever the user holds now
    assert decisions.restore_writes(STATE, decisions.Prior.of(WITH_SMS), TARGET) == ()


def test_a_batch_made_before_records_is_taken_to_have_cleared_what_it_managed() -> None:
    assert decisions.legacy_prior(WITH_SMS, TARGET) == decisions.Prior((), MfaFactor.DISABLED)
    unmanaged = decisions.Target((MfaOption.sms(),), None)
    assert decisions.legacy_prior(WITH_SMS, unmanaged) == decisions.Prior((), MfaFactor.PREFERRED)


def test_the_record_key_begins_with_the_lists_digest_and_names_stack_and_pool() -> None:
    batch = decisions.BatchId(POOL, ManifestLocation("bucket", f"{DIGEST}.json", DIGEST, 3))
    stack = "arn:aws:cloudformation:eu-west-1:123456789012:stack/App/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9"
    key = decisions.record_key(stack, batch)
    assert key == f"{DIGEST}.cognito-sms-mfa-record.0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9.{POOL}.json"
    assert key.split(".")[0] == DIGEST  # what cdk gc compares with the templates


def test_report_names_the_skipped_and_the_unrestored() -> None:
    skipped, unrestored = decisions.Tally(), decisions.Tally()
    assert decisions.report(skipped, unrestored) == ""
    for name in ("ann", "bo", "cy", "di"):
        skipped.add(name, decisions.NOT_A_USER)
    unrestored.add("ed", "AdminSetUserSettings TooManyRequestsException")
    assert decisions.report(skipped, unrestored) == (
        "4 skipped: 'ann' (not a user), 'bo' (not a user), 'cy' (not a user) and 1 more; "
        "1 not restored: 'ed' (AdminSetUserSettings TooManyRequestsException)"
    )


def test_record_property() -> None:
    assert decisions.parse_properties(_props(Record="1")).recorded
    assert not decisions.parse_properties(_props()).recorded
    with pytest.raises(HandlerError, match=r"^Record must be '1'; received '2'"):
        decisions.parse_properties(_props(Record="2"))


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        pytest.param(None, "the continuation's state is missing", id="missing"),
        pytest.param({"format": "other"}, "the continuation's state is missing", id="other-format"),
        pytest.param(
            {"format": decisions.STATE_FORMAT, "request": "req-2"}, "belongs to request 'req-2'", id="other-request"
        ),
        pytest.param(
            {"format": decisions.STATE_FORMAT, "request": "req-1", "counts": [1]}, "cannot be read", id="short-counts"
        ),
    ],
)
def test_resume_refuses_a_state_it_did_not_write_for_this_request(state: object, reason: str) -> None:
    with pytest.raises(HandlerError, match=reason):
        decisions.resume(state, "req-1")


def test_resume_refuses_an_unknown_phase() -> None:
    state = decisions.Progress("req-1", 0.0).to_state()
    state["phase"] = "rewrite"
    with pytest.raises(HandlerError, match="names phase 'rewrite' at 0"):
        decisions.resume(state, "req-1")


def test_phases_are_entered_in_order_only() -> None:
    progress = decisions.Progress("req-1", 0.0, phase=decisions.WRITE, cursor=7)
    progress.enter(decisions.CHECK)
    assert (progress.phase, progress.cursor) == (decisions.WRITE, 7)
    progress.enter(decisions.CLEAR)
    assert (progress.phase, progress.cursor) == (decisions.CLEAR, 0)


def test_service_deadline_is_the_service_timeout_after_the_start() -> None:
    assert decisions.service_deadline({"ServiceTimeout": "930"}, 100.0) == 1030.0
    assert decisions.service_deadline({}, 100.0) == 3700.0


@pytest.mark.parametrize(("value", "expected"), [("true", True), ("false", False)])
def test_continuation_property(value: str, expected: bool) -> None:
    assert decisions.parse_continuation({"Continuation": value}) is expected
    assert decisions.parse_continuation({}) is False


def test_continuation_property_refuses_other_values() -> None:
    with pytest.raises(HandlerError, match="Continuation must be 'true' or 'false'; received 'yes'"):
        decisions.parse_continuation({"Continuation": "yes"})


def test_continuation_capacity_is_the_hour_at_the_slices_duty() -> None:
    # 870 s of work per invocation, then up to a minute until the rule fires the next one
    assert pacing.continuation_capacity_s(3600, 870, 30) == pytest.approx(3570 * 870 / 930)
    assert pacing.describe_capacity(3600, 870, 30) == "(3,600 s - 30 s) x 870 / (870 + 60) = 3,340 s"
    assert pacing.continuation_capacity_s(20, 870, 30) == 0.0


def test_pending_names_the_users_to_write_up_to_its_limit_then_gives_up() -> None:
    # GIVEN a check that finds users needing a write
    progress = decisions.Progress("req-1", 0.0)
    for index in range(decisions.MAX_PENDING):
        progress.needs_write(index * 3)
    # THEN the progress names them, and they travel to the next invocation
    assert progress.pending == [index * 3 for index in range(decisions.MAX_PENDING)]
    assert decisions.resume(json.loads(json.dumps(progress.to_state())), "req-1").pending == progress.pending
    # WHEN one more differs, the write phase must go over the whole list again
    progress.needs_write(1)
    assert progress.pending is None
    assert decisions.resume(json.loads(json.dumps(progress.to_state())), "req-1").pending is None


def test_a_full_pending_list_of_a_50000_user_batch_stays_small() -> None:
    progress = decisions.Progress("0a1b2c3d-aaaa-bbbb-cccc-000000000001", 1_700_000_000.0)
    for index in range(decisions.MAX_PENDING):
        progress.needs_write(49_999 - index)
    assert len(json.dumps(progress.to_state())) < 3 * 1024


def test_the_pacer_backs_off_on_throttles_to_a_floor_and_regains_its_share_only() -> None:
    # GIVEN a batch's share of the stack's pace (10/s) and a clock that only the pacer's sleeps move
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    pacer = pacing.Pacer(pacing.shared_rates({"UserUpdate": 20.0}, 2), clock=lambda: now[0], sleep=sleep)

    def spacing() -> float:
        pacer.wait("UserUpdate")
        before = now[0]
        pacer.wait("UserUpdate")
        return now[0] - before

    # WHEN other traffic makes Cognito throttle it again and again
    for _ in range(10):
        pacer.throttled("UserUpdate")
    # THEN it slows down to 5 % of its share (2 s between calls), never to a stop
    assert spacing() == pytest.approx(1 / (10.0 * pacing.MIN_RATE_SHARE))
    # AND calls that go through regain 1 % of the share each, up to the share and never above it
    for _ in range(200):
        pacer.succeeded("UserUpdate")
    assert spacing() == pytest.approx(0.1)
