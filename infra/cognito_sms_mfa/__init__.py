"""AWS CDK constructs that manage Amazon Cognito users' SMS MFA settings declaratively."""

from __future__ import annotations

from cognito_sms_mfa.sms_mfa_test_user import SmsMfaTestUser
from cognito_sms_mfa.user_mfa_preference import UserMfaPreference
from cognito_sms_mfa.user_sms_mfa_settings import UserSmsMfaSettings
from cognito_sms_mfa.user_sms_mfa_settings_batch import UserSmsMfaSettingsBatch
from cognito_sms_mfa_lambda.rules import MfaFactor, MfaOption

__all__ = [
    "MfaFactor",
    "MfaOption",
    "SmsMfaTestUser",
    "UserMfaPreference",
    "UserSmsMfaSettings",
    "UserSmsMfaSettingsBatch",
]
