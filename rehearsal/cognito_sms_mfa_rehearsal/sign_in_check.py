"""Sign a rehearsed test user in, as a QA engineer would: its password from the secret, the SMS code from the outbox.

The rehearsal calls :func:`sign_in` for each test user that has a password, after its Create (and after the
``--cycle`` Update that changed its phone number and password): it expects an ``SMS_MFA`` challenge for a user
with SMS MFA and none otherwise, reads the code the emulator "sent" from its SMS outbox (the HTTP control
endpoint, so an emulator started elsewhere works too) and completes the challenge.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from cognito_sms_mfa_lambda.test_user_decisions import password_from_secret

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

__all__ = ["NO_MFA_OK", "SMS_CHALLENGE_OK", "SignIn", "sign_in"]

SMS_CHALLENGE_OK = "SMS challenge ok"
NO_MFA_OK = "no MFA ok"
CLIENT_NAME = "rehearsal-sign-in"
OUTBOX_PATH = "/_emulator/sms-outbox"


@dataclass(frozen=True)
class SignIn:
    """What a sign-in showed: ``SMS challenge ok``, ``no MFA ok``, or what went wrong."""

    result: str

    @property
    def ok(self) -> bool:
        return self.result in {SMS_CHALLENGE_OK, NO_MFA_OK}


def expected(sms_mfa: bool) -> str:
    """What a sign-in should show for a user with (or without) SMS MFA."""
    return SMS_CHALLENGE_OK if sms_mfa else NO_MFA_OK


def _latest_code(endpoint: str, username: str) -> str | None:
    with urllib.request.urlopen(endpoint + OUTBOX_PATH, timeout=5) as answer:
        messages: list[dict[str, Any]] = json.loads(answer.read())["messages"]
    mine = [m for m in messages if m.get("username") == username] or messages
    return str(mine[-1]["code"]) if mine else None


def sign_in(
    client: CognitoIdentityProviderClient,
    secrets: Any,
    endpoint: str,
    *,
    pool_id: str,
    username: str,
    secret_arn: str,
    sms_mfa: bool,
) -> SignIn:
    """Sign ``username`` in with the password ``secret_arn`` holds; complete an SMS challenge from the outbox."""
    try:
        password = password_from_secret(str(secrets.get_secret_value(SecretId=secret_arn)["SecretString"]))
        client_id = client.create_user_pool_client(
            UserPoolId=pool_id, ClientName=CLIENT_NAME, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        answer: Any = client.admin_initiate_auth(
            UserPoolId=pool_id,
            ClientId=client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        challenge = answer.get("ChallengeName")
        if challenge is None:
            tokens = "AuthenticationResult" in answer
            return SignIn(NO_MFA_OK if tokens and not sms_mfa else "no SMS challenge" if tokens else "no tokens")
        if challenge != "SMS_MFA":
            return SignIn(f"unexpected challenge {challenge}")
        code = _latest_code(endpoint, username)
        if code is None:
            return SignIn("SMS_MFA challenge but no SMS in the outbox")
        answer = client.admin_respond_to_auth_challenge(
            UserPoolId=pool_id,
            ClientId=client_id,
            ChallengeName="SMS_MFA",
            Session=answer["Session"],
            ChallengeResponses={"USERNAME": username, "SMS_MFA_CODE": code},
        )
    except ClientError as error:
        return SignIn(f"refused: {error.response.get('Error', {}).get('Code', 'Unknown')}")
    if "AuthenticationResult" not in answer:
        return SignIn("SMS code accepted but no tokens")
    return SignIn(SMS_CHALLENGE_OK if sms_mfa else "SMS challenge for a user without MFA")
