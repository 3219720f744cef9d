// The commitment arithmetic of the contract rules, to show an early-termination charge and a
// plan change's class before the operator confirms. Dates are `YYYY-MM-DD` calendar dates.
import { compareAmounts, times } from "../../shared/money";

function parts(day: string): [number, number, number] {
  const [y, m, d] = day.split("-").map(Number);
  return [y, m, d];
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function addMonths(day: string, months: number): string {
  const [y, m, d] = parts(day);
  const index = m - 1 + months;
  const year = y + Math.floor(index / 12);
  const month = (index % 12) + 1;
  const date = Math.min(d, daysIn(year, month));
  return `${year}-${String(month).padStart(2, "0")}-${String(date).padStart(2, "0")}`;
}

/** Whole months from `on` until `end`; a part month does not count. */
export function remainingWholeMonths(on: string, end: string): number {
  if (on >= end) return 0;
  const [oy, om] = parts(on);
  const [ey, em] = parts(end);
  let months = (ey - oy) * 12 + (em - om);
  if (addMonths(on, months) > end) months -= 1;
  return months;
}

export function earlyTerminationCharge(contract: { start_date: string; commitment_months: number; monthly_fee: string }, on: string) {
  const end = addMonths(contract.start_date, contract.commitment_months);
  const months = remainingWholeMonths(on, end);
  return { end, months, charge: times(contract.monthly_fee, months) };
}

export function classifyChange(currentFee: string, newFee: string): "upgrade" | "downgrade" | "lateral" {
  const order = compareAmounts(newFee, currentFee);
  return order > 0 ? "upgrade" : order < 0 ? "downgrade" : "lateral";
}
