// Amounts arrive as decimal strings ("1234.50") and are formatted as text, never through a
// float: `1 234,50 MAD` in French and in Arabic (as Moroccan documents write it), `1,234.50 MAD`
// in English.
const NBSP = "\u00a0";

export function formatMoney(amount: string | null | undefined, language: string): string {
  if (amount === null || amount === undefined || amount === "") return "";
  const negative = amount.startsWith("-");
  const [whole, fraction = ""] = (negative ? amount.slice(1) : amount).split(".");
  const cents = (fraction + "00").slice(0, 2);
  const french = !language.startsWith("en");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, french ? NBSP : ",");
  return `${negative ? "-" : ""}${grouped}${french ? "," : "."}${cents}${NBSP}MAD`;
}

/** A calendar date `YYYY-MM-DD` as `07/12/2026` (French) or `07/12/2026` (English, day first as in Morocco). */
export function formatDate(day: string | null | undefined): string {
  if (!day) return "";
  const [y, m, d] = day.slice(0, 10).split("-");
  return `${d}/${m}/${y}`;
}

/** A moment with its offset, in the browser's time zone, to the second. */
export function formatMoment(moment: string | null | undefined, language: string): string {
  if (!moment) return "";
  return new Intl.DateTimeFormat(language.startsWith("fr") ? "fr-FR" : "en-GB", {
    dateStyle: "short",
    timeStyle: "medium",
  }).format(new Date(moment));
}

/** The time of day of a moment, `14:35`, in the browser's time zone. */
export function formatTime(moment: string, language: string): string {
  return new Intl.DateTimeFormat(language.startsWith("en") ? "en-GB" : "fr-FR", { timeStyle: "short" }).format(new Date(moment));
}

/** The period `YYYY-MM` as `11/2026`. */
export function formatPeriod(period: string): string {
  const [y, m] = period.split("-");
  return `${m}/${y}`;
}

/** A decimal string as a number for charts only (never for arithmetic on money). */
export function chartValue(amount: string): number {
  return Number(amount);
}

/** A rate as the API gives it (`0.2000`) as a percentage (`20`), by moving the decimal point. */
export function formatPercent(rate: string, language: string): string {
  const [whole, fraction = ""] = rate.split(".");
  const digits = (fraction + "00").slice(0, 2);
  const rest = fraction.slice(2).replace(/0+$/, "");
  const percent = `${BigInt(whole + digits)}${rest ? (language.startsWith("fr") ? "," : ".") + rest : ""}`;
  return `${percent}\u00a0%`;
}
