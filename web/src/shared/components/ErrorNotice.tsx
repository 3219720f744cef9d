import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";

/** An error as the API explained it: its message, its code, and the correlation id to quote to support. */
export function ErrorNotice({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const apiError = error instanceof ApiError ? error : null;
  return (
    <div role="alert" className="notice notice-error">
      <strong>{apiError ? apiError.message : t("errors.unexpected")}</strong>
      {apiError?.status === 412 && <p>{t("errors.stale")}</p>}
      {apiError && (
        <p className="muted">
          {t("errors.code")}: <code>{apiError.code}</code> · {t("errors.correlation")}: <code>{apiError.correlationId}</code>
        </p>
      )}
    </div>
  );
}
