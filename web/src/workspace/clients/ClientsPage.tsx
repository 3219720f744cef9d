import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, call } from "../../api/client";
import { wrote } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Pager } from "../../shared/components/Pager";
import { Status } from "../../shared/components/Status";
import { CIN, canonicalCin } from "../../shared/rules";
import { useCan } from "../session";
import { ClientForm, type ClientOutput } from "./ClientForm";

const LIMIT = 25;

/** Search by CIN (exact) or name; the list shows personal data masked, as the API answers it. */
export function ClientsPage() {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState("");
  const [offset, setOffset] = useState(0);
  const term = search.trim();
  const byCin = CIN.test(canonicalCin(term));
  const query = {
    cin: byCin ? canonicalCin(term) : undefined,
    name: !byCin && term ? term : undefined,
    status: (status || undefined) as "active" | "suspended" | "closed" | undefined,
    limit: LIMIT,
    offset,
  };
  const clients = useQuery({ queryKey: ["clients", query], queryFn: () => call(api.GET("/api/v1/clients", { params: { query } })) });
  const register = useMutation({
    mutationFn: (body: ClientOutput) => call(api.POST("/api/v1/clients", { body: { ...body, cin: body.cin ?? "" } })),
    onSuccess: (accepted) => {
      wrote(accepted.id, accepted.position);
      navigate(`/clients/${accepted.id}`);
    },
  });
  return (
    <section aria-labelledby="clients-title">
      <h1 id="clients-title">{t("clients.title")}</h1>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t("clients.search")}
          <input value={search} onChange={(e) => { setSearch(e.target.value); setOffset(0); }} placeholder={t("clients.searchHint")} />
        </label>
        <label>
          {t("common.status")}
          <select value={status} onChange={(e) => { setStatus(e.target.value); setOffset(0); }}>
            <option value="">{t("common.all")}</option>
            {["active", "suspended", "closed"].map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
          </select>
        </label>
      </form>
      <ErrorNotice error={clients.error} />
      {clients.data ? (
        <>
          <table>
            <caption className="visually-hidden">{t("clients.title")}</caption>
            <thead>
              <tr><th>{t("clients.fullName")}</th><th>{t("clients.cin")}</th><th>{t("clients.email")}</th><th>{t("clients.contracts")}</th><th>{t("common.status")}</th></tr>
            </thead>
            <tbody>
              {clients.data.items.map((c) => (
                <tr key={c.client_id}>
                  <td><Link to={`/clients/${c.client_id}`}>{c.full_name}</Link></td>
                  <td>{c.cin}</td>
                  <td>{c.email}</td>
                  <td>{c.contract_count}</td>
                  <td><Status value={c.status} />{c.delinquent && <Status value="delinquent" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {clients.data.items.length === 0 && <p className="muted">{t("common.none")}</p>}
          <Pager offset={offset} limit={LIMIT} total={clients.data.page.total} onChange={setOffset} />
        </>
      ) : !clients.error && <Loading />}
      {can("registerClient") && (
        <details className="panel">
          <summary>{t("clients.new")}</summary>
          <ClientForm withCin submitLabel={t("clients.register")} busy={register.isPending} failure={register.error} onSubmit={(c) => register.mutate(c)} />
          <ErrorNotice error={register.error} />
        </details>
      )}
    </section>
  );
}
