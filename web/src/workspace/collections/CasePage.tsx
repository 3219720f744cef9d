import { useMutation, useQueryClient } from "@tanstack/react-query";
import { refreshAfterWrite } from "../../api/queryClient";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { useOwnWrites, wrote } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Money } from "../../shared/components/Money";
import { Status } from "../../shared/components/Status";
import { formatDate, formatMoment } from "../../shared/format";
import { AMOUNT } from "../../shared/rules";
import { useCan } from "../session";

type Kind = Schemas["RecordCollectionAction"]["kind"];
const KINDS: Kind[] = ["call_logged", "reminder_sent", "promise_to_pay", "suspension_requested"];

export function CasePage() {
  const { t, i18n } = useTranslation();
  const { caseId = "" } = useParams();
  const found = useOwnWrites("case", caseId, (token) =>
    call(api.GET("/api/v1/collection-cases/{case_id}", { params: { path: { case_id: caseId }, query: { consistency_token: token } } })));
  if (found.error) return <ErrorNotice error={found.error} />;
  if (!found.data) return <Loading />;
  const c = found.data;
  const history = c.history as { event: string; at: string; actor: string; kind?: string; note?: string | null }[];
  return (
    <section aria-labelledby="case-title">
      <p><Link to="/collections">← {t("collections.title")}</Link> · <Link to={`/clients/${c.client_id}`}>{t("contracts.client")}</Link></p>
      <h1 id="case-title">{t("collections.case", { date: formatDate(c.opened_on) })}</h1>
      <dl className="facts">
        <dt>{t("common.status")}</dt><dd><Status value={c.status} /></dd>
        <dt>{t("collections.dpd")}</dt><dd>{c.days_past_due}</dd>
        <dt>{t("collections.overdue")}</dt><dd><Money amount={c.overdue} /></dd>
        {c.promise_date && <><dt>{t("collections.promise")}</dt><dd>{formatDate(c.promise_date)} · <Money amount={c.promise_amount} /></dd></>}
      </dl>
      {c.status !== "resolved" && c.status !== "written_off" && <CaseActions caseView={c} />}
      <h2>{t("collections.history")}</h2>
      <ol className="timeline">
        {history.map((entry, index) => (
          <li key={index}>
            <strong>{t(`events.${entry.event}`, { defaultValue: entry.event })}</strong>
            {entry.kind && <> · {t(`actions.${entry.kind}`)}</>}
            <span className="muted"> · {formatMoment(entry.at, i18n.language)} · {entry.actor}</span>
            {entry.note && <p>{entry.note}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function CaseActions({ caseView }: { caseView: Schemas["CaseView"] }) {
  const { t } = useTranslation();
  const can = useCan();
  const queries = useQueryClient();
  const [kind, setKind] = useState<Kind>("call_logged");
  const [note, setNote] = useState("");
  const [promiseDate, setPromiseDate] = useState("");
  const [promiseAmount, setPromiseAmount] = useState("");
  const [reason, setReason] = useState("");
  const path = { case_id: caseView.case_id };
  const done = (accepted: { position: number }) => { wrote(caseView.case_id, accepted.position); refreshAfterWrite(queries); };
  const promise = kind === "promise_to_pay";
  const promiseValid = !promise || (promiseDate !== "" && AMOUNT.test(promiseAmount.trim()) && /[1-9]/.test(promiseAmount));
  const act = useMutation({
    mutationFn: () => call(api.POST("/api/v1/collection-cases/{case_id}/actions", { params: { path }, body: {
      kind, note: note.trim() || null, promise_date: promise ? promiseDate : null, promise_amount: promise ? promiseAmount.trim() : null,
    } })),
    onSuccess: (a) => { setNote(""); done(a); },
  });
  const writeOff = useMutation({
    mutationFn: () => call(api.POST("/api/v1/collection-cases/{case_id}/write-off", { params: { path }, body: { reason } })),
    onSuccess: done,
  });
  return (
    <div className="panel-row">
      {can("recordCollectionAction") && (
        <form className="panel form-grid" onSubmit={(e) => { e.preventDefault(); act.mutate(); }}>
          <label>{t("collections.action")}
            <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              {KINDS.map((k) => <option key={k} value={k}>{t(`actions.${k}`)}</option>)}
            </select>
          </label>
          {promise && <label>{t("collections.promiseDate")}<input type="date" value={promiseDate} onChange={(e) => setPromiseDate(e.target.value)} required /></label>}
          {promise && <label>{t("collections.promiseAmount")}<input inputMode="decimal" value={promiseAmount} onChange={(e) => setPromiseAmount(e.target.value)} required /></label>}
          <label>{t("collections.note")}<input value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} /></label>
          <div className="actions"><button type="submit" disabled={!promiseValid || act.isPending}>{t("collections.record")}</button></div>
          <ErrorNotice error={act.error} />
        </form>
      )}
      {can("writeOffCollectionCase") && (
        <details className="panel">
          <summary>{t("collections.writeOff")}</summary>
          <form onSubmit={(e) => { e.preventDefault(); writeOff.mutate(); }}>
            <label>{t("common.reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} /></label>
            <button type="submit" className="danger" disabled={!reason.trim() || writeOff.isPending}>{t("collections.writeOff")}</button>
          </form>
          <ErrorNotice error={writeOff.error} />
        </details>
      )}
    </div>
  );
}
