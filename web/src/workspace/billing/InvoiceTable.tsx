import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../../api/client";
import { Money } from "../../shared/components/Money";
import { Status } from "../../shared/components/Status";
import { formatDate } from "../../shared/format";

/** Invoices as the invoice center and a client's page list them, each linking to its page. */
export function InvoiceTable({ invoices }: { invoices: Schemas["InvoiceView"][] | undefined }) {
  const { t } = useTranslation();
  return (
    <>
      <table>
        <thead><tr><th>{t("billing.number")}</th><th>{t("billing.period")}</th><th>{t("billing.issueDate")}</th><th>{t("billing.dueDate")}</th><th>{t("billing.gross")}</th><th>{t("billing.openBalance")}</th><th>{t("common.status")}</th></tr></thead>
        <tbody>
          {invoices?.map((i) => (
            <tr key={i.invoice_id}>
              <td><Link to={`/billing/invoices/${i.invoice_id}`}>{i.number}</Link></td>
              <td>{i.period}</td>
              <td>{formatDate(i.issue_date)}</td>
              <td>{formatDate(i.due_date)}</td>
              <td><Money amount={i.gross} /></td>
              <td><Money amount={i.open_balance} /></td>
              <td><Status value={i.status} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {invoices?.length === 0 && <p className="muted">{t("common.none")}</p>}
    </>
  );
}
