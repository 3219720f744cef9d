import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Money } from "../../shared/components/Money";
import { Pager } from "../../shared/components/Pager";
import { type Service, ServiceSelect } from "../../shared/components/ServiceSelect";
import { Status } from "../../shared/components/Status";
import { formatDate } from "../../shared/format";
import { useCan } from "../session";

const LIMIT = 25;
type ContractStatus = "draft" | "active" | "suspended" | "terminated";

export function ContractsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [service, setService] = useState<Service | "">("");
  const [status, setStatus] = useState<ContractStatus | "">("");
  const [offset, setOffset] = useState(0);
  const query = { service: service || undefined, status: status || undefined, limit: LIMIT, offset };
  const contracts = useQuery({ queryKey: ["contracts", query], queryFn: () => call(api.GET("/api/v1/contracts", { params: { query } })) });
  return (
    <section aria-labelledby="contracts-title">
      <h1 id="contracts-title">{t("contracts.title")}</h1>
      <div className="filters">
        <ServiceSelect value={service} onChange={(s) => { setService(s); setOffset(0); }} anyLabel={t("common.all")} />
        <label>{t("common.status")}
          <select value={status} onChange={(e) => { setStatus(e.target.value as ContractStatus | ""); setOffset(0); }}>
            <option value="">{t("common.all")}</option>
            {(["draft", "active", "suspended", "terminated"] as const).map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </select>
        </label>
        {can("provisionContract") && <Link className="button primary" to="/contracts/new">{t("contracts.provision")}</Link>}
      </div>
      <ErrorNotice error={contracts.error} />
      {!contracts.data && !contracts.error && <Loading />}
      {contracts.data && (
        <>
          <table>
            <thead><tr><th>{t("contracts.number")}</th><th>{t("contracts.service")}</th><th>{t("contracts.offer")}</th><th>{t("offers.monthlyFee")}</th><th>{t("contracts.startDate")}</th><th>{t("common.status")}</th></tr></thead>
            <tbody>
              {contracts.data.items.map((c) => (
                <tr key={c.contract_id}>
                  <td><Link to={`/contracts/${c.contract_id}`}>{c.number}</Link></td>
                  <td>{t(`services.${c.service}`)}</td>
                  <td>{c.offer_name} v{c.offer_version}</td>
                  <td><Money amount={c.monthly_fee} /></td>
                  <td>{formatDate(c.start_date)}</td>
                  <td><Status value={c.status} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          {contracts.data.items.length === 0 && <p className="muted">{t("common.none")}</p>}
          <Pager offset={offset} limit={LIMIT} total={contracts.data.page.total} onChange={setOffset} />
        </>
      )}
    </section>
  );
}
