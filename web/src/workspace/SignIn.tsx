import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { setApiKey } from "../api/client";
import { ErrorNotice } from "../shared/components/ErrorNotice";
import { Field } from "../shared/components/Field";

/** Paste an API key; it is kept in this tab's session storage only. */
export function SignIn({ failure }: { failure: unknown }) {
  const { t } = useTranslation();
  const [key, setKey] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApiKey(key.trim());
  };
  return (
    <main id="main" className="sign-in">
      <h1>{t("signIn.title")}</h1>
      <p>{t("signIn.explain")}</p>
      <form onSubmit={submit}>
        <Field label={t("signIn.key")} hint={t("signIn.hint")}>
          {(props) => <input {...props} type="password" autoComplete="off" value={key} onChange={(e) => setKey(e.target.value)} required />}
        </Field>
        <button type="submit" className="primary">{t("signIn.submit")}</button>
      </form>
      <ErrorNotice error={failure} />
    </main>
  );
}
