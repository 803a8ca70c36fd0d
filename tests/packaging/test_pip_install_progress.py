"""``tools/pip_install.py`` (``make setup``'s first install): what it counts from pip's output and the
site-packages folder, and the line it prints."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from tests.conftest import REPO_ROOT


def load_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pip_install", REPO_ROOT / "tools" / "pip_install.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TOOL = load_tool()


def test_requested_counts_the_lock_lines_and_the_named_packages(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("six==1.17.0\n# a comment\n\nattrs==26.1.0  # pinned\n")
    assert TOOL.requested(["--disable-pip-version-check", "-r", str(lock)]) == 2
    assert TOOL.requested(["-c", str(lock), "six", "attrs", "--no-deps"]) == 2
    assert TOOL.requested(["-r", str(REPO_ROOT / "requirements.lock")]) == len(
        (REPO_ROOT / "requirements.lock").read_text().splitlines()
    )


def test_progress_counts_collected_then_installed_packages(tmp_path: Path) -> None:
    # GIVEN a progress of 3 requested packages, over a site-packages folder holding two distributions already
    progress = TOOL.Progress(3)
    progress.site_packages = tmp_path
    (tmp_path / "pip-23.2.1.dist-info").mkdir()
    (tmp_path / "setuptools-65.5.0.dist-info").mkdir()
    # WHEN pip collects them
    for line in ("Collecting six==1.17.0\n", "Processing ./attrs.whl\n", "Requirement already satisfied: x in y\n"):
        progress.read(line)
    collected = progress.line()
    # AND announces three to install, and two have been installed, one of them an upgrade
    progress.read("Installing collected packages: six, attrs, setuptools\n")
    (tmp_path / "six-1.17.0.dist-info").mkdir()
    (tmp_path / "setuptools-65.5.0.dist-info").rmdir()
    (tmp_path / "setuptools-80.9.0.dist-info").mkdir()
    installed = progress.line()
    # THEN each line says how many of how many, and the rate
    assert re.fullmatch(r"  pip: 3/3 packages collected, \d+\.\d/s, \d+ s", collected), collected
    assert re.fullmatch(r"  pip: 2/3 packages installed, \d+\.\d/s, \d+ s", installed), installed
