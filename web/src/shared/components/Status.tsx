import { useTranslation } from "react-i18next";

/** A status word from the API, translated, with a colour per meaning. */
export function Status({ value }: { value: string }) {
  const { t } = useTranslation();
  return <span className={`status status-${value}`}>{t(`status.${value}`, { defaultValue: value })}</span>;
}
