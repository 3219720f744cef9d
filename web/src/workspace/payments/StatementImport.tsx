import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import { refreshAfterWrite } from "../../api/queryClient";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError, call } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Money } from "../../shared/components/Money";
import { formatDate } from "../../shared/format";
import { parseStatement, type StatementProblem, type StatementRow } from "./statementCsv";

type Refusal = { index: number; code: string; message: string };

/** A bank statement file: parsed and previewed here, then recorded in one batch (all of its payments, or none). */
export function StatementImport() {
  const { t } = useTranslation();
  const queries = useQueryClient();
  const [parsed, setParsed] = useState<{ rows: StatementRow[]; problems: StatementProblem[] } | null>(null);
  const cins = [...new Set(parsed?.rows.flatMap((r) => ("cin" in r.client ? [r.client.cin] : [])) ?? [])];
  const payers = useQueries({
    queries: cins.map((cin) => ({
      queryKey: ["clients", { cin }],
      queryFn: () => call(api.GET("/api/v1/clients", { params: { query: { cin, limit: 1 } } })),
    })),
  });
  const clientOf = (row: StatementRow): string | null => {
    if ("id" in row.client) return row.client.id;
    const found = payers[cins.indexOf(row.client.cin)]?.data?.items[0];
    return found?.client_id ?? null;
  };
  const unknown = parsed?.rows.filter((r) => payers.every((p) => p.isFetched) && !clientOf(r)) ?? [];
  const record = useMutation({
    mutationFn: (rows: StatementRow[]) => call(api.POST("/api/v1/payment-batches", {
      body: { payments: rows.map((r) => ({ client_id: clientOf(r)!, amount: r.amount, method: r.method, reference: r.reference, received_on: r.received_on, invoice_id: r.invoice_id })) },
    })),
    onSuccess: () => refreshAfterWrite(queries),
  });
  const refused: Refusal[] = record.error instanceof ApiError && record.error.code === "payment_batch_refused"
    ? ((record.error.details as { refused?: Refusal[] }).refused ?? []) : [];
  const ready = parsed && parsed.rows.length > 0 && parsed.problems.length === 0 && unknown.length === 0 && payers.every((p) => p.isSuccess);
  const read = async (file: File | undefined) => {
    record.reset();
    setParsed(file ? parseStatement(await file.text()) : null);
  };
  return (
    <details className="panel" open={Boolean(parsed)}>
      <summary>{t("statement.import")}</summary>
      <p className="muted">{t("statement.format")}</p>
      <label>{t("statement.file")}<input type="file" accept=".csv,text/csv" onChange={(e) => void read(e.target.files?.[0])} /></label>
      {parsed && (
        <>
          <table data-testid="statement-preview">
            <caption>{t("statement.preview", { count: parsed.rows.length })}</caption>
            <thead><tr><th>{t("statement.line")}</th><th>{t("payments.receivedOn")}</th><th>{t("contracts.client")}</th><th>{t("payments.reference")}</th><th>{t("payments.amount")}</th><th>{t("statement.check")}</th></tr></thead>
            <tbody>
              {parsed.rows.map((row, index) => {
                const refusal = refused.find((r) => r.index === index);
                const payer = clientOf(row);
                return (
                  <tr key={row.line} className={refusal || !payer ? "refused" : ""}>
                    <td>{row.line}</td>
                    <td>{formatDate(row.received_on)}</td>
                    <td>{"cin" in row.client ? row.client.cin : row.client.id.slice(0, 8)}</td>
                    <td>{row.reference}</td>
                    <td><Money amount={row.amount} /></td>
                    <td>{refusal ? `${refusal.message} (${refusal.code})` : payer ? t("statement.ok") : t("statement.unknownClient")}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {parsed.problems.length > 0 && (
            <ul className="field-error" aria-label={t("statement.problems")}>
              {parsed.problems.map((p) => <li key={p.line}>{t("statement.lineProblem", { line: p.line, problem: t(p.code) })}</li>)}
            </ul>
          )}
          <button type="button" className="primary" disabled={!ready || record.isPending} onClick={() => record.mutate(parsed.rows)}>
            {t("statement.record", { count: parsed.rows.length })}
          </button>
        </>
      )}
      {record.data && <p role="status">{t("statement.recorded", { count: record.data.payments.filter((p) => p.created).length, total: record.data.payments.length })}</p>}
      <ErrorNotice error={record.error} />
    </details>
  );
}
