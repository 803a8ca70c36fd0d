"""Running the rehearsal's command line as a user would, in a child process (apps are synthesized by
``tests.conftest.synth_app``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys


def rehearse(*args: str, module: str = "cognito_sms_mfa_rehearsal") -> subprocess.CompletedProcess[str]:
    """``python -m cognito_sms_mfa_rehearsal ARGS`` (or another ``module``) with no AWS variable in its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
        check=False,
    )


def table_rows(stdout: str) -> list[list[str]]:
    """The rows of every section of the rehearsal's table, each cell whole: a cell continued on the row's further
    lines is joined again (with a space where it broke at one, with nothing where it broke after ``/``, ``=``, ``-``
    or at the column's full width). Reason and hint lines under a row are left out."""
    rows: list[list[str]] = []
    last: list[str] = []  # the latest piece of each cell of the latest row
    spans: list[tuple[int, int]] = []
    for line in stdout.splitlines():
        if re.fullmatch(r"-+(  +-+)+", line):
            spans = [(m.start(), m.end()) for m in re.finditer(r"-+", line)]
        elif not line.strip():
            spans = []
        elif line.startswith("    ") and line[4] != " ":
            continue  # "    Reason: ...", "    Hint: ...", "    not rehearsed: ..." under a row
        elif spans and line[: spans[1][0]].strip():
            rows.append([line[start:end].strip() for start, end in spans])
            last = list(rows[-1])
        elif spans:  # a continuation line of the row above
            for index, (start, end) in enumerate(spans):
                piece = line[start:end].strip()
                if piece:
                    after = last[index][-1:] in ("/", "=", "-") and not last[index].endswith(" /")
                    hard = after or len(last[index]) == end - start
                    rows[-1][index] += piece if hard or not rows[-1][index] else f" {piece}"
                    last[index] = piece
    return rows
