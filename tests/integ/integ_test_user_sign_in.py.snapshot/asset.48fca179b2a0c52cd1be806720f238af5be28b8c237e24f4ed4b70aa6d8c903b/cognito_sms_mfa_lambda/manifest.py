"""The list of a batch resource: a content-addressed JSON file in S3, written at synth, read and checked by the handler.

The template carries only where the list is and what it must hash to (``ManifestBucket``, ``ManifestKey``,
``ManifestSha256``, ``UserCount``), so a template, an event and crhelper's polling input stay small at any size
(``docs/design.md``, batches). The construct writes the file with :func:`manifest_bytes`; the handler checks what
it reads with :func:`parse_manifest`. Standard library only: the construct library imports it too, and a later
batch type (test users) can list its users in the same format.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import HandlerError

if TYPE_CHECKING:
    from collections.abc import Sequence

MANIFEST_FORMAT = "cognito-sms-mfa/usernames/1"
MANIFEST_FILE = "usernames.json"
# The objects a batch keeps next to its list, in the same bucket: ``<list digest>.cognito-sms-mfa-record.<stack
# uuid>.<pool id>.`` then ``json`` (the record of its writes) or ``claim.<request id>.<invocation>`` (one per
# invocation). The part before the first ``.`` is the list's digest, as the list's own key is ``<digest>.json``:
# ``cdk gc`` keeps an object whose name up to the first dot a deployed template names, so a record lives as long
# as its list does. The construct grants exactly ``record_prefix(...)*`` (docs/design.md, batches, failure paths).
RECORD_INFIX = ".cognito-sms-mfa-record."


@dataclass(frozen=True)
class ManifestLocation:
    """Where a list is and what it must be: the S3 object, the SHA-256 of its bytes, the number of names."""

    bucket: str
    key: str
    sha256: str
    count: int

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


def record_prefix(sha256: str, stack_uuid: str, user_pool_id: str) -> str:
    """Where the objects of one stack's batch of list ``sha256`` in pool ``user_pool_id`` begin (values may be CDK
    tokens when the construct builds its grant)."""
    return f"{sha256}{RECORD_INFIX}{stack_uuid}.{user_pool_id}."


def manifest_bytes(usernames: Sequence[str]) -> bytes:
    """The file of ``usernames``: compact JSON in a fixed form, so the same list gives the same bytes anywhere."""
    document = {"format": MANIFEST_FORMAT, "usernames": list(usernames)}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    """The lowercase hex SHA-256 of ``data``: the digest the properties carry."""
    return hashlib.sha256(data).hexdigest()


def parse_manifest(data: bytes, location: ManifestLocation) -> tuple[str, ...]:
    """The usernames of a file read from ``location``; HandlerError when it is not the file the template names.

    The digest is checked first (a file replaced in the bucket, or a truncated read, never reaches Cognito),
    then the format and the count.
    """
    found = sha256(data)
    if found != location.sha256:
        raise HandlerError(
            f"ManifestSha256: the list at {location.uri} has SHA-256 {found[:12]}..., not {location.sha256[:12]}... "
            "(the object changed since synth)"
        )
    try:
        document = json.loads(data)
    except ValueError:
        raise HandlerError(f"ManifestKey: {location.uri} is not JSON") from None
    names = document.get("usernames") if isinstance(document, dict) else None
    if not isinstance(document, dict) or document.get("format") != MANIFEST_FORMAT or not isinstance(names, list):
        raise HandlerError(f"ManifestKey: {location.uri} is not a list of format {MANIFEST_FORMAT}")
    if not all(isinstance(name, str) for name in names):
        raise HandlerError(f"ManifestKey: {location.uri} holds a username that is not a string")
    if len(names) != location.count:
        raise HandlerError(f"UserCount is {location.count}, but {location.uri} lists {len(names)} users")
    return tuple(names)
