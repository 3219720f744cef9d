import { useTranslation } from "react-i18next";

export const SERVICES = ["mobile", "internet", "landline"] as const;
export type Service = (typeof SERVICES)[number];

/** The service filter or choice; with `anyLabel`, an empty value means every service. */
export function ServiceSelect<T extends Service | "">({ value, onChange, anyLabel }: { value: T; onChange: (service: T) => void; anyLabel?: string }) {
  const { t } = useTranslation();
  return (
    <label>{t("contracts.service")}
      <select value={value} onChange={(e) => onChange(e.target.value as T)}>
        {anyLabel && <option value="">{anyLabel}</option>}
        {SERVICES.map((s) => <option key={s} value={s}>{t(`services.${s}`)}</option>)}
      </select>
    </label>
  );
}
