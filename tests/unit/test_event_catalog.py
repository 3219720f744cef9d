"""Every domain event is published under a catalogued type whose schema accepts its payload."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from domain.access import AccessRefusal
from domain.billing import ContractHistory, DiscountTerms, Totals, invoice_lines
from domain.billing_run import BillingRun
from domain.client import Client
from domain.collections import (
    ClientCollections,
    CollectionCase,
    CollectionsPolicy,
    CollectionsSweep,
    Exposure,
)
from domain.contract import Contract
from domain.discount import Discount
from domain.invoice import CreditNote, CreditRequest, Invoice
from domain.markers import CinRegistration, IdempotencyRecord, NumberReservation, OfferUsageMarker
from domain.number_series import NumberSeries
from domain.offer import Offer
from domain.payments import ClientAccount, Payment, receive_payment, reverse_payment
from domain.period import Period
from domain.subscriber import Subscriber
from schemas.catalog import EVENTS
from schemas.envelopes import decode, encode, event_id, to_cloudevent
from tests.unit.given import given, provisioned_contract

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


def _domain_event_topics() -> set[str]:
    topics = set()
    for aggregate in (
        Client,
        Offer,
        Contract,
        Subscriber,
        AccessRefusal,
        CinRegistration,
        OfferUsageMarker,
        NumberReservation,
        IdempotencyRecord,
        BillingRun,
        Invoice,
        CreditNote,
        NumberSeries,
        Discount,
        Payment,
        ClientAccount,
        ClientCollections,
        CollectionCase,
        CollectionsSweep,
    ):
        for value in vars(aggregate).values():
            base_classes = {"Event", "Created"}  # eventsourcing's own bases, never recorded
            if (
                isinstance(value, type)
                and issubclass(value, Aggregate.Event)
                and value.__name__ not in base_classes
            ):
                topics.add(get_topic(value))
    return topics


def test_every_domain_event_has_a_catalog_entry_and_nothing_else_does():
    assert _domain_event_topics() == set(EVENTS)


def _sample_events():
    contract = given()
    contract.activate(on=date(2026, 10, 1))
    contract.suspend(on=date(2026, 10, 5), reason="unpaid")
    contract.resume(on=date(2026, 10, 9))
    contract.change_plan(
        offer_id=uuid.uuid4(),
        offer_version=1,
        offer_name="Mobile 50 Go",
        service="mobile",
        monthly_fee=Decimal("149.00"),
        effective_date=date(2026, 10, 15),
        today=date(2026, 10, 10),
    )
    contract.record_document(uuid.uuid4(), "ab" * 32, 2048, "plan_change")
    contract.terminate(on=date(2026, 10, 20), reason="moved", early_termination=True)
    offer = Offer.create(
        name="F",
        service="mobile",
        family="4g",
        monthly_fee=Decimal("9"),
        activation_fee=Decimal("0"),
        components=[{"kind": "data", "gb": "1.5"}, {"kind": "calls", "hours": 2}],
        valid_from=date(2026, 1, 1),
        valid_to=None,
    )
    offer.update(
        name="F+",
        family="4g",
        monthly_fee=Decimal("11"),
        activation_fee=Decimal("0"),
        components=[{"kind": "data", "gb": 3}],
        valid_from=None,
        valid_to=None,
    )
    offer.retire()
    offer.delete()
    client = Client(cin="AB12345", full_name="A", email="a@b.ma", address="x", phone=None)
    client.update_details(full_name="B", email="b@b.ma", address="y", phone="+212600000000")
    client.change_status("suspended", "fraud check")
    client.add_contract(uuid.uuid4(), "mobile")
    blank = Client(cin="CD12345", full_name="A", email="a@b.ma", address="x", phone=None)
    blank.erase()
    line = Subscriber(id=uuid.uuid4(), client_id=client.id, service="mobile", number="+212612345678")
    line.change_status("suspended", "lost phone")
    number = NumberReservation.reserve("+212612345678", "mobile", line.id)
    number.release()
    number.reserve_again(uuid.uuid4(), NOW)
    held = NumberReservation.hold_new(
        "+212512345678", "landline", "draft-digest", NOW + timedelta(minutes=30)
    )
    held.hold("draft-digest", NOW + timedelta(hours=1), NOW)
    held.release_hold("draft-digest")
    once = IdempotencyRecord(
        id=IdempotencyRecord.id_for("key:abc", "k-1"),
        request_hash="0" * 64,
        result_id=uuid.uuid4(),
        outcome="new_line",
    )
    refusal = AccessRefusal(
        actor="key:abc", role="auditor", method="POST", path="/api/v1/clients", allowed_roles=["operator"]
    )
    refusal.repeated(4, 60)
    cin = CinRegistration.hold("AB12345", client.id)
    cin.release()
    CinRegistration.claim(cin, "AB12345", uuid.uuid4())
    markers = [
        cin,
        OfferUsageMarker(offer_id=offer.id, outcome="sold"),
        line,
        number,
        held,
        once,
        refusal,
    ]
    return [
        *provisioned_contract().collect_events(),
        *contract.collect_events(),
        *offer.collect_events(),
        *client.collect_events(),
        *blank.collect_events(),
        *(e for m in markers for e in m.collect_events()),
        *_billing_events(),
    ]


def _run(period: str, position: int, issued: date) -> BillingRun:
    return BillingRun(
        period=period,
        billed_position=position,
        issue_date=issued,
        due_date=issued + timedelta(days=30),
        vat_rate=Decimal("0.20"),
        clients_total=1,
        block_size=1000,
    )


def _billing_events():
    run = _run("2026-10", 42, date(2026, 11, 2))
    contract = provisioned_contract()
    contract.activate(on=contract.start_date)

    history = ContractHistory.provisioned(contract.id, vars(contract.collect_events()[0]))
    history.apply("ContractActivated", {"on": contract.start_date})
    discount = Discount.grant(
        client_id=history.client_id,
        contract_id=None,
        kind="percent",
        value=Decimal("10"),
        from_period=Period(2026, 10),
        to_period=None,
        label="Loyalty",
    )
    discount.end_after(Period(2026, 12))
    terms = DiscountTerms(
        discount.id, history.client_id, None, "percent", Decimal("10"), Period(2026, 10), None, "Loyalty"
    )
    lines = invoice_lines([history], [terms], Period(2026, 10), Decimal("0.20"))
    totals = Totals.of(lines)
    series = NumberSeries(prefix="FAC", year=2026)
    (number,) = series.allocate(1)
    invoice = Invoice(
        client_id=history.client_id,
        period="2026-10",
        number=number,
        run_id=run.id,
        billed_position=42,
        issue_date=run.issue_date,
        due_date=run.due_date,
        vat_rate=Decimal("0.20"),
        lines=[line.as_payload(i) for i, line in enumerate(lines, 1)],
        net=totals.net,
        tax=totals.tax,
        gross=totals.gross,
    )
    run.record_block(0, 1, totals)
    run.finish_issuing()
    earlier_run = _run("2026-09", 40, date(2026, 10, 2))
    earlier_run._progressed(
        clients_done=1, invoices_issued=1, net=totals.net, tax=totals.tax, gross=totals.gross
    )
    run.complete(documents=1)
    invoice.record_document(uuid.uuid4(), "cd" * 32, 4096)
    credit_lines = invoice.credit_lines([CreditRequest(1)])
    note = CreditNote(
        number="AV-2026-000001",
        invoice_id=invoice.id,
        invoice_number=number,
        client_id=invoice.client_id,
        reason="goodwill",
        issue_date=date(2026, 11, 3),
        lines=credit_lines,
        net=Decimal(credit_lines[0]["net"]),
        tax=Decimal(credit_lines[0]["tax"]),
        gross=Decimal(credit_lines[0]["gross"]),
    )
    invoice.record_credit(note.id, note.number, credit_lines, date(2026, 11, 3))
    note.record_document(uuid.uuid4(), "b" * 64, 2048)
    account = ClientAccount(client_id=invoice.client_id)
    invoices = {invoice.id: invoice}
    payment, _ = receive_payment(
        client_id=invoice.client_id,
        amount=invoice.open_amount + Decimal("5.00"),
        method="cheque",
        reference="CHQ-1",
        received_on=date(2026, 11, 5),
        named=invoice.id,
        invoices=invoices,
        account=account,
    )
    later = Invoice(
        client_id=invoice.client_id,
        period="2026-11",
        number="FAC-2026-000002",
        run_id=run.id,
        billed_position=50,
        issue_date=date(2026, 12, 2),
        due_date=date(2027, 1, 1),
        vat_rate=Decimal("0.20"),
        lines=invoice.lines,
        net=invoice.net,
        tax=invoice.tax,
        gross=invoice.gross,
    )
    invoices[later.id] = later
    account.use_credit_on(later)
    reverse_payment(payment, invoices, account, "bounced", date(2026, 12, 3))
    overpaid, _ = receive_payment(
        client_id=invoice.client_id,
        amount=Decimal("9999.00"),
        method="cash",
        reference="R-2",
        received_on=date(2026, 12, 4),
        named=None,
        invoices=invoices,
        account=account,
    )
    reverse_payment(overpaid, invoices, account, "counterfeit", date(2026, 12, 5))  # takes its credit back
    aggregates = (
        run,
        earlier_run,  # records BillingRunProgressed, as runs did before their blocks were shared
        discount,
        series,
        invoice,
        note,
        account,
        later,
        payment,
        overpaid,
        *_collections_aggregates(),
    )
    return [e for a in aggregates for e in a.collect_events()]


def _collections_aggregates():
    tracker = ClientCollections(client_id=uuid.uuid4())
    day = date(2026, 12, 1)
    assert tracker.review(Exposure(Decimal("120.00"), 70), day, CollectionsPolicy())
    case = CollectionCase(
        client_id=tracker.client_id, opened_on=day, days_past_due=70, overdue=Decimal("120.00")
    )
    tracker.attach_case(case.id)
    case.record_action("promise_to_pay", day, "will pay friday", date(2026, 12, 4), Decimal("120.00"))
    case.review(Decimal("120.00"), date(2026, 12, 5))
    case.record_action("call_logged", date(2026, 12, 5), None, None, None)
    tracker.review(Exposure(Decimal("0.00"), 0), date(2026, 12, 6), CollectionsPolicy())
    case.review(Decimal("0.00"), date(2026, 12, 6))
    lost = CollectionCase(
        client_id=tracker.client_id, opened_on=day, days_past_due=95, overdue=Decimal("10.00")
    )
    lost.write_off(day, "uncollectible")
    sweep = CollectionsSweep(as_of=day, position=10, clients_reviewed=2, outcomes={"PaymentReminderDue": 1})
    return tracker, case, lost, sweep


def _as_notification(event, position: int) -> tuple[Notification, dict]:
    state = dict(vars(event))
    state["_meta"] = {
        "actor": "key:abc",
        "role": "operator",
        "correlation_id": "c-1",
        "causation_id": "k-1",
        "reason": None,
        "traceparent": None,
    }
    notification = Notification(
        id=position,
        originator_id=state.pop("originator_id"),
        originator_version=state.pop("originator_version"),
        topic=get_topic(type(event)),
        state=b"",
    )
    return notification, state


def test_every_event_payload_validates_against_its_schema_and_round_trips():
    seen = set()
    for position, event in enumerate(_sample_events(), start=1):
        notification, state = _as_notification(event, position)
        cloud_event = to_cloudevent(notification, state)
        spec = EVENTS[notification.topic]
        seen.add(notification.topic)
        if not spec.public:
            continue
        spec.payload.model_validate(cloud_event.data)
        assert decode(encode(cloud_event)) == cloud_event
        assert cloud_event.dataschema == f"urn:mtf:schema:{spec.aggregate}.{spec.name}:v{spec.version}"
        assert cloud_event.subject == str(notification.originator_id)
        assert cloud_event.correlationid == "c-1" and cloud_event.actor == "key:abc"
        assert "_meta" not in cloud_event.data and "timestamp" not in cloud_event.data
    assert seen == set(EVENTS)


def test_the_json_shortcut_publishes_exactly_what_the_transcoder_round_trip_would():
    from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex

    from infra.eventstore.application import DateAsISO
    from schemas.envelopes import json_ready_state, to_json_compatible

    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    for event in _sample_events():
        state = dict(vars(event))
        stored = transcoder.encode(state)
        assert json_ready_state(stored) == to_json_compatible(transcoder.decode(stored)), type(event).__name__
    assert json_ready_state(b'{"x": {"_type_": "tuple_as_list", "_data_": [1]}}') is None


def test_event_id_is_stable_per_aggregate_version():
    aggregate_id = uuid.uuid4()
    assert event_id(aggregate_id, 3) == event_id(aggregate_id, 3)
    assert event_id(aggregate_id, 3) != event_id(aggregate_id, 4)


def test_money_in_payloads_is_an_exact_decimal_string():
    notification, state = _as_notification(_sample_events()[0], 1)
    data = to_cloudevent(notification, state).data
    assert data["monthly_fee"] == "99.00" and data["activation_fee"] == "50.00"


def test_client_erased_carries_no_personal_data():
    blank = Client(cin="CD12345", full_name="Nadia", email="n@x.ma", address="Tanger", phone="+212611111111")
    blank.erase()
    erased = blank.collect_events()[-1]
    notification, state = _as_notification(erased, 9)
    data = to_cloudevent(notification, state).data
    assert data == {}


def _transcoders():
    from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, UUIDAsHex

    from infra.eventstore.application import DateAsISO
    from infra.eventstore.transcoding import OrjsonTranscoder

    made = JSONTranscoder(), OrjsonTranscoder()
    for transcoder in made:
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
            transcoder.register(transcoding)
    return made


def test_the_orjson_transcoder_writes_what_the_library_transcoder_writes():
    from datetime import date, datetime, timezone
    from decimal import Decimal

    import orjson

    library, ours = _transcoders()
    nested = {
        "lines": [{"offer_id": uuid.uuid4(), "net": Decimal("49.00"), "on": (date(2027, 1, 15),)}],
        "at": datetime(2027, 1, 15, 8, 30, tzinfo=timezone.utc),
        "by_day": {1: "x"},
        "note": "façade ☎",
        "none": None,
    }
    for state in [dict(vars(event)) for event in _sample_events()] + [nested]:
        written = ours.encode(state)
        assert orjson.loads(written) == orjson.loads(library.encode(state))
        assert library.decode(written) == library.decode(library.encode(state))
    assert ours.decode(ours.encode(nested))["lines"][0]["on"] == [date(2027, 1, 15)]


def test_the_orjson_transcoder_refuses_what_it_cannot_name():
    from dataclasses import dataclass

    import pytest

    @dataclass
    class Unregistered:
        x: int

    _, ours = _transcoders()
    for value in (Unregistered(1), {1, 2}):
        with pytest.raises(TypeError):
            ours.encode({"value": value})
