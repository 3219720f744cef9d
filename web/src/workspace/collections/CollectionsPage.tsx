import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { refreshAfterWrite } from "../../api/queryClient";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Money } from "../../shared/components/Money";
import { type Service, ServiceSelect } from "../../shared/components/ServiceSelect";
import { Status } from "../../shared/components/Status";
import { formatDate } from "../../shared/format";
import { useCan } from "../session";
import { AgingChart, BUCKETS } from "./AgingChart";

const CASE_STATUSES = ["open", "in_progress", "promise_to_pay", "resolved", "written_off"] as const;

export function CollectionsPage() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="collections-title">
      <h1 id="collections-title">{t("collections.title")}</h1>
      <Aging />
      <Cases />
    </section>
  );
}

function Aging() {
  const { t } = useTranslation();
  const [asOf, setAsOf] = useState("");
  const [service, setService] = useState<Service | "">("");
  const [offer, setOffer] = useState("");
  const offers = useQuery({ queryKey: ["offers", { all: true }], queryFn: () => call(api.GET("/api/v1/offers", { params: { query: { limit: 500 } } })) });
  const query = { as_of: asOf || undefined, service: service || undefined, offer: offer || undefined, limit: 50 };
  // A dashboard: read again every 10 s, since payments and runs move it from other desks too.
  const aging = useQuery({ queryKey: ["aging", query], queryFn: () => call(api.GET("/api/v1/aging", { params: { query } })), refetchInterval: 10_000 });
  return (
    <section aria-labelledby="aging-title">
      <h2 id="aging-title">{t("aging.title")}</h2>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t("aging.asOf")}<input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} /></label>
        <ServiceSelect value={service} onChange={setService} anyLabel={t("common.all")} />
        <label>{t("contracts.offer")}
          <select value={offer} onChange={(e) => setOffer(e.target.value)}>
            <option value="">{t("common.all")}</option>
            {offers.data?.items.map((o) => <option key={o.offer_id} value={o.offer_id}>{o.name}</option>)}
          </select>
        </label>
      </form>
      <ErrorNotice error={aging.error} />
      {aging.data && (
        <>
          <p className="muted">{t("aging.asOfDate", { date: formatDate(aging.data.as_of) })}</p>
          <AgingChart buckets={aging.data.portfolio} />
          <AgingTable portfolio={aging.data.portfolio} clients={aging.data.clients} />
        </>
      )}
    </section>
  );
}

function AgingTable({ portfolio, clients }: { portfolio: Schemas["AgingBuckets"]; clients: Schemas["AgingRow"][] }) {
  const { t } = useTranslation();
  return (
    <table data-testid="aging-table">
      <caption>{t("aging.table")}</caption>
      <thead><tr><th>{t("contracts.client")}</th>{BUCKETS.map((b) => <th key={b}>{t(`aging.${b}`)}</th>)}<th>{t("billing.total")}</th></tr></thead>
      <tbody>
        {clients.map((row) => (
          <tr key={row.client_id}>
            <td><Link to={`/clients/${row.client_id}`}>{row.client_id.slice(0, 8)}</Link></td>
            {BUCKETS.map((b) => <td key={b}><Money amount={row[b]} /></td>)}
            <td><Money amount={row.total} /></td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr><th scope="row">{t("aging.portfolio")}</th>{BUCKETS.map((b) => <td key={b} data-bucket={b}><Money amount={portfolio[b]} /></td>)}<td data-bucket="total"><Money amount={portfolio.total} /></td></tr>
      </tfoot>
    </table>
  );
}

function Cases() {
  const { t } = useTranslation();
  const can = useCan();
  const queries = useQueryClient();
  const [status, setStatus] = useState("");
  const query = { status: (status || undefined) as Schemas["CaseView"]["status"] | undefined, limit: 50 };
  const cases = useQuery({ queryKey: ["cases", query], queryFn: () => call(api.GET("/api/v1/collection-cases", { params: { query } })) });
  const sweep = useMutation({
    mutationFn: () => call(api.POST("/api/v1/collections/sweeps", { body: {} })),
    onSuccess: () => refreshAfterWrite(queries),
  });
  return (
    <section aria-labelledby="cases-title">
      <h2 id="cases-title">{t("collections.cases")}</h2>
      <div className="filters">
        <label>{t("common.status")}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">{t("common.all")}</option>
            {CASE_STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </select>
        </label>
        {can("runCollectionsSweep") && <button type="button" onClick={() => sweep.mutate()} disabled={sweep.isPending}>{t("collections.sweep")}</button>}
      </div>
      {sweep.data && <p role="status">{t("collections.swept", { date: formatDate(sweep.data.as_of) })}</p>}
      <ErrorNotice error={sweep.error ?? cases.error} />
      <table>
        <thead><tr><th>{t("collections.openedOn")}</th><th>{t("contracts.client")}</th><th>{t("collections.dpd")}</th><th>{t("collections.overdue")}</th><th>{t("common.status")}</th></tr></thead>
        <tbody>
          {cases.data?.items.map((c) => (
            <tr key={c.case_id}>
              <td><Link to={`/collections/cases/${c.case_id}`}>{formatDate(c.opened_on)}</Link></td>
              <td><Link to={`/clients/${c.client_id}`}>{c.client_id.slice(0, 8)}</Link></td>
              <td>{c.days_past_due}</td>
              <td><Money amount={c.overdue} /></td>
              <td><Status value={c.status} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {cases.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
    </section>
  );
}
