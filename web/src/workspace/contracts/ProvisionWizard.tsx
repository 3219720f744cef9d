import { useMutation, useQuery } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, call, callWithStatus, idempotencyKey, type Schemas } from "../../api/client";
import { wrote } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Money } from "../../shared/components/Money";
import { type Service, ServiceSelect } from "../../shared/components/ServiceSelect";
import { formatDate } from "../../shared/format";
import { CIN, canonicalCin, mobileNumber } from "../../shared/rules";
import { ClientForm, type ClientOutput } from "../clients/ClientForm";
import { useMe } from "../session";
import { OfferCard } from "../../shared/components/OfferCard";
import type { Component } from "../../shared/offerComponents";
import { type ActiveLine, type Decision, predictDecision } from "./provisioningDecision";

type ClientChoice = { kind: "existing"; client: Schemas["ClientView"] } | { kind: "new"; client: Schemas["RegisterClient"] };
type Terms = { commitment: 0 | 12 | 24; startDate: string; keepNumber: string; choice: string };

const STEPS = ["client", "service", "terms", "summary"] as const;

/** Client, then service and offer, then terms, then the decision the backend will take, then submit. */
export function ProvisionWizard() {
  const { t } = useTranslation();
  const [step, setStep] = useState(0);
  const [client, setClient] = useState<ClientChoice | null>(null);
  const [service, setService] = useState<Service>("mobile");
  const [offer, setOffer] = useState<Schemas["OfferView"] | null>(null);
  const [terms, setTerms] = useState<Terms>({ commitment: 12, startDate: "", keepNumber: "", choice: "auto" });
  const active = useActiveLines(client, service);
  const number = service === "mobile" && terms.keepNumber ? mobileNumber(terms.keepNumber) : null;
  const target = terms.choice.startsWith("contract:") ? terms.choice.slice(9) : null;
  const decision = predictDecision({ target, intent: terms.choice === "new_line" ? "new_line" : null, number, active });
  return (
    <section aria-labelledby="provision-title">
      <p><Link to="/contracts">← {t("contracts.title")}</Link></p>
      <h1 id="provision-title">{t("contracts.provision")}</h1>
      <ol className="steps" aria-label={t("contracts.steps")}>
        {STEPS.map((s, i) => <li key={s} aria-current={i === step ? "step" : undefined}>{t(`provision.step.${s}`)}</li>)}
      </ol>
      {step === 0 && <ClientStep onChosen={(c) => { setClient(c); setStep(1); }} />}
      {step === 1 && (
        <OfferStep service={service} offer={offer} onService={(s) => { setService(s); setOffer(null); }} onOffer={setOffer}
          onBack={() => setStep(0)} onNext={() => setStep(2)} />
      )}
      {step === 2 && offer && (
        <TermsStep service={service} terms={terms} active={active} decision={decision} onChange={setTerms} onBack={() => setStep(1)} onNext={() => setStep(3)} />
      )}
      {step === 3 && client && offer && (
        <SummaryStep client={client} offer={offer} terms={terms} number={number} target={target} decision={decision} onBack={() => setStep(2)} />
      )}
    </section>
  );
}

function useActiveLines(client: ClientChoice | null, service: Service): ActiveLine[] {
  const clientId = client?.kind === "existing" ? client.client.client_id : null;
  const lines = useQuery({
    queryKey: ["contracts", { client: clientId, service, status: "active" }],
    queryFn: () => call(api.GET("/api/v1/contracts", { params: { query: { client: clientId!, service, status: "active", limit: 100 } } })),
    enabled: Boolean(clientId),
  });
  return (lines.data?.items ?? []).map((c) => ({ contract_id: c.contract_id, number: c.number }));
}

function ClientStep({ onChosen }: { onChosen: (c: ClientChoice) => void }) {
  const { t } = useTranslation();
  const [mode, setMode] = useState<"existing" | "new">("existing");
  const [term, setTerm] = useState("");
  const byCin = CIN.test(canonicalCin(term));
  const query = byCin ? { cin: canonicalCin(term) } : { name: term.trim() };
  const found = useQuery({
    queryKey: ["clients", query],
    queryFn: () => call(api.GET("/api/v1/clients", { params: { query: { ...query, limit: 10 } } })),
    enabled: term.trim().length >= 2,
  });
  return (
    <div>
      <fieldset className="choice">
        <legend>{t("provision.clientMode")}</legend>
        <label><input type="radio" name="client-mode" checked={mode === "existing"} onChange={() => setMode("existing")} /> {t("provision.existingClient")}</label>
        <label><input type="radio" name="client-mode" checked={mode === "new"} onChange={() => setMode("new")} /> {t("provision.newClient")}</label>
      </fieldset>
      {mode === "existing" ? (
        <div>
          <label>{t("clients.search")}<input value={term} onChange={(e) => setTerm(e.target.value)} placeholder={t("clients.searchHint")} /></label>
          <ErrorNotice error={found.error} />
          <ul className="pick-list">
            {found.data?.items.map((c) => (
              <li key={c.client_id}>
                <button type="button" onClick={() => onChosen({ kind: "existing", client: c })}>{c.full_name} · {c.cin}</button>
              </li>
            ))}
          </ul>
          {found.data?.items.length === 0 && <p className="muted">{t("common.none")}</p>}
        </div>
      ) : (
        <ClientForm withCin submitLabel={t("common.next")} busy={false} onSubmit={(c: ClientOutput) => onChosen({ kind: "new", client: { ...c, cin: c.cin ?? "" } })} />
      )}
    </div>
  );
}

function OfferStep({ service, offer, onService, onOffer, onBack, onNext }: {
  service: Service; offer: Schemas["OfferView"] | null; onService: (s: Service) => void; onOffer: (o: Schemas["OfferView"]) => void; onBack: () => void; onNext: () => void;
}) {
  const { t } = useTranslation();
  const offers = useQuery({
    queryKey: ["offers", { service, status: "active" }],
    queryFn: () => call(api.GET("/api/v1/offers", { params: { query: { service, status: "active", limit: 200 } } })),
  });
  return (
    <div>
      <ServiceSelect value={service} onChange={onService} />
      <ErrorNotice error={offers.error} />
      <fieldset className="offer-grid">
        <legend>{t("contracts.offer")}</legend>
        {offers.data?.items.map((o) => (
          <label key={o.offer_id} className={`offer-choice${offer?.offer_id === o.offer_id ? " chosen" : ""}`}>
            <input type="radio" name="offer" checked={offer?.offer_id === o.offer_id} onChange={() => onOffer(o)} />
            <OfferCard offer={{ ...o, components: o.components as Component[] }} />
          </label>
        ))}
        {offers.data?.items.length === 0 && <p className="muted">{t("provision.noOffer")}</p>}
      </fieldset>
      <div className="actions">
        <button type="button" onClick={onBack}>{t("common.back")}</button>
        <button type="button" className="primary" disabled={!offer} onClick={onNext}>{t("common.next")}</button>
      </div>
    </div>
  );
}

function TermsStep({ service, terms, active, decision, onChange, onBack, onNext }: {
  service: Service; terms: Terms; active: ActiveLine[]; decision: Decision; onChange: (t: Terms) => void; onBack: () => void; onNext: () => void;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<Terms>) => onChange({ ...terms, ...patch });
  const badNumber = service === "mobile" && terms.keepNumber.trim() !== "" && !mobileNumber(terms.keepNumber);
  return (
    <form className="form-grid" onSubmit={(e) => { e.preventDefault(); if (!badNumber && decision.kind !== "ambiguous") onNext(); }}>
      <label>{t("contracts.commitment")}
        <select value={terms.commitment} onChange={(e) => set({ commitment: Number(e.target.value) as 0 | 12 | 24 })}>
          {[0, 12, 24].map((m) => <option key={m} value={m}>{t("contracts.months", { count: m })}</option>)}
        </select>
      </label>
      <label>{t("contracts.startDate")}
        <input type="date" value={terms.startDate} onChange={(e) => set({ startDate: e.target.value })} aria-describedby="start-hint" />
        <small id="start-hint" className="muted">{t("provision.startHint")}</small>
      </label>
      {service === "mobile" && (
        <label>{t("provision.keepNumber")}
          <input value={terms.keepNumber} onChange={(e) => set({ keepNumber: e.target.value })} inputMode="tel" aria-invalid={badNumber} aria-describedby="number-hint" />
          <small id="number-hint" className={badNumber ? "field-error" : "muted"}>{badNumber ? t("rules.mobile") : t("provision.keepNumberHint")}</small>
        </label>
      )}
      {active.length > 0 && (
        <fieldset className="choice">
          <legend>{t("provision.whatToDo")}</legend>
          <label><input type="radio" name="choice" checked={terms.choice === "auto"} onChange={() => set({ choice: "auto" })} /> {t("provision.letRulesDecide")}</label>
          {active.map((line) => (
            <label key={line.contract_id}>
              <input type="radio" name="choice" checked={terms.choice === `contract:${line.contract_id}`} onChange={() => set({ choice: `contract:${line.contract_id}` })} />
              {t("provision.changePlanOf", { number: line.number })}
            </label>
          ))}
          <label><input type="radio" name="choice" checked={terms.choice === "new_line"} onChange={() => set({ choice: "new_line" })} /> {t("provision.addLine")}</label>
        </fieldset>
      )}
      <DecisionNotice decision={decision} active={active} />
      <div className="actions">
        <button type="button" onClick={onBack}>{t("common.back")}</button>
        <button type="submit" className="primary" disabled={badNumber || decision.kind === "ambiguous"}>{t("common.next")}</button>
      </div>
    </form>
  );
}

function DecisionNotice({ decision, active }: { decision: Decision; active: ActiveLine[] }) {
  const { t } = useTranslation();
  const numberOf = (id: string) => active.find((l) => l.contract_id === id)?.number ?? id;
  const text = decision.kind === "new_line" ? t("provision.decision.newLine")
    : decision.kind === "plan_change" ? t("provision.decision.planChange", { number: numberOf(decision.contractId) })
      : t("provision.decision.ambiguous", { count: decision.candidates.length });
  return <p className={`notice decision decision-${decision.kind}`} role="status" data-testid="decision">{text}</p>;
}

function SummaryStep({ client, offer, terms, number, target, decision, onBack }: {
  client: ClientChoice; offer: Schemas["OfferView"]; terms: Terms; number: string | null; target: string | null; decision: Decision; onBack: () => void;
}) {
  const { t } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const key = useRef(idempotencyKey()); // one per submission: a retried click after a lost answer is the same request
  const body: Schemas["ProvisionContract"] = {
    offer_id: offer.offer_id,
    commitment_months: terms.commitment,
    start_date: terms.startDate || null,
    number,
    target_contract_id: target,
    intent: terms.choice === "new_line" ? "new_line" : null,
    ...(client.kind === "existing" ? { client_id: client.client.client_id } : { client: client.client }),
  };
  const submit = useMutation({
    mutationFn: () => callWithStatus(api.POST("/api/v1/contracts", { body, params: { header: { "idempotency-key": key.current } } })),
    onSuccess: ({ data }) => {
      wrote(data.id, data.position);
      key.current = idempotencyKey();
      navigate(`/contracts/${data.id}`);
    },
  });
  const name = client.kind === "existing" ? client.client.full_name : client.client.full_name;
  return (
    <div>
      <dl className="facts">
        <dt>{t("provision.step.client")}</dt><dd>{name} {client.kind === "new" && <em>({t("provision.newClient")})</em>}</dd>
        <dt>{t("contracts.offer")}</dt><dd>{offer.name} · <Money amount={offer.monthly_fee} /> {t("offers.perMonth")}</dd>
        <dt>{t("offers.activationFee")}</dt><dd><Money amount={offer.activation_fee} /></dd>
        <dt>{t("contracts.commitment")}</dt><dd>{t("contracts.months", { count: terms.commitment })}</dd>
        <dt>{t("contracts.startDate")}</dt><dd>{formatDate(terms.startDate || me.data?.today)}{terms.startDate ? "" : ` (${t("provision.today")})`}</dd>
        {number && <><dt>{t("contracts.number")}</dt><dd>{number}</dd></>}
      </dl>
      <DecisionNotice decision={decision} active={[]} />
      <ErrorNotice error={submit.error} />
      <div className="actions">
        <button type="button" onClick={onBack}>{t("common.back")}</button>
        <button type="button" className="primary" onClick={() => submit.mutate()} disabled={submit.isPending}>{t("provision.submit")}</button>
      </div>
    </div>
  );
}
