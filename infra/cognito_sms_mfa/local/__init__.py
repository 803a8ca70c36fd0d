"""The local Cognito emulator (moto extended with AdminSetUserSettings) and the offline rehearsal."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cognito_sms_mfa.local.emulator import CognitoEmulator

__all__ = ["CognitoEmulator"]

# Imported on first use, so that importing this package does not load moto.
_HOMES = {
    "CognitoEmulator": "cognito_sms_mfa.local.emulator",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'cognito_sms_mfa.local' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


def __dir__() -> list[str]:
    return sorted(__all__)
