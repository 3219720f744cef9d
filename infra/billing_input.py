"""Billing input: the contract histories, discounts and client identities as of one log position.

One ordered scan of the event store up to the run's recorded position. Reading the log rather
than the read models is what makes a run reproducible: the same position gives the same input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator
from uuid import UUID

from domain.billing import ContractHistory, DiscountTerms
from domain.discount import terms_of
from domain.period import Period
from infra.event_store import EVENTS_TABLE, EventStore

# Only the events that change what is billed or who it is billed to; the rest are never decoded.
TOPICS = [
    *(f"domain.contract:Contract.{name}" for name in (
        "ContractProvisioned", "ContractActivated", "ContractSuspended", "ContractResumed", "ContractTerminated", "ContractPlanChanged",
    )),
    "domain.discount:Discount.DiscountGranted",
    "domain.discount:Discount.DiscountEnded",
    "domain.client:Client.ClientRegistered",
    "domain.client:Client.ClientDetailsUpdated",
]
SCAN_BATCH = 5_000


@dataclass(frozen=True)
class ClientIdentity:
    full_name: str
    cin: str
    address: str


@dataclass
class BillingInput:
    position: int
    contracts: dict[UUID, list[ContractHistory]] = field(default_factory=dict)  # by client
    discounts: dict[UUID, list[DiscountTerms]] = field(default_factory=dict)  # by client
    identities: dict[UUID, ClientIdentity] = field(default_factory=dict)

    def clients_for(self, period: Period) -> list[UUID]:
        """Clients with a contract that may bill in the period, in the fixed order runs use."""
        return sorted((c for c, contracts in self.contracts.items() if any(_may_bill(k, period) for k in contracts)), key=str)


def _may_bill(contract: ContractHistory, period: Period) -> bool:
    return contract.start_date < period.end and (contract.terminated_on is None or contract.terminated_on >= period.first_day)


def read_billing_input(store: EventStore, position: int) -> BillingInput:
    result = BillingInput(position)
    by_id: dict[UUID, ContractHistory] = {}
    discounts: dict[UUID, dict[str, Any]] = {}
    for originator, name, data in _events(store, position):
        if name == "ContractProvisioned":
            history = ContractHistory.provisioned(originator, data)
            by_id[originator] = history
            result.contracts.setdefault(history.client_id, []).append(history)
        elif name.startswith("Contract") and originator in by_id:
            by_id[originator].apply(name, data)
        elif name == "DiscountGranted":
            discounts[originator] = data
        elif name == "DiscountEnded" and originator in discounts:
            discounts[originator]["to_period"] = data["last_period"]
        elif name == "ClientRegistered":
            result.identities[originator] = ClientIdentity(data["full_name"], data["cin"], data["address"])
        elif name == "ClientDetailsUpdated" and originator in result.identities:
            previous = result.identities[originator]
            result.identities[originator] = ClientIdentity(data["full_name"], previous.cin, data["address"])
    for discount_id, state in discounts.items():
        terms = terms_of(discount_id, state)
        result.discounts.setdefault(terms.client_id, []).append(terms)
    return result


def _events(store: EventStore, position: int) -> Iterator[tuple[UUID, str, dict[str, Any]]]:
    decode = store.mapper.transcoder.decode
    after = 0
    while after < position:
        with store.recorder.datastore.get_connection() as conn:
            rows = conn.execute(
                f"""SELECT notification_id, originator_id, topic, state FROM {EVENTS_TABLE}
                    WHERE notification_id > %s AND notification_id <= %s AND topic = ANY(%s)
                    ORDER BY notification_id LIMIT %s""",
                (after, position, TOPICS, SCAN_BATCH),
            ).fetchall()
        if not rows:
            return
        for row in rows:
            yield row["originator_id"], row["topic"].rsplit(".", 1)[1], decode(bytes(row["state"]))
        after = rows[-1]["notification_id"]
