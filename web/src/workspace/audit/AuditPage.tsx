import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { api, call } from "../../api/client";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { formatMoment } from "../../shared/format";
import { useCan } from "../session";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** For auditors: any aggregate's recorded events, its state at a chosen moment, and the refused privileged actions. */
export function AuditPage() {
  const { t } = useTranslation();
  const can = useCan();
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">{t("audit.title")}</h1>
      {can("getEventHistory") && <History />}
      {can("listAccessRefusals") && <Refusals />}
    </section>
  );
}

function History() {
  const { t, i18n } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [typed, setTyped] = useState(params.get("id") ?? "");
  const id = params.get("id") ?? "";
  const asOf = params.get("as_of") ?? "";
  const events = useQuery({
    queryKey: ["event-history", id],
    queryFn: () => call(api.GET("/api/v1/event-history/{aggregate_id}", { params: { path: { aggregate_id: id }, query: { limit: 500 } } })),
    enabled: UUID.test(id),
  });
  const state = useQuery({
    queryKey: ["state-at", id, asOf],
    queryFn: () => call(api.GET("/api/v1/event-history/{aggregate_id}/state", { params: { path: { aggregate_id: id }, query: { as_of: asOf || undefined } } })),
    enabled: UUID.test(id),
  });
  const travel = (moment: string) => setParams({ id, ...(moment ? { as_of: moment } : {}) });
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{t("audit.history")}</h2>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); setParams({ id: typed.trim() }); }}>
        <label>{t("audit.aggregateId")}<input value={typed} onChange={(e) => setTyped(e.target.value)} aria-invalid={typed !== "" && !UUID.test(typed.trim())} size={40} /></label>
        <button type="submit" disabled={!UUID.test(typed.trim())}>{t("audit.show")}</button>
      </form>
      <ErrorNotice error={events.error} />
      {events.data && (
        <div className="audit-grid">
          <div>
            <h3>{t("audit.events", { type: events.data.aggregate_type, count: events.data.page.total ?? events.data.items.length })}</h3>
            <ol className="timeline">
              {events.data.items.map((event) => (
                <li key={event.id} aria-current={asOf === event.time ? "true" : undefined}>
                  <strong>v{event.aggregateversion} · {event.type}</strong>
                  <span className="muted"> · {formatMoment(event.time, i18n.language)} · {event.actor} ({event.actorrole})</span>
                  {event.reason && <p>{t("common.reason")} : {event.reason}</p>}
                  <details><summary>{t("audit.data")}</summary><pre>{JSON.stringify(event.data, null, 2)}</pre></details>
                  <button type="button" onClick={() => travel(event.time)}>{t("audit.stateAfter", { version: event.aggregateversion })}</button>
                </li>
              ))}
            </ol>
          </div>
          <div>
            <h3>{t("audit.stateAt")}</h3>
            <label>{t("audit.moment")}
              <input type="datetime-local" step={1} onChange={(e) => e.target.value && travel(new Date(e.target.value).toISOString())} />
            </label>
            <button type="button" onClick={() => travel("")}>{t("audit.now")}</button>
            <ErrorNotice error={state.error} />
            {state.data && (
              <div data-testid="state-at">
                <p>{asOf ? t("audit.asOf", { moment: formatMoment(asOf, i18n.language) }) : t("audit.latest")} · v{state.data.version}</p>
                <pre>{JSON.stringify(state.data.state, null, 2)}</pre>
              </div>
            )}
          </div>
        </div>
      )}
    </section>
  );
}

function Refusals() {
  const { t, i18n } = useTranslation();
  const refusals = useQuery({ queryKey: ["access-refusals"], queryFn: () => call(api.GET("/api/v1/access-refusals", { params: { query: { limit: 100 } } })) });
  return (
    <section aria-labelledby="refusals-title">
      <h2 id="refusals-title">{t("audit.refusals")}</h2>
      <ErrorNotice error={refusals.error} />
      <table>
        <thead><tr><th>{t("audit.when")}</th><th>{t("audit.actor")}</th><th>{t("audit.role")}</th><th>{t("audit.request")}</th><th>{t("audit.allowedRoles")}</th></tr></thead>
        <tbody>
          {refusals.data?.items.map((r) => (
            <tr key={r.refusal_id}>
              <td>{formatMoment(r.refused_at, i18n.language)}</td>
              <td>{r.actor}</td>
              <td>{t(`roles.${r.role}`, { defaultValue: r.role })}</td>
              <td><code>{r.method} {r.path}</code></td>
              <td>{r.allowed_roles.map((role) => t(`roles.${role}`, { defaultValue: role })).join(", ")}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {refusals.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
    </section>
  );
}
