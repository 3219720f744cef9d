import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Money } from "../../shared/components/Money";
import { Status } from "../../shared/components/Status";
import { formatMoment } from "../../shared/format";
import { PERIOD } from "../../shared/rules";
import { useCan, useMe } from "../session";
import { InvoiceCenter } from "./InvoiceCenter";
import { InvoiceLines, type InvoiceLine } from "./InvoiceLines";

type DryRun = Schemas["DryRunView"];

/** The month before today: the period an operator bills next. */
export function previousPeriod(today: string): string {
  const [y, m] = today.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

export function BillingPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [view, setView] = useState<"runs" | "invoices">("runs");
  return (
    <section aria-labelledby="billing-title">
      <h1 id="billing-title">{t("billing.title")}</h1>
      <div className="subtabs" role="group" aria-label={t("billing.title")}>
        <button type="button" aria-pressed={view === "runs"} onClick={() => setView("runs")}>{t("billing.runs")}</button>
        {can("listInvoices") && <button type="button" aria-pressed={view === "invoices"} onClick={() => setView("invoices")}>{t("billing.invoiceCenter")}</button>}
      </div>
      {view === "runs" ? <Runs /> : <InvoiceCenter />}
    </section>
  );
}

function Runs() {
  const { t } = useTranslation();
  const can = useCan();
  const me = useMe();
  const queries = useQueryClient();
  const [period, setPeriod] = useState(previousPeriod(me.data?.today ?? "2026-01-01"));
  const [preview, setPreview] = useState<DryRun | null>(null);
  const [started, setStarted] = useState<string | null>(null);
  const runs = useQuery({
    queryKey: ["billing-runs"],
    queryFn: () => call(api.GET("/api/v1/billing-runs", { params: { query: { limit: 24 } } })),
    // While a run goes on (or the one just started has not reached the list yet), progress is read every second.
    refetchInterval: (query) => {
      const items = query.state.data?.items ?? [];
      const waiting = started !== null && !items.some((r) => r.run_id === started && r.status === "completed");
      return waiting || items.some((r) => r.status !== "completed") ? 1000 : false;
    },
  });
  const dryRun = useMutation({
    mutationFn: () => call(api.POST("/api/v1/billing-runs", { body: { period, dry_run: true } })),
    onSuccess: (answer) => setPreview(answer as DryRun),
  });
  const start = useMutation({
    mutationFn: () => call(api.POST("/api/v1/billing-runs", { body: { period, dry_run: false } })),
    onSuccess: (answer) => {
      setPreview(null);
      setStarted((answer as Schemas["BillingRunAccepted"]).id);
      void queries.invalidateQueries({ queryKey: ["billing-runs"] });
    },
  });
  const valid = PERIOD.test(period);
  return (
    <>
      {can("runBilling") && (
        <form className="filters" onSubmit={(e) => e.preventDefault()}>
          <label>{t("billing.period")}
            <input type="month" value={period} onChange={(e) => setPeriod(e.target.value)} aria-invalid={!valid} />
          </label>
          <button type="button" disabled={!valid || dryRun.isPending} onClick={() => dryRun.mutate()}>{t("billing.dryRun")}</button>
          <button type="button" className="primary" disabled={!valid || start.isPending} onClick={() => start.mutate()}>{t("billing.startRun")}</button>
        </form>
      )}
      <ErrorNotice error={dryRun.error ?? start.error} />
      {preview && <DryRunPreview preview={preview} />}
      <h2>{t("billing.runs")}</h2>
      <ErrorNotice error={runs.error} />
      <table>
        <thead>
          <tr><th>{t("billing.period")}</th><th>{t("common.status")}</th><th>{t("billing.progress")}</th><th>{t("billing.invoices")}</th><th>{t("billing.pdfs")}</th><th>{t("billing.gross")}</th><th>{t("billing.startedAt")}</th></tr>
        </thead>
        <tbody>
          {runs.data?.items.map((run) => <RunRow key={run.run_id} run={run} />)}
        </tbody>
      </table>
      {runs.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
    </>
  );
}

function RunRow({ run }: { run: Schemas["BillingRunView"] }) {
  const { t, i18n } = useTranslation();
  return (
    <tr data-testid={`run-${run.period}`}>
      <td>{run.period}</td>
      <td><Status value={run.status} /></td>
      <td>
        <progress max={Math.max(run.clients_total, 1)} value={run.clients_done} aria-label={t("billing.clientsDone", { done: run.clients_done, total: run.clients_total })} />
        {" "}{t("billing.clientsDone", { done: run.clients_done, total: run.clients_total })}
      </td>
      <td>{run.invoices_issued}</td>
      <td>{run.documents_rendered}</td>
      <td><Money amount={run.totals.gross} /></td>
      <td>{formatMoment(run.started_at, i18n.language)}</td>
    </tr>
  );
}

function DryRunPreview({ preview }: { preview: DryRun }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="dry-run-title" className="panel">
      <h2 id="dry-run-title">{t("billing.dryRunOf", { period: preview.period, count: preview.invoices.length })}</h2>
      <p>{t("billing.nothingIssued")}</p>
      <table data-testid="dry-run">
        <thead><tr><th>{t("contracts.client")}</th><th>{t("billing.lines")}</th><th>{t("billing.net")}</th><th>{t("billing.tax")}</th><th>{t("billing.gross")}</th></tr></thead>
        <tbody>
          {preview.invoices.map((invoice) => (
            <tr key={invoice.client_id}>
              <td><Link to={`/clients/${invoice.client_id}`}>{invoice.client_id.slice(0, 8)}</Link></td>
              <td><details><summary>{invoice.lines.length}</summary><InvoiceLines lines={invoice.lines as unknown as InvoiceLine[]} /></details></td>
              <td><Money amount={invoice.totals.net} /></td>
              <td><Money amount={invoice.totals.tax} /></td>
              <td><Money amount={invoice.totals.gross} /></td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr><th scope="row" colSpan={2}>{t("billing.total")}</th><td><Money amount={preview.totals.net} /></td><td><Money amount={preview.totals.tax} /></td><td><Money amount={preview.totals.gross} /></td></tr>
        </tfoot>
      </table>
    </section>
  );
}
