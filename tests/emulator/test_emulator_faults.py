"""Injected faults and call records: what a client sees, and what the emulator counts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from collections.abc import Callable

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import MFAOptionTypeTypeDef

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

INJECTED = " (fault injected by the local Cognito emulator)"


@pytest.mark.parametrize(
    ("error_code", "status", "message"),
    [
        pytest.param("TooManyRequestsException", 400, "Rate exceeded", id="throttling"),
        pytest.param("InternalErrorException", 500, "Internal server error", id="internal-error"),
        pytest.param(
            "AccessDeniedException",
            400,
            "User is not authorized to perform: cognito-idp:AdminSetUserSettings",
            id="access-denied",
        ),
    ],
)
def test_inject_fails_next_call_with_service_status_then_succeeds(
    emulator: CognitoEmulator,
    client: CognitoIdentityProviderClient,
    pool_id: str,
    error_code: str,
    status: int,
    message: str,
) -> None:
    """cognito-idp errors: TooManyRequestsException and AccessDeniedException are HTTP 400, InternalErrorException
    is HTTP 500 (botocore model; throttling as observed from the service)."""
    # GIVEN one injected fault on AdminSetUserSettings
    client.admin_create_user(UserPoolId=pool_id, Username="alice")
    emulator.inject("AdminSetUserSettings", error_code)

    # WHEN the action is called twice
    with pytest.raises(ClientError) as excinfo:
        client.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[])
    client.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[])

    # THEN the first call fails with the code, status and message; both calls are counted
    answer = excinfo.value.response
    assert (answer["Error"]["Code"], answer["Error"]["Message"]) == (error_code, message + INJECTED)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == status
    assert emulator.calls("AdminSetUserSettings") == ["AdminSetUserSettings"] * 2


def test_inject_raw_answer_is_aws_json_error(emulator: CognitoEmulator, http: Callable[..., Any]) -> None:
    """AWS JSON 1.1 protocol: errors are {"__type", "message"} with content type application/x-amz-json-1.1."""
    # GIVEN an injected throttle
    emulator.inject("ListUserPools", "TooManyRequestsException")

    # WHEN the action is called over raw HTTP
    answer = http("POST", "/", {"MaxResults": 10}, target="ListUserPools")

    # THEN the body and headers are what botocore parses
    assert answer == (
        400,
        "application/x-amz-json-1.1",
        {"__type": "TooManyRequestsException", "message": "Rate exceeded" + INJECTED},
    )


def test_inject_with_count_fails_that_many_calls(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient
) -> None:
    """Emulator contract: ``count`` consecutive calls of the action fail, then calls reach moto again."""
    # GIVEN two injected throttles on ListUserPools
    emulator.inject("ListUserPools", "TooManyRequestsException", count=2)

    # WHEN the action is called three times
    outcomes = []
    for _ in range(3):
        try:
            client.list_user_pools(MaxResults=10)
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    # THEN two fail and the third succeeds
    assert outcomes == ["TooManyRequestsException", "TooManyRequestsException", "ok"]


def test_inject_for_several_codes_answers_them_in_order(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient
) -> None:
    """Emulator contract: faults queued for one action are answered first in, first out."""
    # GIVEN an access denial queued before a throttle
    emulator.inject("ListUserPools", "AccessDeniedException")
    emulator.inject("ListUserPools", "TooManyRequestsException")

    # WHEN the action is called twice
    codes = []
    for _ in range(2):
        with pytest.raises(ClientError) as excinfo:
            client.list_user_pools(MaxResults=10)
        codes.append(excinfo.value.response["Error"]["Code"])

    # THEN the faults come back in the order they were injected
    assert codes == ["AccessDeniedException", "TooManyRequestsException"]


def test_inject_leaves_other_actions_alone(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient, pool_id: str
) -> None:
    """Emulator contract: a fault applies to its action only."""
    # GIVEN a fault on AdminSetUserSettings
    emulator.inject("AdminSetUserSettings", "InternalErrorException")

    # WHEN another action is called
    pool = client.describe_user_pool(UserPoolId=pool_id)["UserPool"]

    # THEN it succeeds and the fault is still pending
    assert pool["Id"] == pool_id
    assert (emulator.calls(), emulator.faults()) == (
        ["CreateUserPool", "DescribeUserPool"],
        [{"action": "AdminSetUserSettings", "error": "InternalErrorException", "count": 1}],
    )


def test_inject_throttle_is_retried_by_standard_mode_client(
    emulator: CognitoEmulator, make_client: Callable[..., CognitoIdentityProviderClient]
) -> None:
    """botocore standard retry mode retries TooManyRequestsException; each attempt reaches the endpoint."""
    # GIVEN one throttle and a client allowed two attempts
    emulator.inject("ListUserPools", "TooManyRequestsException")
    client = make_client(Config(retries={"mode": "standard", "total_max_attempts": 2}))

    # WHEN the action is called once
    answer = client.list_user_pools(MaxResults=10)

    # THEN it succeeds after one retry, and the emulator saw both attempts
    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert emulator.calls() == ["ListUserPools", "ListUserPools"]


@pytest.mark.parametrize(
    ("action", "error_code", "count", "message"),
    [
        pytest.param(
            "AdminGetUser",
            "ThrottlingException",
            1,
            "unknown error code 'ThrottlingException'; expected one of: "
            "AccessDeniedException, InternalErrorException, TooManyRequestsException",
            id="unknown-code",
        ),
        pytest.param(
            "AdminSetUserSetting",
            "TooManyRequestsException",
            1,
            "unknown action 'AdminSetUserSetting' (did you mean 'AdminSetUserSettings'?); expected a cognito-idp "
            "operation name from botocore's model, such as 'AdminGetUser' or 'AdminSetUserSettings'",
            id="misspelt-action",
        ),
        pytest.param(
            "PutObject",
            "TooManyRequestsException",
            1,
            "unknown action 'PutObject'; expected a cognito-idp operation name from botocore's model, "
            "such as 'AdminGetUser' or 'AdminSetUserSettings'",
            id="other-service-action",
        ),
        pytest.param(
            "AdminGetUser",
            "TooManyRequestsException",
            0,
            "count must be an integer of at least 1; received 0",
            id="zero-count",
        ),
        pytest.param(
            "AdminGetUser",
            "TooManyRequestsException",
            True,
            "count must be an integer of at least 1; received True",
            id="bool-count",
        ),
    ],
)
def test_inject_with_invalid_argument_raises_value_error(
    emulator: CognitoEmulator, action: str, error_code: str, count: int, message: str
) -> None:
    """Emulator contract: inject accepts cognito-idp operations, three error codes and a count of at least 1."""
    # GIVEN a running emulator
    # WHEN a fault is injected with an invalid argument
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        emulator.inject(action, error_code, count)

    # THEN the message names the value and what is allowed (above), and nothing is pending
    assert emulator.faults() == []


def test_calls_with_action_keeps_only_that_action(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient, pool_id: str
) -> None:
    """Emulator contract: calls() lists X-Amz-Target actions oldest first; calls(action) filters them."""
    # GIVEN a pool and a user
    client.admin_create_user(UserPoolId=pool_id, Username="alice")

    # WHEN the user is read twice
    client.admin_get_user(UserPoolId=pool_id, Username="alice")
    client.admin_get_user(UserPoolId=pool_id, Username="alice")

    # THEN all calls are recorded in order, and the filter keeps the reads
    assert emulator.calls() == ["CreateUserPool", "AdminCreateUser", "AdminGetUser", "AdminGetUser"]
    assert emulator.calls("AdminGetUser") == ["AdminGetUser", "AdminGetUser"]


def test_calls_with_unknown_action_raises_value_error(emulator: CognitoEmulator) -> None:
    """Emulator contract: a filter that names no cognito-idp operation is a mistake, not an empty list."""
    # GIVEN a running emulator
    # WHEN calls are filtered by a misspelt action
    message = (
        "unknown action 'AdminGetUsr' (did you mean 'AdminGetUser'?); expected a cognito-idp operation name "
        "from botocore's model, such as 'AdminGetUser' or 'AdminSetUserSettings'"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        emulator.calls("AdminGetUsr")

    # THEN the message names the value and the expected kind (above), and the call list is untouched
    assert emulator.calls() == []


def test_clear_calls_keeps_pools_and_faults(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient, pool_id: str
) -> None:
    """Emulator contract: clear_calls() forgets the records only."""
    # GIVEN a pool, a recorded call and a pending fault
    emulator.inject("AdminGetUser", "TooManyRequestsException")

    # WHEN the calls are cleared
    emulator.clear_calls()

    # THEN no call is recorded, but the pool and the fault remain
    assert emulator.calls() == []
    assert client.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Id"] == pool_id
    assert emulator.faults() == [{"action": "AdminGetUser", "error": "TooManyRequestsException", "count": 1}]


def test_reset_forgets_pools_faults_and_calls(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient, pool_id: str
) -> None:
    """Emulator contract: reset() returns to a fresh moto cognito-idp, with no pending fault and no record."""
    # GIVEN a pool, a recorded call and a pending fault
    emulator.inject("AdminGetUser", "TooManyRequestsException")

    # WHEN the emulator is reset
    emulator.reset()

    # THEN the pool is gone (DescribeUserPool: ResourceNotFoundException), and so are the fault and the old call
    with pytest.raises(ClientError) as excinfo:
        client.describe_user_pool(UserPoolId=pool_id)
    assert excinfo.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert (emulator.faults(), emulator.calls()) == ([], ["DescribeUserPool"])


def test_inject_applied_fault_changes_user_then_answers_the_error(
    emulator: CognitoEmulator, client: CognitoIdentityProviderClient, pool_id: str
) -> None:
    # GIVEN a user and a write whose answer is lost after it is applied
    client.admin_create_user(UserPoolId=pool_id, Username="alice")
    emulator.inject("AdminSetUserSettings", "InternalErrorException", applied=True)
    pending = emulator.faults()
    option: MFAOptionTypeTypeDef = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
    # WHEN
    with pytest.raises(ClientError) as excinfo:
        client.admin_set_user_settings(UserPoolId=pool_id, Username="alice", MFAOptions=[option])
    # THEN the caller saw HTTP 500, yet the user holds the options
    assert pending == [
        {"action": "AdminSetUserSettings", "error": "InternalErrorException", "count": 1, "applied": True}
    ]
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["MFAOptions"] == [option]


@pytest.mark.parametrize(
    ("action", "error_code", "code", "status"),
    [
        pytest.param("GetSecretValue", "AccessDeniedException", "AccessDeniedException", 400, id="secret-denied"),
        pytest.param("GetSecretValue", "TooManyRequestsException", "ThrottlingException", 400, id="secret-throttled"),
        pytest.param("GetObject", "AccessDeniedException", "AccessDenied", 403, id="object-denied"),
        pytest.param("GetObject", "TooManyRequestsException", "SlowDown", 503, id="object-slow-down"),
    ],
)
def test_inject_into_secrets_manager_and_s3_reads_answers_in_their_words(
    emulator: CognitoEmulator, action: str, error_code: str, code: str, status: int
) -> None:
    """A secret's and an object's read fail as those services answer (S3 in XML), once, and are not counted among
    the Cognito calls."""
    import boto3

    def client(service: str) -> Any:
        make: Any = boto3.client  # typed per literal service name
        none = Config(retries={"mode": "standard", "total_max_attempts": 1})
        return make(service, endpoint_url=emulator.endpoint, region_name="us-east-1", config=none)

    secrets, s3 = client("secretsmanager"), client("s3")
    arn = secrets.create_secret(Name="pw", SecretString="x")["ARN"]
    s3.create_bucket(Bucket="lists")
    s3.put_object(Bucket="lists", Key="a.json", Body=b"{}")

    def read() -> object:
        if action == "GetSecretValue":
            return secrets.get_secret_value(SecretId=arn)["SecretString"]
        return s3.get_object(Bucket="lists", Key="a.json")["Body"].read()

    # GIVEN one fault on the read
    emulator.inject(action, error_code)
    # WHEN it is read twice
    with pytest.raises(ClientError) as excinfo:
        read()
    second = read()
    # THEN the first answers the service's own code and status, the second the value
    answer = excinfo.value.response
    assert (answer["Error"]["Code"], answer["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    assert second in ("x", b"{}")
    assert emulator.calls() == []
