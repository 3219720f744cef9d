import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api, call, callVersioned, ifMatch, type Schemas } from "../../api/client";
import { useCommandOn, useOwnWrites } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Money } from "../../shared/components/Money";
import { Status } from "../../shared/components/Status";
import { formatDate } from "../../shared/format";
import { InvoiceTable } from "../billing/InvoiceTable";
import { useCan } from "../session";
import { ClientForm, type ClientOutput } from "./ClientForm";

type Client = Schemas["ClientView"] & { etag?: string };
type ReasonCode = Schemas["ChangeClientStatus"]["reason_code"] & string;
const REASON_CODES: readonly ReasonCode[] = ["customer_request", "non_payment", "fraud", "deceased", "other"];

/** One client: details, status, and everything billed to it (contracts, invoices, payments, balance, collection case). */
export function ClientPage() {
  const { t } = useTranslation();
  const { clientId = "" } = useParams();
  const client = useOwnWrites("client", clientId, (token) =>
    callVersioned(api.GET("/api/v1/clients/{client_id}", { params: { path: { client_id: clientId }, query: { consistency_token: token } } })));
  if (client.error) return <ErrorNotice error={client.error} />;
  if (!client.data) return <Loading />;
  return (
    <section aria-labelledby="client-title">
      <p><Link to="/clients">← {t("clients.title")}</Link></p>
      <h1 id="client-title">{client.data.full_name}</h1>
      <ClientDetails client={client.data} />
      <ClientActions client={client.data} />
      <Balance clientId={clientId} />
      <ClientContracts clientId={clientId} />
      <ClientInvoices clientId={clientId} />
      <ClientPayments clientId={clientId} />
      <ClientCases clientId={clientId} />
    </section>
  );
}

function ClientDetails({ client }: { client: Client }) {
  const { t } = useTranslation();
  return (
    <dl className="facts">
      <dt>{t("clients.cin")}</dt><dd>{client.cin}</dd>
      <dt>{t("clients.email")}</dt><dd>{client.email}</dd>
      <dt>{t("clients.address")}</dt><dd>{client.address}</dd>
      <dt>{t("clients.phone")}</dt><dd>{client.phone ?? "—"}</dd>
      <dt>{t("common.status")}</dt><dd><Status value={client.status} />{client.delinquent && <Status value="delinquent" />}</dd>
      <dt>{t("clients.registeredAt")}</dt><dd>{formatDate(client.registered_at)}</dd>
    </dl>
  );
}

function ClientActions({ client }: { client: Client }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const path = { client_id: client.client_id };
  const [editing, setEditing] = useState(false);
  const [status, setStatus] = useState<Client["status"]>(client.status === "active" ? "suspended" : "active");
  const [reason, setReason] = useState("");
  const [reasonCode, setReasonCode] = useState<ReasonCode>("other");
  // Each update names the version this page shows: a change made meanwhile by someone else is refused (412), not overwritten.
  const update = useCommandOn(client.client_id, (body: ClientOutput) =>
    call(api.PUT("/api/v1/clients/{client_id}", { params: { path, header: ifMatch(client) }, body })));
  const changeStatus = useCommandOn(client.client_id, () =>
    call(api.POST("/api/v1/clients/{client_id}/status", { params: { path, header: ifMatch(client) }, body: { status, reason, reason_code: reasonCode } })));
  const erase = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/clients/{client_id}", { params: { path } })),
    onSuccess: () => navigate("/clients"),
  });
  return (
    <div className="panel-row">
      {can("updateClientDetails") && (
        <details className="panel" open={editing} onToggle={(e) => setEditing((e.target as HTMLDetailsElement).open)}>
          <summary>{t("clients.edit")}</summary>
          <ClientForm withCin={false} initial={{ ...client, phone: client.phone ?? "", ice: client.ice ?? "" }} submitLabel={t("common.save")}
            busy={update.isPending} failure={update.error} onSubmit={(body) => update.mutate(body, { onSuccess: () => setEditing(false) })} />
          <ErrorNotice error={update.error} />
        </details>
      )}
      {can("changeClientStatus") && (
        <details className="panel">
          <summary>{t("clients.changeStatus")}</summary>
          <form className="form-grid" onSubmit={(e) => { e.preventDefault(); changeStatus.mutate(undefined); }}>
            <label>{t("common.status")}
              <select value={status} onChange={(e) => setStatus(e.target.value as Client["status"])}>
                {(["active", "suspended", "closed"] as const).filter((s) => s !== client.status).map((s) => <option key={s} value={s}>{t(`status.${s}`)}</option>)}
              </select>
            </label>
            <label>{t("clients.reasonCode")}
              <select value={reasonCode} onChange={(e) => setReasonCode(e.target.value as ReasonCode)}>
                {REASON_CODES.map((code) => <option key={code} value={code}>{t(`clients.reasonCodes.${code}`)}</option>)}
              </select>
            </label>
            <label>{t("common.reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} /></label>
            <div className="actions"><button type="submit" disabled={!reason.trim() || changeStatus.isPending}>{t("common.apply")}</button></div>
          </form>
          <ErrorNotice error={changeStatus.error} />
        </details>
      )}
      {can("deleteClient") && (
        <details className="panel">
          <summary>{t("clients.erase")}</summary>
          <p>{t("clients.eraseExplain")}</p>
          <button type="button" className="danger" onClick={() => erase.mutate()} disabled={erase.isPending}>{t("clients.eraseConfirm")}</button>
          <ErrorNotice error={erase.error} />
        </details>
      )}
    </div>
  );
}

function Balance({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const balance = useQuery({
    queryKey: ["balance", clientId],
    queryFn: () => call(api.GET("/api/v1/clients/{client_id}/balance", { params: { path: { client_id: clientId } } })),
  });
  if (!balance.data) return <ErrorNotice error={balance.error} />;
  return (
    <section aria-labelledby="balance-title">
      <h2 id="balance-title">{t("clients.balance")}</h2>
      <dl className="facts">
        <dt>{t("clients.open")}</dt><dd><Money amount={balance.data.open} /></dd>
        <dt>{t("clients.overdue")}</dt><dd><Money amount={balance.data.overdue} /> ({balance.data.overdue_invoices})</dd>
        <dt>{t("clients.credit")}</dt><dd><Money amount={balance.data.credit} /></dd>
      </dl>
    </section>
  );
}

function ClientContracts({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const contracts = useQuery({
    queryKey: ["contracts", { client: clientId }],
    queryFn: () => call(api.GET("/api/v1/contracts", { params: { query: { client: clientId, limit: 100 } } })),
  });
  return (
    <section aria-labelledby="client-contracts">
      <h2 id="client-contracts">{t("tabs.contracts")}</h2>
      <ErrorNotice error={contracts.error} />
      <table>
        <thead><tr><th>{t("contracts.number")}</th><th>{t("contracts.service")}</th><th>{t("contracts.offer")}</th><th>{t("contracts.startDate")}</th><th>{t("common.status")}</th></tr></thead>
        <tbody>
          {contracts.data?.items.map((c) => (
            <tr key={c.contract_id}>
              <td><Link to={`/contracts/${c.contract_id}`}>{c.number}</Link></td>
              <td>{t(`services.${c.service}`)}</td>
              <td>{c.offer_name}</td>
              <td>{formatDate(c.start_date)}</td>
              <td><Status value={c.status} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {contracts.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
    </section>
  );
}

function ClientInvoices({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const invoices = useQuery({
    queryKey: ["invoices", { client: clientId }],
    queryFn: () => call(api.GET("/api/v1/invoices", { params: { query: { client: clientId, limit: 100 } } })),
  });
  return (
    <section aria-labelledby="client-invoices">
      <h2 id="client-invoices">{t("billing.invoices")}</h2>
      <ErrorNotice error={invoices.error} />
      <InvoiceTable invoices={invoices.data?.items} />
    </section>
  );
}

function ClientPayments({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const payments = useQuery({
    queryKey: ["payments", { client: clientId }],
    queryFn: () => call(api.GET("/api/v1/payments", { params: { query: { client: clientId, limit: 100 } } })),
  });
  return (
    <section aria-labelledby="client-payments">
      <h2 id="client-payments">{t("tabs.payments")}</h2>
      <ErrorNotice error={payments.error} />
      <table>
        <thead><tr><th>{t("payments.receivedOn")}</th><th>{t("payments.method")}</th><th>{t("payments.reference")}</th><th>{t("payments.amount")}</th><th>{t("common.status")}</th></tr></thead>
        <tbody>
          {payments.data?.items.map((p) => (
            <tr key={p.payment_id}>
              <td>{formatDate(p.received_on)}</td>
              <td>{t(`methods.${p.method}`)}</td>
              <td>{p.reference}</td>
              <td><Money amount={p.amount} /></td>
              <td><Status value={p.status} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {payments.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
    </section>
  );
}

function ClientCases({ clientId }: { clientId: string }) {
  const { t } = useTranslation();
  const cases = useQuery({
    queryKey: ["cases", { client: clientId }],
    queryFn: () => call(api.GET("/api/v1/collection-cases", { params: { query: { client: clientId } } })),
  });
  if (!cases.data?.items.length) return null;
  return (
    <section aria-labelledby="client-cases">
      <h2 id="client-cases">{t("collections.cases")}</h2>
      <ul>
        {cases.data.items.map((c) => (
          <li key={c.case_id}><Link to={`/collections/cases/${c.case_id}`}>{formatDate(c.opened_on)}</Link> <Status value={c.status} /> <Money amount={c.overdue} /></li>
        ))}
      </ul>
    </section>
  );
}
