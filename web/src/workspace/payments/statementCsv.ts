// A bank statement file (CSV) read into payments. The header names the columns, in any order:
//   date      received on: 2026-12-01 or 01/12/2026
//   amount    1234.56, 1 234,56 or 1234,56 (a positive amount)
//   reference the bank's reference of the transfer (unique per method)
//   client    the payer: a client id, or the client's CIN
//   invoice   optional: the invoice id to settle first
//   method    optional: bank_transfer by default; cash, card, cheque, direct_debit
// Separators `;` (French spreadsheets) or `,` are both read.
import { canonicalCin, CIN } from "../../shared/rules";

export const METHODS = ["bank_transfer", "cash", "card", "cheque", "direct_debit"] as const;
export type Method = (typeof METHODS)[number];

export type StatementRow = {
  line: number;
  received_on: string;
  amount: string;
  reference: string;
  client: { id: string } | { cin: string };
  invoice_id: string | null;
  method: Method;
};
export type StatementProblem = { line: number; code: string };

const REQUIRED = ["date", "amount", "reference", "client"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseStatement(text: string): { rows: StatementRow[]; problems: StatementProblem[] } {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/).map((l) => l.trim());
  const headerIndex = lines.findIndex((l) => l !== "");
  if (headerIndex < 0) return { rows: [], problems: [{ line: 1, code: "statement.empty" }] };
  const separator = lines[headerIndex].includes(";") ? ";" : ",";
  const header = lines[headerIndex].split(separator).map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((column) => !header.includes(column));
  if (missing.length) return { rows: [], problems: [{ line: headerIndex + 1, code: "statement.missingColumns" }] };
  const rows: StatementRow[] = [];
  const problems: StatementProblem[] = [];
  lines.forEach((raw, index) => {
    if (index <= headerIndex || raw === "") return;
    const cells = raw.split(separator).map((c) => c.trim().replace(/^"(.*)"$/, "$1"));
    const cell = (name: string) => cells[header.indexOf(name)] ?? "";
    const line = index + 1;
    const row = readRow(line, cell);
    if ("code" in row) problems.push(row);
    else rows.push(row);
  });
  return { rows, problems };
}

function readRow(line: number, cell: (name: string) => string): StatementRow | StatementProblem {
  const received_on = readDate(cell("date"));
  if (!received_on) return { line, code: "statement.badDate" };
  const amount = readAmount(cell("amount"));
  if (!amount) return { line, code: "statement.badAmount" };
  const reference = cell("reference");
  if (!reference || reference.length > 100) return { line, code: "statement.badReference" };
  const payer = cell("client");
  const client = UUID.test(payer) ? { id: payer.toLowerCase() } : CIN.test(canonicalCin(payer)) ? { cin: canonicalCin(payer) } : null;
  if (!client) return { line, code: "statement.badClient" };
  const invoice = cell("invoice");
  if (invoice && !UUID.test(invoice)) return { line, code: "statement.badInvoice" };
  const method = (cell("method") || "bank_transfer").toLowerCase();
  if (!(METHODS as readonly string[]).includes(method)) return { line, code: "statement.badMethod" };
  return { line, received_on, amount, reference, client, invoice_id: invoice || null, method: method as Method };
}

function readDate(text: string): string | null {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const french = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : french ? [french[3], french[2], french[1]] : [];
  if (!y) return null;
  const day = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(`${y}-${m}-${d}`) ? `${y}-${m}-${d}` : null;
}

/** "1 234,56", "1234,56" or "1234.56" as "1234.56"; null unless a positive amount with at most 2 decimals. */
export function readAmount(text: string): string | null {
  const compact = text.replace(/[\s\u00a0\u202f]/g, "").replace(/MAD$/i, "");
  const normal = /^\d+,\d{1,2}$/.test(compact) ? compact.replace(",", ".") : compact;
  if (!/^\d{1,10}(\.\d{1,2})?$/.test(normal) || !/[1-9]/.test(normal)) return null;
  const [whole, fraction = ""] = normal.split(".");
  return `${BigInt(whole)}.${(fraction + "00").slice(0, 2)}`;
}
