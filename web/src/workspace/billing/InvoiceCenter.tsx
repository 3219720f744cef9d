import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, call, type Schemas } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Pager } from "../../shared/components/Pager";
import { type Service, ServiceSelect } from "../../shared/components/ServiceSelect";
import { PERIOD } from "../../shared/rules";
import { InvoiceTable } from "./InvoiceTable";

const LIMIT = 25;
type Filters = { period: string; status: string; service: Service | ""; offer: string; client: string };
const STATUSES = ["issued", "partially_paid", "paid", "partially_credited", "credited"] as const;

/** Invoices filtered by client, service, offer, status and period, in number order. */
export function InvoiceCenter() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<Filters>({ period: "", status: "", service: "", offer: "", client: "" });
  const [offset, setOffset] = useState(0);
  const offers = useQuery({ queryKey: ["offers", { all: true }], queryFn: () => call(api.GET("/api/v1/offers", { params: { query: { limit: 500 } } })) });
  const uuid = /^[0-9a-f-]{36}$/i;
  const query = {
    period: PERIOD.test(filters.period) ? filters.period : undefined,
    status: (filters.status || undefined) as Schemas["InvoiceView"]["status"] | undefined,
    service: filters.service || undefined,
    offer: filters.offer || undefined,
    client: uuid.test(filters.client.trim()) ? filters.client.trim() : undefined,
    limit: LIMIT,
    offset,
  };
  const invoices = useQuery({ queryKey: ["invoices", query], queryFn: () => call(api.GET("/api/v1/invoices", { params: { query } })) });
  const set = (patch: Partial<Filters>) => { setFilters((f) => ({ ...f, ...patch })); setOffset(0); };
  return (
    <>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>{t("billing.period")}<input type="month" value={filters.period} onChange={(e) => set({ period: e.target.value })} /></label>
        <label>{t("common.status")}
          <select value={filters.status} onChange={(e) => set({ status: e.target.value })}>
            <option value="">{t("common.all")}</option>
            {STATUSES.map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </select>
        </label>
        <ServiceSelect value={filters.service} onChange={(service) => set({ service })} anyLabel={t("common.all")} />
        <label>{t("contracts.offer")}
          <select value={filters.offer} onChange={(e) => set({ offer: e.target.value })}>
            <option value="">{t("common.all")}</option>
            {offers.data?.items.map((o) => <option key={o.offer_id} value={o.offer_id}>{o.name}</option>)}
          </select>
        </label>
        <label>{t("billing.clientId")}<input value={filters.client} onChange={(e) => set({ client: e.target.value })} /></label>
      </form>
      <ErrorNotice error={invoices.error} />
      <InvoiceTable invoices={invoices.data?.items} />
      {invoices.data && <Pager offset={offset} limit={LIMIT} total={invoices.data.page.total} onChange={setOffset} />}
    </>
  );
}
