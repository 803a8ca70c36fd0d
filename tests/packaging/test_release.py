"""The release artifacts as a package index gets them: ``twine check --strict`` passes on the sdist and the wheel,
the sdist carries every page the README links to (relative links, which work in the unpacked sdist and in a
checkout: the package has no repository address), and the changelog describes the version being built."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib

import pytest

from tests.conftest import REPO_ROOT
from tests.packaging.conftest import Release

pytestmark = pytest.mark.slow

PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
# [text](target) and [text](target#anchor) where target is not a URL.
RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#)(?P<target>[^)#\s]+)(?:#[^)\s]*)?\)")


def sdist_members(release: Release) -> set[str]:
    with tarfile.open(release.sdist) as archive:
        return {name.partition("/")[2] for name in archive.getnames()}


def test_twine_check_strict_passes(release: Release) -> None:
    # GIVEN / WHEN twine checks both artifacts as an upload would
    result = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(release.sdist), str(release.wheel)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # THEN their metadata and the README as the index renders it pass
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_every_relative_link_of_the_readme_is_in_the_sdist(release: Release) -> None:
    # GIVEN the README's relative links
    targets = sorted({match["target"] for match in RELATIVE_LINK.finditer((REPO_ROOT / "README.md").read_text())})
    assert targets, "the README links to no page: the check below would pass on nothing"
    # WHEN the sdist's files are listed
    members = sdist_members(release)
    # THEN each link's target is one of them
    assert [target for target in targets if target not in members] == []


def test_sdist_carries_the_changelog_and_the_license(release: Release) -> None:
    assert {"CHANGELOG.md", "LICENSE", "README.md", "pyproject.toml"} <= sdist_members(release)


def test_changelog_describes_the_version_being_built() -> None:
    # GIVEN the changelog, in Keep a Changelog's form
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    versions = re.findall(r"^## \[(?P<version>[^\]]+)\]", changelog, re.MULTILINE)
    # WHEN / THEN its first released version is pyproject's, under an Unreleased section
    assert versions[:2] == ["Unreleased", PROJECT["version"]]
    assert "https://keepachangelog.com/" in changelog
