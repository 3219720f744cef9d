"""Physical removal of an erased client's history from the event store.

Chosen over crypto-shredding: the rules built today let only a client *without history* be deleted, so its
stream holds nothing but its own registration and detail changes. Removing those rows leaves
nothing to decrypt, nothing to manage (no key store), and read models rebuilt from the log
match the live ones. The ClientErased event itself carries no personal data and stays.
"""

from __future__ import annotations

import psycopg

from domain.client import Client
from domain.markers import CinRegistration
from infra.eventstore.store import EVENTS_TABLE as EVENTS
from infra.eventstore.store import PostgresEventStore
from infra.storage import landing_drafts


def remove_erased_history(store: PostgresEventStore, client: Client) -> None:
    """Removes the stored events before `ClientErased`, the CIN's marker, and any self-service draft naming
    the client."""
    with psycopg.connect(store.database_url) as conn, conn.transaction():
        conn.execute(
            f"DELETE FROM {EVENTS} WHERE originator_id = %s AND originator_version < %s",
            (client.id, client.version),
        )
        conn.execute(f"DELETE FROM {EVENTS} WHERE originator_id = %s", (CinRegistration.id_for(client.cin),))
        landing_drafts.forget_person(conn, client.cin, client.email)
