"""AWS CDK constructs that manage Amazon Cognito users' SMS MFA settings declaratively.

The public names are imported on first use, so that ``cognito_sms_mfa.local`` (the emulator and the
rehearsal) does not start jsii just by being imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_sms_mfa._lazy import lazy_exports

if TYPE_CHECKING:
    from cognito_sms_mfa.sms_mfa_test_user import SmsMfaTestUser
    from cognito_sms_mfa.user_mfa_preference import UserMfaPreference
    from cognito_sms_mfa.user_sms_mfa_settings import UserSmsMfaSettings
    from cognito_sms_mfa_lambda.rules import MfaFactor, MfaOption

__all__ = ["MfaFactor", "MfaOption", "SmsMfaTestUser", "UserMfaPreference", "UserSmsMfaSettings"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "MfaFactor": "cognito_sms_mfa_lambda.rules",
        "MfaOption": "cognito_sms_mfa_lambda.rules",
        "UserMfaPreference": "cognito_sms_mfa.user_mfa_preference",
        "UserSmsMfaSettings": "cognito_sms_mfa.user_sms_mfa_settings",
        "SmsMfaTestUser": "cognito_sms_mfa.sms_mfa_test_user",
    },
)
