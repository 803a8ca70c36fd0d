"""Helpers of the batch tests: users in bulk, a list uploaded to the emulator's S3, the batch's properties."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from cognito_sms_mfa_emulator.clients import emulator_service_client
from cognito_sms_mfa_lambda.manifest import manifest_bytes, sha256
from tests.handler.functional.harness import REGION, SMS

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from cognito_sms_mfa_emulator.emulator import CognitoEmulator

BUCKET = "cdk-hnb659fds-assets-123456789012-us-east-1"


def add_users(client: CognitoIdentityProviderClient, pool_id: str, names: Sequence[str], *, phone: bool = True) -> None:
    """Users of ``pool_id``, each with a phone number unless ``phone`` is false."""
    for index, name in enumerate(names):
        attributes: list[Any] = [{"Name": "phone_number", "Value": f"+1555{index:07d}"}] if phone else []
        client.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS", UserAttributes=attributes)


def upload(emulator: CognitoEmulator, names: Sequence[str], key: str | None = None) -> dict[str, str]:
    """Put the list of ``names`` into the emulator's S3 as the construct would; return its location properties."""
    data = manifest_bytes(names)
    digest = sha256(data)
    s3 = emulator_service_client("s3", emulator.endpoint, REGION)
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=BUCKET)
    key = key or f"{digest}.json"
    s3.put_object(Bucket=BUCKET, Key=key, Body=data)
    return {"ManifestBucket": BUCKET, "ManifestKey": key, "ManifestSha256": digest, "UserCount": str(len(names))}


def batch_props(
    emulator: CognitoEmulator,
    pool_id: str,
    names: Sequence[str],
    *,
    options: list[dict[str, str]] | None = None,
    sms: str | None = None,
    rates: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The properties CloudFormation sends for a batch of ``names`` (the list uploaded first)."""
    props: dict[str, Any] = {
        "UserPoolId": pool_id,
        **upload(emulator, names),
        "MFAOptions": [SMS] if options is None else options,
        "MaxRequestsPerSecond": rates or {"UserRead": "1000", "UserUpdate": "1000"},
        "Record": "1",
    }
    if sms is not None:
        props["SmsMfa"] = sms
    return props


def options_of(client: CognitoIdentityProviderClient, pool_id: str, names: Sequence[str]) -> dict[str, list[Any]]:
    """Each user's MFAOptions."""
    return {n: list(client.admin_get_user(UserPoolId=pool_id, Username=n).get("MFAOptions", [])) for n in names}
