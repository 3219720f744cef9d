import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { Schemas } from "../../api/client";
import { chartValue, formatMoney } from "../../shared/format";

export const BUCKETS = ["current", "d1_30", "d31_60", "d61_90", "d90_plus"] as const;

/** The portfolio's receivables per days-past-due bucket. The table beside it carries the same figures for screen readers. */
export function AgingChart({ buckets }: { buckets: Schemas["AgingBuckets"] }) {
  const { t, i18n } = useTranslation();
  const data = BUCKETS.map((bucket) => ({ bucket: t(`aging.${bucket}`), amount: chartValue(buckets[bucket]), text: buckets[bucket] }));
  return (
    <figure className="chart" aria-label={t("aging.chart")} data-testid="aging-chart">
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={data} margin={{ top: 10, right: 10, bottom: 10, left: 30 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="bucket" />
          <YAxis />
          <Tooltip formatter={(_value, _name, item) => formatMoney((item.payload as { text: string }).text, i18n.language)} />
          <Bar dataKey="amount" name={t("aging.amount")} fill="#1f6f8b" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="visually-hidden">{t("aging.chart")}</figcaption>
    </figure>
  );
}
