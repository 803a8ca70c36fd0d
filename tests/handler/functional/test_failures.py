"""Bad input, injected faults, the time budget and crhelper hygiene, through crhelper over real HTTP and TLS."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from cognito_sms_mfa_emulator.emulator import CognitoEmulator
from tests.handler.functional.harness import SMS, Deployer, Pool, load_handler, props

GET, SET = "AdminGetUser", "AdminSetUserSettings"


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        pytest.param(
            {"UserPoolId": "pool"},
            "UserPoolId must match <region>_<id> ([\\w-]+_[0-9a-zA-Z]+); received 'pool'",
            id="pool-pattern",
        ),
        pytest.param(
            {"Username": "a" * 129}, "Username must be 1-128 characters; received 129 characters", id="username-long"
        ),
        pytest.param(
            {"Username": "al ice"},
            "Username must contain only letters, marks, symbols, numbers and punctuation; received 'al ice' with SPACE at position 3",
            id="username-space",
        ),
        pytest.param(
            {"MFAOptions": "SMS"},
            "MFAOptions must be a list of {DeliveryMedium, AttributeName}; received 'SMS'",
            id="options-string",
        ),
        pytest.param(
            {"MFAOptions": [{"DeliveryMedium": "EMAIL", "AttributeName": "phone_number"}]},
            "MFAOptions[0].DeliveryMedium must be 'SMS' (the only medium AdminSetUserSettings sets); received 'EMAIL'",
            id="medium",
        ),
        pytest.param(
            {"MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "email"}]},
            "MFAOptions[0].AttributeName must be 'phone_number' (the only attribute AdminSetUserSettings accepts); received 'email'",
            id="attribute",
        ),
        pytest.param(
            {"MFAOptions": [SMS, SMS]},
            "MFAOptions must not repeat an option; SMS/phone_number appears more than once",
            id="duplicate",
        ),
        pytest.param(
            {"Extra": "true"},
            "Extra is not a property of this resource; expected UserPoolId, Username, MFAOptions",
            id="unknown",
        ),
    ],
)
@pytest.mark.parametrize("request_type", ["Create", "Update"])
def test_invalid_property_fails_without_cognito_calls(
    deploy: Deployer, pool: Pool, request_type: str, override: dict[str, Any], reason: str
) -> None:
    # GIVEN properties with one bad value
    properties = {**props(pool.id), **override}
    old_id = f"cognito-sms-mfa:{pool.id}:alice"
    # WHEN
    response = deploy.send(
        request_type,
        properties,
        physical_id=old_id if request_type == "Update" else None,
        old_properties=props(pool.id) if request_type == "Update" else None,
    )
    # THEN FAILED with the exact reason, no call at all, and (on Update) the old id kept
    assert response.status == "FAILED"
    assert response.reason == reason
    assert deploy.calls() == []
    if request_type == "Update":
        assert response.physical_id == old_id


@pytest.mark.parametrize(
    "error_code", ["TooManyRequestsException", "InternalErrorException"], ids=["throttled", "http-500"]
)
@pytest.mark.parametrize("action", [GET, SET])
def test_transient_errors_are_retried_by_the_handler(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator, action: str, error_code: str
) -> None:
    # GIVEN the next two calls of the action fail
    emulator.inject(action, error_code, count=2)
    # WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN the handler's retry loop retried them
    assert response.status == "SUCCESS", response.reason
    assert deploy.calls().count(action) == 3
    assert pool.options("alice") == [SMS]


def test_throttling_is_retried_beyond_three_attempts(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    # GIVEN throttling of six reads and four writes in a row (botocore's standard mode gives up after three)
    emulator.inject(GET, "TooManyRequestsException", count=6)
    emulator.inject(SET, "TooManyRequestsException", count=4)
    # WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN
    assert response.status == "SUCCESS", response.reason
    assert deploy.calls() == [GET] * 7 + [SET] * 5
    assert pool.options("alice") == [SMS]


def test_persistent_throttling_fails_with_reason_while_time_remains(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN endless throttling and 32 s of Lambda time: 2 s above the 30 s kept to answer
    emulator.inject(GET, "TooManyRequestsException", count=1000)
    # WHEN
    response = deploy.send("Create", props(pool.id), remaining_s=32.0)
    # THEN the handler answered itself, once, before crhelper's timer
    assert response.status == "FAILED"
    assert response.reason.startswith(f"UserPoolId {pool.id}: AdminGetUser failed (TooManyRequestsException: ")
    assert SET not in deploy.calls()
    assert len(deploy.collector.responses(deploy.last_event["ResponseURL"])) == 1


def test_access_denied_after_deploy_is_retried_until_granted(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN IAM propagation: the first two writes are denied
    emulator.inject(SET, "AccessDeniedException", count=2)
    # WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN
    assert response.status == "SUCCESS", response.reason
    assert deploy.calls() == [GET, SET, SET, SET]
    assert pool.options("alice") == [SMS]


def test_access_denied_near_timeout_fails_before_lambda_ends(
    deploy: Deployer, pool: Pool, emulator: CognitoEmulator
) -> None:
    # GIVEN access denied and only 25 s of Lambda time left (below the 30 s reserve)
    emulator.inject(GET, "AccessDeniedException", count=5)
    # WHEN
    response = deploy.send("Create", props(pool.id), remaining_s=25.0)
    # THEN the handler answered itself, at once, without crhelper's timer
    assert response.status == "FAILED"
    assert response.reason == (
        f"UserPoolId {pool.id}: AdminGetUser denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminGetUser"
    )
    assert deploy.calls() == [GET]
    assert len(deploy.collector.responses(deploy.last_event["ResponseURL"])) == 1


def test_response_body_stays_under_4096_bytes_for_longest_names(deploy: Deployer, pool: Pool) -> None:
    # GIVEN a 128-character username of 4-byte symbols (each escaped as 12 JSON characters) and a long logical id
    name = "\U0001f600" * 128
    pool.client.admin_create_user(UserPoolId=pool.id, Username=name, MessageAction="SUPPRESS")
    # WHEN
    response = deploy.send("Create", props(pool.id, name), logical_id="L" * 255)
    # THEN
    assert response.status == "SUCCESS", response.reason
    assert len(response.raw) < 4096
    assert response.data["Username"] == name


def test_logs_hold_one_line_per_request_without_secrets(
    deploy: Deployer, pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN INFO logging captured
    caplog.set_level(logging.DEBUG)
    # WHEN
    deploy.send("Create", props(pool.id))
    # THEN one summary line, and no ResponseURL, signature or phone number anywhere
    url = deploy.last_event["ResponseURL"]
    summary = [r.getMessage() for r in caplog.records if r.getMessage().startswith("request=")]
    assert len(summary) == 1
    assert summary[0].startswith(f"request=Create logical_id=AliceMfa pool={pool.id} outcome=SUCCESS detail=written ")
    assert "cognito_calls=2 attempts=2 duration_ms=" in summary[0]
    assert url not in caplog.text
    assert "X-Amz-Signature" not in caplog.text
    assert "+1555555" not in caplog.text
    assert not [r for r in caplog.records if r.levelno < logging.INFO and r.name.startswith("crhelper")]


def test_start_up_failure_answers_failed(monkeypatch: pytest.MonkeyPatch, deploy: Deployer, pool: Pool) -> None:
    # GIVEN a runtime without a Region: the client cannot be built at start-up
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    deploy.module = load_handler()
    # WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN CloudFormation hears FAILED at once instead of waiting for the timeout
    assert response.status == "FAILED"
    assert response.reason == "You must specify a region."
    assert deploy.calls() == []


def test_response_body_is_valid_cloudformation_shape(deploy: Deployer, pool: Pool) -> None:
    # GIVEN / WHEN
    response = deploy.send("Create", props(pool.id))
    # THEN every field CloudFormation reads is there
    body = json.loads(response.raw)
    assert set(body) >= {"Status", "PhysicalResourceId", "StackId", "RequestId", "LogicalResourceId", "Data"}
    assert body["RequestId"] == deploy.last_event["RequestId"]


def test_delete_denied_fails_at_once_without_retries(deploy: Deployer, pool: Pool, emulator: CognitoEmulator) -> None:
    # GIVEN settings on alice, and a role that may no longer write to her pool
    created = deploy.send("Create", props(pool.id))
    emulator.inject(SET, "AccessDeniedException", count=3)
    # WHEN
    deleted = deploy.send("Delete", props(pool.id), physical_id=created.physical_id)
    # THEN one call and a precise reason, without spending the retry budget
    assert deleted.status == "FAILED"
    assert deleted.reason == (
        f"UserPoolId {pool.id}: AdminSetUserSettings denied (AccessDeniedException); the handler role needs "
        "cognito-idp:AdminSetUserSettings"
    )
    assert deploy.calls() == [SET]
