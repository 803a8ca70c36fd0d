"""The control endpoints under ``/_emulator/``: the same control as the Python API, for other processes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

Http = Callable[..., Any]


def test_post_faults_injects_fault(http: Http, client: CognitoIdentityProviderClient) -> None:
    """Emulator contract: POST /_emulator/faults {"action","error","count"} is inject(action, error, count)."""
    # GIVEN a fault posted over HTTP
    answer = http("POST", "/_emulator/faults", {"action": "ListUserPools", "error": "InternalErrorException"})

    # WHEN the action is called
    with pytest.raises(ClientError) as excinfo:
        client.list_user_pools(MaxResults=10)

    # THEN the post answered the pending faults (count defaults to 1) and the call failed with HTTP 500
    assert (answer.status, answer.body) == (
        200,
        {"faults": [{"action": "ListUserPools", "error": "InternalErrorException", "count": 1}]},
    )
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            {"action": "ListUserPools", "error": "SlowDown", "count": 1},
            "unknown error code 'SlowDown'; expected one of: "
            "AccessDeniedException, InternalErrorException, TooManyRequestsException",
            id="unknown-code",
        ),
        pytest.param(
            {"error": "InternalErrorException"},
            "unknown action None; expected a cognito-idp operation name from botocore's model, "
            "such as 'AdminGetUser' or 'AdminSetUserSettings'",
            id="missing-action",
        ),
        pytest.param(
            {"action": "ListUserPools", "error": "InternalErrorException", "count": "2"},
            "count must be an integer of at least 1; received '2'",
            id="count-as-string",
        ),
        pytest.param(
            ["ListUserPools"],
            'expected a JSON object {"action": ..., "error": ..., "count": ...}',
            id="not-an-object",
        ),
    ],
)
def test_post_faults_with_invalid_body_fails_with_400(
    emulator: CognitoEmulator, http: Http, body: Any, message: str
) -> None:
    """Emulator contract: the HTTP control validates as inject() does and answers 400 with the message."""
    # GIVEN a running emulator
    # WHEN an invalid fault is posted
    answer = http("POST", "/_emulator/faults", body)

    # THEN it is refused with the reason, and nothing is pending
    assert (answer.status, answer.body) == (400, {"message": message})
    assert emulator.faults() == []


def test_get_faults_lists_pending_faults(emulator: CognitoEmulator, http: Http) -> None:
    """Emulator contract: GET /_emulator/faults is faults()."""
    # GIVEN two pending faults
    emulator.inject("AdminGetUser", "TooManyRequestsException", count=3)
    emulator.inject("AdminSetUserSettings", "AccessDeniedException")

    # WHEN they are listed over HTTP
    answer = http("GET", "/_emulator/faults")

    # THEN both are there
    assert (answer.status, answer.body) == (
        200,
        {
            "faults": [
                {"action": "AdminGetUser", "error": "TooManyRequestsException", "count": 3},
                {"action": "AdminSetUserSettings", "error": "AccessDeniedException", "count": 1},
            ]
        },
    )


@pytest.mark.parametrize(
    ("query", "calls"),
    [
        pytest.param("", ["CreateUserPool", "DescribeUserPool"], id="all"),
        pytest.param("?action=DescribeUserPool", ["DescribeUserPool"], id="filtered"),
    ],
)
def test_get_calls_lists_received_actions(
    http: Http, client: CognitoIdentityProviderClient, pool_id: str, query: str, calls: list[str]
) -> None:
    """Emulator contract: GET /_emulator/calls[?action=X] is calls([X])."""
    # GIVEN a pool created and described
    client.describe_user_pool(UserPoolId=pool_id)

    # WHEN the calls are read over HTTP
    answer = http("GET", "/_emulator/calls" + query)

    # THEN they are listed in order; control requests are not among them
    assert (answer.status, answer.body) == (200, {"calls": calls})


def test_get_calls_with_unknown_action_fails_with_400(http: Http) -> None:
    """Emulator contract: the HTTP filter validates the action as calls() does."""
    # GIVEN a running emulator
    # WHEN calls are filtered by a name that is no cognito-idp operation
    answer = http("GET", "/_emulator/calls?action=Nope")

    # THEN it is refused with the reason
    assert (answer.status, answer.body) == (
        400,
        {
            "message": "unknown action 'Nope'; expected a cognito-idp operation name from botocore's model, "
            "such as 'AdminGetUser' or 'AdminSetUserSettings'"
        },
    )


def test_delete_calls_clears_records(emulator: CognitoEmulator, http: Http, pool_id: str) -> None:
    """Emulator contract: DELETE /_emulator/calls is clear_calls()."""
    # GIVEN a recorded CreateUserPool
    # WHEN the records are deleted over HTTP
    answer = http("DELETE", "/_emulator/calls")

    # THEN none remain
    assert (answer.status, answer.body, emulator.calls()) == (200, {}, [])


def test_post_reset_forgets_pools(http: Http, client: CognitoIdentityProviderClient, pool_id: str) -> None:
    """Emulator contract: POST /_emulator/reset is reset()."""
    # GIVEN a pool and a pending fault
    http("POST", "/_emulator/faults", {"action": "AdminGetUser", "error": "InternalErrorException"})

    # WHEN the emulator is reset over HTTP
    answer = http("POST", "/_emulator/reset")

    # THEN no pool, fault or call remains
    assert (answer.status, answer.body) == (200, {})
    assert client.list_user_pools(MaxResults=10)["UserPools"] == []
    assert http("GET", "/_emulator/faults").body == {"faults": []}
    assert http("GET", "/_emulator/calls").body == {"calls": ["ListUserPools"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/_emulator/reset", id="wrong-method"),
        pytest.param("POST", "/_emulator/shutdown", id="unknown-path"),
    ],
)
def test_unknown_control_endpoint_fails_with_404(http: Http, method: str, path: str) -> None:
    """Emulator contract: only the documented method and path pairs exist under /_emulator/."""
    # GIVEN a running emulator
    # WHEN an undocumented control request is sent
    answer = http(method, path)

    # THEN it is not found
    assert (answer.status, answer.body) == (404, {"message": f"no control endpoint {method} {path}"})
