"""Secret values as CloudFormation makes them for ``AWS::SecretsManager::Secret``'s ``GenerateSecretString``.

The rehearsal creates each secret of a template in the emulator with a value generated here, so that a test user's
password is as random, as long and as free of excluded characters as the one AWS would generate (Secrets
Manager's ``GetRandomPassword`` rules: 32 characters by default, each included character type at least once).
"""

from __future__ import annotations

import json
import secrets
import string
from typing import Any

__all__ = ["PUNCTUATION", "generated_secret_string", "random_password"]

DEFAULT_LENGTH = 32
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def _flag(spec: dict[str, Any], name: str, default: bool = False) -> bool:
    value = spec.get(name, default)
    return value is True or str(value).lower() == "true"


def _character_types(spec: dict[str, Any]) -> list[str]:
    """The character types the password may use, each without the excluded characters (empty types dropped)."""
    excluded = set(str(spec.get("ExcludeCharacters", "")))
    types = [
        ("ExcludeLowercase", string.ascii_lowercase),
        ("ExcludeUppercase", string.ascii_uppercase),
        ("ExcludeNumbers", string.digits),
        ("ExcludePunctuation", PUNCTUATION),
    ]
    chosen = ["".join(c for c in chars if c not in excluded) for flag, chars in types if not _flag(spec, flag)]
    if _flag(spec, "IncludeSpace") and " " not in excluded:
        chosen.append(" ")
    return [chars for chars in chosen if chars]


def random_password(spec: dict[str, Any]) -> str:
    """A password following a ``GenerateSecretString`` specification (its length, exclusions and type rules).

    Raises
    ------
    ValueError
        When the exclusions leave no character, or the length cannot hold one character of each required type.
    """
    length = int(spec.get("PasswordLength", DEFAULT_LENGTH))
    types = _character_types(spec)
    if not types:
        raise ValueError("GenerateSecretString excludes every character")
    required = types if _flag(spec, "RequireEachIncludedType", default=True) else []
    if length < len(required):
        raise ValueError(
            f"GenerateSecretString PasswordLength {length} cannot hold one of each of {len(required)} types"
        )
    alphabet = "".join(types)
    chars = [secrets.choice(chars) for chars in required]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def generated_secret_string(spec: dict[str, Any]) -> str:
    """The SecretString CloudFormation stores: the password, or ``SecretStringTemplate`` with the password under
    ``GenerateStringKey``."""
    password = random_password(spec)
    template = spec.get("SecretStringTemplate")
    key = spec.get("GenerateStringKey")
    if template is None or key is None:
        return password
    value = json.loads(str(template))
    value[str(key)] = password
    return json.dumps(value)
