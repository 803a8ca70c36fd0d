"""MFA in the emulator: AdminSetUserMFAPreference as the service validates it, and sign-in that really challenges.

Rules pinned here: the service's refusal "User does not have delivery config set to turn on <factor>" for SMS
without ``phone_number`` and TOTP without a verified token; ``AdminGetUser`` reports ``UserMFASettingList`` and
``PreferredMfaSetting`` (absent when empty; a legacy ``MFAOptions`` user has neither); a password sign-in follows
the pool's ``MfaConfiguration`` (OFF never, OPTIONAL when SMS MFA is on by preference or legacy options, ON
for every user with a phone number) with an ``SMS_MFA`` challenge whose code lands in the SMS outbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from cognito_sms_mfa_emulator.mfa_sign_in import masked_phone_number, sms_challenge_needed

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.literals import UserPoolMfaTypeType as MfaConfiguration
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

PHONE = "+15555550100"
PASSWORD = "Passw0rd!Passw0rd"
SMS = {"DeliveryMedium": "SMS", "AttributeName": "phone_number"}
Http = Callable[..., Any]


class Pool:
    """A pool with one app client and a confirmed user ``alice`` (with or without a phone number)."""

    def __init__(
        self, client: CognitoIdentityProviderClient, mfa: MfaConfiguration, *, phone: bool = True, **extra: Any
    ) -> None:
        self.client = client
        self.id = client.create_user_pool(PoolName="mfa", MfaConfiguration=mfa, **extra)["UserPool"]["Id"]
        self.client_id = client.create_user_pool_client(
            UserPoolId=self.id,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"],
        )["UserPoolClient"]["ClientId"]
        attributes: list[AttributeTypeTypeDef] = [{"Name": "phone_number", "Value": PHONE}] if phone else []
        client.admin_create_user(
            UserPoolId=self.id, Username="alice", MessageAction="SUPPRESS", UserAttributes=attributes
        )
        client.admin_set_user_password(UserPoolId=self.id, Username="alice", Password=PASSWORD, Permanent=True)

    def prefer_sms(self) -> None:
        self.client.admin_set_user_mfa_preference(
            UserPoolId=self.id, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
        )

    def admin_sign_in(self) -> dict[str, Any]:
        answer: Any = self.client.admin_initiate_auth(
            UserPoolId=self.id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
        return dict(answer)

    def sign_in(self) -> dict[str, Any]:
        answer: Any = self.client.initiate_auth(
            ClientId=self.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )
        return dict(answer)

    def respond(self, session: str, code: str) -> dict[str, Any]:
        answer: Any = self.client.respond_to_auth_challenge(
            ClientId=self.client_id,
            ChallengeName="SMS_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": code},
        )
        return dict(answer)

    def user(self) -> dict[str, Any]:
        answer: Any = self.client.admin_get_user(UserPoolId=self.id, Username="alice")
        return dict(answer)


def error_of(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call()
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


# --- the rule and the mask -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pool_mfa", "phone", "preference", "legacy", "expected"),
    [
        pytest.param("OFF", True, True, True, False, id="off-never"),
        pytest.param("OPTIONAL", True, False, False, False, id="optional-no-mfa"),
        pytest.param("OPTIONAL", True, True, False, True, id="optional-preference"),
        pytest.param("OPTIONAL", True, False, True, True, id="optional-legacy"),
        pytest.param("ON", True, False, False, True, id="on-everyone-with-phone"),
        pytest.param("ON", False, True, True, False, id="no-phone-no-sms"),
    ],
)
def test_sms_challenge_needed_follows_pool_configuration(
    pool_mfa: str, phone: bool, preference: bool, legacy: bool, expected: bool
) -> None:
    # GIVEN / WHEN / THEN
    needed = sms_challenge_needed(pool_mfa, has_phone_number=phone, sms_preference=preference, legacy_sms=legacy)
    assert needed is expected


def test_masked_phone_number_keeps_plus_and_last_four_digits() -> None:
    # GIVEN / WHEN / THEN
    assert masked_phone_number("+15555550100") == "+*******0100"


# --- AdminSetUserMFAPreference and AdminGetUser ------------------------------------------------------------


def test_admin_get_user_reports_preference_after_admin_set_user_mfa_preference(
    client: CognitoIdentityProviderClient,
) -> None:
    # GIVEN alice with a phone number
    pool = Pool(client, "OPTIONAL")
    # WHEN SMS is enabled and preferred
    pool.prefer_sms()
    # THEN
    user = pool.user()
    assert (user["UserMFASettingList"], user["PreferredMfaSetting"]) == (["SMS_MFA"], "SMS_MFA")


def test_admin_get_user_leaves_preference_out_for_legacy_only_user(client: CognitoIdentityProviderClient) -> None:
    # GIVEN alice set up through AdminSetUserSettings only
    pool = Pool(client, "OPTIONAL")
    client.admin_set_user_settings(UserPoolId=pool.id, Username="alice", MFAOptions=[SMS])  # type: ignore[list-item]
    # WHEN
    user = pool.user()
    # THEN as the service answers: options, but no setting list and no preferred setting
    assert user["MFAOptions"] == [SMS]
    assert "UserMFASettingList" not in user
    assert "PreferredMfaSetting" not in user


def test_disabling_the_preferred_factor_clears_the_preferred_setting(client: CognitoIdentityProviderClient) -> None:
    # GIVEN SMS preferred
    pool = Pool(client, "OPTIONAL")
    pool.prefer_sms()
    # WHEN SMS is disabled
    client.admin_set_user_mfa_preference(
        UserPoolId=pool.id, Username="alice", SMSMfaSettings={"Enabled": False, "PreferredMfa": False}
    )
    # THEN
    user = pool.user()
    assert "UserMFASettingList" not in user
    assert "PreferredMfaSetting" not in user


def test_admin_set_user_mfa_preference_fails_for_sms_without_phone_number(
    client: CognitoIdentityProviderClient,
) -> None:
    # GIVEN alice without a phone number
    pool = Pool(client, "OPTIONAL", phone=False)
    # WHEN / THEN
    assert error_of(pool.prefer_sms) == (
        "InvalidParameterException",
        "User does not have delivery config set to turn on SMS_MFA",
    )


def test_admin_set_user_mfa_preference_fails_for_unverified_totp(client: CognitoIdentityProviderClient) -> None:
    # GIVEN alice who never verified a TOTP token
    pool = Pool(client, "OPTIONAL")
    # WHEN / THEN
    assert error_of(
        lambda: client.admin_set_user_mfa_preference(
            UserPoolId=pool.id, Username="alice", SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": False}
        )
    ) == ("InvalidParameterException", "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param({}, "Email MFA requires the ESSENTIALS or PLUS feature plan.", id="lite-plan"),
        pytest.param(
            {"UserPoolTier": "ESSENTIALS"},
            "Email MFA requires email sending through Amazon SES (DEVELOPER).",
            id="no-ses",
        ),
    ],
)
def test_admin_set_user_mfa_preference_fails_for_email_without_plan_or_ses(
    client: CognitoIdentityProviderClient, extra: dict[str, Any], message: str
) -> None:
    # GIVEN a pool without the plan or the email sending email MFA needs
    pool = Pool(client, "OPTIONAL", **extra)
    # WHEN / THEN
    assert error_of(
        lambda: client.admin_set_user_mfa_preference(
            UserPoolId=pool.id, Username="alice", EmailMfaSettings={"Enabled": True, "PreferredMfa": False}
        )
    ) == ("InvalidParameterException", message)


def test_admin_set_user_mfa_preference_fails_for_two_preferred_factors(
    client: CognitoIdentityProviderClient,
) -> None:
    # GIVEN
    pool = Pool(client, "OPTIONAL")
    # WHEN / THEN
    assert error_of(
        lambda: client.admin_set_user_mfa_preference(
            UserPoolId=pool.id,
            Username="alice",
            SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": True},
        )
    ) == ("InvalidParameterException", "Only one MFA method can be set as preferred.")


def test_set_user_mfa_preference_applies_to_the_token_owner(client: CognitoIdentityProviderClient) -> None:
    # GIVEN alice signed in (OFF pool: tokens at once)
    pool = Pool(client, "OFF")
    token = pool.admin_sign_in()["AuthenticationResult"]["AccessToken"]
    # WHEN she sets her own preference
    client.set_user_mfa_preference(AccessToken=token, SMSMfaSettings={"Enabled": True, "PreferredMfa": False})
    # THEN
    user = pool.user()
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert "PreferredMfaSetting" not in user


# --- sign-in ---------------------------------------------------------------------------------------------------


def test_off_pool_never_challenges_even_with_sms_preferred(client: CognitoIdentityProviderClient) -> None:
    # GIVEN an OFF pool and alice with SMS preferred
    pool = Pool(client, "OFF")
    pool.prefer_sms()
    # WHEN
    answer = pool.admin_sign_in()
    # THEN tokens, no code sent
    assert "AccessToken" in answer["AuthenticationResult"]
    assert "ChallengeName" not in answer


def test_optional_pool_signs_in_user_without_mfa(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN an OPTIONAL pool and alice without MFA
    pool = Pool(client, "OPTIONAL")
    # WHEN
    answer = pool.admin_sign_in()
    # THEN
    assert "AccessToken" in answer["AuthenticationResult"]
    assert emulator.sms_outbox() == []


def test_optional_pool_challenges_user_with_sms_preference(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN an OPTIONAL pool and alice with SMS preferred
    pool = Pool(client, "OPTIONAL")
    pool.prefer_sms()
    # WHEN
    answer = pool.admin_sign_in()
    # THEN an SMS_MFA challenge, and the code in the outbox
    assert answer["ChallengeName"] == "SMS_MFA"
    assert answer["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0100",
        "USER_ID_FOR_SRP": "alice",
    }
    [message] = emulator.sms_outbox()
    assert (message["phone_number"], message["username"]) == (PHONE, "alice")
    assert re.fullmatch(r"[0-9]{6}", message["code"])


def test_optional_pool_challenges_user_with_legacy_options_and_completes(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN an OPTIONAL pool and alice with legacy SMS options only (InitiateAuth, the public flow)
    pool = Pool(client, "OPTIONAL")
    client.admin_set_user_settings(UserPoolId=pool.id, Username="alice", MFAOptions=[SMS])  # type: ignore[list-item]
    challenge = pool.sign_in()
    # WHEN she answers with the code from the outbox
    answer = pool.respond(challenge["Session"], emulator.sms_outbox()[-1]["code"])
    # THEN
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert "IdToken" in answer["AuthenticationResult"]


def test_on_pool_challenges_user_with_phone_number_without_any_mfa_setting(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN an ON pool and alice with a phone number and no MFA settings
    pool = Pool(client, "ON")
    # WHEN
    answer = pool.admin_sign_in()
    # THEN
    assert answer["ChallengeName"] == "SMS_MFA"
    assert len(emulator.sms_outbox()) == 1


def test_respond_fails_with_wrong_code_then_accepts_the_right_one(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN a challenge
    pool = Pool(client, "ON")
    session = pool.admin_sign_in()["Session"]
    code = emulator.sms_outbox()[-1]["code"]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    # WHEN / THEN a wrong code is a mismatch, the session stays open
    assert error_of(lambda: pool.respond(session, wrong)) == (
        "CodeMismatchException",
        "Invalid code or auth state for the user.",
    )
    assert "AccessToken" in pool.respond(session, code)["AuthenticationResult"]


def test_respond_fails_with_code_of_an_earlier_session(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN two sign-ins, each with its code
    pool = Pool(client, "ON")
    pool.admin_sign_in()
    first_code = emulator.sms_outbox()[-1]["code"]
    session = pool.admin_sign_in()["Session"]
    latest_code = emulator.sms_outbox()[-1]["code"]
    if first_code == latest_code:
        pytest.skip("the two random codes happen to be equal")
    # WHEN / THEN
    assert error_of(lambda: pool.respond(session, first_code))[0] == "CodeMismatchException"


def test_admin_respond_fails_after_session_lifetime(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator
) -> None:
    # GIVEN sessions that expire at once
    emulator.set_auth_session_lifetime(0)
    pool = Pool(client, "ON")
    session = pool.admin_sign_in()["Session"]
    # WHEN / THEN the right code, too late
    assert error_of(
        lambda: client.admin_respond_to_auth_challenge(
            UserPoolId=pool.id,
            ClientId=pool.client_id,
            ChallengeName="SMS_MFA",
            Session=session,
            ChallengeResponses={"USERNAME": "alice", "SMS_MFA_CODE": emulator.sms_outbox()[-1]["code"]},
        )
    ) == ("ExpiredCodeException", "Invalid code provided, please request a code again.")


def test_sms_outbox_is_served_over_http_newest_last(
    client: CognitoIdentityProviderClient, emulator: CognitoEmulator, http: Http
) -> None:
    # GIVEN two challenges
    pool = Pool(client, "ON")
    pool.admin_sign_in()
    pool.sign_in()
    # WHEN
    answer = http("GET", "/_emulator/sms-outbox")
    # THEN the same list as the Python API
    assert answer.status == 200
    assert answer.body == {"messages": emulator.sms_outbox()}
    assert len(answer.body["messages"]) == 2


def test_reset_empties_the_outbox(client: CognitoIdentityProviderClient, emulator: CognitoEmulator) -> None:
    # GIVEN a code sent
    Pool(client, "ON").admin_sign_in()
    # WHEN
    emulator.reset()
    # THEN
    assert emulator.sms_outbox() == []
