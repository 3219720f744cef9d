"""The billing roster: a light pass over the log names who a run bills, then each block reads its own
clients' histories. Together they must give exactly what one fold of the whole log gives."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from commands.billing_input import TOPICS, _fold, read_roster
from domain.client import Client
from domain.discount import Discount
from domain.period import Period
from infra.eventstore.memory import InMemoryEventStore
from tests.unit.given import provisioned_contract
from tests.unit.handlers import CTX

PERIOD = Period.parse("2026-10")

days = st.integers(min_value=-70, max_value=60).map(lambda n: PERIOD.first_day + timedelta(days=n))
contracts = st.tuples(days, st.one_of(st.none(), st.integers(0, 90)))  # start, days until terminated
clients = st.tuples(
    st.lists(contracts, max_size=3), st.booleans(), st.booleans()
)  # contracts, a discount, moved house


def _record(store: InMemoryEventStore, portfolio) -> dict[uuid.UUID, list[tuple[date, date | None]]]:
    """The portfolio in the log; returns each client's (start, terminated on) per contract."""
    timelines = {}
    for i, (lines, discounted, moved) in enumerate(portfolio):
        client = Client(
            cin=f"AB{i:05d}", full_name=f"Client {i}", email="c@b.ma", address="Rabat", phone=None
        )
        if moved:
            client.update_details(
                full_name=f"Client {i}", email="c@b.ma", address="Fes", phone=None, language="ar"
            )
        aggregates: list = [client]
        timelines[client.id] = []
        for start, lasted in lines:
            contract = provisioned_contract(client_id=client.id, start=start)
            contract.activate(on=start)
            ended = None if lasted is None else start + timedelta(days=lasted)
            if ended is not None:
                contract.terminate(on=ended, reason="moved", early_termination=True)
            timelines[client.id].append((start, ended))
            aggregates.append(contract)
        if discounted:
            aggregates.append(
                Discount.grant(
                    kind="percent",
                    value=Decimal("10"),
                    from_period=PERIOD,
                    to_period=None,
                    client_id=client.id,
                    contract_id=None,
                    label="loyalty",
                )
            )
        store.save_as(CTX, *aggregates)
    return timelines


def _may_bill(start: date, ended: date | None) -> bool:
    return start < PERIOD.end and (ended is None or ended >= PERIOD.first_day)


@settings(max_examples=60, deadline=None)
@given(st.lists(clients, max_size=8), st.integers(1, 4))
def test_blocks_read_what_the_whole_log_gives_their_clients(portfolio, block_size):
    store = InMemoryEventStore()
    timelines = _record(store, portfolio)
    position = store.head()
    _record(store, [([(PERIOD.first_day, None)], True, True)])  # after the run's position: unseen

    roster = read_roster(store, position, PERIOD)

    billed = [c for c, lines in timelines.items() if any(_may_bill(*line) for line in lines)]
    assert roster.clients == sorted(c.hex for c in billed)
    assert [str(c) for c in roster.clients_at(slice(None))] == sorted(map(str, billed))
    whole = _fold(store, position, store.scan(TOPICS, position))
    for first in range(0, len(roster), block_size):
        block = roster.clients_at(slice(first, first + block_size))
        read = roster.input_for(store, block)
        assert read.contracts == {c: whole.contracts[c] for c in block}
        assert read.discounts == {c: whole.discounts[c] for c in block if c in whole.discounts}
        assert read.identities == {}  # issuing never reads nor opens an identity
        assert roster.identities_of(store, block) == {c: whole.identities[c] for c in block}


def test_a_client_whose_every_contract_ended_before_the_period_is_not_billed():
    store = InMemoryEventStore()
    timelines = _record(
        store,
        [
            ([(date(2026, 8, 1), 30)], False, False),  # ended 2026-08-31
            ([(date(2026, 8, 1), 61)], False, False),  # ended 2026-10-01: the period's first day
            ([(date(2026, 11, 1), None)], False, False),  # starts after the period
        ],
    )
    [ended, last_day, later] = timelines

    roster = read_roster(store, store.head(), PERIOD)

    assert roster.clients == [last_day.hex]
    assert roster.origins.keys() == {last_day.hex}
    assert ended.hex not in roster.origins and later.hex not in roster.origins
