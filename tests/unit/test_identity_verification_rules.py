"""The rules of identity verification that need no database: the policy read from settings, the SMS, the number
a code may go to, and how a refusal for too many attempts is answered."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from commands.identity_verification import VisitorPolicy, mobile_number, sms_text, too_many
from domain.errors import RateLimited, RuleViolation
from gateways import errors
from infra.kernel.settings import Settings

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


def test_the_policy_follows_the_settings():
    policy = VisitorPolicy.of(
        Settings(landing_code_minutes=7, landing_token_minutes=20, landing_attempt_window_minutes=15)
    )
    assert policy.code_lifetime == timedelta(minutes=7)
    assert policy.token_lifetime == timedelta(minutes=20)
    assert policy.attempt_window == timedelta(minutes=15)


def test_the_sms_gives_the_code_and_how_long_it_lasts():
    assert sms_text("042917", 5) == (
        "MT-Facturation : votre code est 042917. Il expire dans 5 minutes. Ne le communiquez a personne."
    )


def test_a_code_goes_only_to_a_mobile_number():
    assert mobile_number("06 12 34 56 78") == "+212612345678"
    with pytest.raises(RuleViolation) as refused:
        mobile_number("05 22 12 34 56")  # a landline cannot receive the SMS
    assert refused.value.code == "invalid_number" and refused.value.details == {"field": "number"}


def test_the_wait_is_rounded_up_to_a_whole_second_and_is_never_zero():
    assert too_many(NOW + timedelta(seconds=29.2), NOW, "too_many_attempts", "x").details == {
        "retry_after_s": 30
    }
    assert too_many(NOW, NOW, "too_many_attempts", "x").details == {"retry_after_s": 1}


def test_a_refusal_for_too_many_attempts_is_a_429_with_retry_after():
    app = FastAPI()
    errors.install(app)

    @app.get("/probe")
    async def probe():
        raise too_many(
            NOW + timedelta(seconds=90), NOW, "too_many_attempts", "too many verification attempts"
        )

    answer = TestClient(app).get("/probe")
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "90"
    body = answer.json()["error"]
    assert body["code"] == "too_many_attempts" and body["details"] == {"retry_after_s": 90}
    assert isinstance(too_many(NOW, NOW, "c", "m"), RateLimited)
