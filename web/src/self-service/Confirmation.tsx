import { useTranslation } from "react-i18next";
import { Link, useLocation } from "react-router";
import { api, pdfUrl, type Schemas } from "../api/client";
import { PdfViewer } from "../shared/components/PdfViewer";
import { Money } from "../shared/components/Money";
import { bearer } from "./visitor";

type Confirmed = { accepted: Schemas["SubscriptionAccepted"]; preview?: Schemas["SubscriptionPreviewView"] };

/** The subscription's summary and its contract PDF, opened with the token the answer carried (it opens nothing else). */
export function Confirmation() {
  const { t } = useTranslation();
  const state = useLocation().state as Confirmed | null;
  if (!state) return <p>{t("confirmation.nothing")} <Link to="/souscrire">{t("site.subscribe")}</Link></p>;
  const { accepted, preview } = state;
  return (
    <section aria-labelledby="confirmation-title">
      <h1 id="confirmation-title">{t(accepted.decision === "new_line" ? "confirmation.newLine" : "confirmation.planChange")}</h1>
      <dl className="facts" data-testid="confirmation">
        <dt>{t("subscribe.number")}</dt><dd><bdi dir="ltr">{accepted.number}</bdi></dd>
        {preview && <><dt>{t("subscribe.offer")}</dt><dd>{preview.offer_name}</dd></>}
        {preview && <><dt>{t("subscribe.monthlyFee")}</dt><dd><Money amount={preview.monthly_fee} /></dd></>}
      </dl>
      <h2>{t("confirmation.contract")}</h2>
      <PdfViewer
        title={t("confirmation.contractTitle")}
        queryKey={["contract-document", accepted.id]}
        load={() => pdfUrl(api.GET("/api/v1/landing/contracts/{contract_id}/document", {
          params: { path: { contract_id: accepted.id } }, headers: bearer(accepted.document_token), parseAs: "blob",
        }))}
      />
      <p><Link to="/mon-espace">{t("confirmation.toMySpace")}</Link></p>
    </section>
  );
}
