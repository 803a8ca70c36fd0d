"""How the drift check shows its result: a table per stack with a summary line, or one JSON object for CI.

The tables are the rehearsal's (:mod:`cognito_sms_mfa_rehearsal.table`): one line per row in a log or a pipe, so
that every name can be grepped; fitted to a terminal's width, broken only after a ``/`` or at a space. The JSON
object has a top-level ``version`` (:data:`JSON_VERSION`) and follows ``drift.schema.json``, shipped in this
package (:func:`schema`).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_rehearsal import table
from cognito_sms_mfa_rehearsal.table import plural, wrap_text

from .drift_decisions import (
    ERROR,
    IN_SYNC,
    NOT_CHECKED,
    NOT_COMPARABLE,
    SHORT_TYPES,
    STACK_OUTCOMES,
    VERDICTS,
    Row,
    counts,
    stack_counts,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from .drift import StackError
    from .drift_template import DeployedStack

# The shape of --json: raised when a field is removed or changes meaning (a new field keeps it).
JSON_VERSION = 1
SCHEMA_FILE = "drift.schema.json"
COLUMNS = ("RESOURCE", "LOGICAL ID", "TYPE", "USER", "DESIRED", "ACTUAL", "VERDICT")
SHRINKABLE = (0, 3, 4, 5)  # RESOURCE, USER, DESIRED, ACTUAL give up width in a narrow terminal
INDENT = "  "
REASON_INDENT = "      "


def schema() -> dict[str, Any]:
    """The JSON Schema of the ``--json`` output, as shipped in the package."""
    loaded: dict[str, Any] = json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text())
    return loaded


def _heading(stack: DeployedStack | StackError, outcome: str) -> str:
    if outcome == ERROR:
        return f"{stack.name}: could not check: {getattr(stack, 'cause', '')}"
    if outcome == NOT_COMPARABLE:
        status = getattr(stack, "status", "")
        return (
            f"{stack.name}: not comparable: stack status {status} (CloudFormation is changing it or it failed; "
            "check again once it is *_COMPLETE)"
        )
    return stack.name


def render(
    stacks: Sequence[DeployedStack | StackError],
    rows: list[Row],
    outcomes: Mapping[str, str],
    seconds: float,
    calls: Mapping[str, int],
    width: int | None = None,
) -> str:
    """Each stack's heading and table (a reason under each row not in sync), then the summary line; fitted to
    ``width`` (a terminal's), one line per row when None."""
    cells = [COLUMNS] + [
        (row.path, row.resource, SHORT_TYPES.get(row.resource_type, row.resource_type), row.user, row.desired,
         row.actual, row.verdict)
        for row in rows
    ]  # fmt: skip
    header, *lines = table.render(cells, width, SHRINKABLE, INDENT, rule=True)
    blocks = []
    for stack in stacks:
        outcome = outcomes[stack.name]
        mine = [(row, line) for row, line in zip(rows, lines, strict=True) if row.stack == stack.name]
        if outcome in (ERROR, NOT_COMPARABLE):
            blocks.append("\n".join(wrap_text(_heading(stack, outcome), width, "", INDENT)))
            continue
        if not mine:
            blocks.append(f"{stack.name}\n{INDENT}(no resource of cognito-sms-mfa)")
            continue
        out = [stack.name, *header]
        for row, line in mine:
            out += line
            if row.verdict != IN_SYNC and row.reason:
                out += wrap_text(row.reason, width, REASON_INDENT)
        blocks.append("\n".join(out))
    return "\n\n".join([*blocks, summary(rows, outcomes, seconds, calls)])


def summary(rows: list[Row], outcomes: Mapping[str, str], seconds: float, calls: Mapping[str, int]) -> str:
    """``4 resources: 3 IN_SYNC, 1 DRIFTED, 0 USER_GONE, 0 NOT_CHECKED; 2 stacks: 1 IN_SYNC, 1 DRIFTED (4
    AdminGetUser, 1.2 s)``: every verdict counted, and each stack outcome that occurred."""
    found = counts(rows)
    verdicts = ", ".join(f"{found[verdict]:,} {verdict}" for verdict in VERDICTS)
    by_stack = stack_counts(outcomes.values())
    shown = ", ".join(f"{by_stack[outcome]:,} {outcome}" for outcome in STACK_OUTCOMES if by_stack[outcome])
    return (
        f"{plural(len(rows), 'resource')}: {verdicts}; {plural(len(outcomes), 'stack')}: {shown} "
        f"({calls.get('AdminGetUser', 0):,} AdminGetUser, {seconds:.1f} s)"
    )


def access_problems(rows: Iterable[Row]) -> list[str]:
    """The distinct reasons that name a missing permission, once each (for standard error)."""
    return list(dict.fromkeys(row.reason for row in rows if row.verdict == NOT_CHECKED and "denied" in row.reason))


def to_json(
    stacks: Sequence[DeployedStack | StackError],
    rows: list[Row],
    outcomes: Mapping[str, str],
    accounts: Mapping[str, str],
    status: int,
    seconds: float,
    calls: Mapping[str, int],
    attempts: int,
) -> dict[str, Any]:
    """The whole result: each stack's outcome and rows, the counts, the exit status and the calls made."""
    return {
        "version": JSON_VERSION,
        "exit_status": status,
        "stacks": [
            {
                "stack": stack.name,
                "stack_id": getattr(stack, "stack_id", None),
                "region": stack.region or None,
                "account": accounts.get(stack.name.split("/")[0]),
                "status": getattr(stack, "status", None),
                "outcome": outcomes[stack.name],
                "cause": getattr(stack, "cause", None),
                "resources": [row.to_json() for row in rows if row.stack == stack.name],
            }
            for stack in stacks
        ],
        "summary": counts(rows),
        "stack_summary": stack_counts(outcomes.values()),
        "seconds": round(seconds, 3),
        "calls": dict(calls),
        "attempts": attempts,
    }
