import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, call } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Loading } from "../../shared/components/Loading";
import { Money } from "../../shared/components/Money";
import { useCan } from "../session";

/** The catalog by service, then family, tiers in monthly-fee order (the order that classes plan changes). */
export function OffersPage() {
  const { t } = useTranslation();
  const can = useCan();
  const [status, setStatus] = useState<"active" | "retired">("active");
  const categories = useQuery({
    queryKey: ["offer-categories", status],
    queryFn: () => call(api.GET("/api/v1/offer-categories", { params: { query: { status } } })),
  });
  return (
    <section aria-labelledby="offers-title">
      <h1 id="offers-title">{t("offers.title")}</h1>
      <div className="filters">
        <label>{t("common.status")}
          <select value={status} onChange={(e) => setStatus(e.target.value as "active" | "retired")}>
            <option value="active">{t("status.active")}</option>
            <option value="retired">{t("status.retired")}</option>
          </select>
        </label>
        {can("createOffer") && <Link className="button primary" to="/offers/new">{t("offers.new")}</Link>}
      </div>
      <ErrorNotice error={categories.error} />
      {!categories.data && !categories.error && <Loading />}
      {categories.data?.length === 0 && <p className="muted">{t("common.none")}</p>}
      {categories.data?.map((service) => (
        <section key={service.service} aria-labelledby={`service-${service.service}`}>
          <h2 id={`service-${service.service}`}>{t(`services.${service.service}`)}</h2>
          {service.families.map((family) => (
            <div key={family.family}>
              <h3>{family.family}</h3>
              <table>
                <thead><tr><th>{t("offers.tier")}</th><th>{t("offers.name")}</th><th>{t("offers.monthlyFee")}</th><th>{t("offers.activationFee")}</th><th>{t("offers.version")}</th></tr></thead>
                <tbody>
                  {family.offers.map((o) => (
                    <tr key={o.offer_id}>
                      <td>{o.tier}</td>
                      <td><Link to={`/offers/${o.offer_id}`}>{o.name}</Link></td>
                      <td><Money amount={o.monthly_fee} /></td>
                      <td><Money amount={o.activation_fee} /></td>
                      <td>v{o.terms_version}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        </section>
      ))}
    </section>
  );
}
