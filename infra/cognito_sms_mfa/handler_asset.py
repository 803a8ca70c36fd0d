"""The Lambda asset: the handler package plus crhelper, staged without Docker and without network.

The handler is the package :mod:`cognito_sms_mfa_lambda` (``lambda_src/``); the asset holds it as a package folder
next to crhelper's, each copied from where it is installed. The staging folder is named after a hash of every
file's path and bytes, holds nothing else (no ``__pycache__``, no timestamps), and is made once per process, so
the same sources give the same asset hash in any directory and on any machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from functools import cache
from importlib import metadata
from pathlib import Path

HANDLER_PACKAGE = "cognito_sms_mfa_lambda"
HANDLER_ENTRY = f"{HANDLER_PACKAGE}.index.handler"
BUNDLED_PACKAGES = (HANDLER_PACKAGE, "crhelper")


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locates without importing (crhelper would import boto3)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find the installed package {name!r} to bundle into the handler asset")
    return Path(next(iter(spec.submodule_search_locations)))


def asset_files() -> dict[str, bytes]:
    """Every file of the asset: relative path to bytes, in a fixed order."""
    files: dict[str, bytes] = {}
    for package in BUNDLED_PACKAGES:
        for source in sorted(_package_dir(package).glob("*.py")):
            files[f"{package}/{source.name}"] = source.read_bytes()
    dist = metadata.distribution("crhelper")
    for notice in ("LICENSE", "NOTICE"):
        text = dist.read_text(notice)
        if text is not None:
            files[f"crhelper/{notice}"] = text.encode()
    return dict(sorted(files.items()))


@cache
def asset_directory() -> str:
    """Stage the asset (once per process) and return its folder, named after the content hash."""
    files = asset_files()
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    target = Path(tempfile.gettempdir()) / f"cognito-sms-mfa-asset-{digest.hexdigest()[:16]}"
    if not target.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="cognito-sms-mfa-staging-"))
        for name, data in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            os.replace(staging, target)
        except OSError:  # another process staged the same content first
            shutil.rmtree(staging, ignore_errors=True)
    return str(target)
