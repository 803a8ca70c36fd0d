"""The extras in pyproject.toml bring what their modules import, in ranges that hold the versions pinned in
requirements.lock (what the test suite runs)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
EXTRAS: dict[str, list[str]] = PROJECT["optional-dependencies"]


def locked_versions() -> dict[str, str]:
    """Each package pinned in requirements.lock (``name==version`` lines), by canonical name."""
    pins: dict[str, str] = {}
    for line in (REPO_ROOT / "requirements.lock").read_text().splitlines():
        name, found, version = line.split("#", 1)[0].strip().partition("==")
        if found:
            pins[canonicalize_name(name.split("[", 1)[0])] = version.strip()
    return pins


@pytest.mark.parametrize(
    "requirement", [requirement for extra in EXTRAS.values() for requirement in extra], ids=lambda value: value
)
def test_extra_requirement_holds_the_locked_version(requirement: str) -> None:
    # GIVEN a requirement of an extra and the lock's pins
    parsed = Requirement(requirement)
    locked = locked_versions().get(canonicalize_name(parsed.name))
    # WHEN the pinned version is checked against the requirement's range
    # THEN the lock pins it, inside the range
    assert locked is not None, f"{parsed.name} of an extra is not pinned in requirements.lock"
    assert parsed.specifier.contains(locked), f"requirements.lock pins {parsed.name}=={locked}, outside {requirement!r}"


def test_local_extra_brings_pytest_for_its_pytest_plugin() -> None:
    """The ``local`` extra registers the ``cognito_emulator`` pytest plugin (entry point ``pytest11``), so it must
    bring pytest: ``pip install "cdk-cognito-sms-mfa[local]"`` alone has to give a working fixture."""
    # GIVEN the local extra and the plugin registration
    names = {canonicalize_name(Requirement(requirement).name) for requirement in EXTRAS["local"]}
    # WHEN / THEN pytest is one of its requirements
    assert "cognito_sms_mfa" in PROJECT["entry-points"]["pytest11"]
    assert "pytest" in names
