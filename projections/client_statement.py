"""Query: what did a client owe at the start of a month, and what was billed, credited and paid during it?

Read from the invoice, credit note and payment registers; the statement PDF (gateways/statements.py) prints it.
The balance is what was invoiced less what was credited and paid, reversals added back: negative when in credit.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

import asyncpg

from projections import credit_note_register, invoice_register, payment_register

# One row per movement: (on, kind, reference, debit, credit), for the whole history of the client up to `end`.
_MOVEMENTS = f"""
SELECT issue_date AS on, 'invoice' AS kind, number AS reference, gross AS debit, 0::numeric AS credit
  FROM {invoice_register.TABLE} WHERE client_id = $1 AND issue_date < $2
UNION ALL
SELECT issue_date, 'credit_note', number, 0, gross FROM {credit_note_register.TABLE} WHERE client_id = $1 AND
issue_date < $2
UNION ALL
SELECT received_on, 'payment', reference, 0, amount FROM {payment_register.TABLE} WHERE client_id = $1 AND
received_on < $2
UNION ALL
SELECT reversed_on, 'payment_reversed', reference, amount, 0 FROM {payment_register.TABLE}
 WHERE client_id = $1 AND reversed_on IS NOT NULL AND reversed_on < $2
ORDER BY 1, 3
"""


async def month(
    conn: asyncpg.Connection, client_id: UUID, first: date, end: date
) -> tuple[Decimal, list[asyncpg.Record]]:
    """The balance owed before `first`, and the movements from `first` up to `end` (exclusive), in date order."""
    rows = await conn.fetch(_MOVEMENTS, client_id, end)
    opening = sum((r["debit"] - r["credit"] for r in rows if r["on"] < first), Decimal("0"))
    return opening, [r for r in rows if r["on"] >= first]
