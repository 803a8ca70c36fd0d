"""Cognito's request-rate quotas for the emulator: one token bucket per operation category, shared by all callers.

Cognito counts admin API calls per account and Region in categories (UserUpdate: 25 requests per second,
UserRead: 120); a call above its category's rate answers ``TooManyRequestsException`` (HTTP 400, ``Rate
exceeded``). The emulator applies the same rule when rate limits are configured; by default there is none.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["CATEGORIES", "SERVICE_QUOTAS", "RateLimiter", "category_of", "check_limits"]

CATEGORIES: dict[str, frozenset[str]] = {
    "UserUpdate": frozenset(
        {
            "AdminSetUserSettings",
            "AdminSetUserMFAPreference",
            "AdminUpdateUserAttributes",
            "AdminDeleteUserAttributes",
            "AdminEnableUser",
            "AdminDisableUser",
            "AdminSetUserPassword",
            "AdminResetUserPassword",
        }
    ),
    "UserRead": frozenset({"AdminGetUser"}),
}
"""The operations each rate category covers (the service's quota table; only the admin user calls are mapped)."""

SERVICE_QUOTAS: dict[str, float] = {"UserUpdate": 25.0, "UserRead": 120.0}
"""The service's default rates per category, in requests per second."""


def category_of(action: str) -> str | None:
    """The rate category of ``action``, or None when no configured quota covers it."""
    for category, actions in CATEGORIES.items():
        if action in actions:
            return category
    return None


def check_limits(limits: object) -> dict[str, float]:
    """Return ``limits`` as {category: requests per second}; raise ValueError naming the first bad entry."""
    if not isinstance(limits, Mapping):
        raise ValueError(f"rate limits must be an object of category to requests per second; received {limits!r}")
    checked: dict[str, float] = {}
    for category, rate in limits.items():
        if category not in CATEGORIES:
            raise ValueError(f"unknown rate category {category!r}; expected one of: {', '.join(sorted(CATEGORIES))}")
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not rate > 0:
            raise ValueError(f"rate of {category} must be a number above 0 (requests per second); received {rate!r}")
        checked[category] = float(rate)
    return checked


@dataclass
class _Bucket:
    rate: float
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per category: each holds one second of requests (at least one) and refills at its rate.

    Parameters
    ----------
    clock
        Monotonic seconds. Default: - ``time.monotonic``.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}
        self._throttled: dict[str, int] = {}

    def configure(self, limits: Mapping[str, float]) -> None:
        """Replace the limits (an empty mapping turns rate limiting off) and reset the throttle counts."""
        checked = check_limits(limits)
        now = self._clock()
        with self._lock:
            self._buckets = {category: _Bucket(rate, max(rate, 1.0), now) for category, rate in checked.items()}
            self._throttled = dict.fromkeys(checked, 0)

    def limits(self) -> dict[str, float]:
        """The configured rates, by category."""
        with self._lock:
            return {category: bucket.rate for category, bucket in self._buckets.items()}

    def throttled(self) -> dict[str, int]:
        """How many calls each category refused since the limits were configured."""
        with self._lock:
            return dict(self._throttled)

    def admit(self, action: str) -> bool:
        """Take a token for ``action``; False means the call is over its category's rate and must be refused."""
        category = category_of(action)
        with self._lock:
            bucket = self._buckets.get(category or "")
            if category is None or bucket is None:
                return True
            now = self._clock()
            bucket.tokens = min(max(bucket.rate, 1.0), bucket.tokens + (now - bucket.updated) * bucket.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True
            self._throttled[category] += 1
            return False
