import { useTranslation } from "react-i18next";
import { Money } from "../../shared/components/Money";

export type InvoiceLine = {
  line_no: number;
  kind: string;
  description?: string;
  number?: string;
  days?: number;
  period_days?: number;
  net: string;
  tax: string;
  gross: string;
};

/** An invoice's lines (issued or previewed): one per contract segment, fee, charge or discount. */
export function InvoiceLines({ lines, caption }: { lines: InvoiceLine[]; caption?: string }) {
  const { t } = useTranslation();
  return (
    <table className="lines">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr><th>#</th><th>{t("billing.line")}</th><th>{t("contracts.number")}</th><th>{t("billing.days")}</th><th>{t("billing.net")}</th><th>{t("billing.tax")}</th><th>{t("billing.gross")}</th></tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr key={line.line_no}>
            <td>{line.line_no}</td>
            <td>{t(`lineKinds.${line.kind}`, { defaultValue: line.kind })}{line.description ? ` · ${line.description}` : ""}</td>
            <td>{line.number ?? ""}</td>
            <td>{line.days !== undefined ? `${line.days}/${line.period_days}` : ""}</td>
            <td><Money amount={line.net} /></td>
            <td><Money amount={line.tax} /></td>
            <td><Money amount={line.gross} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
