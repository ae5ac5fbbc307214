"""The failed-login throttle: a burst of failures, then one per interval, and nobody locked out for good."""

from __future__ import annotations

from sitejobs.auth.throttle import FailureThrottle, Limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_failures_then_a_wait_that_ends() -> None:
    clock = Clock()
    throttle = FailureThrottle(Limit(burst=3, per_second=0.1), clock)
    for _ in range(3):
        assert throttle.retry_after("alice") == 0
        throttle.failed("alice")
    wait = throttle.retry_after("alice")
    assert wait == 10
    assert throttle.retry_after("bob") == 0  # per key
    clock.now += wait
    assert throttle.retry_after("alice") == 0  # the owner gets an attempt back by waiting


def test_an_attacker_who_keeps_failing_only_ever_waits_one_interval_more() -> None:
    clock = Clock()
    throttle = FailureThrottle(Limit(burst=2, per_second=0.5), clock)
    for _ in range(1000):  # failures charged while throttled do not pile up into a lockout
        throttle.failed("root")
    assert throttle.retry_after("root") == 2
    clock.now += 2
    assert throttle.retry_after("root") == 0
    clock.now += 60
    for _ in range(2):  # and after a quiet minute the whole burst is back
        assert throttle.retry_after("root") == 0
        throttle.failed("root")


def test_forgive_and_refund() -> None:
    clock = Clock()
    throttle = FailureThrottle(Limit(burst=1, per_second=0.01), clock)
    throttle.failed("a")
    assert throttle.retry_after("a") > 0
    throttle.refund("a")
    assert throttle.retry_after("a") == 0
    throttle.failed("a")
    throttle.forgive("a")
    assert throttle.retry_after("a") == 0
