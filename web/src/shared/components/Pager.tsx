import { useTranslation } from "react-i18next";

export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total?: number | null; onChange: (offset: number) => void }) {
  const { t } = useTranslation();
  const last = total ?? 0;
  return (
    <nav className="pager" aria-label={t("common.pages")}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
        {t("common.previous")}
      </button>
      <span>{t("common.range", { from: last === 0 ? 0 : offset + 1, to: Math.min(offset + limit, last), total: last })}</span>
      <button type="button" disabled={offset + limit >= last} onClick={() => onChange(offset + limit)}>
        {t("common.next")}
      </button>
    </nav>
  );
}
