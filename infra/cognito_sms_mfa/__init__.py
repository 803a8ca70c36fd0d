"""AWS CDK constructs that manage Amazon Cognito users' SMS MFA settings declaratively.

The public names are imported on first use, so that ``cognito_sms_mfa.local`` (the emulator and the
rehearsal) does not start jsii just by being imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cognito_sms_mfa_lambda.rules import MfaOption

    from cognito_sms_mfa.sms_mfa_test_user import SmsMfaTestUser
    from cognito_sms_mfa.user_sms_mfa_settings import UserSmsMfaSettings

__all__ = ["MfaOption", "SmsMfaTestUser", "UserSmsMfaSettings"]

_HOMES = {
    "MfaOption": "cognito_sms_mfa_lambda.rules",
    "UserSmsMfaSettings": "cognito_sms_mfa.user_sms_mfa_settings",
    "SmsMfaTestUser": "cognito_sms_mfa.sms_mfa_test_user",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cognito_sms_mfa' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(__all__)
