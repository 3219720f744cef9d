"""The aging buckets, by days past due on the as-of day."""

from __future__ import annotations

from datetime import date, timedelta

from domain.collections import AGING_BUCKETS, aging_bucket


def test_buckets_follow_days_past_due():
    due = date(2026, 12, 2)
    days = {
        0: "current",
        1: "1-30",
        30: "1-30",
        31: "31-60",
        60: "31-60",
        61: "61-90",
        90: "61-90",
        91: "90+",
        400: "90+",
    }
    for late, bucket in days.items():
        assert aging_bucket(due + timedelta(days=late), due) == bucket
    assert aging_bucket(date(2026, 11, 2), due) == "current" and set(days.values()) == set(AGING_BUCKETS)
