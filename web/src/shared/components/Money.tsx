import { useTranslation } from "react-i18next";
import { formatMoney } from "../format";

export function Money({ amount }: { amount: string | null | undefined }) {
  const { i18n } = useTranslation();
  return <span className="money">{formatMoney(amount, i18n.language)}</span>;
}
