import { useMutation, useQueryClient } from "@tanstack/react-query";
import { refreshAfterWrite } from "../../api/queryClient";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { api, ApiError, call, type Schemas } from "../../api/client";
import { useOwnWrites, wrote } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Field } from "../../shared/components/Field";
import { Loading } from "../../shared/components/Loading";
import { Status } from "../../shared/components/Status";
import { formatMoment } from "../../shared/format";
import { AMOUNT } from "../../shared/rules";
import { useCan } from "../session";
import { OfferCard } from "../../shared/components/OfferCard";
import { type Component, componentProblems, KINDS, type RuleProblem, type Service, startingComponents, toRequest, UNIT } from "./offerRules";

type Draft = {
  service: Service;
  name: string;
  family: string;
  monthly_fee: string;
  activation_fee: string;
  valid_from: string;
  valid_to: string;
  components: Component[];
};

const EMPTY: Draft = { service: "mobile", name: "", family: "", monthly_fee: "", activation_fee: "0", valid_from: "", valid_to: "", components: startingComponents("mobile") };

/** Every problem the API would refuse in this draft, with the API's codes. */
export function draftProblems(draft: Draft): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (!draft.name.trim()) problems.push({ field: "name", code: "offer_name_required" });
  if (!draft.family.trim()) problems.push({ field: "family", code: "offer_family_required" });
  if (!AMOUNT.test(draft.monthly_fee.trim())) problems.push({ field: "monthly_fee", code: "amount_invalid" });
  else if (!/[1-9]/.test(draft.monthly_fee)) problems.push({ field: "monthly_fee", code: "monthly_fee_not_positive" });
  if (!AMOUNT.test(draft.activation_fee.trim())) problems.push({ field: "activation_fee", code: "amount_invalid" });
  if (draft.valid_from && draft.valid_to && draft.valid_to < draft.valid_from) problems.push({ field: "valid_to", code: "validity_window_inverted" });
  return [...problems, ...componentProblems(draft.service, draft.components)];
}

export function OfferEditor() {
  const { offerId } = useParams();
  const offer = useOwnWrites("offer", offerId ?? "", (token) =>
    call(api.GET("/api/v1/offers/{offer_id}", { params: { path: { offer_id: offerId! }, query: { consistency_token: token } } })), Boolean(offerId));
  if (!offerId) return <OfferForm />;
  if (offer.error) return <ErrorNotice error={offer.error} />;
  if (!offer.data) return <Loading />;
  return <OfferForm key={`${offer.data.offer_id}-${offer.data.terms_version}`} existing={offer.data} />;
}

function fromOffer(offer: Schemas["OfferView"]): Draft {
  return {
    service: offer.service, name: offer.name, family: offer.family, monthly_fee: offer.monthly_fee, activation_fee: offer.activation_fee,
    valid_from: offer.valid_from ?? "", valid_to: offer.valid_to ?? "", components: offer.components as Component[],
  };
}

function OfferForm({ existing }: { existing?: Schemas["OfferView"] }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Draft>(existing ? fromOffer(existing) : EMPTY);
  const [tried, setTried] = useState(false);
  const problems = draftProblems(draft);
  const writable = existing ? can("updateOffer") : can("createOffer");
  const body = {
    name: draft.name, family: draft.family, monthly_fee: draft.monthly_fee.trim(), activation_fee: draft.activation_fee.trim(),
    valid_from: draft.valid_from || null, valid_to: draft.valid_to || null, components: toRequest(draft.components),
  };
  const save = useMutation({
    mutationFn: () => existing
      ? call(api.PUT("/api/v1/offers/{offer_id}", { params: { path: { offer_id: existing.offer_id } }, body }))
      : call(api.POST("/api/v1/offers", { body: { ...body, service: draft.service } })),
    onSuccess: (accepted) => {
      wrote(accepted.id, accepted.position);
      refreshAfterWrite(queries);
      navigate(`/offers/${accepted.id}`);
    },
  });
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const problemsOf = (field: string) => problems.filter((p) => p.field === field || p.field.startsWith(`${field}[`));
  const shown = (field: string) => (tried ? problemsOf(field).map((p) => t(`ruleCodes.${p.code}`)).join(" ") : "") || apiProblem(save.error, field);
  const submit = () => {
    setTried(true);
    if (problems.length === 0) save.mutate();
  };
  return (
    <section aria-labelledby="offer-title">
      <p><Link to="/offers">← {t("offers.title")}</Link></p>
      <h1 id="offer-title">{existing ? existing.name : t("offers.new")}</h1>
      {existing && <p><Status value={existing.status} /> v{existing.terms_version}</p>}
      <div className="editor">
        <form className="form-grid" noValidate onSubmit={(e) => { e.preventDefault(); submit(); }}>
          <fieldset disabled={!writable}>
            <legend>{t("offers.terms")}</legend>
            <Field label={t("offers.service")}>
              {(p) => (
                <select {...p} value={draft.service} disabled={Boolean(existing) || !writable}
                  onChange={(e) => { const service = e.target.value as Service; set({ service, components: startingComponents(service) }); }}>
                  {(["mobile", "internet", "landline"] as const).map((s) => <option key={s} value={s}>{t(`services.${s}`)}</option>)}
                </select>
              )}
            </Field>
            <Field label={t("offers.name")} error={shown("name")}>{(p) => <input {...p} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}</Field>
            <Field label={t("offers.family")} error={shown("family")} hint={t("offers.familyHint")}>
              {(p) => <input {...p} value={draft.family} onChange={(e) => set({ family: e.target.value })} />}
            </Field>
            <Field label={t("offers.monthlyFee")} error={shown("monthly_fee")} hint={t("offers.amountHint")}>
              {(p) => <input {...p} inputMode="decimal" value={draft.monthly_fee} onChange={(e) => set({ monthly_fee: e.target.value })} />}
            </Field>
            <Field label={t("offers.activationFee")} error={shown("activation_fee")}>
              {(p) => <input {...p} inputMode="decimal" value={draft.activation_fee} onChange={(e) => set({ activation_fee: e.target.value })} />}
            </Field>
            <Field label={t("offers.validFrom")}>{(p) => <input {...p} type="date" value={draft.valid_from} onChange={(e) => set({ valid_from: e.target.value })} />}</Field>
            <Field label={t("offers.validTo")} error={shown("valid_to")}>{(p) => <input {...p} type="date" value={draft.valid_to} onChange={(e) => set({ valid_to: e.target.value })} />}</Field>
          </fieldset>
          <ComponentsEditor draft={draft} onChange={(components) => set({ components })} disabled={!writable} problems={tried ? problems : []} />
          {writable && (
            <div className="actions">
              <button type="submit" className="primary" disabled={save.isPending}>{existing ? t("offers.saveVersion") : t("offers.create")}</button>
            </div>
          )}
          {tried && problems.length > 0 && <p role="alert" className="field-error">{t("offers.fixProblems", { count: problems.length })}</p>}
          <ErrorNotice error={save.error} />
        </form>
        <aside aria-label={t("offers.preview")}>
          <h2>{t("offers.preview")}</h2>
          <OfferCard offer={{ ...draft, service: draft.service }} label={t("offers.preview")} />
        </aside>
      </div>
      {existing && <OfferLifecycle offer={existing} />}
      {existing && <OfferVersions offerId={existing.offer_id} />}
    </section>
  );
}

function apiProblem(error: unknown, field: string): string {
  return error instanceof ApiError && error.status === 422 && error.fields().some((f) => f === field || f.startsWith(`${field}[`)) ? error.message : "";
}

function ComponentsEditor({ draft, onChange, disabled, problems }: { draft: Draft; onChange: (c: Component[]) => void; disabled: boolean; problems: RuleProblem[] }) {
  const { t } = useTranslation();
  const unused = KINDS[draft.service].filter((k) => !draft.components.some((c) => c.kind === k));
  const update = (index: number, patch: Partial<Component>) => onChange(draft.components.map((c, i) => (i === index ? ({ ...c, ...patch } as Component) : c)));
  const general = problems.filter((p) => p.field === "components");
  return (
    <fieldset disabled={disabled}>
      <legend>{t("offers.components")}</legend>
      {draft.components.map((c, index) => {
        const unit = UNIT[c.kind];
        const own = problems.filter((p) => p.field === `components[${index}]`).map((p) => t(`ruleCodes.${p.code}`)).join(" ");
        return (
          <div key={c.kind} className="component-row">
            {unit ? (
              <Field label={`${t(`components.${c.kind}`)} (${t(`units.${unit}`)})`} error={own || undefined}>
                {(p) => <input {...p} inputMode="decimal" value={String(c[unit] ?? "")} onChange={(e) => update(index, { [unit]: e.target.value })} />}
              </Field>
            ) : (
              <p>{t(`components.${c.kind}`)} · {t("offers.alwaysOn")}</p>
            )}
            <button type="button" onClick={() => onChange(draft.components.filter((_, i) => i !== index))}>
              {t("offers.removeComponent", { kind: t(`components.${c.kind}`) })}
            </button>
          </div>
        );
      })}
      {unused.length > 0 && (
        <div className="actions">
          {unused.map((kind) => (
            <button key={kind} type="button" onClick={() => onChange([...draft.components, UNIT[kind] ? { kind, [UNIT[kind]!]: "" } : { kind }])}>
              + {t(`components.${kind}`)}
            </button>
          ))}
        </div>
      )}
      {general.map((p) => <p key={p.code} className="field-error">{t(`ruleCodes.${p.code}`)}</p>)}
    </fieldset>
  );
}

function OfferLifecycle({ offer }: { offer: Schemas["OfferView"] }) {
  const { t } = useTranslation();
  const can = useCan();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const path = { offer_id: offer.offer_id };
  const retire = useMutation({
    mutationFn: () => call(api.POST("/api/v1/offers/{offer_id}/retirement", { params: { path } })),
    onSuccess: (accepted) => { wrote(offer.offer_id, accepted.position); refreshAfterWrite(queries); },
  });
  const remove = useMutation({
    mutationFn: () => call(api.DELETE("/api/v1/offers/{offer_id}", { params: { path } })),
    onSuccess: () => { refreshAfterWrite(queries); navigate("/offers"); },
  });
  const blocked = remove.error instanceof ApiError && remove.error.code === "offer_delete_blocked";
  if (!can("retireOffer") && !can("deleteOffer")) return null;
  return (
    <section aria-labelledby="offer-lifecycle" className="panel">
      <h2 id="offer-lifecycle">{t("offers.lifecycle")}</h2>
      <div className="actions">
        {can("retireOffer") && offer.status === "active" && <button type="button" onClick={() => retire.mutate()} disabled={retire.isPending}>{t("offers.retire")}</button>}
        {can("deleteOffer") && <button type="button" className="danger" onClick={() => remove.mutate()} disabled={remove.isPending}>{t("offers.delete")}</button>}
      </div>
      {blocked && <p className="notice">{t("offers.deleteBlocked")}</p>}
      <ErrorNotice error={retire.error ?? remove.error} />
    </section>
  );
}

function OfferVersions({ offerId }: { offerId: string }) {
  const { t, i18n } = useTranslation();
  const versions = useOwnWrites("offer-versions", offerId, (token) =>
    call(api.GET("/api/v1/offers/{offer_id}/versions", { params: { path: { offer_id: offerId }, query: { consistency_token: token } } })));
  return (
    <section aria-labelledby="offer-versions">
      <h2 id="offer-versions">{t("offers.versions")}</h2>
      <ErrorNotice error={versions.error} />
      <ol className="timeline">
        {versions.data?.map((v) => (
          <li key={v.terms_version}>
            <strong>v{v.terms_version}</strong> · {formatMoment(v.recorded_at, i18n.language)} · {v.name}
          </li>
        ))}
      </ol>
    </section>
  );
}
