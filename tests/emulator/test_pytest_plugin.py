"""The ``cognito_emulator`` fixture, as a user's own test file gets it: from the installed entry point alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PLAIN_TEST_FILE = textwrap.dedent(
    """
    import os

    import boto3


    def test_first_creates_a_pool(cognito_emulator):
        client = boto3.client("cognito-idp")  # no endpoint, Region or keys given: the fixture's variables
        client.create_user_pool(PoolName="first")
        assert os.environ["AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"] == cognito_emulator.endpoint
        assert [p["Name"] for p in client.list_user_pools(MaxResults=10)["UserPools"]] == ["first"]
        assert cognito_emulator.calls() == ["CreateUserPool", "ListUserPools"]


    def test_second_starts_empty(cognito_emulator):
        client = boto3.client("cognito-idp")
        assert client.list_user_pools(MaxResults=10)["UserPools"] == []
    """
)


# Taken from moto 5.2.5's own tests (test_cognitoidp.py): plain moto's answers, where the emulator's differ.
FIXTURE_THEN_MOCK_AWS_FILE = textwrap.dedent(
    """
    import boto3
    from moto import mock_aws


    def test_first_uses_the_emulator(cognito_emulator):
        boto3.client("cognito-idp").create_user_pool(PoolName="emulated")


    @mock_aws
    def test_then_moto_enables_sms_mfa_without_phone_number(monkeypatch):
        monkeypatch.delenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", raising=False)
        client = boto3.client("cognito-idp", region_name="us-east-1")
        pool_id = client.create_user_pool(PoolName="plain")["UserPool"]["Id"]
        client.admin_create_user(UserPoolId=pool_id, Username="alice")
        client.admin_set_user_mfa_preference(
            UserPoolId=pool_id, Username="alice", SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
        )
        assert client.admin_get_user(UserPoolId=pool_id, Username="alice")["PreferredMfaSetting"] == "SMS_MFA"
        assert [p["Name"] for p in client.list_user_pools(MaxResults=10)["UserPools"]] == ["plain"]
    """
)


def run_pytest(folder: Path, test_file: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on one file in ``folder``, with no AWS variable set and the plugin from its entry point."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cognito_emulator_fixture_serves_a_plain_test_file_and_resets_between_tests(tmp_path: Path) -> None:
    # GIVEN a test file with no conftest and no import of this library, and no AWS variable set
    (tmp_path / "test_users.py").write_text(PLAIN_TEST_FILE)
    # WHEN pytest runs it in its own folder
    done = run_pytest(tmp_path, "test_users.py")
    # THEN both tests pass: the fixture came from the entry point and emptied the emulator in between
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


def test_mock_aws_after_the_fixture_is_plain_moto(tmp_path: Path) -> None:
    # GIVEN a test file whose first test uses the fixture and whose second is a plain moto test
    (tmp_path / "test_order.py").write_text(FIXTURE_THEN_MOCK_AWS_FILE)
    # WHEN pytest runs them in that order, in one process
    done = run_pytest(tmp_path, "test_order.py")
    # THEN the moto test sees moto as it ships (the emulator would refuse SMS MFA without a phone number)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
