"""Running the rehearsal's command line as a user would, in a child process (apps are synthesized by
``tests.conftest.synth_app``)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import threading


def rehearse(
    *args: str, module: str = "cognito_sms_mfa_rehearsal", columns: int | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m cognito_sms_mfa_rehearsal ARGS`` (or another ``module``) with no AWS variable in its environment;
    with ``columns``, its standard output a terminal that wide."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [sys.executable, "-m", module, *args]
    if columns is not None:
        return in_terminal(command, env, columns)
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=240, check=False)


def in_terminal(command: list[str], env: dict[str, str], columns: int) -> subprocess.CompletedProcess[str]:
    """Run ``command`` with its standard output on a pseudo-terminal (``COLUMNS`` wide), as in a user's shell;
    standard error stays a pipe."""
    controller, terminal = pty.openpty()
    child = subprocess.Popen(
        command, stdout=terminal, stderr=subprocess.PIPE, env={**env, "COLUMNS": str(columns)}, text=True
    )
    os.close(terminal)
    chunks: list[bytes] = []

    def read() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the child closed the terminal (EIO)
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    _, err = child.communicate(timeout=240)
    reader.join(timeout=30)
    os.close(controller)
    out = b"".join(chunks).decode().replace("\r\n", "\n")
    return subprocess.CompletedProcess(command, child.returncode, out, err)


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
