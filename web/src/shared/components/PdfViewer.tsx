import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { ErrorNotice } from "./ErrorNotice";

/** A PDF fetched through the API client (the key is a header) and shown inline. */
export function PdfViewer({ queryKey, load, title }: { queryKey: unknown[]; load: () => Promise<string>; title: string }) {
  const { t } = useTranslation();
  const pdf = useQuery({ queryKey: ["pdf", ...queryKey], queryFn: load, staleTime: Infinity, gcTime: 0 });
  useEffect(() => () => { if (pdf.data) URL.revokeObjectURL(pdf.data); }, [pdf.data]);
  if (pdf.error) return <ErrorNotice error={pdf.error} />;
  if (!pdf.data) return <p aria-busy="true">{t("common.loading")}</p>;
  return (
    <div className="pdf">
      <iframe src={pdf.data} title={title} className="pdf-frame" />
      <a href={pdf.data} download={`${title}.pdf`}>{t("common.download")}</a>
    </div>
  );
}
