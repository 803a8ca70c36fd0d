"""Secret values the rehearsal generates as CloudFormation would for ``GenerateSecretString``."""

from __future__ import annotations

import json
import string

import pytest

from cognito_sms_mfa_rehearsal.secret_values import PUNCTUATION, generated_secret_string, random_password


def test_default_password_is_32_characters_of_every_type() -> None:
    # GIVEN an empty GenerateSecretString, as `Secret(stack, "Pw")` synthesizes
    # WHEN passwords are generated
    passwords = [random_password({}) for _ in range(20)]
    # THEN each has 32 characters and at least one of each type
    for password in passwords:
        assert len(password) == 32
        for chars in (string.ascii_lowercase, string.ascii_uppercase, string.digits, PUNCTUATION):
            assert any(c in chars for c in password)


def test_length_and_exclusions_are_honoured() -> None:
    # GIVEN a length and excluded characters, as the example app's secret has them
    spec = {"PasswordLength": "20", "ExcludeCharacters": "\"'`\\", "ExcludeUppercase": "true"}
    # WHEN passwords are generated
    passwords = [random_password(spec) for _ in range(50)]
    # THEN none holds an excluded character or an uppercase letter, and each is 20 long
    for password in passwords:
        assert len(password) == 20
        assert not set(password) & set("\"'`\\" + string.ascii_uppercase)


def test_template_and_key_make_a_json_value() -> None:
    # GIVEN a template and a key to generate
    spec = {"SecretStringTemplate": '{"username": "carol"}', "GenerateStringKey": "password", "PasswordLength": 16}
    # WHEN the value is generated
    value = json.loads(generated_secret_string(spec))
    # THEN the template's fields stay and the password is under the key
    assert value["username"] == "carol"
    assert len(value["password"]) == 16


def test_exclusions_that_leave_nothing_are_an_error() -> None:
    # GIVEN a spec that excludes every type
    spec = {t: True for t in ("ExcludeLowercase", "ExcludeUppercase", "ExcludeNumbers", "ExcludePunctuation")}
    # WHEN / THEN
    with pytest.raises(ValueError, match="GenerateSecretString excludes every character"):
        random_password(spec)
