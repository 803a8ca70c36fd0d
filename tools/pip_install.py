"""``pip install`` with live progress: ``python tools/pip_install.py PIP_INSTALL_ARGS...`` (``make setup``).

Under ``pip -q`` a first install runs about 80 s without a word; pip's own output is one line per package while it
collects and then nothing while it unpacks and compiles (aws-cdk-lib alone is 400 MB). This runs pip in this
interpreter and says, every few seconds, how far it is: packages collected of those requested, then packages
installed of those it installs (counted as new ``*.dist-info`` folders appear: an upgrade replaces one), each with
its rate. On a terminal the line is rewritten in place; in a log it is one line every ``LOG_EVERY_S`` seconds.
pip's warnings and errors pass through; its exit status is this script's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

TTY_EVERY_S = 0.5
LOG_EVERY_S = 5.0
COLLECTED = re.compile(r"^(Collecting|Processing|Requirement already satisfied:|Obtaining) ")
INSTALLING = "Installing collected packages: "


def requested(args: list[str]) -> int:
    """How many packages ``args`` asks for: each ``-r FILE``'s requirement lines, and each other argument that is not
    an option (or an option's value)."""
    count, index = 0, 0
    while index < len(args):
        arg = args[index]
        if arg in ("-r", "--requirement"):
            lines = Path(args[index + 1]).read_text().splitlines()
            count += sum(1 for line in lines if line.split("#", 1)[0].strip())
            index += 2
            continue
        if arg in ("-c", "--constraint", "--python", "-i", "--index-url", "--find-links", "-f"):
            index += 2
            continue
        count += not arg.startswith("-")
        index += 1
    return count


class Progress:
    """What pip has done so far, from its output lines and the site-packages folder."""

    def __init__(self, total: int) -> None:
        self.started = time.monotonic()
        self.total = total
        self.collected = 0
        self.installing: int | None = None  # packages pip installs, once it says so
        self.site_packages = Path(sysconfig.get_path("purelib"))
        self.before: set[str] = set()

    def read(self, line: str) -> None:
        if COLLECTED.match(line):
            self.collected += 1
        elif line.startswith(INSTALLING):
            self.installing = len(line.removeprefix(INSTALLING).split(", "))
            self.before = self._dist_infos()

    def _dist_infos(self) -> set[str]:
        return {path.name for path in self.site_packages.glob("*.dist-info")}

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        if self.installing is None:
            done, total, what = self.collected, max(self.total, self.collected), "collected"
        else:
            done = min(len(self._dist_infos() - self.before), self.installing)
            total, what = self.installing, "installed"
        rate = done / elapsed if elapsed > 0 else 0.0
        return f"  pip: {done}/{total} packages {what}, {rate:.1f}/s, {elapsed:.0f} s"


def main(args: list[str]) -> int:
    progress = Progress(requested(args))
    command = [sys.executable, "-m", "pip", "install", "--progress-bar", "off", *args]
    pip = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert pip.stdout is not None
    tty = sys.stdout.isatty()
    stop = threading.Event()

    def report() -> None:
        while not stop.wait(TTY_EVERY_S if tty else LOG_EVERY_S):
            print(f"\r{progress.line()}\033[K" if tty else progress.line(), end="" if tty else "\n", flush=True)

    reporter = threading.Thread(target=report, daemon=True)
    reporter.start()
    for line in pip.stdout:
        progress.read(line)
    status = pip.wait()
    stop.set()
    reporter.join()
    print(f"\r{progress.line()}\033[K" if tty else progress.line(), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
