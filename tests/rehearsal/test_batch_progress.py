"""The rehearsal's own loops over a batch's users (making the users a list names, reading them back after each
request) say how far they got while they take long, in words."""

from __future__ import annotations

import re
import time
from typing import Any, cast

import pytest

from cognito_sms_mfa_rehearsal import batches, progress

LINE = re.compile(r"  read back Staff: (\d+) of 40 users read back \(\d+/s\), \d+ s so far")


class SlowPool:
    """A Cognito client whose reads each take 10 ms and find the SMS option."""

    class exceptions:  # noqa: N801 (boto3's attribute name)
        ClientError = Exception
        UsernameExistsException = KeyError

    def __init__(self) -> None:
        self.made: list[str] = []

    def admin_get_user(self, **_: str) -> dict[str, Any]:
        time.sleep(0.01)
        return {"MFAOptions": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]}

    def admin_create_user(self, **kwargs: Any) -> None:
        time.sleep(0.01)
        self.made.append(kwargs["Username"])


class QuickPool(SlowPool):
    """The same, answering at once."""

    def admin_create_user(self, **kwargs: Any) -> None:
        self.made.append(kwargs["Username"])


@pytest.fixture
def quick_ticks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Progress from 50 ms on, every 50 ms (the rehearsal: from 2 s, every 3 s)."""
    monkeypatch.setattr(progress, "FIRST_AFTER_S", 0.05)
    monkeypatch.setattr(progress, "EVERY_S", 0.05)


@pytest.mark.usefixtures("quick_ticks")
def test_reading_a_batch_back_says_how_far_it_got() -> None:
    # GIVEN 40 listed users whose reads take 400 ms together
    expected = {f"user{i}": [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}] for i in range(40)}
    lines: list[str] = []
    # WHEN they are read back with a watch
    judged = batches.judge(
        cast("Any", SlowPool()), "us-east-1_X", expected, {}, 1.0, str, (lines.append, "  read back Staff")
    )
    # THEN every user holds the option, and lines in words counted up on the way
    assert judged.counts["failed"] == 0
    counts = [int(match.group(1)) for line in lines if (match := LINE.fullmatch(line))]
    assert counts, lines
    assert counts == sorted(counts)
    assert all(0 < count <= 40 for count in counts)


@pytest.mark.usefixtures("quick_ticks")
def test_making_a_batchs_users_says_how_far_it_got_and_a_quick_loop_says_nothing() -> None:
    # GIVEN a pool that takes 10 ms per user made
    pool = SlowPool()
    lines: list[str] = []
    # WHEN 30 users are made with a watch, then 1 at once with another
    made = batches.add_missing_users(
        cast("Any", pool), "us-east-1_X", [f"u{i}" for i in range(30)], (lines.append, "  users     Staff")
    )
    quiet: list[str] = []
    batches.add_missing_users(cast("Any", QuickPool()), "us-east-1_X", ["solo"], (quiet.append, "  users     Solo"))
    # THEN each was made; the long loop said how far it got, the short one nothing
    assert made == 30
    assert pool.made[:30] == [f"u{i}" for i in range(30)]
    assert [
        line for line in lines if re.fullmatch(r"  users     Staff: \d+ of 30 users made \(\d+/s\), \d+ s so far", line)
    ]
    assert quiet == []
