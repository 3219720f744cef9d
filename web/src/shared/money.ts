// Decimal arithmetic on amount strings through integer cents (BigInt): never a float.
export function toCents(amount: string): bigint {
  const negative = amount.trim().startsWith("-");
  const [whole, fraction = ""] = amount.trim().replace(/^[+-]/, "").split(".");
  const cents = BigInt(whole || "0") * 100n + BigInt((fraction + "00").slice(0, 2));
  return negative ? -cents : cents;
}

export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

export function times(amount: string, count: number): string {
  return fromCents(toCents(amount) * BigInt(count));
}

export function sum(amounts: string[]): string {
  return fromCents(amounts.reduce((total, a) => total + toCents(a), 0n));
}

export function compareAmounts(a: string, b: string): number {
  const d = toCents(a) - toCents(b);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}
