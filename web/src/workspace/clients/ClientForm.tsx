import { zodResolver } from "@hookform/resolvers/zod";
import { useForm } from "react-hook-form";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { Field } from "../../shared/components/Field";
import { clientDetails, newClient } from "../../shared/rules";

export type ClientInput = { cin?: string; full_name: string; email: string; address: string; phone: string; language: "fr" | "ar"; ice: string };
export type ClientOutput = {
  cin?: string; full_name: string; email: string; address: string; phone: string | null; language: "fr" | "ar"; ice: string | null;
};

/** A client's details, checked as the API checks them; a 422 from the API marks its fields too. */
export function ClientForm({
  withCin,
  initial,
  submitLabel,
  busy,
  failure,
  onSubmit,
}: {
  withCin: boolean;
  initial?: Partial<ClientInput>;
  submitLabel: string;
  busy: boolean;
  failure?: unknown;
  onSubmit: (client: ClientOutput) => void;
}) {
  const { t } = useTranslation();
  const form = useForm<ClientInput, unknown, ClientOutput>({
    resolver: zodResolver(withCin ? newClient : clientDetails) as never,
    defaultValues: { cin: "", full_name: "", email: "", address: "", phone: "", language: "fr", ice: "", ...initial },
  });
  const refused = failure instanceof ApiError && failure.status === 422 ? failure.fields() : [];
  const error = (name: keyof ClientInput) => {
    const message = form.formState.errors[name]?.message;
    if (message) return t(message);
    return refused.includes(name) && failure instanceof ApiError ? failure.message : undefined;
  };
  return (
    <form onSubmit={form.handleSubmit(onSubmit)} noValidate className="form-grid">
      {withCin && (
        <Field label={t("clients.cin")} error={error("cin")} hint={t("clients.cinHint")}>
          {(p) => <input {...p} {...form.register("cin")} autoComplete="off" />}
        </Field>
      )}
      <Field label={t("clients.fullName")} error={error("full_name")}>
        {(p) => <input {...p} {...form.register("full_name")} autoComplete="name" />}
      </Field>
      <Field label={t("clients.email")} error={error("email")}>
        {(p) => <input {...p} {...form.register("email")} type="email" autoComplete="email" />}
      </Field>
      <Field label={t("clients.address")} error={error("address")}>
        {(p) => <input {...p} {...form.register("address")} autoComplete="street-address" />}
      </Field>
      <Field label={t("clients.phone")} error={error("phone")}>
        {(p) => <input {...p} {...form.register("phone")} type="tel" autoComplete="tel" />}
      </Field>
      <Field label={t("clients.language")} error={error("language")}>
        {(p) => (
          <select {...p} {...form.register("language")}>
            <option value="fr">{t("clients.languageFr")}</option>
            <option value="ar">{t("clients.languageAr")}</option>
          </select>
        )}
      </Field>
      <Field label={t("clients.ice")} error={error("ice")} hint={t("clients.iceHint")}>
        {(p) => <input {...p} {...form.register("ice")} inputMode="numeric" autoComplete="off" />}
      </Field>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>{submitLabel}</button>
      </div>
    </form>
  );
}
