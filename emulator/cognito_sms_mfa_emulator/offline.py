"""Dummy credentials and an environment that can only talk to a local endpoint (no ``~/.aws``, no metadata)."""

from __future__ import annotations

import os

DUMMY_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
"""The credentials every client of the emulator signs with, as environment variables (moto checks no signature)."""

OFFLINE_AWS_ENV = {
    **DUMMY_CREDENTIALS,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
"""Dummy credentials and no shared config files: whatever reads these can only talk to a local endpoint."""
