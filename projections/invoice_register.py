"""Read model: what has been invoiced, to whom, and what is still open on each invoice?"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Sequence
from uuid import UUID

import asyncpg
import orjson

from domain.invoice import Settlement, settlement_of
from projections.base import SCHEMA, Projection, gathered
from projections.paging import filtered_page
from schemas.envelope import CloudEvent

NAME = "invoice_register"
TABLE = f"{SCHEMA}.invoice_register"
SETTLEMENTS = f"{SCHEMA}.invoice_settlements"  # dated changes of what is owed, for aging as of any date
# What is open, per due date and issue date: the portfolio's aging in a few rows, whatever its size.
OPEN_BY_DUE_DATE = f"{SCHEMA}.open_amount_by_due_date"
# What was settled on each day, per due date and issue date: with the open amounts above, the portfolio's
# aging as of any past day in a few hundred rows (what is owed now, plus what was settled after that day).
SETTLED_BY_DAY = f"{SCHEMA}.settled_amount_by_day"

DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    invoice_id   uuid PRIMARY KEY,
    number       text NOT NULL UNIQUE,
    client_id    uuid NOT NULL,
    period       text NOT NULL,
    run_id       uuid NOT NULL,
    issue_date   date NOT NULL,
    due_date     date NOT NULL,
    vat_rate     numeric(6, 4) NOT NULL,
    net          numeric(14, 2) NOT NULL,
    tax          numeric(14, 2) NOT NULL,
    gross        numeric(14, 2) NOT NULL,
    credited     numeric(14, 2) NOT NULL DEFAULT 0,
    paid         numeric(14, 2) NOT NULL DEFAULT 0,
    open_balance numeric(14, 2) NOT NULL,
    status       text NOT NULL,
    services     text[] NOT NULL,
    offer_ids    uuid[] NOT NULL,
    lines        jsonb NOT NULL,
    credit_notes jsonb NOT NULL DEFAULT '[]',
    settlements  jsonb NOT NULL DEFAULT '[]',
    document     jsonb,
    issued_at    timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      int NOT NULL
);
CREATE INDEX IF NOT EXISTS invoice_register_client ON {TABLE} (client_id, period);
CREATE TABLE IF NOT EXISTS {SETTLEMENTS} (
    invoice_id uuid NOT NULL,
    client_id  uuid NOT NULL,
    on_date    date NOT NULL,
    amount     numeric(14, 2) NOT NULL  -- what it took off the amount owed (negative: a reversal)
);
CREATE INDEX IF NOT EXISTS invoice_settlements_invoice ON {SETTLEMENTS} (invoice_id, on_date);
CREATE INDEX IF NOT EXISTS invoice_settlements_on ON {SETTLEMENTS} (on_date);
CREATE INDEX IF NOT EXISTS invoice_register_open ON {TABLE} (client_id, due_date, open_balance, issue_date)
WHERE open_balance > 0;
CREATE INDEX IF NOT EXISTS invoice_register_period ON {TABLE} (period);
DO $$ BEGIN
    IF to_regclass('{OPEN_BY_DUE_DATE}') IS NULL THEN
        CREATE TABLE {OPEN_BY_DUE_DATE} (
            due_date   date NOT NULL,
            issue_date date NOT NULL,
            amount     numeric(16, 2) NOT NULL,
            PRIMARY KEY (due_date, issue_date)
        );
        -- A register projected before this table existed: start from what it holds.
        INSERT INTO {OPEN_BY_DUE_DATE} SELECT due_date, issue_date, sum(open_balance) FROM {TABLE} GROUP BY 1, 2;
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS invoice_register_run ON {TABLE} (run_id);
CREATE TABLE IF NOT EXISTS {SETTLED_BY_DAY} (
    on_date    date NOT NULL,
    due_date   date NOT NULL,
    issue_date date NOT NULL,
    amount     numeric(16, 2) NOT NULL,
    PRIMARY KEY (on_date, due_date, issue_date)
);
"""


async def on_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    lines = d["lines"]
    services = sorted({line["service"] for line in lines if "service" in line})
    offers = sorted({UUID(line["offer_id"]) for line in lines if "offer_id" in line}, key=str)
    await conn.execute(
        f"""INSERT INTO {TABLE} (invoice_id, number, client_id, period, run_id, issue_date, due_date, vat_rate,
                net, tax, gross,
                open_balance, status, services, offer_ids, lines, issued_at, updated_at, version)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 'issued', $12, $13, $14, $15, $15, $16)""",
        event.aggregate_id,
        d["number"],
        UUID(d["client_id"]),
        d["period"],
        UUID(d["run_id"]),
        date.fromisoformat(d["issue_date"]),
        date.fromisoformat(d["due_date"]),
        Decimal(d["vat_rate"]),
        Decimal(d["net"]),
        Decimal(d["tax"]),
        Decimal(d["gross"]),
        services,
        offers,
        orjson.dumps(lines).decode(),
        event.time,
        event.aggregateversion,
    )
    _open_amount_changed(
        date.fromisoformat(d["due_date"]), date.fromisoformat(d["issue_date"]), Decimal(d["gross"])
    )


def _open_amount_changed(due_date: date, issue_date: date, amount: Decimal) -> None:
    _add(gathered(NAME).setdefault("open", {}), (due_date, issue_date), amount)


def _settled_on(on: date, due_date: date, issue_date: date, amount: Decimal) -> None:
    _add(gathered(NAME).setdefault("settled", {}), (on, due_date, issue_date), amount)


def _add(totals: dict, key: tuple, amount: Decimal) -> None:
    totals[key] = totals.get(key, Decimal(0)) + amount


async def _write_totals(conn: asyncpg.Connection, gathered_totals: dict[str, dict]) -> None:
    """Once per batch, in key order: every projector locks these shared rows in the same order."""
    if totals := gathered_totals.get("open"):
        keys = sorted(totals)
        await conn.execute(
            f"""INSERT INTO {OPEN_BY_DUE_DATE} (due_date, issue_date, amount)
                SELECT * FROM unnest($1::date[], $2::date[], $3::numeric[])
                ON CONFLICT (due_date, issue_date)
                DO UPDATE SET amount = {OPEN_BY_DUE_DATE}.amount + EXCLUDED.amount""",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [totals[k] for k in keys],
        )
    if totals := gathered_totals.get("settled"):
        keys = sorted(totals)
        await conn.execute(
            f"""INSERT INTO {SETTLED_BY_DAY} (on_date, due_date, issue_date, amount)
                SELECT * FROM unnest($1::date[], $2::date[], $3::date[], $4::numeric[])
                ON CONFLICT (on_date, due_date, issue_date) DO UPDATE SET amount = {SETTLED_BY_DAY}.amount
                + EXCLUDED.amount""",
            [k[0] for k in keys],
            [k[1] for k in keys],
            [k[2] for k in keys],
            [totals[k] for k in keys],
        )


# One place decides the status from the amounts, whichever event moved them.
_SETTLE = f"""UPDATE {TABLE} SET credited = credited + $2, paid = paid + $3,
        open_balance = gross - (credited + $2) - (paid + $3),
        status = CASE
            WHEN gross - (credited + $2) <= 0 THEN 'credited'
            WHEN paid + $3 >= gross - (credited + $2) THEN 'paid'
            WHEN paid + $3 > 0 THEN 'partially_paid'
            WHEN credited + $2 > 0 THEN 'partially_credited'
            ELSE 'issued' END,
        credit_notes = credit_notes || $4::jsonb, settlements = settlements || $5::jsonb,
        updated_at = $6, version = $7
    WHERE invoice_id = $1
    RETURNING client_id, due_date, issue_date"""


async def _settle(
    conn: asyncpg.Connection, event: CloudEvent, settled: Settlement, *, note=None, settlement=None
) -> None:
    invoice_id = event.aggregate_id
    invoice = await conn.fetchrow(
        _SETTLE,
        invoice_id,
        settled.credited,
        settled.paid,
        orjson.dumps([note] if note else []).decode(),
        orjson.dumps([settlement] if settlement else []).decode(),
        event.time,
        event.aggregateversion,
    )
    if invoice is None:
        return
    await conn.execute(
        f"INSERT INTO {SETTLEMENTS} (invoice_id, client_id, on_date, amount) VALUES ($1, $2, $3, $4)",
        invoice_id,
        invoice["client_id"],
        settled.on,
        settled.taken_off,
    )
    _open_amount_changed(invoice["due_date"], invoice["issue_date"], -settled.taken_off)
    _settled_on(settled.on, invoice["due_date"], invoice["issue_date"], settled.taken_off)


async def on_credited(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    note = {"credit_note_id": d["credit_note_id"], "number": d["credit_note_number"], "gross": d["gross"]}
    settled = settlement_of("InvoiceCredited", d.get)
    settlement = (
        {"kind": "released_to_credit", "amount": str(settled.paid), "on": d["on"]} if settled.paid else None
    )
    await _settle(conn, event, settled, note=note, settlement=settlement)


async def on_payment_allocated(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await _settle(
        conn,
        event,
        settlement_of("PaymentAllocated", d.get),
        settlement={
            "kind": "payment",
            "payment_id": d["payment_id"],
            "amount": d["amount"],
            "on": d["received_on"],
        },
    )


async def on_credit_applied(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await _settle(
        conn,
        event,
        settlement_of("CreditApplied", d.get),
        settlement={"kind": "client_credit", "amount": d["amount"], "on": d["on"]},
    )


async def on_allocation_reversed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    await _settle(
        conn,
        event,
        settlement_of("AllocationReversed", d.get),
        settlement={
            "kind": "payment_reversed",
            "payment_id": d["payment_id"],
            "amount": str(-Decimal(d["amount"])),
            "on": d["reversed_on"],
        },
    )


async def on_credit_application_reversed(conn: asyncpg.Connection, event: CloudEvent) -> None:
    settled = settlement_of("CreditApplicationReversed", event.data.get)
    await _settle(
        conn,
        event,
        settled,
        settlement={"kind": "client_credit_reversed", "amount": str(settled.paid), "on": event.data["on"]},
    )


async def on_document_issued(conn: asyncpg.Connection, event: CloudEvent) -> None:
    d = event.data
    document = {
        "document_id": d["document_id"],
        "sha256": d["sha256"],
        "size": d["size"],
        "created_at": event.time.isoformat(),
    }
    await conn.execute(
        f"UPDATE {TABLE} SET document = $2::jsonb, updated_at = $3, version = $4 WHERE invoice_id = $1",
        event.aggregate_id,
        orjson.dumps(document).decode(),
        event.time,
        event.aggregateversion,
    )


PROJECTION = Projection(
    name=NAME,
    aggregates=("invoice",),
    ddl=DDL,
    tables=(TABLE, SETTLEMENTS, OPEN_BY_DUE_DATE, SETTLED_BY_DAY),
    flush=_write_totals,
    handlers={
        "InvoiceIssued": on_issued,
        "InvoiceCredited": on_credited,
        "InvoiceDocumentIssued": on_document_issued,
        "PaymentAllocated": on_payment_allocated,
        "CreditApplied": on_credit_applied,
        "AllocationReversed": on_allocation_reversed,
        "CreditApplicationReversed": on_credit_application_reversed,
    },
    version=2,  # 2: settled_amount_by_day
)


def _row(record: asyncpg.Record) -> dict[str, Any]:
    row = dict(record)
    row["lines"] = orjson.loads(row["lines"])
    row["credit_notes"] = orjson.loads(row["credit_notes"])
    row["settlements"] = orjson.loads(row["settlements"])
    row["document"] = orjson.loads(row["document"]) if row["document"] else None
    return row


async def find(conn: asyncpg.Connection, invoice_id: UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT * FROM {TABLE} WHERE invoice_id = $1", invoice_id)
    return _row(row) if row else None


async def search(
    conn: asyncpg.Connection,
    *,
    client_id=None,
    status=None,
    period=None,
    run_id=None,
    service=None,
    offer_id=None,
    issued_from: date | None = None,
    issued_to: date | None = None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    conditions: list[tuple[str, Any]] = []
    if service is not None:
        conditions.append(("{} = ANY(services)", service))
    if offer_id is not None:
        conditions.append(("{} = ANY(offer_ids)", offer_id))
    if issued_from is not None:
        conditions.append(("issue_date >= {}", issued_from))
    if issued_to is not None:
        conditions.append(("issue_date <= {}", issued_to))
    equals = {"client_id": client_id, "status": status, "period": period, "run_id": run_id}
    rows, total = await filtered_page(
        conn, TABLE, equals=equals, conditions=conditions, order_by="number", limit=limit, offset=offset
    )
    return [_row(r) for r in rows], total


async def client_balance(
    conn: asyncpg.Connection, client_id: UUID, today: date
) -> tuple[Decimal, Decimal, int]:
    """Open and overdue amounts of a client's invoices, and how many are overdue."""
    row = await conn.fetchrow(
        f"""SELECT coalesce(sum(open_balance), 0) AS open,
                   coalesce(sum(open_balance) FILTER (WHERE due_date < $2), 0) AS overdue,
                   count(*) FILTER (WHERE due_date < $2 AND open_balance > 0) AS overdue_invoices
            FROM {TABLE} WHERE client_id = $1 AND open_balance > 0""",
        client_id,
        today,
    )
    return row["open"], row["overdue"], row["overdue_invoices"]


async def documented(conn: asyncpg.Connection, run_id: UUID) -> int:
    return await conn.fetchval(
        f"SELECT count(*) FROM {TABLE} WHERE run_id = $1 AND document IS NOT NULL", run_id
    )


async def numbers(conn: asyncpg.Connection, prefix: str) -> Sequence[str]:
    return [
        r["number"]
        for r in await conn.fetch(
            f"SELECT number FROM {TABLE} WHERE number LIKE $1 ORDER BY number", prefix + "%"
        )
    ]


async def documents_backlog(conn: asyncpg.Connection) -> int:
    """Invoices of the billing runs still going that have no PDF yet (a completed run has all of them)."""
    from projections.billing_run_progress import TABLE as RUNS

    return await conn.fetchval(
        f"SELECT count(*) FROM {TABLE} WHERE document IS NULL "
        f"AND period IN (SELECT period FROM {RUNS} WHERE status <> 'completed')"
    )
