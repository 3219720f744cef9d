import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, call, idempotencyKey, pdfUrl, type Schemas } from "../api/client";
import { ErrorNotice } from "../shared/components/ErrorNotice";
import { Field } from "../shared/components/Field";
import { Loading } from "../shared/components/Loading";
import { Money } from "../shared/components/Money";
import { formatDate } from "../shared/format";
import { CIN, canonicalCin, mobileNumber } from "../shared/rules";
import { bearer, setVisitor, useVisitor } from "./visitor";

/** After the one-time code: the visitor's contracts by service, their plan changes, and their invoices. */
export function MySpace() {
  const { t } = useTranslation();
  const visitor = useVisitor();
  return (
    <section aria-labelledby="space-title">
      <h1 id="space-title">{t("space.title")}</h1>
      {visitor ? (
        <>
          <button type="button" onClick={() => setVisitor(null)}>{t("space.leave")}</button>
          <Contracts token={visitor.token} />
          <Invoices token={visitor.token} />
          <CreditNotes token={visitor.token} />
          <Statement token={visitor.token} />
        </>
      ) : <Verify />}
    </section>
  );
}

function Verify() {
  const { t } = useTranslation();
  const [cin, setCin] = useState("");
  const [number, setNumber] = useState("");
  const [code, setCode] = useState("");
  const [tried, setTried] = useState(false);
  const ask = useMutation({
    mutationFn: () => call(api.POST("/api/v1/landing/verifications", { body: { cin, number: mobileNumber(number)! } })),
  });
  const answer = useMutation({
    mutationFn: () => call(api.POST("/api/v1/landing/verifications/{challenge_id}/code", {
      params: { path: { challenge_id: ask.data!.challenge_id } }, body: { code },
    })),
    onSuccess: (session) => setVisitor(session),
  });
  const cinProblem = tried && !CIN.test(canonicalCin(cin)) ? t("rules.cin") : undefined;
  const numberProblem = tried && !mobileNumber(number) ? t("rules.mobile") : undefined;
  if (!ask.data) {
    return (
      <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); setTried(true); if (CIN.test(canonicalCin(cin)) && mobileNumber(number)) ask.mutate(); }}>
        <p className="notice">{t("space.explain")}</p>
        <Field label={t("subscribe.cin")} error={cinProblem}>{(p) => <input {...p} value={cin} onChange={(e) => setCin(e.target.value)} autoComplete="off" />}</Field>
        <Field label={t("space.number")} error={numberProblem} hint={t("space.numberHint")}>
          {(p) => <input {...p} type="tel" inputMode="tel" value={number} onChange={(e) => setNumber(e.target.value)} />}
        </Field>
        <div className="actions"><button type="submit" className="primary" disabled={ask.isPending}>{t("space.sendCode")}</button></div>
        <ErrorNotice error={ask.error} />
      </form>
    );
  }
  return (
    <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); if (/^[0-9]{6}$/.test(code)) answer.mutate(); }}>
      <p role="status" className="notice">{t("space.codeSent", { time: new Date(ask.data.expires_at).toLocaleTimeString() })}</p>
      <Field label={t("space.code")}>
        {(p) => <input {...p} inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value.trim())} />}
      </Field>
      <div className="actions">
        <button type="button" onClick={() => { ask.reset(); answer.reset(); setCode(""); }}>{t("space.again")}</button>
        <button type="submit" className="primary" disabled={answer.isPending || !/^[0-9]{6}$/.test(code)}>{t("space.verify")}</button>
      </div>
      <ErrorNotice error={answer.error} />
    </form>
  );
}

function Contracts({ token }: { token: string }) {
  const { t } = useTranslation();
  const mine = useQuery({ queryKey: ["my-contracts", token], queryFn: () => call(api.GET("/api/v1/landing/me/contracts", { headers: bearer(token) })) });
  if (mine.error) return <ErrorNotice error={mine.error} />;
  if (!mine.data) return <Loading />;
  return (
    <section aria-labelledby="my-contracts">
      <h2 id="my-contracts">{t("space.contracts")}</h2>
      {mine.data.services.length === 0 && <p className="muted">{t("space.noContract")}</p>}
      {mine.data.services.map((group) => (
        <section key={group.service} aria-label={t(`services.${group.service}`)}>
          <h3>{t(`services.${group.service}`)}</h3>
          {group.contracts.map((c) => <ContractCard key={c.contract_id} contract={c} token={token} />)}
        </section>
      ))}
    </section>
  );
}

function ContractCard({ contract, token }: { contract: Schemas["VisitorContract"]; token: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <article className="panel" aria-label={contract.number}>
      <p><strong dir="ltr">{contract.number}</strong> · {contract.offer_name} · <Money amount={contract.monthly_fee} /> {t("space.perMonth")}</p>
      <p className="muted">{t("space.reference")} : <code>{contract.contract_number}</code> · {t("space.since", { date: formatDate(contract.start_date) })}</p>
      {contract.plan_options.length === 0 ? <p className="muted">{t("space.noOption")}</p> : (
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>{t("space.changePlan")}</button>
      )}
      {open && <PlanChange contract={contract} token={token} />}
    </article>
  );
}

function PlanChange({ contract, token }: { contract: Schemas["VisitorContract"]; token: string }) {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [offerId, setOfferId] = useState("");
  const [effective, setEffective] = useState("");
  const key = useRef(idempotencyKey());
  const option = contract.plan_options.find((o) => o.offer.offer_id === offerId);
  const day = effective || option?.earliest_effective_date || "";
  const path = { contract_id: contract.contract_id };
  const preview = useQuery({
    queryKey: ["plan-preview", contract.contract_id, offerId, day],
    queryFn: () => call(api.POST("/api/v1/landing/me/contracts/{contract_id}/plan-changes/preview", {
      params: { path }, headers: bearer(token), body: { offer_id: offerId, effective_date: day } })),
    enabled: Boolean(option),
    retry: false,
  });
  const submit = useMutation({
    mutationFn: () => call(api.POST("/api/v1/landing/me/contracts/{contract_id}/plan-changes", {
      params: { path, header: { "idempotency-key": key.current } }, headers: bearer(token), body: { offer_id: offerId, effective_date: day } })),
    onSuccess: () => { key.current = idempotencyKey(); void queries.invalidateQueries({ queryKey: ["my-contracts"] }); },
  });
  if (submit.isSuccess) return <p role="status" className="notice">{t("space.changed", { date: formatDate(day) })}</p>;
  return (
    <form className="form-grid" onSubmit={(e) => { e.preventDefault(); submit.mutate(); }}>
      <fieldset className="choice">
        <legend>{t("space.newOffer")}</legend>
        {contract.plan_options.map((o) => (
          <label key={o.offer.offer_id}>
            <input type="radio" name={`offer-${contract.contract_id}`} checked={offerId === o.offer.offer_id} onChange={() => { setOfferId(o.offer.offer_id); setEffective(""); }} />
            {o.offer.name} · <Money amount={o.offer.monthly_fee} /> · {t(`changes.${o.change}`)} ({t("space.from", { date: formatDate(o.earliest_effective_date) })})
          </label>
        ))}
      </fieldset>
      {option && (
        <Field label={t("space.effectiveDate")}>
          {(p) => <input {...p} type="date" min={option.earliest_effective_date} value={day} onChange={(e) => setEffective(e.target.value)} />}
        </Field>
      )}
      {preview.data && (
        <table className="before-after" data-testid="plan-preview">
          <caption>{t(`changes.${preview.data.change}`)} · {t("space.from", { date: formatDate(preview.data.effective_date) })}</caption>
          <thead><tr><th /><th>{t("space.before")}</th><th>{t("space.after")}</th></tr></thead>
          <tbody>
            <tr><th scope="row">{t("subscribe.offer")}</th><td>{preview.data.before.offer_name}</td><td>{preview.data.after.offer_name}</td></tr>
            <tr><th scope="row">{t("subscribe.monthlyFee")}</th><td><Money amount={preview.data.before.monthly_fee} /></td><td><Money amount={preview.data.after.monthly_fee} /></td></tr>
          </tbody>
        </table>
      )}
      <ErrorNotice error={preview.error ?? submit.error} />
      <div className="actions"><button type="submit" className="primary" disabled={!preview.data || submit.isPending}>{t("space.confirmChange")}</button></div>
    </form>
  );
}

function Invoices({ token }: { token: string }) {
  const { t } = useTranslation();
  const invoices = useQuery({ queryKey: ["my-invoices", token], queryFn: () => call(api.GET("/api/v1/landing/me/invoices", { headers: bearer(token) })) });
  return (
    <section aria-labelledby="my-invoices">
      <h2 id="my-invoices">{t("space.invoices")}</h2>
      <ErrorNotice error={invoices.error} />
      {invoices.data?.items.length === 0 && <p className="muted">{t("space.noInvoice")}</p>}
      <ul className="pick-list">
        {invoices.data?.items.map((i) => <InvoiceRow key={i.invoice_id} invoice={i} token={token} />)}
      </ul>
    </section>
  );
}

function InvoiceRow({ invoice, token }: { invoice: Schemas["InvoiceView"]; token: string }) {
  const { t } = useTranslation();
  const fetch = () => pdfUrl(api.GET("/api/v1/landing/me/invoices/{invoice_id}/pdf", {
    params: { path: { invoice_id: invoice.invoice_id } }, headers: bearer(token), parseAs: "blob" }));
  return (
    <li className="panel">
      <strong dir="ltr">{invoice.number}</strong> · {invoice.period} · <Money amount={invoice.gross} /> · {t("space.due", { date: formatDate(invoice.due_date) })}
      {" "}<PdfDownload fetch={fetch} name={invoice.number} />
    </li>
  );
}

/** A PDF fetched with the visitor's token on demand, then offered as a link to save. */
function PdfDownload({ fetch, name }: { fetch: () => Promise<string>; name: string }) {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null>(null);
  const fetchPdf = useMutation({ mutationFn: fetch, onSuccess: setUrl });
  return (
    <>
      {url ? <a href={url} download={`${name}.pdf`}>{t("space.savePdf", { number: name })}</a>
        : <button type="button" onClick={() => fetchPdf.mutate()} disabled={fetchPdf.isPending}>{t("space.getPdf")}</button>}
      <ErrorNotice error={fetchPdf.error} />
    </>
  );
}

function CreditNotes({ token }: { token: string }) {
  const { t } = useTranslation();
  const notes = useQuery({ queryKey: ["my-credit-notes", token], queryFn: () => call(api.GET("/api/v1/landing/me/credit-notes", { headers: bearer(token) })) });
  if (!notes.data?.items.length) return <ErrorNotice error={notes.error} />;
  return (
    <section aria-labelledby="my-credit-notes">
      <h2 id="my-credit-notes">{t("space.creditNotes")}</h2>
      <ul className="pick-list">
        {notes.data.items.map((n) => (
          <li key={n.credit_note_id} className="panel">
            <strong dir="ltr">{n.number}</strong> · {t("space.creditFor", { invoice: n.invoice_number })} · <Money amount={n.gross} /> · {n.reason}
            {" "}<PdfDownload name={n.number} fetch={() => pdfUrl(api.GET("/api/v1/landing/me/credit-notes/{credit_note_id}/pdf", {
              params: { path: { credit_note_id: n.credit_note_id } }, headers: bearer(token), parseAs: "blob" }))} />
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The statement of a month: what was billed, credited and paid, and what is owed. */
function Statement({ token }: { token: string }) {
  const { t } = useTranslation();
  const [month, setMonth] = useState(previousMonth());
  const fetch = () => pdfUrl(api.GET("/api/v1/landing/me/statements/{month}", { params: { path: { month } }, headers: bearer(token), parseAs: "blob" }));
  return (
    <section aria-labelledby="my-statement" className="panel">
      <h2 id="my-statement">{t("space.statement")}</h2>
      <p className="muted">{t("space.statementHint")}</p>
      <Field label={t("space.statementMonth")}>
        {(p) => <input {...p} type="month" value={month} max={previousMonth(0)} onChange={(e) => setMonth(e.target.value)} />}
      </Field>
      <PdfDownload key={month} fetch={fetch} name={`releve-${month}`} />
    </section>
  );
}

function previousMonth(back = 1): string {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth() - back, 1);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}
