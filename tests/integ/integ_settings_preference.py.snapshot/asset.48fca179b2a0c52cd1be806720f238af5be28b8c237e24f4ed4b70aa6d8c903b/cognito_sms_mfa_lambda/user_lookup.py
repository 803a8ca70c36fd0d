"""The first read of a user by a Create or Update of one user (settings, preference), and what its FAILED reason
says when Cognito answers ``UserNotFoundException`` in a pool whose usernames are case-sensitive.

A name that differs from the user's only by letter case (``frank`` for ``Frank``) is another name in such a pool;
the reason then says so, from one ``DescribeUserPool`` made only on that failure (``docs/design.md``, failure paths).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from . import retry
from .errors import client_error_reason

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

    from .properties import Subject
    from .retry import Deadline

logger = logging.getLogger(__name__)

NOT_FOUND = "UserNotFoundException"
CASE_HINT = "usernames are case-sensitive in this pool"


def case_sensitive(answer: Mapping[str, Any]) -> bool:
    """Whether a ``DescribeUserPool`` answer's pool compares usernames case-sensitively (a pool without
    ``UsernameConfiguration``, as the API and CloudFormation make it by default, does)."""
    configuration = answer.get("UserPool", {}).get("UsernameConfiguration") or {}
    return configuration.get("CaseSensitive", True) is not False


def has_letter_case(username: str) -> bool:
    """Whether ``username`` has letters that another spelling could write in another case (a phone number has not)."""
    return username.lower() != username.upper()


def with_case_hint(reason: str, sensitive: bool | None) -> str:
    """``reason`` of a user not found, with :data:`CASE_HINT` when the pool is known to be case-sensitive."""
    return f"{reason}; {CASE_HINT}" if sensitive else reason


def get_user(client: CognitoIdentityProviderClient, subject: Subject, deadline: Deadline) -> dict[str, Any]:
    """``AdminGetUser`` of ``subject`` with the handler's retries; a user not found fails with the case hint when the
    pool is case-sensitive and the name has letters (``DescribeUserPool`` is asked only then)."""

    def reason(operation: str, code: str, message: str, failed: Subject) -> str:
        text = client_error_reason(operation, code, message, failed)
        if code != NOT_FOUND or not has_letter_case(failed.username):
            return text
        return with_case_hint(text, _pool_case_sensitive(client, failed.user_pool_id))

    answer: Any = retry.call(
        "AdminGetUser",
        subject,
        deadline,
        lambda: client.admin_get_user(UserPoolId=subject.user_pool_id, Username=subject.username),
        reason,
    )
    return dict(answer)


def _pool_case_sensitive(client: CognitoIdentityProviderClient, user_pool_id: str) -> bool | None:
    """One ``DescribeUserPool``, on the failure path only; None when it fails (the reason then has no hint)."""
    try:
        return case_sensitive(client.describe_user_pool(UserPoolId=user_pool_id))
    except (ClientError, BotoCoreError) as error:
        logger.warning("DescribeUserPool failed, so the reason says nothing of letter case: %s", type(error).__name__)
        return None
