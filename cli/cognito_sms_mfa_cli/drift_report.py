"""How the drift check shows its rows: a table per stack with a summary line, or one JSON object for CI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .drift_decisions import IN_SYNC, NOT_CHECKED, SHORT_TYPES, VERDICTS, Row, counts

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .drift_template import DeployedStack

COLUMNS = ("RESOURCE", "TYPE", "USER", "DESIRED", "ACTUAL", "VERDICT")
REASON_INDENT = "      "


def render(stacks: Iterable[DeployedStack], rows: list[Row], seconds: float, calls: Mapping[str, int]) -> str:
    """The table of each stack (a reason under each row not in sync), then the summary line."""
    blocks = []
    for stack in stacks:
        mine = [row for row in rows if row.stack == stack.name]
        if not mine:
            blocks.append(f"{stack.name}\n  (no resource of cognito-sms-mfa)")
            continue
        cells = [COLUMNS] + [
            (row.resource, SHORT_TYPES.get(row.resource_type, row.resource_type), row.user, row.desired, row.actual,
             row.verdict)
            for row in mine
        ]  # fmt: skip
        widths = [max(len(cell[index]) for cell in cells) for index in range(len(COLUMNS))]
        lines = [stack.name]
        for index, cell in enumerate(cells):
            lines.append("  " + "  ".join(text.ljust(width) for text, width in zip(cell, widths, strict=True)).rstrip())
            row = mine[index - 1] if index else None
            if row is not None and row.verdict != IN_SYNC and row.reason:
                lines.append(f"{REASON_INDENT}{row.reason}")
        blocks.append("\n".join(lines))
    return "\n\n".join([*blocks, summary(rows, seconds, calls)])


def summary(rows: list[Row], seconds: float, calls: Mapping[str, int]) -> str:
    """``4 resources: 3 IN_SYNC, 1 DRIFTED, 0 USER_GONE, 0 NOT_CHECKED (4 AdminGetUser, 1.2 s)``."""
    found = counts(rows)
    verdicts = ", ".join(f"{found[verdict]} {verdict}" for verdict in VERDICTS)
    return f"{len(rows)} resources: {verdicts} ({calls.get('AdminGetUser', 0)} AdminGetUser, {seconds:.1f} s)"


def access_problems(rows: Iterable[Row]) -> list[str]:
    """The distinct reasons that name a missing permission, once each (for standard error)."""
    return list(dict.fromkeys(row.reason for row in rows if row.verdict == NOT_CHECKED and "denied" in row.reason))


def to_json(
    stacks: Iterable[DeployedStack],
    rows: list[Row],
    status: int,
    seconds: float,
    calls: Mapping[str, int],
    attempts: int,
) -> dict[str, Any]:
    """The whole result: each stack's rows, the counts, the exit status and the calls made."""
    return {
        "stacks": [
            {
                "stack": stack.name,
                "stack_id": stack.stack_id,
                "resources": [row.to_json() for row in rows if row.stack == stack.name],
            }
            for stack in stacks
        ],
        "summary": counts(rows),
        "exit_status": status,
        "seconds": round(seconds, 3),
        "calls": dict(calls),
        "attempts": attempts,
    }
