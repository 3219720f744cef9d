"""The features the system is made of, one manifest each: its HTTP routes, its read models and its events.

This is where a new route module or read model is declared, once: the app adds the routes of every feature
(`app.py`), the projector keeps every read model, and `mtf replay` rebuilds them. A feature's events are
declared where their payloads are (the `PUBLISHED` of its `schemas/events/` module), because the codec,
below every layer, needs them; the manifest names that module so the whole feature reads in one place.
Guard tests check that every route module, read model and payload module belongs to exactly one feature.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

import schemas.events.access
import schemas.events.billing
import schemas.events.client
import schemas.events.collections
import schemas.events.contract
import schemas.events.offer
import schemas.events.subscriber
from projections import (
    access_refusals,
    billing_run_progress,
    client_credit,
    client_directory,
    collection_cases,
    contract_audit_trail,
    contract_summary,
    credit_note_register,
    discount_register,
    invoice_register,
    offer_catalog,
    payment_register,
    subscriber_directory,
)
from projections.base import Projection


@dataclass(frozen=True)
class Feature:
    name: str
    # Gateway modules, each with its `router`. Named rather than imported: a relay or a projector reads this
    # manifest for its read models and must not load the HTTP layer (docs/performance.md, process memory).
    routes: tuple[str, ...] = ()
    read_models: tuple[Projection, ...] = ()
    events: tuple[ModuleType, ...] = ()  # schemas/events modules, each with its `PUBLISHED`

    @property
    def routers(self) -> tuple:
        return tuple(importlib.import_module(f"gateways.{name}").router for name in self.routes)


FEATURES: tuple[Feature, ...] = (
    Feature("operations", routes=("health", "me", "dead_letters")),
    Feature(
        "clients",
        routes=("clients",),
        read_models=(client_directory.PROJECTION,),
        events=(schemas.events.client,),
    ),
    Feature(
        "catalog",
        routes=("offers",),
        read_models=(offer_catalog.PROJECTION,),
        events=(schemas.events.offer,),
    ),
    Feature(
        "contracts and lines",
        routes=("contracts", "subscribers"),
        read_models=(
            contract_summary.PROJECTION,
            contract_audit_trail.PROJECTION,
            subscriber_directory.PROJECTION,
        ),
        events=(schemas.events.contract, schemas.events.subscriber),
    ),
    Feature(
        "audit",
        routes=("access", "history"),
        read_models=(access_refusals.PROJECTION,),
        events=(schemas.events.access,),
    ),
    Feature(
        "billing",
        routes=("billing", "invoices", "discounts"),
        read_models=(
            billing_run_progress.PROJECTION,
            invoice_register.PROJECTION,
            credit_note_register.PROJECTION,
            discount_register.PROJECTION,
        ),
        events=(schemas.events.billing,),
    ),
    Feature(
        "payments and collections",
        routes=("payments", "collections", "statements"),
        read_models=(payment_register.PROJECTION, client_credit.PROJECTION, collection_cases.PROJECTION),
        events=(schemas.events.collections,),
    ),
    Feature("document verification", routes=("verification",)),  # the page an issued PDF's QR code opens
    Feature(
        "self-service",
        routes=("landing", "landing_visitor", "landing_subscriptions", "landing_documents"),
    ),
)


def routers() -> list:
    """Every feature's FastAPI routers, in the manifest's order (the OpenAPI document's order)."""
    return [router for feature in FEATURES for router in feature.routers]


PROJECTIONS: dict[str, Projection] = {p.name: p for feature in FEATURES for p in feature.read_models}
