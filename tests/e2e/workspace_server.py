"""The system the workspace's browser tests drive: `python -m tests.e2e.workspace_server`.

Playwright starts it (web/playwright.config.ts) inside `make test`, which has started PostgreSQL and
Kafka. It records a past first, on a fresh database: an offer, two clients with mobile lines since
2026-10-01 (and a dearer offer to move to), and October billed on 2026-11-02 (so those invoices
are due 2026-12-02 and overdue when the browser arrives). It writes what the tests need to know to
MTF_WORKSPACE_SEED, starts a stand-in SMS gateway on the notifications topic (tests/e2e/sms_inbox.py,
writing to web/test-results/sms.jsonl), then becomes `mtf run` on the same database and broker
with the clock pinned to 2026-12-07: the real gateway, relay and Kafka projections, serving the
built workspace and self-service site.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import orjson

from tests.billing_flows import BILLING_DAY, OCT_1, billed, contract, offer
from tests.flows import random_cin
from tests.processes import REPO
from tests.support import KEYS, OPERATOR, eventually, fresh_settings, serving, settings_env

TODAY = date(2026, 12, 7)
PAYERS = ("Karim Idrissi", "Salma Berrada")


async def record_the_past(settings) -> dict:
    async with serving(settings) as (runtime, http):
        mobile = await offer(http, "149.00", activation="50.00", name="Mobile Confort 30 Go")
        await offer(http, "199.00", name="Mobile Liberté 50 Go")
        payers = []
        for name in PAYERS:
            cin = random_cin()
            registered = await http.post(
                "/api/v1/clients",
                headers=OPERATOR,
                json={
                    "cin": cin,
                    "full_name": name,
                    "email": "client@example.ma",
                    "address": "Bd Zerktouni, Casablanca",
                },
            )
            assert registered.status_code == 201, registered.text
            line = await contract(http, registered.json()["id"], mobile, commitment=12)
            number = await eventually(lambda: _number_of(http, line))
            payers.append({"client_id": registered.json()["id"], "cin": cin, "name": name, "number": number})
        run, invoices = await billed(runtime, http, "2026-10", BILLING_DAY)
        owed = {i["client_id"]: i["gross"] for i in invoices}
        for payer in payers:
            payer["october_gross"] = owed[payer["client_id"]]
        return {
            "today": TODAY.isoformat(),
            "keys": {
                (grant if isinstance(grant, str) else grant["role"]): key for key, grant in KEYS.items()
            },
            "offer_id": mobile,
            "payers": payers,
            "october_run": run["run_id"],
        }


async def _number_of(http, contract_id: str) -> str | None:
    """The line's number, once the contract read model shows it (projections run through Kafka here)."""
    seen = await http.get(f"/api/v1/contracts/{contract_id}", headers=OPERATOR)
    return seen.json()["number"] if seen.status_code == 200 else None


def main() -> None:
    port = os.environ.get("MTF_HTTP_PORT", "8765")
    settings = fresh_settings(kafka=True, fixed_today=OCT_1)
    seed = asyncio.run(record_the_past(settings))
    written = Path(os.environ.get("MTF_WORKSPACE_SEED", REPO / "web" / "test-results" / "seed.json"))
    written.parent.mkdir(parents=True, exist_ok=True)
    written.write_bytes(orjson.dumps(seed))
    env = settings_env(settings)
    env.update(
        {"MTF_HTTP_PORT": port, "MTF_FIXED_TODAY": TODAY.isoformat(), "MTF_CONSISTENCY_WAIT_MS": "10000"}
    )
    inbox = written.parent / "sms.jsonl"
    inbox.unlink(missing_ok=True)
    # Ended with this process's group when Playwright stops the server.
    subprocess.Popen([sys.executable, "-m", "tests.e2e.sms_inbox", str(inbox)], env=env, cwd=REPO)
    os.chdir(REPO)
    os.execve(sys.executable, [sys.executable, "-m", "infra.runtime.cli", "run"], env)


if __name__ == "__main__":
    main()
