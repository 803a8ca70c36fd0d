"""The rehearsal on the integ apps (ordinary CDK apps), so the offline path and the account path test the same
stacks: every request ok, the test user's sign-in to an SMS challenge, and each integ assertion (which only runs
on a deploy with integ-runner) listed as such, without making the run incomplete."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cognito_sms_mfa_lambda.resource import (
    PREFERENCE_RESOURCE_TYPE,
    SETTINGS_RESOURCE_TYPE,
    TEST_USER_RESOURCE_TYPE,
)
from tests.conftest import synth_app
from tests.integ.helpers import INTEG_APPS, INTEG_DIR
from tests.rehearsal.helpers import rehearse

pytestmark = pytest.mark.slow
SETTINGS, PREFERENCE, TEST_USER = SETTINGS_RESOURCE_TYPE, PREFERENCE_RESOURCE_TYPE, TEST_USER_RESOURCE_TYPE
# Per app: its IntegTest's id, the (stack, phase, type, user) of each request row, and the API of each assertion.
EXPECTED = {
    "integ_settings_preference.py": (
        "SettingsAndPreference",
        [
            ("CognitoSmsMfaIntegSettings", "create", SETTINGS, "dana"),
            ("CognitoSmsMfaIntegSettings", "create", PREFERENCE, "dana"),
        ],
        ["CognitoIdentityServiceProvider.adminGetUser"],
    ),
    "integ_test_user_sign_in.py": (
        "TestUserSignIn",
        [
            ("CognitoSmsMfaIntegTestUser", "create", TEST_USER, "erin"),
            ("CognitoSmsMfaIntegTestUser", "create", SETTINGS, "erin"),
            ("CognitoSmsMfaIntegTestUser", "sign-in", TEST_USER, "erin"),
        ],
        [
            "CognitoIdentityServiceProvider.adminGetUser",
            "SecretsManager.getSecretValue",
            "CognitoIdentityServiceProvider.adminInitiateAuth",
        ],
    ),
}


@pytest.fixture(scope="module", params=INTEG_APPS)
def integ_assembly(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    app: str = request.param
    return app, synth_app(INTEG_DIR / app, tmp_path_factory.mktemp(app.removesuffix(".py")))


def report(stdout: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(stdout)
    return parsed


def test_rehearsal_of_an_integ_app_runs_its_stack_and_lists_its_assertions(integ_assembly: tuple[str, Path]) -> None:
    # GIVEN an integ app's cloud assembly: the stack under test and integ-tests' assertion stack
    app, assembly = integ_assembly
    test_name, requests, apis = EXPECTED[app]
    # WHEN
    result = rehearse(str(assembly), "--json")
    # THEN every request of the stack under test is ok, and the run is complete (exit 0)
    assert result.returncode == 0, result.stdout + result.stderr
    rows = report(result.stdout)["requests"]
    ran = [r for r in rows if r["phase"] != "integ-assertion"]
    assert [(r["stack"], r["phase"], r["resource_type"], r["username"]) for r in ran] == requests
    assert all(r["verdict"] == "ok" for r in ran), ran
    # AND a test user signed in with its secret's password to an SMS challenge, as the app's assertion expects
    for sign_in in (r for r in ran if r["phase"] == "sign-in"):
        assert (sign_in["desired"], sign_in["read_back"]) == ("SMS challenge ok", "SMS challenge ok")
    # AND each assertion is a row of the assertion stack that says it runs on deploy only
    assertions = [r for r in rows if r["phase"] == "integ-assertion"]
    assert [r["verdict"] for r in assertions] == ["not run"] * len(apis)
    assert {r["stack"] for r in assertions} == {f"{test_name}/DefaultTest/DeployAssert"}
    for row, api in zip(assertions, apis, strict=True):
        assert row["reason"] == f"integ assertion {api}: run by integ-runner after a deploy, not by the rehearsal"


def test_rehearsal_table_shows_the_assertion_rows_and_the_count(integ_assembly: tuple[str, Path]) -> None:
    app, assembly = integ_assembly
    _, _, apis = EXPECTED[app]
    # WHEN
    result = rehearse(str(assembly))
    # THEN
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert sum(1 for line in lines if line.startswith("assert ") and line.rstrip().endswith("not run")) == len(apis)
    assert sum(1 for line in lines if line.strip().startswith("not rehearsed: integ assertion ")) == len(apis)
    assert lines[-1].endswith(
        f"all requests succeeded and every user holds the desired options; {len(apis)} integ assertions not run"
        " (integ-runner runs them after a deploy)"
    )
