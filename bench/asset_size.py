"""Figure 3: the Lambda asset's zipped size, against the handler asset aws-cdk-lib ships for ``AwsCustomResource``.

Both folders are zipped the same deterministic way (files in sorted order, fixed timestamps and modes, deflate
at level 9), so the figure depends on the content only. Ours is the staged asset folder, checked against the
copy a synthesis puts in the cloud assembly; the anchor is the asset folder of the singleton function that a
synthesized ``AwsCustomResource`` uses.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import progress, ratio
from bench.request_types import LAMBDA_TIMEOUT_S
from bench.synth import synthesize
from cognito_sms_mfa.handler_asset import staged_asset

GOAL_BYTES = 30 * 1024
AWS_CUSTOM_RESOURCE_FUNCTION = "AWS679f53fac002430cb0da5b7982bd2287"  # its fixed singleton id
OUR_FUNCTION = "CognitoSmsMfaHandler9f1c2e"


@dataclass(frozen=True)
class Asset:
    """One asset folder: its files, their bytes, and the zip's bytes."""

    files: list[str]
    unzipped_bytes: int
    zipped_bytes: int


@dataclass(frozen=True)
class AssetSize:
    """Figure 3."""

    ours: Asset
    aws_custom_resource: Asset
    ratio: float
    goal_bytes: int


def zipped_size(folder: Path) -> Asset:
    """Zip ``folder`` deterministically in memory and describe it."""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    buffer = io.BytesIO()
    unzipped = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files:
            data = path.read_bytes()
            unzipped += len(data)
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data, compresslevel=9)
    return Asset([path.relative_to(folder).as_posix() for path in files], unzipped, len(buffer.getvalue()))


def run() -> AssetSize:
    """Measure ours (staged, and as synthesized) and the ``AwsCustomResource`` handler of a synthesized stack."""
    with staged_asset() as staged:
        ours = zipped_size(Path(staged))
    with tempfile.TemporaryDirectory(prefix="bench-asset-") as outdir:
        progress("asset size: synthesizing one UserSmsMfaSettings and one AwsCustomResource")
        result_ours, _, _ = synthesize("ours", 1, Path(outdir) / "ours", resource_limit=None)
        result_awscr, _, _ = synthesize("awscr", 1, Path(outdir) / "awscr", resource_limit=None)
        synthesized_ours = zipped_size(Path(_of_function(result_ours["functions"], OUR_FUNCTION)))
        timeout = _of_function(result_ours["function_timeouts"], OUR_FUNCTION)
        anchor = zipped_size(Path(_of_function(result_awscr["functions"], AWS_CUSTOM_RESOURCE_FUNCTION)))
    if float(timeout) != LAMBDA_TIMEOUT_S:
        raise RuntimeError(f"the handler's timeout is {timeout} s; update request_types.LAMBDA_TIMEOUT_S")
    if synthesized_ours != ours:
        raise RuntimeError(f"the synthesized asset differs from the staged one: {synthesized_ours} vs {ours}")
    return AssetSize(ours, anchor, ratio(ours.zipped_bytes, anchor.zipped_bytes), GOAL_BYTES)


def _of_function(functions: dict[str, Any], prefix: str) -> str:
    matches = [path for logical_id, path in functions.items() if logical_id.startswith(prefix)]
    if len(matches) != 1:
        raise RuntimeError(f"expected one function {prefix}* in the template, found {sorted(functions)}")
    return str(matches[0])
