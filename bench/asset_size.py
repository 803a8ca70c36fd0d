"""3. Lambda asset size

Both asset folders are zipped the same deterministic way (sorted names, fixed timestamps and modes, deflate level
9), so the figure depends on the content only. Ours is the staged asset folder (the handler package plus crhelper
and its licence), checked to be byte-identical with the copy a synthesis puts in the cloud assembly. The anchor is
the asset folder of the singleton function behind `AwsCustomResource` in a synthesized stack (one `index.js`,
Node.js; it uses the AWS SDK of the Lambda runtime, as ours uses the runtime's boto3).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench.common import Goal, progress, size, table
from bench.request_types import LAMBDA_TIMEOUT_S
from bench.synth import synthesize
from cognito_sms_mfa.handler_asset import staged_asset

GOAL_BYTES = 30 * 1024
AWSCR_FUNCTION = "AWS679f53fac002430cb0da5b7982bd2287"  # its fixed singleton id


def zipped_size(folder: Path) -> dict[str, Any]:
    """Zip ``folder`` deterministically in memory; its files, their bytes and the zip's bytes."""
    files = sorted(path for path in folder.rglob("*") if path.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return {
        "files": [path.relative_to(folder).as_posix() for path in files],
        "unzipped_bytes": sum(path.stat().st_size for path in files),
        "zipped_bytes": len(buffer.getvalue()),
    }


def run() -> dict[str, Any]:
    """Measure ours (staged, and as synthesized) and the ``AwsCustomResource`` handler of a synthesized stack."""
    with staged_asset() as staged:
        ours = zipped_size(Path(staged))
    with tempfile.TemporaryDirectory(prefix="bench-asset-") as outdir:
        progress("asset size: synthesizing one UserSmsMfaSettings and one AwsCustomResource")
        synthesized, _, _ = synthesize("ours", 1, Path(outdir) / "ours")
        awscr, _, _ = synthesize("awscr", 1, Path(outdir) / "awscr")
        handler = synthesized["handler"]
        as_synthesized = zipped_size(Path(handler["asset"]))
        anchors = [one for logical_id, one in awscr["functions"].items() if logical_id.startswith(AWSCR_FUNCTION)]
        if len(anchors) != 1:
            raise RuntimeError(f"expected one function {AWSCR_FUNCTION}*, found {sorted(awscr['functions'])}")
        anchor = zipped_size(Path(anchors[0]["asset"]))
    if handler["timeout"] != LAMBDA_TIMEOUT_S:
        raise RuntimeError(f"the handler's timeout is {handler['timeout']} s; update LAMBDA_TIMEOUT_S")
    if as_synthesized != ours:
        raise RuntimeError(f"the synthesized asset differs from the staged one: {as_synthesized} vs {ours}")
    return {"ours": ours, "aws_custom_resource": anchor}


def section(result: dict[str, Any]) -> str:
    ours = result["ours"]["zipped_bytes"]
    rows = [
        [
            name,
            len(one["files"]),
            size(one["unzipped_bytes"]),
            size(one["zipped_bytes"]),
            f"{one['zipped_bytes'] / ours:.2f}x",
        ]
        for name, one in (("ours", result["ours"]), ("`AwsCustomResource` handler", result["aws_custom_resource"]))
    ]
    return f"""{table(["asset", "files", "unzipped", "zipped", "vs ours"], rows)}

Ours is {size(ours)} zipped; goal ≤ {size(GOAL_BYTES)}.
"""


def goals(result: dict[str, Any]) -> list[Goal]:
    ours, anchor = result["ours"]["zipped_bytes"], result["aws_custom_resource"]["zipped_bytes"]
    return [
        Goal(
            "3. Lambda asset, zipped",
            size(ours),
            f"`AwsCustomResource` handler {size(anchor)}",
            f"{ours / anchor:.2f}x",
            f"≤ {size(GOAL_BYTES)}",
            ours <= GOAL_BYTES,
        )
    ]
