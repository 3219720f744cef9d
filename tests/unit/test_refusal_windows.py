"""Refused calls folded per window: the first of each call is recorded, its repeats counted and handed
over once the window ends, and a caller past the limit is throttled until then."""

from __future__ import annotations

from uuid import uuid4

from commands.access import RefusalWindows


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_first_refusal_of_a_call_is_recorded_and_its_repeats_are_handed_over_when_the_window_ends():
    clock = Clock()
    windows = RefusalWindows(window_s=60, limit=100, now=clock)
    caller, call = ("partner:crm", "10.0.0.7"), ("DELETE", "/api/v1/clients/1")
    assert windows.admit(caller, call) == "record"
    first = uuid4()
    windows.recorded(caller, call, first)
    assert [windows.admit(caller, call) for _ in range(4)] == ["count"] * 4
    assert windows.closed() == []  # the window is still open
    clock.now = 60
    assert windows.closed() == [(first, 4)] and len(windows) == 0


def test_each_call_has_its_own_entry_and_a_single_refusal_has_nothing_to_add():
    clock = Clock()
    windows = RefusalWindows(window_s=60, limit=100, now=clock)
    caller = ("staff:omar", "10.0.0.8")
    calls = [("POST", "/api/v1/offers"), ("PUT", "/api/v1/offers/1")]
    assert [windows.admit(caller, c) for c in calls] == ["record", "record"]
    ids = [uuid4(), uuid4()]
    for c, refusal_id in zip(calls, ids):
        windows.recorded(caller, c, refusal_id)
    windows.admit(caller, calls[1])
    clock.now = 61
    assert windows.closed() == [(ids[1], 1)]


def test_past_the_limit_the_caller_is_throttled_until_the_window_ends_and_the_count_goes_on():
    clock = Clock()
    windows = RefusalWindows(window_s=60, limit=3, now=clock)
    caller, call = ("key:abc", "10.0.0.9"), ("POST", "/api/v1/offers")
    answers = [windows.admit(caller, call) for _ in range(5)]
    assert answers == ["record", "count", "count", "throttle", "throttle"]
    windows.recorded(caller, call, first := uuid4())
    assert windows.admit(caller, ("GET", "/api/v1/other")) == "throttle"  # the limit is the caller's
    clock.now = 30
    assert windows.retry_after(caller) == 31
    clock.now = 60
    assert windows.admit(caller, call) == "record"  # a new window
    assert windows.closed() == [(first, 4)]  # the ended one's repeats, throttled ones included
    assert windows.admit(("key:other", "10.0.0.9"), call) == "record"  # callers are apart


def test_when_the_gateway_stops_every_open_window_is_handed_over():
    windows = RefusalWindows(window_s=60, limit=10, now=Clock())
    caller, call = ("key:abc", "10.0.0.9"), ("POST", "/api/v1/offers")
    windows.admit(caller, call)
    windows.recorded(caller, call, first := uuid4())
    windows.admit(caller, call)
    assert windows.closed(everything=True) == [(first, 1)]
