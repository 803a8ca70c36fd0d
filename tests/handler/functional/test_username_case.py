"""A username that differs from the user's only by letter case: in a case-sensitive pool the FAILED reason says
that usernames are case-sensitive there (through the bundled asset, against the emulator)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from cognito_sms_mfa_emulator.clients import emulator_client
from cognito_sms_mfa_lambda.resource import PREFERENCE_RESOURCE_TYPE, SETTINGS_RESOURCE_TYPE
from cognito_sms_mfa_lambda.user_lookup import CASE_HINT
from tests.handler.functional.batch_harness import AssetStack
from tests.handler.functional.harness import REGION, props

if TYPE_CHECKING:
    from pathlib import Path

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator
    from cognito_sms_mfa_rehearsal.cfn_responses import ResponseCollector


@pytest.mark.parametrize(
    ("case_sensitive", "username", "hinted"),
    [
        pytest.param(True, "frank", True, id="case-sensitive-pool"),
        pytest.param(False, "franky", False, id="case-insensitive-pool"),
    ],
)
@pytest.mark.parametrize("resource_type", [SETTINGS_RESOURCE_TYPE, PREFERENCE_RESOURCE_TYPE])
def test_a_user_not_found_says_whether_usernames_are_case_sensitive(
    asset_dir: Path,
    services: tuple[CognitoEmulator, ResponseCollector],
    resource_type: str,
    case_sensitive: bool,
    username: str,
    hinted: bool,
) -> None:
    # GIVEN a pool holding "Frank", created with or without case-sensitive usernames
    emulator, _ = services
    emulator.reset()
    idp = emulator_client(emulator.endpoint, REGION)
    pool_id = idp.create_user_pool(PoolName="case", UsernameConfiguration={"CaseSensitive": case_sensitive})[
        "UserPool"
    ]["Id"]
    idp.admin_create_user(UserPoolId=pool_id, Username="Frank", MessageAction="SUPPRESS")
    # WHEN settings (or a preference) of a name that is no user of the pool are created: "frank" in the
    # case-sensitive pool (in the other it would be Frank), "franky" in the case-insensitive one
    properties = props(pool_id, username)
    if resource_type == PREFERENCE_RESOURCE_TYPE:
        properties = {"UserPoolId": pool_id, "Username": username, "SmsMfa": "DISABLED"}
    created = AssetStack(asset_dir, services).send("Create", resource_type, "FrankMfa", properties)
    # THEN FAILED, the field first, and the hint only where the pool compares names case-sensitively
    assert created.status == "FAILED"
    expected = f"Username '{username}' is not a user of pool {pool_id} (AdminGetUser: UserNotFoundException)"
    assert created.reason == (f"{expected}; {CASE_HINT}" if hinted else expected)
