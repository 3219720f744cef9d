import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, call, pdfUrl, type Schemas } from "../../api/client";
import { useCommandOn, useOwnWrites } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Money } from "../../shared/components/Money";
import { PdfViewer } from "../../shared/components/PdfViewer";
import { Status } from "../../shared/components/Status";
import { formatDate, formatPercent } from "../../shared/format";
import { AMOUNT } from "../../shared/rules";
import { useCan } from "../session";
import { InvoiceLines, type InvoiceLine } from "./InvoiceLines";

type Invoice = Schemas["InvoiceView"];

export function InvoicePage() {
  const { t, i18n } = useTranslation();
  const { invoiceId = "" } = useParams();
  const invoice = useOwnWrites("invoice", invoiceId, (token) =>
    call(api.GET("/api/v1/invoices/{invoice_id}", { params: { path: { invoice_id: invoiceId }, query: { consistency_token: token } } })));
  if (invoice.error) return <ErrorNotice error={invoice.error} />;
  if (!invoice.data) return <Loading />;
  const i = invoice.data;
  return (
    <section aria-labelledby="invoice-title">
      <p><Link to="/billing">← {t("billing.title")}</Link> · <Link to={`/clients/${i.client_id}`}>{t("contracts.client")}</Link></p>
      <h1 id="invoice-title">{t("billing.invoice")} {i.number}</h1>
      <dl className="facts">
        <dt>{t("common.status")}</dt><dd><Status value={i.status} /></dd>
        <dt>{t("billing.period")}</dt><dd>{i.period}</dd>
        <dt>{t("billing.issueDate")}</dt><dd>{formatDate(i.issue_date)}</dd>
        <dt>{t("billing.dueDate")}</dt><dd>{formatDate(i.due_date)}</dd>
        <dt>{t("billing.net")}</dt><dd><Money amount={i.net} /></dd>
        <dt>{t("billing.tax")} ({formatPercent(i.vat_rate, i18n.language)})</dt><dd><Money amount={i.tax} /></dd>
        <dt>{t("billing.gross")}</dt><dd><Money amount={i.gross} /></dd>
        <dt>{t("billing.paid")}</dt><dd><Money amount={i.paid} /></dd>
        <dt>{t("billing.credited")}</dt><dd><Money amount={i.credited} /></dd>
        <dt>{t("billing.openBalance")}</dt><dd><Money amount={i.open_balance} /></dd>
      </dl>
      <InvoiceLines lines={i.lines as unknown as InvoiceLine[]} caption={t("billing.lines")} />
      <AfterIssue invoice={i} />
      <InvoiceActions invoice={i} />
      {i.document ? (
        <section aria-labelledby="invoice-pdf">
          <h2 id="invoice-pdf">{t("billing.pdf")}</h2>
          <PdfViewer title={i.number} queryKey={["invoice-pdf", i.invoice_id]}
            load={() => pdfUrl(api.GET("/api/v1/invoices/{invoice_id}/pdf", { params: { path: { invoice_id: i.invoice_id } }, parseAs: "blob" }))} />
        </section>
      ) : <p className="muted">{t("billing.pdfPending")}</p>}
    </section>
  );
}

type Settlement = { kind: string; amount: string; on: string };
type CreditNoteNote = { credit_note_id: string; number: string; gross: string };

/** What happened to the invoice after issue: payments, credit applied, reversals, credit notes. */
function AfterIssue({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  const settlements = invoice.settlements as Settlement[];
  const notes = invoice.credit_notes as CreditNoteNote[];
  if (settlements.length === 0 && notes.length === 0) return null;
  return (
    <section aria-labelledby="after-issue">
      <h2 id="after-issue">{t("billing.afterIssue")}</h2>
      <ul>
        {settlements.map((s, index) => <li key={index}>{formatDate(s.on)} · {t(`settlements.${s.kind}`, { defaultValue: s.kind })} · <Money amount={s.amount} /></li>)}
        {notes.map((n) => <li key={n.credit_note_id}><CreditNoteLine note={n} /></li>)}
      </ul>
    </section>
  );
}

function CreditNoteLine({ note }: { note: CreditNoteNote }) {
  const { t } = useTranslation();
  const [shown, setShown] = useState(false);
  return (
    <>
      {t("billing.creditNoteNumber", { number: note.number })} · <Money amount={note.gross} />{" "}
      {shown ? (
        <PdfViewer title={note.number} queryKey={["credit-note-pdf", note.credit_note_id]}
          load={() => pdfUrl(api.GET("/api/v1/credit-notes/{credit_note_id}/pdf", {
            params: { path: { credit_note_id: note.credit_note_id } }, parseAs: "blob" }))} />
      ) : <button type="button" onClick={() => setShown(true)}>{t("billing.showPdf")}</button>}
    </>
  );
}

function InvoiceActions({ invoice }: { invoice: Invoice }) {
  const can = useCan();
  const open = invoice.open_balance !== "0.00" && !invoice.open_balance.startsWith("-");
  return (
    <div className="panel-row">
      {open && can("markInvoicePaid") && <MarkPaid invoice={invoice} />}
      {can("issueCreditNote") && invoice.status !== "credited" && <CreditNote invoice={invoice} />}
    </div>
  );
}

function MarkPaid({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  const pay = useCommandOn(invoice.invoice_id, () =>
    call(api.POST("/api/v1/invoices/{invoice_id}/mark-paid", { params: { path: { invoice_id: invoice.invoice_id } } })));
  return (
    <div className="panel">
      <p>{t("billing.markPaidExplain")} <Money amount={invoice.open_balance} /></p>
      <button type="button" onClick={() => pay.mutate()} disabled={pay.isPending}>{t("billing.markPaid")}</button>
      <ErrorNotice error={pay.error} />
    </div>
  );
}

function CreditNote({ invoice }: { invoice: Invoice }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const [whole, setWhole] = useState(true);
  const [amounts, setAmounts] = useState<Record<number, string>>({});
  const lines = invoice.lines as unknown as InvoiceLine[];
  const chosen = Object.entries(amounts).filter(([, v]) => v.trim() !== "");
  const invalid = chosen.some(([, v]) => !AMOUNT.test(v.trim()) || !/[1-9]/.test(v));
  const credit = useCommandOn(invoice.invoice_id, () => call(api.POST("/api/v1/invoices/{invoice_id}/credit-notes", {
    params: { path: { invoice_id: invoice.invoice_id } },
    body: { reason, lines: whole ? null : chosen.map(([line, net]) => ({ line_no: Number(line), net: net.trim() })) },
  })));
  return (
    <details className="panel">
      <summary>{t("billing.creditNote")}</summary>
      <form className="form-grid" onSubmit={(e) => { e.preventDefault(); credit.mutate(); }}>
        <fieldset className="choice">
          <legend>{t("billing.creditWhat")}</legend>
          <label><input type="radio" checked={whole} onChange={() => setWhole(true)} /> {t("billing.creditAll")}</label>
          <label><input type="radio" checked={!whole} onChange={() => setWhole(false)} /> {t("billing.creditLines")}</label>
        </fieldset>
        {!whole && lines.filter((l) => !l.net.startsWith("-")).map((line) => (
          <label key={line.line_no}>{t("billing.creditLine", { line: line.line_no })} (≤ <Money amount={line.net} />)
            <input inputMode="decimal" value={amounts[line.line_no] ?? ""} onChange={(e) => setAmounts({ ...amounts, [line.line_no]: e.target.value })} />
          </label>
        ))}
        <label>{t("common.reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} /></label>
        {invalid && <p className="field-error">{t("rules.positive")}</p>}
        <div className="actions"><button type="submit" disabled={!reason.trim() || invalid || (!whole && chosen.length === 0) || credit.isPending}>{t("billing.issueCreditNote")}</button></div>
      </form>
      <ErrorNotice error={credit.error} />
    </details>
  );
}
