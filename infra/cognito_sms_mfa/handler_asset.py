"""The Lambda asset: the handler package plus crhelper, staged without Docker and without network.

The handler is the package :mod:`cognito_sms_mfa_lambda` (``lambda_src/``); the asset holds it as a package folder
next to crhelper's, each copied from where it is installed, and nothing else (no ``__pycache__``, no timestamps).
:func:`handler_code` hands the files to CDK's own asset staging through local bundling: CDK gives the output folder
(inside the cloud assembly) and the files are written there, so nothing is read back from a shared, predictable
path such as the temporary folder, and nothing is left behind in it. The asset hash is computed from the files'
paths and bytes, so the same sources give the same hash in any directory and on any machine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import tempfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsii
from aws_cdk import AssetHashType, BundlingOptions, DockerImage, ILocalBundling
from aws_cdk import aws_lambda as lambda_

if TYPE_CHECKING:
    from collections.abc import Iterator

HANDLER_PACKAGE = "cognito_sms_mfa_lambda"
HANDLER_ENTRY = f"{HANDLER_PACKAGE}.index.handler"
BUNDLED_PACKAGES = (HANDLER_PACKAGE, "crhelper")
# Never pulled or run: local bundling always succeeds. CDK requires an image in BundlingOptions.
UNUSED_IMAGE = "cognito-sms-mfa-local-bundling-only"


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


def asset_hash(files: dict[str, bytes]) -> str:
    """The content hash of the asset: every file's path and bytes, in order."""
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def write_asset(files: dict[str, bytes], target: Path) -> None:
    """Write ``files`` under ``target`` (a folder that the caller owns)."""
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


@jsii.implements(ILocalBundling)
class WriteFiles:
    """CDK's local bundling step: write the asset's files into the output folder CDK gives."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self._files = files

    def try_bundle(self, output_dir: str, *_options: Any, **_keywords: Any) -> bool:
        """jsii passes the bundling options as one positional struct; the files do not depend on them."""
        write_asset(self._files, Path(output_dir))
        return True


def handler_code() -> lambda_.Code:
    """The handler's code, staged by CDK into the cloud assembly with a hash of the sources."""
    files = asset_files()
    return lambda_.Code.from_asset(
        str(_package_dir(HANDLER_PACKAGE)),
        asset_hash=asset_hash(files),
        asset_hash_type=AssetHashType.CUSTOM,
        bundling=BundlingOptions(image=DockerImage.from_registry(UNUSED_IMAGE), local=WriteFiles(files)),
    )


@contextmanager
def staged_asset() -> Iterator[str]:
    """The asset written into a private temporary folder (mode 0700), removed on exit; for local runs.

    Examples
    --------
    >>> with staged_asset() as folder:  # doctest: +SKIP
    ...     lambda_runner.invoke(folder, event, entry=HANDLER_ENTRY, timeout_s=120, env=env)
    """
    with tempfile.TemporaryDirectory(prefix="cognito-sms-mfa-asset-") as folder:
        write_asset(asset_files(), Path(folder))
        yield folder
