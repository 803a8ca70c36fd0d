"""Every code block of docs/local-emulator.md and of the README's Usage and Install sections runs as written.

The convention (for whoever edits those pages): a fenced block runs unless the line before it (blank lines aside)
is ``<!-- not run: <reason> -->``; a block that does not run must say so, and why. A shell block that another test
runs says which, ``<!-- run by tests/<path>.py: <how> -->`` (the README's install lines: the clean-virtualenv
matrix). A ``python`` block runs by its
content: a block with ``def test_`` is a pytest file, run by pytest in a folder of its own (the fixtures come from
the installed plugin, as in a user's project); a block with ``app.synth()`` is a CDK app, synthesized with
``python app.py``; any other block is a script, run with ``python``. Each runs in a child process with no AWS
variable but dummy credentials, so nothing can reach AWS.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from cognito_sms_mfa_emulator.offline import OFFLINE_AWS_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]
NOT_RUN = re.compile(r"<!-- not run: (?P<reason>\S.*?) -->")
RUN_BY = re.compile(r"<!-- run by (?P<test>tests/\S+\.py): (?P<how>\S.*?) -->")
FENCE = re.compile(r"^```(?P<language>\S*)\s*$")
RUN_TIMEOUT_S = 180


@dataclass(frozen=True)
class CodeBlock:
    """One fenced block: where it starts, its language, its text, and why it does not run (None: it runs)."""

    page: str
    line: int
    language: str
    text: str
    not_run: str | None
    run_by: str | None = None

    @property
    def name(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def kind(self) -> str:
        if "def test_" in self.text:
            return "pytest"
        if "app.synth()" in self.text:
            return "cdk-app"
        return "script"


def code_blocks(page: str, section: str | None = None) -> list[CodeBlock]:
    """The fenced blocks of ``page`` (a path under the repository), only those under the ``## section`` heading when
    given."""
    lines = (REPO_ROOT / page).read_text().splitlines()
    if section is not None:
        start = lines.index(f"## {section}")
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    else:
        start, end = 0, len(lines)
    blocks, index = [], start
    while index < end:
        opened = FENCE.match(lines[index])
        if opened is None:
            index += 1
            continue
        close = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = NOT_RUN.fullmatch(before.strip())
        elsewhere = RUN_BY.fullmatch(before.strip())
        blocks.append(
            CodeBlock(
                page=page,
                line=index + 1,
                language=opened["language"],
                text="\n".join(lines[index + 1 : close]) + "\n",
                not_run=marker["reason"] if marker else None,
                run_by=elsewhere["test"] if elsewhere else None,
            )
        )
        index = close + 1
    return blocks


BLOCKS = [
    *code_blocks("docs/local-emulator.md"),
    *code_blocks("README.md", "Usage"),
    *code_blocks("README.md", "Install into your own app"),
]
RUN = [block for block in BLOCKS if block.not_run is None and block.run_by is None and block.language == "python"]


def child_env() -> dict[str, str]:
    """The environment of a block's process: no AWS variable but the dummy credentials, the repository's Node first
    (as ``make`` puts it), no PYTEST_ADDOPTS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTEST_ADDOPTS"}
    env.update(OFFLINE_AWS_ENV)
    node = REPO_ROOT / ".tools" / "node" / "bin"
    if node.is_dir():
        env["PATH"] = f"{node}{os.pathsep}{env.get('PATH', '')}"
    return env


def run_block(block: CodeBlock, folder: Path) -> subprocess.CompletedProcess[str]:
    if block.kind == "pytest":
        (folder / "test_example.py").write_text(block.text)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"]
        env = {k: v for k, v in child_env().items() if k not in OFFLINE_AWS_ENV}  # the fixture sets its own
    else:
        (folder / "app.py").write_text(block.text)
        command = [sys.executable, "app.py"]
        env = {**child_env(), "CDK_OUTDIR": str(folder / "cdk.out")}
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )


def test_pages_have_code_blocks_to_run() -> None:
    """The extraction finds the blocks (a changed heading or fence must not make every test below vanish)."""
    pages = {block.page for block in RUN}
    kinds = {block.kind for block in RUN}
    assert pages == {"docs/local-emulator.md", "README.md"}
    assert kinds == {"pytest", "cdk-app", "script"}


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name)
def test_every_block_runs_or_says_why_not(block: CodeBlock) -> None:
    # GIVEN a block of a checked page
    # WHEN / THEN it is Python that runs, or it is marked with the reason it does not, or with the test that runs it
    assert block.language == "python" or block.not_run is not None or block.run_by is not None, (
        f"{block.name}: a {block.language or 'plain'} block runs only as Python; "
        "put `<!-- not run: <reason> -->` on the line before it"
    )
    assert block.run_by is None or (REPO_ROOT / block.run_by).is_file(), f"{block.name}: no test {block.run_by}"


@pytest.mark.parametrize(
    "block",
    [pytest.param(block, marks=[pytest.mark.slow] if block.kind == "cdk-app" else []) for block in RUN],
    ids=lambda block: block.name,
)
def test_block_runs_as_written(block: CodeBlock, tmp_path: Path) -> None:
    # GIVEN a block as the page shows it, in a folder of its own
    # WHEN it runs as its kind says (pytest file, CDK app, script)
    done = run_block(block, tmp_path)
    # THEN it succeeds (a pytest file: every test passed; a CDK app: its cloud assembly was written)
    assert done.returncode == 0, f"{block.name} ({block.kind}) failed:\n{done.stdout}\n{done.stderr}"
    if block.kind == "pytest":
        assert re.search(r"\b\d+ passed\b", done.stdout), done.stdout
    if block.kind == "cdk-app":
        assert (tmp_path / "cdk.out" / "manifest.json").is_file()
