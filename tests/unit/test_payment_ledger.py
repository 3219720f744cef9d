"""Property tests of the receivables ledger: any sequence of invoices, payments, credit notes and
reversals leaves no invoice overpaid, and every dirham is either on an invoice or in client credit."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.billing import ZERO
from domain.errors import Conflict
from domain.invoice import Invoice
from domain.payments import ClientAccount, allocation_plan, receive_payment, reverse_payment

CLIENT = uuid.uuid4()
money = st.integers(min_value=1, max_value=50_000).map(lambda cents: Decimal(cents) / 100)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), money, st.integers(1, 28)),
        st.tuples(st.just("pay"), money, st.integers(-1, 8)),
        st.tuples(st.just("credit_note"), st.integers(0, 8)),
        st.tuples(st.just("reverse"), st.integers(0, 8)),
    ),
    min_size=1,
    max_size=40,
)


def issue(invoices: dict, account: ClientAccount, gross: Decimal, day: int) -> None:
    net = (gross / Decimal("1.2")).quantize(Decimal("0.01"))
    line = {
        "line_no": 1,
        "kind": "recurring",
        "description": "x",
        "net": str(net),
        "tax": str(gross - net),
        "gross": str(gross),
    }
    n = len(invoices) + 1
    invoice = Invoice(
        client_id=uuid.uuid4(),
        period=f"2026-{n:02d}" if n <= 12 else f"{2026 + n // 12}-01",
        number=f"FAC-2026-{n:06d}",
        run_id=uuid.uuid4(),
        billed_position=n,
        issue_date=date(2026, 1, day),
        due_date=date(2026, 2, day),
        vat_rate=Decimal("0.20"),
        lines=[line],
        net=net,
        tax=gross - net,
        gross=gross,
    )
    invoices[invoice.id] = invoice
    account.use_credit_on(invoice)  # what a billing run does for a client holding credit


@settings(max_examples=400, deadline=None)
@given(steps)
def test_no_invoice_is_overpaid_and_payments_equal_allocations_plus_credit(script):
    invoices: dict = {}
    account = ClientAccount(client_id=CLIENT)
    payments: list = []
    for step in script:
        kind = step[0]
        if kind == "issue":
            issue(invoices, account, step[1], step[2])
        elif kind == "pay":
            named = list(invoices)[step[2]] if 0 <= step[2] < len(invoices) else None
            payment, _ = receive_payment(
                client_id=CLIENT,
                amount=step[1],
                method="cash",
                reference=str(uuid.uuid4()),
                received_on=date(2026, 3, 1),
                named=named,
                invoices=invoices,
                account=account,
            )
            payments.append(payment)
        elif kind == "credit_note" and step[1] < len(invoices):
            invoice = list(invoices.values())[step[1]]
            if invoice.due > 0:
                # What was already paid beyond the reduced amount due moves to credit: a transfer, not new money.
                freed = invoice.record_credit(
                    uuid.uuid4(), "AV-2026-000001", invoice.credit_lines(None), date(2026, 3, 1)
                )
                account.add_credit(freed, "credit_note", uuid.uuid4())
        elif kind == "reverse" and step[1] < len(payments) and not payments[step[1]].reversed:
            reverse_payment(payments[step[1]], invoices, account, "bounced", date(2026, 3, 2))

        for invoice in invoices.values():
            assert ZERO <= invoice.paid <= invoice.due, "an invoice is overpaid or negative"
        assert account.credit >= ZERO
        received = sum((p.amount for p in payments if not p.reversed), ZERO)
        assert received == sum((i.paid for i in invoices.values()), ZERO) + account.credit


def test_oldest_due_first_unless_an_invoice_is_named():
    invoices: dict = {}
    account = ClientAccount(client_id=CLIENT)
    for gross, day in ((Decimal("100.00"), 20), (Decimal("50.00"), 5), (Decimal("70.00"), 10)):
        issue(invoices, account, gross, day)
    late, early, middle = invoices.values()
    plan, rest = allocation_plan(Decimal("80.00"), invoices.values())
    assert [(a.invoice_id, a.amount) for a in plan] == [
        (early.id, Decimal("50.00")),
        (middle.id, Decimal("30.00")),
    ] and rest == 0
    plan, rest = allocation_plan(Decimal("230.00"), invoices.values(), named=late.id)
    assert [a.invoice_id for a in plan] == [late.id, early.id, middle.id] and rest == Decimal("10.00")


def test_a_reversed_overpayment_takes_back_credit_already_used_by_a_later_invoice():
    invoices: dict = {}
    account = ClientAccount(client_id=CLIENT)
    issue(invoices, account, Decimal("100.00"), 1)
    (first,) = invoices.values()
    payment, _ = receive_payment(
        client_id=CLIENT,
        amount=Decimal("150.00"),
        method="cheque",
        reference="CHQ-1",
        received_on=date(2026, 3, 1),
        named=None,
        invoices=invoices,
        account=account,
    )
    assert first.open_amount == 0 and account.credit == Decimal("50.00")
    issue(invoices, account, Decimal("80.00"), 2)  # uses the 50.00 credit at once
    second = list(invoices.values())[1]
    assert second.paid == Decimal("50.00") and account.credit == 0
    reopened = reverse_payment(payment, invoices, account, "cheque bounced", date(2026, 3, 5))
    assert {i.id for i in reopened} == {first.id, second.id}
    assert (first.open_amount, second.open_amount, account.credit) == (
        Decimal("100.00"),
        Decimal("80.00"),
        ZERO,
    )
    with pytest.raises(Conflict):
        reverse_payment(payment, invoices, account, "again", date(2026, 3, 6))


def test_reversing_a_payment_whose_credit_a_credit_note_released_reopens_what_is_still_paid():
    """Found by the property above: 0.02 paid ahead becomes credit, two 0.01 invoices use it, a credit
    note on the second releases its 0.01 back to credit, then the payment bounces. The released
    0.01 is withdrawn from the balance; only the first invoice's use is reopened, never the second's
    (which would leave it paid -0.01)."""
    invoices: dict = {}
    account = ClientAccount(client_id=CLIENT)
    payment, _ = receive_payment(
        client_id=CLIENT,
        amount=Decimal("0.02"),
        method="cash",
        reference="R",
        received_on=date(2026, 3, 1),
        named=None,
        invoices=invoices,
        account=account,
    )
    issue(invoices, account, Decimal("0.01"), 1)
    issue(invoices, account, Decimal("0.01"), 1)
    first, second = invoices.values()
    freed = second.record_credit(uuid.uuid4(), "AV-2026-000001", second.credit_lines(None), date(2026, 3, 1))
    account.add_credit(freed, "credit_note", uuid.uuid4())
    reopened = reverse_payment(payment, invoices, account, "bounced", date(2026, 3, 2))
    assert (first.paid, second.paid, account.credit) == (ZERO, ZERO, ZERO)
    assert [i.id for i in reopened] == [first.id]
