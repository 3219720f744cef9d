import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, call, pdfUrl, type Schemas } from "../../api/client";
import { useOwnWrites } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Money } from "../../shared/components/Money";
import { PdfViewer } from "../../shared/components/PdfViewer";
import { Status } from "../../shared/components/Status";
import { formatDate, formatMoment } from "../../shared/format";
import { useCan } from "../session";
import { ContractActions } from "./ContractActions";

export type Contract = Schemas["ContractView"];

export function ContractPage() {
  const { t } = useTranslation();
  const { contractId = "" } = useParams();
  const can = useCan();
  const contract = useOwnWrites("contract", contractId, (token) =>
    call(api.GET("/api/v1/contracts/{contract_id}", { params: { path: { contract_id: contractId }, query: { consistency_token: token } } })));
  if (contract.error) return <ErrorNotice error={contract.error} />;
  if (!contract.data) return <Loading />;
  const c = contract.data;
  return (
    <section aria-labelledby="contract-title">
      <p>
        <Link to="/contracts">← {t("contracts.title")}</Link> · <Link to={`/clients/${c.client_id}`}>{t("contracts.client")}</Link>
        {can("getEventHistory") && <> · <Link to={`/audit?id=${c.contract_id}`}>{t("audit.history")}</Link></>}
      </p>
      <h1 id="contract-title">{t(`services.${c.service}`)} {c.number}</h1>
      <dl className="facts">
        {c.reference && <><dt>{t("contracts.reference")}</dt><dd><code>{c.reference}</code></dd></>}
        <dt>{t("common.status")}</dt><dd><Status value={c.status} /> {t("contracts.since", { date: formatDate(c.status_since) })}</dd>
        <dt>{t("contracts.offer")}</dt><dd>{c.offer_name} v{c.offer_version} ({t("contracts.since", { date: formatDate(c.plan_effective_from) })})</dd>
        <dt>{t("offers.monthlyFee")}</dt><dd><Money amount={c.monthly_fee} /></dd>
        <dt>{t("contracts.startDate")}</dt><dd>{formatDate(c.start_date)}</dd>
        <dt>{t("contracts.commitment")}</dt><dd>{t("contracts.months", { count: c.commitment_months })}</dd>
        {c.status === "terminated" && <><dt>{t("contracts.earlyTerminationCharge")}</dt><dd><Money amount={c.early_termination_charge} /></dd></>}
      </dl>
      <ContractActions contract={c} />
      <AuditTimeline contractId={contractId} />
      <Documents contract={c} />
    </section>
  );
}

function AuditTimeline({ contractId }: { contractId: string }) {
  const { t, i18n } = useTranslation();
  const trail = useOwnWrites("audit-trail", contractId, (token) =>
    call(api.GET("/api/v1/contracts/{contract_id}/audit-trail", { params: { path: { contract_id: contractId }, query: { consistency_token: token, limit: 200 } } })));
  return (
    <section aria-labelledby="trail-title">
      <h2 id="trail-title">{t("contracts.auditTrail")}</h2>
      <ErrorNotice error={trail.error} />
      <ol className="timeline">
        {trail.data?.items.map((entry) => (
          <li key={entry.version}>
            <strong>{t(`events.${entry.event_type}`, { defaultValue: entry.event_type })}</strong>
            <span className="muted"> · {formatMoment(entry.occurred_at, i18n.language)} · {entry.actor} ({t(`roles.${entry.role}`, { defaultValue: entry.role })})</span>
            {entry.effective_date && <span> · {t("contracts.effective", { date: formatDate(entry.effective_date) })}</span>}
            {entry.reason && <p>{t("common.reason")} : {entry.reason}</p>}
            <p className="muted small">{t("errors.correlation")} : <code>{entry.correlation_id}</code></p>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Documents({ contract }: { contract: Contract }) {
  const { t, i18n } = useTranslation();
  const documents = contract.documents as Schemas["DocumentView"][];
  const latest = documents[documents.length - 1];
  return (
    <section aria-labelledby="documents-title">
      <h2 id="documents-title">{t("contracts.documents")}</h2>
      <ul>
        {documents.map((d) => (
          <li key={d.document_id}>{t(`contracts.documentReason.${d.reason}`)} · {formatMoment(d.issued_at, i18n.language)} · <code title={d.sha256}>{d.sha256.slice(0, 12)}</code></li>
        ))}
      </ul>
      {latest && (
        <PdfViewer
          title={t("contracts.documentTitle", { number: contract.number })}
          queryKey={["contract-document", latest.document_id]}
          load={() => pdfUrl(api.GET("/api/v1/contracts/{contract_id}/documents/{document_id}", {
            params: { path: { contract_id: contract.contract_id, document_id: latest.document_id } }, parseAs: "blob",
          }))}
        />
      )}
    </section>
  );
}
