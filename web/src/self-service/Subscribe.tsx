import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useNavigate } from "react-router";
import { api, ApiError, call, callWithStatus, idempotencyKey, type Schemas } from "../api/client";
import { ErrorNotice } from "../shared/components/ErrorNotice";
import { Field } from "../shared/components/Field";
import { Loading } from "../shared/components/Loading";
import { Money } from "../shared/components/Money";
import { formatDate, formatTime } from "../shared/format";
import { canonicalCin } from "../shared/rules";
import { OfferCard } from "../shared/components/OfferCard";
import type { Component } from "../shared/offerComponents";
import {
  detailProblems, fromDraft, holdingDraft, type Journey, NUMBER_STEP, numberIsAllocated, numberProblem, type Service, START, STEPS, stepOf,
  submission, toDraft,
} from "./subscription";

type Bootstrap = Schemas["LandingBootstrap"];

const DRAFT_FRAGMENT = /^#draft=([A-Za-z0-9_-]{20,100})$/;

/** The draft's token, kept in the URL's fragment: a browser never sends the fragment, so the token stays out of
 * the server's access logs and of the Referer header. */
function useDraftToken(): [string | null, (token: string) => void] {
  const location = useLocation();
  const navigate = useNavigate();
  const token = DRAFT_FRAGMENT.exec(location.hash)?.[1] ?? null;
  return [token, (next: string) => navigate({ pathname: location.pathname, hash: `draft=${next}` }, { replace: true })];
}

/** Service, offer, personal details, number, preview, submit; the visitor can save and come back with the draft's link. */
export function Subscribe() {
  const { t } = useTranslation();
  const [draftToken, adoptDraft] = useDraftToken();
  const openedWith = useRef(draftToken); // only the draft the page was opened with is restored, not one created on the way
  const [journey, setJourney] = useState<Journey>(START);
  const bootstrap = useQuery({ queryKey: ["bootstrap"], queryFn: () => call(api.GET("/api/v1/landing/bootstrap")) });
  const restored = useQuery({
    queryKey: ["draft", openedWith.current],
    queryFn: () => call(api.GET("/api/v1/landing/draft", { params: { header: { "X-Draft-Token": openedWith.current! } } })),
    enabled: Boolean(openedWith.current),
    retry: false,
    staleTime: Infinity,
  });
  useEffect(() => { if (restored.data) setJourney(fromDraft({ ...restored.data.draft, step: (restored.data.draft.step ?? 1) - 1 })); }, [restored.data]);
  const save = useMutation({
    mutationFn: () => {
      const draft = { ...toDraft(journey), step: journey.step + 1 };
      return draftToken
        ? call(api.PUT("/api/v1/landing/draft", { params: { header: { "X-Draft-Token": draftToken } }, body: draft })).then(() => draftToken)
        : call(api.POST("/api/v1/landing/drafts", { body: draft })).then((created) => created.token);
    },
    onSuccess: adoptDraft,
  });
  if (!bootstrap.data) return bootstrap.error ? <ErrorNotice error={bootstrap.error} /> : <Loading />;
  const set = (patch: Partial<Journey>) => setJourney((j) => ({ ...j, ...patch }));
  const services = bootstrap.data.services;
  const chosen = services.find((s) => s.service === journey.service);
  return (
    <section aria-labelledby="subscribe-title">
      <h1 id="subscribe-title">{t("subscribe.title")}</h1>
      <ol className="steps" aria-label={t("subscribe.steps")}>
        {STEPS.map((s, i) => <li key={s} aria-current={i === journey.step ? "step" : undefined}>{t(`subscribe.step.${s}`)}</li>)}
      </ol>
      <ErrorNotice error={restored.error} />
      {journey.step === 0 && <ServiceStep services={services} journey={journey} onChoose={(service) => set({ service, offer_id: null, step: 1 })} />}
      {journey.step === 1 && chosen && <OfferStep offers={chosen.offers} journey={journey} set={set} />}
      {journey.step === 2 && chosen && <DetailsStep journey={journey} needsPhone={chosen.needs_contact_phone} bootstrap={bootstrap.data} set={set} />}
      {journey.step === NUMBER_STEP && <NumberStep journey={journey} draftToken={draftToken} onDraft={adoptDraft} set={set} />}
      {journey.step === NUMBER_STEP + 1 && <PreviewStep journey={journey} draftToken={draftToken} set={set} />}
      <div className="panel draft">
        <button type="button" onClick={() => save.mutate()} disabled={save.isPending}>{t("subscribe.saveDraft")}</button>
        {draftToken && save.isSuccess && (
          <p role="status">{t("subscribe.draftSaved")} <a href={`/souscrire#draft=${draftToken}`}>{t("subscribe.draftLink")}</a></p>
        )}
        <ErrorNotice error={save.error} />
      </div>
    </section>
  );
}

function ServiceStep({ services, journey, onChoose }: { services: Bootstrap["services"]; journey: Journey; onChoose: (s: Service) => void }) {
  const { t } = useTranslation();
  return (
    <div className="journeys" role="group" aria-label={t("subscribe.step.service")}>
      {services.map((s) => (
        <button key={s.service} type="button" className={`journey${journey.service === s.service ? " chosen" : ""}`} onClick={() => onChoose(s.service)}
          disabled={s.offers.length === 0}>
          <strong>{t(`services.${s.service}`)}</strong>
          <span>{s.offers.length ? t("subscribe.offersFrom", { count: s.offers.length }) : t("subscribe.noOffer")}</span>
        </button>
      ))}
    </div>
  );
}

function OfferStep({ offers, journey, set }: { offers: Schemas["OfferView"][]; journey: Journey; set: (p: Partial<Journey>) => void }) {
  const { t } = useTranslation();
  const families = [...new Set(offers.map((o) => o.family))];
  return (
    <div>
      {families.map((family) => (
        <fieldset key={family} className="offer-grid">
          <legend>{family}</legend>
          {offers.filter((o) => o.family === family).map((o) => (
            <label key={o.offer_id} className={`offer-choice${journey.offer_id === o.offer_id ? " chosen" : ""}`}>
              <input type="radio" name="offer" checked={journey.offer_id === o.offer_id} onChange={() => set({ offer_id: o.offer_id })} />
              <OfferCard offer={{ ...o, components: o.components as Component[] }} />
            </label>
          ))}
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" onClick={() => set({ step: 0 })}>{t("subscribe.back")}</button>
        <button type="button" className="primary" disabled={!journey.offer_id} onClick={() => set({ step: 2 })}>{t("subscribe.next")}</button>
      </div>
    </div>
  );
}

function DetailsStep({ journey, needsPhone, bootstrap, set }: { journey: Journey; needsPhone: boolean; bootstrap: Bootstrap; set: (p: Partial<Journey>) => void }) {
  const { t } = useTranslation();
  const [tried, setTried] = useState(false);
  const problems = detailProblems(journey, needsPhone);
  const error = (field: string) => (tried && problems[field] ? t(problems[field]) : undefined);
  const next = () => { setTried(true); if (Object.keys(problems).length === 0) set({ step: 3 }); };
  const text = (field: "cin" | "full_name" | "email" | "address" | "phone", label: string, extra: Record<string, string> = {}) => (
    <Field label={label} error={error(field)}>
      {(p) => <input {...p} {...extra} value={journey[field]} onChange={(e) => set({ [field]: e.target.value })} />}
    </Field>
  );
  return (
    <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); next(); }}>
      {text("cin", t("subscribe.cin"), { autoComplete: "off" })}
      {text("full_name", t("subscribe.fullName"), { autoComplete: "name" })}
      {text("email", t("subscribe.email"), { type: "email", autoComplete: "email" })}
      {text("address", t("subscribe.address"), { autoComplete: "street-address" })}
      {text("phone", needsPhone ? t("subscribe.contactPhone") : t("subscribe.contactPhoneOptional"), { type: "tel", autoComplete: "tel" })}
      <Field label={t("subscribe.commitment")}>
        {(p) => (
          <select {...p} value={journey.commitment_months} onChange={(e) => set({ commitment_months: Number(e.target.value) as 0 | 12 | 24 })}>
            {bootstrap.commitment_months.map((m) => <option key={m} value={m}>{t("subscribe.months", { count: m })}</option>)}
          </select>
        )}
      </Field>
      <Field label={t("subscribe.startDate")} hint={t("subscribe.startHint")}>
        {(p) => <input {...p} type="date" min={bootstrap.today} max={bootstrap.latest_start_date} value={journey.start_date}
          onChange={(e) => set({ start_date: e.target.value })} />}
      </Field>
      <div className="actions">
        <button type="button" onClick={() => set({ step: 1 })}>{t("subscribe.back")}</button>
        <button type="submit" className="primary">{t("subscribe.next")}</button>
      </div>
    </form>
  );
}

type StepProps = { journey: Journey; set: (p: Partial<Journey>) => void };

/** Mobile: keep a number, or get a new one; internet and landline: a home number. An allocated number is held for
 * the draft (created here, without personal details, if the visitor has not saved one) and shown before confirming. */
function NumberStep({ journey, draftToken, onDraft, set }: StepProps & { draftToken: string | null; onDraft: (token: string) => void }) {
  const { t, i18n } = useTranslation();
  const [tried, setTried] = useState(false);
  const allocated = numberIsAllocated(journey);
  const creating = useRef(false);
  const created = useMutation({
    mutationFn: () => call(api.POST("/api/v1/landing/drafts", { body: holdingDraft(journey) })),
    onSuccess: (draft) => onDraft(draft.token),
  });
  useEffect(() => {
    if (allocated && !draftToken && !creating.current) {
      creating.current = true;
      created.mutate();
    }
  }, [allocated, draftToken, created]);
  const held = useQuery({
    queryKey: ["held-number", draftToken, journey.service],
    queryFn: () => call(api.POST("/api/v1/landing/draft/number", {
      params: { header: { "X-Draft-Token": draftToken! } }, body: { service: journey.service! },
    })),
    enabled: allocated && Boolean(draftToken),
    retry: false,
    staleTime: 0,
  });
  const problem = numberProblem(journey);
  const next = () => { setTried(true); if (!problem) set({ step: NUMBER_STEP + 1 }); };
  return (
    <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); next(); }}>
      {journey.service === "mobile" && (
        <fieldset className="choice">
          <legend>{t("subscribe.numberChoice")}</legend>
          <label><input type="radio" name="number-choice" checked={journey.number_choice === "new"} onChange={() => set({ number_choice: "new" })} /> {t("subscribe.newNumber")}</label>
          <label><input type="radio" name="number-choice" checked={journey.number_choice === "keep"} onChange={() => set({ number_choice: "keep" })} /> {t("subscribe.keepNumber")}</label>
          {journey.number_choice === "keep" && (
            <Field label={t("subscribe.numberToKeep")} error={tried && problem ? t(problem) : undefined}>
              {(p) => <input {...p} type="tel" inputMode="tel" dir="ltr" value={journey.number} onChange={(e) => set({ number: e.target.value })} />}
            </Field>
          )}
        </fieldset>
      )}
      {allocated && (
        <div className="held-number" aria-live="polite">
          {journey.service !== "mobile" && <p>{t("subscribe.homeNumber")}</p>}
          {held.data ? (
            <>
              <p id="held-number-label">{t("subscribe.heldNumber")}</p>
              <output aria-labelledby="held-number-label" data-testid="held-number" dir="ltr">{held.data.number}</output>
              <p className="muted">{t("subscribe.heldUntil", { time: formatTime(held.data.held_until, i18n.language) })}</p>
            </>
          ) : !(held.error ?? created.error) && <p role="status">{t("subscribe.holdingNumber")}</p>}
          <ErrorNotice error={held.error ?? created.error} />
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={() => set({ step: NUMBER_STEP - 1 })}>{t("subscribe.back")}</button>
        <button type="submit" className="primary" disabled={allocated && !held.data}>{t("subscribe.next")}</button>
      </div>
    </form>
  );
}

function PreviewStep({ journey, draftToken, set }: StepProps & { draftToken: string | null }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const key = useRef(idempotencyKey()); // one per submission: a resent click is the same subscription
  const body = submission(journey, i18n.language);
  const header = draftToken ? { "X-Draft-Token": draftToken } : {};
  const preview = useQuery({
    queryKey: ["subscription-preview", body, draftToken],
    queryFn: () => call(api.POST("/api/v1/landing/subscriptions/preview", { body, params: { header } })),
    retry: false,
  });
  const submit = useMutation({
    mutationFn: () => callWithStatus(api.POST("/api/v1/landing/subscriptions", {
      body, params: { header: { "idempotency-key": key.current, ...header } },
    })),
    onSuccess: ({ data }) => navigate("/confirmation", { state: { accepted: data, preview: preview.data } }),
  });
  const refused = preview.error ?? submit.error;
  const field = refused instanceof ApiError && refused.status === 422 ? refused.fields()[0] : undefined;
  const known = submit.error instanceof ApiError && submit.error.code === "verification_required";
  const lost = refused instanceof ApiError && refused.code === "number_hold_lost";
  const newNumber = () => {
    void queryClient.invalidateQueries({ queryKey: ["held-number"] });
    set({ step: NUMBER_STEP });
  };
  if (preview.isPending) return <Loading />;
  const p = preview.data;
  return (
    <div>
      {p && (
        <dl className="facts" data-testid="subscription-summary">
          <dt>{t("subscribe.offer")}</dt><dd>{p.offer_name} · {t(`services.${p.service}`)}</dd>
          <dt>{t("subscribe.monthlyFee")}</dt><dd><Money amount={p.monthly_fee} /></dd>
          <dt>{t("subscribe.activationFee")}</dt><dd><Money amount={p.activation_fee} /></dd>
          <dt>{t("subscribe.commitment")}</dt><dd>{t("subscribe.months", { count: p.commitment_months })}</dd>
          <dt>{t("subscribe.startDate")}</dt><dd>{formatDate(p.start_date)}</dd>
          <dt>{t("subscribe.number")}</dt><dd data-testid="summary-number">{p.number ? <bdi dir="ltr">{p.number}</bdi> : t("subscribe.numberAllocated")}</dd>
          <dt>{t("subscribe.fullName")}</dt><dd>{p.full_name}</dd>
          <dt>{t("subscribe.cin")}</dt><dd>{canonicalCin(p.cin)}</dd>
          <dt>{t("subscribe.email")}</dt><dd>{p.email}</dd>
          <dt>{t("subscribe.address")}</dt><dd>{p.address}</dd>
          {p.phone && <><dt>{t("subscribe.contactPhone")}</dt><dd>{p.phone}</dd></>}
        </dl>
      )}
      <ErrorNotice error={refused} />
      {field && <button type="button" onClick={() => set({ step: stepOf(field) })}>{t("subscribe.fix")}</button>}
      {lost && <p className="notice">{t("subscribe.holdLost")} <button type="button" onClick={newNumber}>{t("subscribe.seeNewNumber")}</button></p>}
      {known && <p className="notice">{t("subscribe.knownCin")} <Link to="/mon-espace">{t("site.mySpace")}</Link></p>}
      <div className="actions">
        <button type="button" onClick={() => set({ step: NUMBER_STEP })}>{t("subscribe.back")}</button>
        <button type="button" className="primary" disabled={!p || submit.isPending} onClick={() => submit.mutate()}>{t("subscribe.confirm")}</button>
      </div>
    </div>
  );
}
