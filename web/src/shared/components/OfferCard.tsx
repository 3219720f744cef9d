import { useTranslation } from "react-i18next";
import { Money } from "./Money";
import { formatDate } from "../format";
import { type Component, UNIT } from "../offerComponents";

export type OfferCardProps = {
  name: string;
  service: string;
  family: string;
  monthly_fee: string;
  activation_fee: string;
  components: Component[];
  valid_from?: string | null;
  valid_to?: string | null;
};

/** The offer as a customer would see it on a price list; the editor shows it live. */
export function OfferCard({ offer, label }: { offer: OfferCardProps; label?: string }) {
  const { t } = useTranslation();
  return (
    <article className="offer-card" aria-label={label ?? offer.name}>
      <header>
        <span className="muted">{t(`services.${offer.service}`)} · {offer.family || "—"}</span>
        <h3>{offer.name || t("offers.unnamed")}</h3>
      </header>
      <p className="price"><Money amount={offer.monthly_fee || "0"} /> <span className="muted">{t("offers.perMonth")}</span></p>
      <ul>
        {offer.components.map((c) => {
          const unit = UNIT[c.kind];
          return <li key={c.kind}>{t(`components.${c.kind}`)}{unit ? ` : ${c[unit] || "?"} ${t(`units.${unit}`)}` : ""}</li>;
        })}
      </ul>
      <p className="muted">{t("offers.activationFee")} : <Money amount={offer.activation_fee || "0"} /></p>
      {(offer.valid_from || offer.valid_to) && (
        <p className="muted">{t("offers.validity", { from: formatDate(offer.valid_from) || "…", to: formatDate(offer.valid_to) || "…" })}</p>
      )}
    </article>
  );
}
