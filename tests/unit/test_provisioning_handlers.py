"""ProvisionContract's handler on the in-memory event store: a new line, a plan change, and the refusals."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

import pytest

from commands.clients import RegisterClient
from commands.contracts import ProvisionContract, provision_contract
from commands.idempotency import IdempotencyKey
from domain.client import Client
from domain.errors import Conflict, NotFound, RuleViolation
from domain.markers import CinRegistration, NumberReservation
from domain.offer import Offer
from tests.unit.documents_samples import OPERATOR
from tests.unit.handlers import CTX, Scenario

TODAY = date(2026, 11, 2)
NEWCOMER = RegisterClient(
    cin="AB12345", full_name="Amina Benali", email="amina@example.ma", address="12 rue X, Rabat"
)


def offer(
    name: str = "Mobile 20 Go", fee: str = "99.00", valid_from: date | None = date(2026, 1, 1)
) -> Offer:
    return Offer.create(
        name=name,
        service="mobile",
        family="4g",
        monthly_fee=Decimal(fee),
        activation_fee=Decimal("50.00"),
        components=[{"kind": "data", "gb": 20}],
        valid_from=valid_from,
        valid_to=None,
    )


def provision(cmd: ProvisionContract, idempotency: IdempotencyKey | None = None):
    return lambda store, clock: provision_contract(store, clock, OPERATOR, cmd, CTX, idempotency)


def test_a_newcomer_gets_a_line_its_number_and_its_contract_sheet():
    on_sale = offer()
    scenario = Scenario(TODAY).given(on_sale)

    provisioned = scenario.when(
        provision(ProvisionContract(client=NEWCOMER, offer_id=on_sale.id, commitment_months=12))
    )

    assert provisioned.decision == "new_line"
    assert set(scenario.then_names()) >= {
        "ContractProvisioned",
        "ContractActivated",
        "ClientRegistered",
        "NumberReserved",
        "CinRegistered",
    }
    contract = scenario.then_one("ContractProvisioned")
    assert contract.aggregate_id == provisioned.result.id
    assert (
        contract.fields["monthly_fee"],
        contract.fields["start_date"],
        contract.fields["commitment_months"],
    ) == (Decimal("99.00"), TODAY, 12)
    assert scenario.then_one("NumberReserved").fields["number"] == contract.fields["number"]
    [(statement, row)] = scenario.store.rows
    assert "contract_documents" in statement and row[-1].startswith(b"%PDF")


def test_a_kept_number_is_the_lines_number():
    on_sale = offer()
    scenario = Scenario(TODAY).given(on_sale)

    scenario.when(provision(ProvisionContract(client=NEWCOMER, offer_id=on_sale.id, number="0612345678")))

    assert scenario.then_one("ContractProvisioned").fields["number"] == "+212612345678"


def test_a_number_in_use_is_refused_and_nothing_is_appended():
    on_sale = offer()
    taken = NumberReservation.reserve("+212612345678", "mobile", uuid.uuid4())
    scenario = Scenario(TODAY).given(on_sale, taken)

    with pytest.raises(Conflict) as refused:
        scenario.when(provision(ProvisionContract(client=NEWCOMER, offer_id=on_sale.id, number="0612345678")))

    assert refused.value.code == "number_taken"
    assert scenario.then() == []


def test_an_offer_not_yet_on_sale_is_refused():
    later = offer(valid_from=date(2027, 1, 1))
    scenario = Scenario(TODAY).given(later)

    with pytest.raises(RuleViolation) as refused:
        scenario.when(provision(ProvisionContract(client=NEWCOMER, offer_id=later.id)))

    assert refused.value.code == "offer_not_sellable"
    assert scenario.then() == []


def test_an_unknown_offer_is_not_found():
    scenario = Scenario(TODAY)

    with pytest.raises(NotFound) as missing:
        scenario.when(provision(ProvisionContract(client=NEWCOMER, offer_id=uuid.uuid4())))

    assert missing.value.code == "offer_not_found"
    assert scenario.then() == []


def test_a_known_cin_must_be_referenced_by_client_id():
    on_sale = offer()
    known = Client(
        cin="AB12345",
        full_name="Amina Benali",
        email="amina@example.ma",
        address="12 rue X, Rabat",
        phone=None,
    )
    scenario = Scenario(TODAY).given(on_sale, known, CinRegistration.hold("AB12345", known.id))

    with pytest.raises(Conflict) as refused:
        scenario.when(provision(ProvisionContract(client=NEWCOMER, offer_id=on_sale.id)))

    assert (refused.value.code, refused.value.details["client_id"]) == (
        "client_already_exists",
        str(known.id),
    )


def test_an_upgrade_of_the_clients_only_line_changes_its_plan():
    basic, bigger = offer(), offer("Mobile 50 Go", "149.00")
    scenario = Scenario(TODAY).given(basic, bigger)
    first = scenario.when(provision(ProvisionContract(client=NEWCOMER, offer_id=basic.id)))
    client_id = scenario.then_one("ClientRegistered").aggregate_id

    changed = scenario.when(
        provision(ProvisionContract(client_id=client_id, offer_id=bigger.id, intent="upgrade"))
    )

    assert (changed.decision, changed.result.id) == ("plan_change", first.result.id)
    plan = scenario.then_one("ContractPlanChanged").fields
    assert (plan["offer_id"], plan["monthly_fee"]) == (bigger.id, Decimal("149.00"))


def test_a_resent_request_answers_the_first_result_and_appends_nothing():
    on_sale = offer()
    scenario = Scenario(TODAY).given(on_sale)
    cmd, key = ProvisionContract(client=NEWCOMER, offer_id=on_sale.id), IdempotencyKey("key:partner", "req-1")
    first = scenario.when(provision(cmd, key))

    again = scenario.when(provision(cmd, key))

    assert again == first
    assert scenario.then() == []
