"""Pacing a batch at Cognito's request-rate quotas: the categories, the default rates, the least time, the pacer.

Cognito counts admin calls per account and Region in categories (``docs/design.md``, batches, with the sources):
:data:`OPERATION_CATEGORIES` is the one table that says which category each call of a batch falls in, and
:data:`DEFAULT_QUOTAS_RPS` the service's default quotas. A batch uses :data:`DEFAULT_SHARE` of them unless told
otherwise (the app's own traffic shares the quota). :class:`Pacer` spaces the calls of each category evenly at
its rate across the worker threads, halves a category's rate when Cognito throttles it anyway and recovers
slowly; :func:`least_time_s` is the arithmetic the construct checks at synth. Standard library only: the
construct library imports the table and the arithmetic.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

USER_READ = "UserRead"
USER_UPDATE = "UserUpdate"
OPERATION_CATEGORIES: dict[str, str] = {
    "AdminGetUser": USER_READ,
    # UserUpdate or UserResourceUpdate: both 25 RPS by default; which one is not documented per operation.
    "AdminSetUserSettings": USER_UPDATE,
    "AdminSetUserMFAPreference": USER_UPDATE,
}
DEFAULT_QUOTAS_RPS: dict[str, float] = {USER_READ: 120.0, USER_UPDATE: 25.0}
DEFAULT_SHARE = 0.8
# CloudFormation waits at most an hour for a custom resource (ServiceTimeout, and its default).
MAX_SERVICE_TIMEOUT_S = 3600
# The Lambda time kept back for the remaining Cognito calls and the response (with the client's timeouts): no
# retry pause, and no batch work, eats into the last RESERVE_S seconds (retry.py's budgets, the batch's work per
# invocation, the construct's capacity check at synth).
RESERVE_S = 30.0
# A continuation's rule fires every minute (crhelper's polling_interval); the next invocation starts at most this
# long after one ends, which is time no call is made.
POLL_INTERVAL_S = 60.0
# A throttled category drops to this share of its rate (never below MIN_RATE_SHARE of it) and regains
# RECOVERY_SHARE of its rate per call that succeeds.
THROTTLE_FACTOR = 0.5
MIN_RATE_SHARE = 0.05
RECOVERY_SHARE = 0.01


def default_rates() -> dict[str, float]:
    """The rates a batch uses unless told otherwise: :data:`DEFAULT_SHARE` of each default quota."""
    return {category: quota * DEFAULT_SHARE for category, quota in DEFAULT_QUOTAS_RPS.items()}


def shared_rates(rates: Mapping[str, float], batches: int) -> dict[str, float]:
    """Each batch's share of a stack's ``rates`` when its ``batches`` run at once (CloudFormation runs resources
    that do not depend on each other in parallel), so that together they stay within ``rates``."""
    return {category: rate / max(batches, 1) for category, rate in rates.items()}


def category_of(operation: str) -> str:
    """The quota category of ``operation`` (KeyError for a call a batch does not make)."""
    return OPERATION_CATEGORIES[operation]


def least_time_s(calls: Mapping[str, int], rates: Mapping[str, float]) -> float:
    """The least time ``calls`` (by category) take at ``rates`` (by category), one category after another."""
    return sum(count / rates[category] for category, count in calls.items() if count)


def describe_least_time(calls: Mapping[str, int], rates: Mapping[str, float]) -> str:
    """The arithmetic of :func:`least_time_s` in words: ``1,000 UserRead / 96/s + 1,000 UserUpdate / 20/s = 60 s``."""
    terms = [f"{count:,} {category} / {rates[category]:g}/s" for category, count in calls.items() if count]
    return f"{' + '.join(terms)} = {least_time_s(calls, rates):,.0f} s"


def continuation_capacity_s(service_timeout_s: float, work_per_invocation_s: float, reserve_s: float) -> float:
    """The most call time a request going on over invocations has within ``service_timeout_s``: the time less what
    the last answer needs, at the duty of slices of ``work_per_invocation_s`` with up to :data:`POLL_INTERVAL_S`
    between them."""
    duty = work_per_invocation_s / (work_per_invocation_s + POLL_INTERVAL_S)
    return max(service_timeout_s - reserve_s, 0.0) * duty


def describe_capacity(service_timeout_s: float, work_per_invocation_s: float, reserve_s: float) -> str:
    """:func:`continuation_capacity_s` in words: ``(3,600 s - 30 s) x 870 / (870 + 60) = 3,340 s``."""
    capacity = continuation_capacity_s(service_timeout_s, work_per_invocation_s, reserve_s)
    return (
        f"({service_timeout_s:,.0f} s - {reserve_s:,.0f} s) x {work_per_invocation_s:,.0f} / "
        f"({work_per_invocation_s:,.0f} + {POLL_INTERVAL_S:,.0f}) = {capacity:,.0f} s"
    )


@dataclass
class _Lane:
    """One category's schedule: its target rate, its current rate, when its next call may start, its counts."""

    target: float
    rate: float
    next_start: float = 0.0
    calls: int = 0
    throttles: int = 0


@dataclass
class Pacer:
    """Spaces calls per category at their rates; shared by worker threads.

    Parameters
    ----------
    rates
        Requests per second by category.
    clock, sleep
        Monotonic seconds and a sleep. Default: - ``time.monotonic`` and ``time.sleep``.

    Examples
    --------
    >>> pacer = Pacer({"UserRead": 96.0})
    >>> pacer.wait("UserRead")  # returns at once, then every 1/96 s
    """

    rates: Mapping[str, float]
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _lanes: dict[str, _Lane] = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._lanes = {category: _Lane(rate, rate) for category, rate in self.rates.items()}

    def wait(self, category: str) -> None:
        """Block until the next call of ``category`` may start (its slot is taken on return)."""
        with self._lock:
            lane = self._lanes[category]
            now = self.clock()
            start = max(now, lane.next_start)
            lane.next_start = start + 1.0 / lane.rate
            lane.calls += 1
        if start > now:
            self.sleep(start - now)

    def succeeded(self, category: str) -> None:
        """A call went through: regain a little of the rate lost to throttling."""
        with self._lock:
            lane = self._lanes[category]
            lane.rate = min(lane.target, lane.rate + lane.target * RECOVERY_SHARE)

    def throttled(self, category: str) -> None:
        """Cognito throttled a call of ``category``: other traffic shares the quota, so slow down."""
        with self._lock:
            lane = self._lanes[category]
            lane.throttles += 1
            lane.rate = max(lane.target * MIN_RATE_SHARE, lane.rate * THROTTLE_FACTOR)

    def counts(self) -> dict[str, tuple[int, int]]:
        """Calls started and throttles, by category."""
        with self._lock:
            return {category: (lane.calls, lane.throttles) for category, lane in self._lanes.items()}
