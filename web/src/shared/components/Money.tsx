import { useTranslation } from "react-i18next";
import { formatMoney } from "../format";

export function Money({ amount }: { amount: string | null | undefined }) {
  const { i18n } = useTranslation();
  // dir="ltr": "238,80 MAD" keeps its order inside a right-to-left sentence.
  return <span className="money" dir="ltr">{formatMoney(amount, i18n.language)}</span>;
}
