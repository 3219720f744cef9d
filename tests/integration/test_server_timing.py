"""`MTF_SERVER_TIMING`: each answer says where its time went, as W3C Server-Timing metrics."""

from __future__ import annotations

from infra.kernel.server_timing import parsed as phases
from tests.flows import create_offer, register_client
from tests.support import OPERATOR, fresh_settings, serving

COMMAND_PHASES = {"append", "cpu", "queue", "command", "resume", "app"}


async def test_a_command_answers_the_phases_of_its_time_and_they_add_up():
    async with serving(fresh_settings(kafka=False, server_timing=True)) as (_, client):
        offer = await create_offer(client)
        body = {
            "cin": "TM100001",
            "full_name": "Salma Idrissi",
            "email": "salma@example.ma",
            "address": "Rabat",
        }
        registered = await client.post("/api/v1/clients", json=body, headers=OPERATOR)
        assert registered.status_code == 201
        timing = phases(registered.headers["server-timing"])
        assert set(timing) == COMMAND_PHASES
        assert all(ms >= 0 for ms in timing.values())
        # The append runs inside the handler, the handler's CPU within its wall time, and the whole
        # hand-off (wait, run, resume) within the request's time in the gateway.
        assert timing["append"] <= timing["command"] and timing["cpu"] <= timing["command"] + 0.05
        assert timing["queue"] + timing["command"] + timing["resume"] <= timing["app"]
        assert timing["append"] > 0  # a real statement took time: the phase is measured, not named

        read = await client.get(
            f"/api/v1/offers/{offer['id']}", params={"consistency_token": offer["position"]}, headers=OPERATOR
        )
        assert read.status_code == 200 and set(phases(read.headers["server-timing"])) == {
            "app"
        }  # no command ran

        refused = await client.post("/api/v1/clients", json={"cin": "TM100002"}, headers=OPERATOR)
        assert refused.status_code == 422 and set(phases(refused.headers["server-timing"])) == {"app"}


async def test_off_by_default_no_answer_says_where_its_time_went():
    async with serving(fresh_settings(kafka=False)) as (_, client):
        registered = await register_client(client)
        answer = await client.get(
            f"/api/v1/clients/{registered['id']}",
            params={"consistency_token": registered["position"]},
            headers=OPERATOR,
        )
        assert answer.status_code == 200 and "server-timing" not in answer.headers
