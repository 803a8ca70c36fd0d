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


def test_cognito_emulator_fixture_serves_a_plain_test_file_and_resets_between_tests(tmp_path: Path) -> None:
    # GIVEN a test file with no conftest and no import of this library, and no AWS variable set
    (tmp_path / "test_users.py").write_text(PLAIN_TEST_FILE)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "PYTEST_ADDOPTS"}
    # WHEN pytest runs it in its own folder
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_users.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # THEN both tests pass: the fixture came from the entry point and emptied the emulator in between
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
