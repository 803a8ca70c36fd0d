"""The Lambda asset: the handler modules plus crhelper, staged without Docker and without network.

The handler sources ship inside this package (``cognito_sms_mfa.handler``, built from ``lambda_src/``); crhelper
is copied from where it is installed. The staging folder is named after a hash of every file's path and
bytes, holds nothing else (no ``__pycache__``, no timestamps), and is made once per process, so the same
sources give the same asset hash in any directory and on any machine.
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

HANDLER_MODULES = ("index.py", "mfa.py", "cognito.py", "rules.py")
HANDLER_ENTRY = "index.handler"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locates without importing (crhelper would import boto3)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find the installed package {name!r} to bundle into the handler asset")
    return Path(next(iter(spec.submodule_search_locations)))


def asset_files() -> dict[str, bytes]:
    """Every file of the asset: relative path to bytes, in a fixed order."""
    files: dict[str, bytes] = {}
    handler_dir = _package_dir("cognito_sms_mfa.handler")
    for module in HANDLER_MODULES:
        files[module] = (handler_dir / module).read_bytes()
    crhelper_dir = _package_dir("crhelper")
    for source in sorted(crhelper_dir.glob("*.py")):
        files[f"crhelper/{source.name}"] = source.read_bytes()
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
