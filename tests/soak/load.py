"""The steady load the soak keeps up while it injects faults: new customers with a contract each, payments
against issued invoices, and now and then a credit note. Every answer is counted; what the gateway
accepted (2xx) is kept, with its id and position, for the invariants."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from random import Random

import httpx

from tests.flows import random_cin
from tests.support import OPERATOR

RETRIES = 5  # a payment or a provisioning retried with the same reference or key after a failure


@dataclass(frozen=True)
class Acceptance:
    kind: str
    id: str
    position: int


@dataclass
class Ledger:
    accepted: list[Acceptance] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)  # (kind, status or error name) -> count

    def note(self, kind: str, outcome: httpx.Response | Exception) -> None:
        label = outcome.status_code if isinstance(outcome, httpx.Response) else type(outcome).__name__
        self.answers[(kind, label)] += 1

    def accepted_by_kind(self) -> Counter:
        return Counter(a.kind for a in self.accepted)


class Load:
    def __init__(self, http: httpx.AsyncClient, rng: Random, offer_id: str, interval_s: float) -> None:
        self.http, self.rng, self.offer_id, self.interval_s = http, rng, offer_id, interval_s
        self.ledger = Ledger()
        self.invoices: list[dict] = []
        self._payments = 0

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(
            self._every(stop, self.interval_s, self.provision),
            self._every(stop, self.interval_s, self.pay),
            self._every(stop, self.interval_s * 10, self.credit),
            self._every(stop, 2.0, self.refresh_invoices),
        )

    async def _every(self, stop: asyncio.Event, interval: float, step) -> None:
        while not stop.is_set():
            try:
                await step()
            except httpx.HTTPError:
                pass  # counted by the step; the load goes on
            try:
                await asyncio.wait_for(stop.wait(), interval)
            except TimeoutError:
                pass

    async def _post(self, kind: str, path: str, body: dict, headers: dict | None = None, retries: int = 0):
        """The accepted answer's JSON, or None; retried (same body, same headers) after a failure."""
        for attempt in range(retries + 1):
            try:
                response = await self.http.post(path, json=body, headers={**OPERATOR, **(headers or {})})
            except httpx.HTTPError as error:
                self.ledger.note(kind, error)
            else:
                self.ledger.note(kind, response)
                if response.is_success:
                    answer = response.json()
                    self.ledger.accepted.append(Acceptance(kind, answer["id"], answer["position"]))
                    return answer
                if response.status_code < 500:
                    return None  # refused: retrying would be refused again
            if attempt < retries:
                await asyncio.sleep(0.5 * (attempt + 1))
        return None

    async def provision(self) -> None:
        customer = {
            "cin": random_cin(),
            "full_name": "Client Soak",
            "email": "soak@example.ma",
            "address": "1 Rue de la Soak, Casablanca",
        }
        registered = await self._post("register_client", "/api/v1/clients", customer)
        if registered is None:
            return
        contract = {"client_id": registered["id"], "offer_id": self.offer_id, "commitment_months": 0}
        key = {"Idempotency-Key": str(uuid.uuid4())}
        await self._post("provision_contract", "/api/v1/contracts", contract, key, retries=RETRIES)

    async def pay(self) -> None:
        open_invoices = [i for i in self.invoices if Decimal(i["open_balance"]) > 0]
        if not open_invoices:
            return
        invoice = self.rng.choice(open_invoices)
        self._payments += 1
        gross = Decimal(invoice["gross"])
        amount = (gross * Decimal(self.rng.randint(20, 120)) / 100).quantize(Decimal("0.01"))
        body = {
            "client_id": invoice["client_id"],
            "invoice_id": invoice["invoice_id"],
            "amount": str(max(amount, Decimal("1.00"))),
            "method": "bank_transfer",
            "reference": f"SOAK-{uuid.uuid4().hex[:12]}",
        }
        # The same method and reference is the same payment: a retry never pays twice.
        await self._post("record_payment", "/api/v1/payments", body, retries=RETRIES)

    async def credit(self) -> None:
        if not self.invoices:
            return
        invoice = self.rng.choice(self.invoices)
        body = {"reason": "soak: goodwill", "lines": [{"line_no": 1, "net": "1.00"}]}
        await self._post("issue_credit_note", f"/api/v1/invoices/{invoice['invoice_id']}/credit-notes", body)

    async def refresh_invoices(self) -> None:
        response = await self.http.get(
            "/api/v1/invoices",
            params={"limit": 200, "offset": self.rng.randint(0, max(0, self._invoice_total - 200))},
            headers=OPERATOR,
        )
        if response.status_code == 200:
            page = response.json()
            self.invoices = page["items"]
            self._invoice_total = page["page"]["total"]

    _invoice_total = 0
