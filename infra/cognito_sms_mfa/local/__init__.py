"""The local Cognito emulator (moto extended with AdminSetUserSettings) and the offline rehearsal.

``CognitoEmulator`` is imported on first use, so that importing this package does not load moto.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cognito_sms_mfa._lazy import lazy_exports

if TYPE_CHECKING:
    from cognito_sms_mfa.local.emulator import CognitoEmulator

__all__ = ["CognitoEmulator"]

__getattr__, __dir__ = lazy_exports(__name__, {"CognitoEmulator": "cognito_sms_mfa.local.emulator"})
