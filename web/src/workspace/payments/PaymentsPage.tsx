import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { refreshAfterWrite } from "../../api/queryClient";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, call, type Schemas } from "../../api/client";
import { wrote } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Money } from "../../shared/components/Money";
import { Pager } from "../../shared/components/Pager";
import { Status } from "../../shared/components/Status";
import { formatDate } from "../../shared/format";
import { AMOUNT, CIN, canonicalCin } from "../../shared/rules";
import { useCan } from "../session";
import { StatementImport } from "./StatementImport";
import { METHODS, type Method } from "./statementCsv";

const LIMIT = 25;

export function PaymentsPage() {
  const { t } = useTranslation();
  const can = useCan();
  return (
    <section aria-labelledby="payments-title">
      <h1 id="payments-title">{t("payments.title")}</h1>
      <div className="panel-row">
        {can("recordPayment") && <RecordPayment />}
        {can("recordPaymentBatch") && <StatementImport />}
      </div>
      <PaymentList />
    </section>
  );
}

/** The client a CIN names, looked up as the operator types it. */
export function useClientByCin(text: string) {
  const cin = canonicalCin(text);
  return useQuery({
    queryKey: ["clients", { cin }],
    queryFn: () => call(api.GET("/api/v1/clients", { params: { query: { cin, limit: 1 } } })),
    enabled: CIN.test(cin),
    select: (page) => page.items[0] ?? null,
  });
}

function RecordPayment() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [cin, setCin] = useState("");
  const [amount, setAmount] = useState("");
  const [method, setMethod] = useState<Method>("cash");
  const [reference, setReference] = useState("");
  const [receivedOn, setReceivedOn] = useState("");
  const client = useClientByCin(cin);
  const validAmount = AMOUNT.test(amount.trim()) && /[1-9]/.test(amount);
  const record = useMutation({
    mutationFn: (payer: string) => call(api.POST("/api/v1/payments", {
      body: { client_id: payer, amount: amount.trim(), method, reference: reference.trim(), received_on: receivedOn || null },
    })),
    onSuccess: (accepted) => { wrote(accepted.id, accepted.position); setAmount(""); setReference(""); refreshAfterWrite(queries); },
  });
  return (
    <details className="panel">
      <summary>{t("payments.record")}</summary>
      <form className="form-grid" onSubmit={(e) => { e.preventDefault(); if (client.data) record.mutate(client.data.client_id); }}>
        <label>{t("clients.cin")}<input value={cin} onChange={(e) => setCin(e.target.value)} aria-describedby="payer" /></label>
        <small id="payer" className="muted">{client.data ? client.data.full_name : CIN.test(canonicalCin(cin)) && client.isFetched ? t("payments.noSuchClient") : t("clients.cinHint")}</small>
        <label>{t("payments.amount")}<input inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} aria-invalid={amount !== "" && !validAmount} /></label>
        <label>{t("payments.method")}
          <select value={method} onChange={(e) => setMethod(e.target.value as Method)}>
            {METHODS.map((m) => <option key={m} value={m}>{t(`methods.${m}`)}</option>)}
          </select>
        </label>
        <label>{t("payments.reference")}<input value={reference} onChange={(e) => setReference(e.target.value)} maxLength={100} /></label>
        <label>{t("payments.receivedOn")}<input type="date" value={receivedOn} onChange={(e) => setReceivedOn(e.target.value)} /></label>
        <div className="actions"><button type="submit" className="primary" disabled={!client.data || !validAmount || !reference.trim() || record.isPending}>{t("payments.record")}</button></div>
      </form>
      {record.isSuccess && <p role="status">{t("payments.recorded")}</p>}
      <ErrorNotice error={record.error} />
    </details>
  );
}

function PaymentList() {
  const { t } = useTranslation();
  const [offset, setOffset] = useState(0);
  const payments = useQuery({
    queryKey: ["payments", { offset }],
    queryFn: () => call(api.GET("/api/v1/payments", { params: { query: { limit: LIMIT, offset } } })),
  });
  return (
    <section aria-labelledby="payment-list">
      <h2 id="payment-list">{t("payments.list")}</h2>
      <ErrorNotice error={payments.error} />
      <table>
        <thead><tr><th>{t("payments.receivedOn")}</th><th>{t("contracts.client")}</th><th>{t("payments.method")}</th><th>{t("payments.reference")}</th><th>{t("payments.amount")}</th><th>{t("payments.credited")}</th><th>{t("common.status")}</th><th /></tr></thead>
        <tbody>
          {payments.data?.items.map((p) => <PaymentRow key={p.payment_id} payment={p} />)}
        </tbody>
      </table>
      {payments.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
      {payments.data && <Pager offset={offset} limit={LIMIT} total={payments.data.page.total} onChange={setOffset} />}
    </section>
  );
}

function PaymentRow({ payment }: { payment: Schemas["PaymentView"] }) {
  const { t } = useTranslation();
  const can = useCan();
  const queries = useQueryClient();
  const [reason, setReason] = useState("");
  const reverse = useMutation({
    mutationFn: () => call(api.POST("/api/v1/payments/{payment_id}/reversal", { params: { path: { payment_id: payment.payment_id } }, body: { reason } })),
    onSuccess: (accepted) => { wrote(payment.payment_id, accepted.position); refreshAfterWrite(queries); },
  });
  return (
    <tr>
      <td>{formatDate(payment.received_on)}</td>
      <td><Link to={`/clients/${payment.client_id}`}>{payment.client_id.slice(0, 8)}</Link></td>
      <td>{t(`methods.${payment.method}`)}</td>
      <td>{payment.reference}</td>
      <td><Money amount={payment.amount} /></td>
      <td><Money amount={payment.credited} /></td>
      <td><Status value={payment.status} /></td>
      <td>
        {payment.status === "received" && can("reversePayment") && (
          <details>
            <summary>{t("payments.reverse")}</summary>
            <form onSubmit={(e) => { e.preventDefault(); reverse.mutate(); }}>
              <label>{t("common.reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} /></label>
              <button type="submit" className="danger" disabled={!reason.trim() || reverse.isPending}>{t("payments.reverse")}</button>
            </form>
            <ErrorNotice error={reverse.error} />
          </details>
        )}
      </td>
    </tr>
  );
}
