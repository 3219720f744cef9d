"""Invoice computation: pure functions from contract histories, discounts and a period to invoice lines.

Rules (docs/rules.md, "Billing"; decisions in docs/billing.md):
- Every dated change takes effect at the start of its day. A contract suspended or terminated
  on day D is not billed for D; one resumed on D is.
- The recurring fee of each offer version is prorated by the active days it was in force:
  fee x days / days-in-month, rounded half-up per line. A whole month bills the exact fee.
- The activation fee falls in the period of the start date; the early-termination charge in
  the period of the termination date.
- Discounts apply to recurring fees only, never below zero: a contract discount to that
  contract's recurring lines, then a client discount to what remains of the client's.
- VAT is computed on each line's net and rounded half-up per line; totals are sums of lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Iterable, Literal
from uuid import UUID

from domain.money import mad
from domain.period import Period
from domain.plan_timeline import PlanTerms, changed, intervals

ZERO = Decimal("0.00")
LineKind = Literal["recurring", "activation_fee", "early_termination", "discount"]


@dataclass
class ContractHistory:
    """What billing needs of one contract, folded from its events in log order."""

    contract_id: UUID
    client_id: UUID
    number: str
    service: str
    start_date: date
    activation_fee: Decimal
    plans: list[PlanTerms]
    status_changes: list[tuple[date, str]] = field(default_factory=list)
    terminated_on: date | None = None
    early_termination_charge: Decimal = ZERO

    @classmethod
    def provisioned(cls, contract_id: UUID, data: dict[str, Any]) -> ContractHistory:
        return cls(
            contract_id=contract_id,
            client_id=data["client_id"],
            number=data["number"],
            service=data["service"],
            start_date=data["start_date"],
            activation_fee=Decimal(data["activation_fee"]),
            plans=[PlanTerms.of(data, data["start_date"])],
        )

    def apply(self, name: str, data: dict[str, Any]) -> None:
        if name in STATUS_OF:
            self.status_changes.append((data["on"], STATUS_OF[name]))
        if name == "ContractTerminated":
            self.terminated_on = data["on"]
            self.early_termination_charge = Decimal(data["early_termination_charge"])
        elif name == "ContractPlanChanged":
            self.plans = changed(self.plans, PlanTerms.of(data, data["effective_date"]))

    def active_intervals(self) -> list[tuple[date, date | None]]:
        """Half-open [from, to) intervals in which the contract was active; `to` None is open-ended."""
        intervals = []
        for index, (day, status) in enumerate(self.status_changes):
            following = self.status_changes[index + 1][0] if index + 1 < len(self.status_changes) else None
            if status == "active" and (following is None or following > day):
                intervals.append((day, following))
        return intervals

    def plan_intervals(self) -> list[tuple[PlanTerms, date, date | None]]:
        return intervals(self.plans)


STATUS_OF = {
    "ContractActivated": "active",
    "ContractSuspended": "suspended",
    "ContractResumed": "active",
    "ContractTerminated": "terminated",
}


@dataclass(frozen=True)
class DiscountTerms:
    discount_id: UUID
    client_id: UUID
    contract_id: UUID | None  # None: the discount applies to the whole client
    kind: Literal["percent", "fixed"]
    value: Decimal  # percent in 0..100, or MAD excl. VAT per period
    from_period: Period
    to_period: Period | None
    label: str

    def applies_to(self, period: Period) -> bool:
        return self.from_period <= period and (self.to_period is None or period <= self.to_period)

    def amount_on(self, base: Decimal) -> Decimal:
        """The discount (a positive amount) on a recurring base; never more than the base."""
        if base <= 0:
            return ZERO
        wanted = mad(base * self.value / 100) if self.kind == "percent" else mad(self.value)
        return min(wanted, base)


@dataclass(frozen=True)
class InvoiceLine:
    kind: LineKind
    description: str
    net: Decimal
    tax: Decimal
    contract_id: UUID | None = None
    number: str | None = None
    service: str | None = None
    offer_id: UUID | None = None
    offer_version: int | None = None
    offer_name: str | None = None
    monthly_fee: Decimal | None = None
    days: int | None = None
    period_days: int | None = None
    service_from: date | None = None
    service_to: date | None = None  # inclusive
    discount_id: UUID | None = None

    @property
    def gross(self) -> Decimal:
        return self.net + self.tax

    def as_payload(self, line_no: int) -> dict[str, Any]:
        """JSON-ready: money as strings with two places, ids and dates as strings, absent fields omitted."""
        payload: dict[str, Any] = {"line_no": line_no}
        for name in LINE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                payload[name] = value if isinstance(value, (int, str)) else str(value)
        payload["gross"] = str(self.gross)
        return payload


LINE_FIELDS = (
    "kind",
    "description",
    "contract_id",
    "number",
    "service",
    "offer_id",
    "offer_version",
    "offer_name",
    "monthly_fee",
    "days",
    "period_days",
    "service_from",
    "service_to",
    "discount_id",
    "net",
    "tax",
)


@dataclass(frozen=True)
class Totals:
    net: Decimal
    tax: Decimal
    gross: Decimal

    @classmethod
    def of(cls, lines: Iterable[InvoiceLine]) -> Totals:
        lines = list(lines)
        net = sum((line.net for line in lines), ZERO)
        tax = sum((line.tax for line in lines), ZERO)
        return cls(net, tax, net + tax)

    @classmethod
    def sum(cls, totals: Iterable[Totals]) -> Totals:
        totals = list(totals)
        return cls(*(sum((getattr(t, part) for t in totals), ZERO) for part in ("net", "tax", "gross")))


def taxed(vat_rate: Decimal, kind: LineKind, description: str, net: Decimal, **detail: Any) -> InvoiceLine:
    return InvoiceLine(kind=kind, description=description, net=net, tax=mad(net * vat_rate), **detail)


def contract_lines(contract: ContractHistory, period: Period, vat_rate: Decimal) -> list[InvoiceLine]:
    """The contract's own lines for the period, in a fixed order: activation, recurring by date, termination."""
    lines = []
    identity = {"contract_id": contract.contract_id, "number": contract.number, "service": contract.service}
    if period.contains(contract.start_date) and contract.activation_fee > 0:
        lines.append(
            taxed(
                vat_rate,
                "activation_fee",
                f"Activation fee - {contract.number}",
                mad(contract.activation_fee),
                **identity,
            )
        )
    lines.extend(_recurring(contract, period, vat_rate, identity))
    if (
        contract.terminated_on
        and period.contains(contract.terminated_on)
        and contract.early_termination_charge > 0
    ):
        lines.append(
            taxed(
                vat_rate,
                "early_termination",
                f"Early termination - {contract.number}",
                mad(contract.early_termination_charge),
                **identity,
            )
        )
    return lines


def _recurring(
    contract: ContractHistory, period: Period, vat_rate: Decimal, identity: dict
) -> list[InvoiceLine]:
    lines = []
    active = contract.active_intervals()
    for plan, plan_from, plan_to in contract.plan_intervals():
        days, first, last = _overlap_days(
            active, max(plan_from, period.first_day), _min_end(plan_to, period.end)
        )
        if days == 0:
            continue
        net = mad(plan.monthly_fee * days / period.days)
        lines.append(
            taxed(
                vat_rate,
                "recurring",
                f"{plan.offer_name} v{plan.offer_version} - {contract.number}",
                net,
                offer_id=plan.offer_id,
                offer_version=plan.offer_version,
                offer_name=plan.offer_name,
                monthly_fee=plan.monthly_fee,
                days=days,
                period_days=period.days,
                service_from=first,
                service_to=last,
                **identity,
            )
        )
    return lines


def _min_end(end: date | None, other: date) -> date:
    return other if end is None else min(end, other)


def _overlap_days(
    intervals: list[tuple[date, date | None]], start: date, end: date
) -> tuple[int, date | None, date | None]:
    """Days of [start, end) covered by the intervals, with the first and last such day."""
    days, first, last = 0, None, None
    for lo, hi in intervals:
        a, b = max(lo, start), _min_end(hi, end)
        if a < b:
            days += (b - a).days
            first = a if first is None else min(first, a)
            last_day = date.fromordinal(b.toordinal() - 1)
            last = last_day if last is None else max(last, last_day)
    return days, first, last


def invoice_lines(
    contracts: Iterable[ContractHistory],
    discounts: Iterable[DiscountTerms],
    period: Period,
    vat_rate: Decimal,
) -> list[InvoiceLine]:
    """Every line of one client's invoice for the period; empty when there is nothing to bill."""
    applicable = [d for d in discounts if d.applies_to(period)]
    lines: list[InvoiceLine] = []
    remaining = ZERO  # the client's recurring amount still open to client-level discounts
    for contract in sorted(contracts, key=lambda c: (c.start_date, str(c.contract_id))):
        own = contract_lines(contract, period, vat_rate)
        base = sum((line.net for line in own if line.kind == "recurring"), ZERO)
        for discount in sorted(
            (d for d in applicable if d.contract_id == contract.contract_id), key=_discount_order
        ):
            amount = discount.amount_on(base)
            if amount > 0:
                own.append(
                    _discount_line(
                        discount,
                        amount,
                        vat_rate,
                        contract_id=contract.contract_id,
                        number=contract.number,
                        service=contract.service,
                    )
                )
                base -= amount
        remaining += base
        lines.extend(own)
    for discount in sorted((d for d in applicable if d.contract_id is None), key=_discount_order):
        amount = discount.amount_on(remaining)
        if amount > 0:
            lines.append(_discount_line(discount, amount, vat_rate))
            remaining -= amount
    return lines


def _discount_order(discount: DiscountTerms) -> tuple:
    return (discount.from_period, str(discount.discount_id))


def _discount_line(
    discount: DiscountTerms, amount: Decimal, vat_rate: Decimal, **identity: Any
) -> InvoiceLine:
    shown = f"{discount.value.normalize():f}%" if discount.kind == "percent" else f"{mad(discount.value)} MAD"
    return taxed(
        vat_rate,
        "discount",
        f"{discount.label} ({shown})",
        -amount,
        discount_id=discount.discount_id,
        **identity,
    )
