"""Progress during the rehearsal's long waits: a batch's Create or Delete (a 300-user batch takes about 30 s at the
paced write rate) prints, every few seconds on standard error, how far the handler got, in words.

The handler runs in a child process; what it did so far is read from the emulator (``GET /_emulator/calls``): its
``AdminGetUser`` reads against the listed users, and its writes, each with its rate. :func:`batch_line` is the
pure part; :class:`Ticker` the thread that calls it while the wait lasts. The rehearsal's own loops over a batch's
users (making the users a list names, reading them back after each request) count themselves (:func:`counted`).
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from types import TracebackType

FIRST_AFTER_S = 2.0  # a wait shorter than this prints nothing
EVERY_S = 3.0
READ = "AdminGetUser"
WRITES = frozenset({"AdminSetUserSettings", "AdminSetUserMFAPreference"})


def batch_line(label: str, total: int, reads: int, writes: int, seconds: float) -> str:
    """``  create    Staff: 300 of 300 users read (96/s), 84 writes (20/s), 12 s so far``."""
    read_rate = reads / seconds if seconds > 0 else 0.0
    write_rate = writes / seconds if seconds > 0 else 0.0
    writes_text = f"{writes:,} write{'' if writes == 1 else 's'} ({write_rate:.0f}/s)"
    return (
        f"{label}: {min(reads, total):,} of {total:,} users read ({read_rate:.0f}/s), {writes_text}, "
        f"{seconds:.0f} s so far"
    )


def emulator_calls(endpoint: str) -> list[str] | None:
    """The actions the emulator received so far, oldest first; None when it cannot be asked."""
    try:
        with urllib.request.urlopen(f"{endpoint}/_emulator/calls", timeout=2) as answer:
            calls = json.loads(answer.read()).get("calls")
    except (OSError, ValueError, AttributeError):
        return None
    return [str(call) for call in calls] if isinstance(calls, list) else None


class Ticker:
    """While the ``with`` block runs, every :data:`EVERY_S` seconds from :data:`FIRST_AFTER_S` on, passes
    ``line(seconds)`` to ``emit`` (a line that is None is skipped)."""

    def __init__(self, emit: Callable[[str], None], line: Callable[[float], str | None]) -> None:
        self._emit, self._line = emit, line
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rehearsal-progress", daemon=True)
        self._started = 0.0

    def __enter__(self) -> Ticker:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        wait = FIRST_AFTER_S
        while not self._done.wait(wait):
            text = self._line(time.monotonic() - self._started)
            if text is not None:
                self._emit(text)
            wait = EVERY_S


def batch_ticker(emit: Callable[[str], None], endpoint: str, label: str, total: int) -> Ticker:
    """A :class:`Ticker` of one batch request: the reads and writes the emulator received since it started."""
    before = emulator_calls(endpoint) or []

    def line(seconds: float) -> str | None:
        calls = emulator_calls(endpoint)
        if calls is None:
            return None
        new = calls[len(before) :]
        return batch_line(label, total, new.count(READ), sum(1 for call in new if call in WRITES), seconds)

    return Ticker(emit, line)


def count_line(label: str, done: int, total: int, verb: str, seconds: float) -> str:
    """``  users     Staff: 120 of 300 users read back (95/s), 3 s so far``."""
    rate = done / seconds if seconds > 0 else 0.0
    return f"{label}: {done:,} of {total:,} users {verb} ({rate:.0f}/s), {seconds:.0f} s so far"


def counted(emit: Callable[[str], None], label: str, total: int, verb: str) -> tuple[Ticker, Callable[[], None]]:
    """A :class:`Ticker` of a loop over ``total`` users that the rehearsal runs itself (making a batch's users,
    reading them back), and the function the loop calls after each user."""
    done = [0]

    def step() -> None:
        done[0] += 1

    return Ticker(emit, lambda seconds: count_line(label, done[0], total, verb, seconds)), step
