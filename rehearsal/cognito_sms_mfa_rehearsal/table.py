"""The tables of the drift check and the rehearsal, read like ``cdk diff``: one line per row, sized to the terminal.

A pure module (standard library only), so that the drift command, which must not load moto, may import it.

- Not a terminal (a CI log, a pipe, a file): ``width`` is None and nothing is wrapped or cut, so every name can be
  grepped on its line.
- A terminal: the width is ``COLUMNS`` or the terminal's. A table that fits stays one line per row; one that does
  not gives up width in its shrinkable columns, and a cell too long for its column goes on under it, broken only
  after a ``/`` or at a space: never inside a name. A column is never narrower than its longest unbreakable piece,
  so a table that cannot fit is left wider than the terminal rather than cut.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Collection, Sequence
from typing import TextIO

GAP = "  "
# Where a cell may continue on the next line: after a path separator or a space.
BREAK = re.compile(r"(?<=[/ ])")


def plural(count: int, noun: str) -> str:
    """``1 request``, ``2 requests``, ``1,200 users``: the count and its noun, in the plural unless it is one."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def terminal_width(stream: TextIO) -> int | None:
    """The width a table on ``stream`` must fit: ``COLUMNS``, else the terminal's; None when ``stream`` is not a
    terminal (then nothing is wrapped)."""
    try:
        if not stream.isatty():
            return None
        columns = os.environ.get("COLUMNS", "")
        return int(columns) if columns.isdigit() and int(columns) > 0 else os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return None


def pieces(text: str) -> list[str]:
    """``text`` cut after each ``/`` and space: the parts a wrapped cell keeps whole."""
    return [part for part in BREAK.split(text) if part]


def unbreakable(text: str) -> int:
    """The length of the longest piece of ``text`` (its trailing space not counted): the narrowest column for it."""
    return max((len(part.rstrip(" ")) for part in pieces(text)), default=0)


def wrap_cell(text: str, width: int | None) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken only after a ``/`` or at a space (the space is
    dropped); a piece longer than ``width`` stands whole on its own line. ``width`` None: one line."""
    if width is None or len(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for part in pieces(text):
        if line and len((line + part).rstrip(" ")) > width:
            lines.append(line.rstrip(" "))
            line = ""
        line += part
    return [*lines, line.rstrip(" ")]


def column_widths(rows: Sequence[Sequence[str]], width: int | None, shrinkable: Collection[int]) -> list[int]:
    """Each column as wide as its widest cell; then, while the table is wider than ``width``, a ``shrinkable``
    column gives up one character: the one that adds the fewest lines to the table (a row is as tall as its most
    wrapped cell), the widest of those; no column below its longest unbreakable piece."""
    columns = list(zip(*rows, strict=True))
    widths = [max(len(cell) for cell in column) for column in columns]
    if width is None:
        return widths
    floors = [max(unbreakable(cell) for cell in column) for column in columns]
    heights: dict[tuple[int, int], list[int]] = {}  # (column, width) -> the lines of each of its cells

    def cell_lines(index: int, trial_width: int) -> list[int]:
        if (index, trial_width) not in heights:
            heights[(index, trial_width)] = [len(wrap_cell(cell, trial_width)) for cell in columns[index]]
        return heights[(index, trial_width)]

    def table_lines(trial: list[int]) -> int:
        return sum(map(max, zip(*(cell_lines(i, w) for i, w in enumerate(trial)), strict=True)))

    while sum(widths) + len(GAP) * (len(widths) - 1) > width:
        candidates = [i for i in shrinkable if widths[i] > floors[i]]
        if not candidates:
            break

        def cost(index: int) -> tuple[int, int]:
            trial = list(widths)
            trial[index] -= 1
            return table_lines(trial), -widths[index]

        widths[min(candidates, key=cost)] -= 1
    return widths


def render(
    rows: Sequence[Sequence[str]],
    width: int | None,
    shrinkable: Collection[int] = (),
    indent: str = "",
    *,
    rule: bool = False,
) -> list[list[str]]:
    """The lines of each row of ``rows`` (the header first), its columns fitted to ``width`` minus ``indent``: a
    row's first line, then a continuation line for as long as one of its cells still has text; with ``rule``, the
    header's lines end with a line of dashes under each column."""
    fit = None if width is None else max(width - len(indent), 1)
    widths = column_widths(rows, fit, shrinkable)
    out = []
    for cells in rows:
        parts = [wrap_cell(cell, None if fit is None else w) for cell, w in zip(cells, widths, strict=True)]
        out.append(
            [
                indent
                + GAP.join((p[i] if i < len(p) else "").ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip()
                for i in range(max(map(len, parts)))
            ]
        )
    if rule and out:
        out[0].append(indent + GAP.join("-" * w for w in widths))
    return out


def wrap_text(text: str, width: int | None, indent: str = "", subsequent: str | None = None) -> list[str]:
    """A line of prose (a reason, a hint, a legend) under a table: wrapped at spaces to ``width``, never inside a
    word; one line when ``width`` is None."""
    if width is None:
        return [indent + text]
    return textwrap.wrap(
        text,
        width,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]
