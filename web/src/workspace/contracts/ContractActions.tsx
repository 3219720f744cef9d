import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, call, type Schemas } from "../../api/client";
import { useCommandOn } from "../../api/consistency";
import { ErrorNotice } from "../../shared/components/ErrorNotice";
import { Money } from "../../shared/components/Money";
import { formatDate } from "../../shared/format";
import { useCan, useMe } from "../session";
import { classifyChange, earlyTerminationCharge } from "./commitment";
import type { Contract } from "./ContractPage";

/** What the key may do to the contract in its state: suspend, resume, terminate, change plan. */
export function ContractActions({ contract }: { contract: Contract }) {
  const can = useCan();
  const active = contract.status === "active";
  return (
    <div className="panel-row">
      {active && can("suspendContract") && <Suspend contract={contract} />}
      {contract.status === "suspended" && can("resumeContract") && <Resume contract={contract} />}
      {contract.status !== "terminated" && can("terminateContract") && <Terminate contract={contract} />}
      {active && can("changePlan") && <PlanChange contract={contract} />}
    </div>
  );
}

function Suspend({ contract }: { contract: Contract }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const path = { contract_id: contract.contract_id };
  const suspend = useCommandOn(contract.contract_id, () => call(api.POST("/api/v1/contracts/{contract_id}/suspension", { params: { path }, body: { reason } })));
  return (
    <details className="panel">
      <summary>{t("contracts.suspend")}</summary>
      <form className="form-grid" onSubmit={(e) => { e.preventDefault(); suspend.mutate(undefined); }}>
        <label>{t("common.reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} /></label>
        <div className="actions"><button type="submit" disabled={!reason.trim() || suspend.isPending}>{t("contracts.suspend")}</button></div>
      </form>
      <ErrorNotice error={suspend.error} />
    </details>
  );
}

function Resume({ contract }: { contract: Contract }) {
  const { t } = useTranslation();
  const path = { contract_id: contract.contract_id };
  const resume = useCommandOn(contract.contract_id, () => call(api.POST("/api/v1/contracts/{contract_id}/resumption", { params: { path }, body: {} })));
  return (
    <div className="panel">
      <button type="button" onClick={() => resume.mutate(undefined)} disabled={resume.isPending}>{t("contracts.resume")}</button>
      <ErrorNotice error={resume.error} />
    </div>
  );
}

function Terminate({ contract }: { contract: Contract }) {
  const { t } = useTranslation();
  const me = useMe();
  const [reason, setReason] = useState("");
  const [on, setOn] = useState("");
  const path = { contract_id: contract.contract_id };
  const day = on || me.data?.today || "";
  const { end, months, charge } = earlyTerminationCharge(contract, day);
  const early = months > 0;
  const terminate = useCommandOn(contract.contract_id, () =>
    call(api.POST("/api/v1/contracts/{contract_id}/termination", { params: { path }, body: { reason, on: on || null, early_termination: early } })));
  return (
    <details className="panel">
      <summary>{t("contracts.terminate")}</summary>
      <form className="form-grid" onSubmit={(e) => { e.preventDefault(); terminate.mutate(undefined); }}>
        <label>{t("contracts.terminationDate")}<input type="date" value={on} onChange={(e) => setOn(e.target.value)} /></label>
        <label>{t("common.reason")}<input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} /></label>
        <p className={early ? "notice" : "muted"} role="status">
          {early ? t("contracts.earlyTermination", { end: formatDate(end), months }) : t("contracts.noCommitmentLeft")}
          {early && <> <Money amount={charge} /></>}
        </p>
        <div className="actions"><button type="submit" className="danger" disabled={!reason.trim() || terminate.isPending}>{t("contracts.terminate")}</button></div>
      </form>
      <ErrorNotice error={terminate.error} />
    </details>
  );
}

function PlanChange({ contract }: { contract: Contract }) {
  const { t } = useTranslation();
  const me = useMe();
  const [offerId, setOfferId] = useState("");
  const [effective, setEffective] = useState("");
  const offers = useQuery({
    queryKey: ["offers", { service: contract.service, status: "active" }],
    queryFn: () => call(api.GET("/api/v1/offers", { params: { query: { service: contract.service as Schemas["OfferView"]["service"], status: "active", limit: 200 } } })),
  });
  const chosen = offers.data?.items.find((o) => o.offer_id === offerId);
  const change = chosen ? classifyChange(contract.monthly_fee, chosen.monthly_fee) : null;
  const effectiveDay = effective || me.data?.today || "";
  const inCommitment = effectiveDay < earlyTerminationCharge(contract, effectiveDay).end; // as the contract rule: by the effective date
  const path = { contract_id: contract.contract_id };
  const submit = useCommandOn(contract.contract_id, () =>
    call(api.POST("/api/v1/contracts/{contract_id}/plan-changes", { params: { path }, body: { offer_id: offerId, effective_date: effective || me.data!.today } })));
  return (
    <details className="panel">
      <summary>{t("contracts.changePlan")}</summary>
      <form className="form-grid" onSubmit={(e) => { e.preventDefault(); submit.mutate(undefined); }}>
        <label>{t("contracts.newOffer")}
          <select value={offerId} onChange={(e) => setOfferId(e.target.value)} required>
            <option value="">—</option>
            {offers.data?.items.filter((o) => o.offer_id !== contract.offer_id).map((o) => <option key={o.offer_id} value={o.offer_id}>{o.name}</option>)}
          </select>
        </label>
        <label>{t("contracts.effectiveDate")}<input type="date" value={effective} min={me.data?.today} onChange={(e) => setEffective(e.target.value)} /></label>
        {chosen && change && (
          <table className="before-after">
            <caption>{t(`changes.${change}`)}</caption>
            <thead><tr><th /><th>{t("contracts.before")}</th><th>{t("contracts.after")}</th></tr></thead>
            <tbody>
              <tr><th scope="row">{t("contracts.offer")}</th><td>{contract.offer_name}</td><td>{chosen.name}</td></tr>
              <tr><th scope="row">{t("offers.monthlyFee")}</th><td><Money amount={contract.monthly_fee} /></td><td><Money amount={chosen.monthly_fee} /></td></tr>
            </tbody>
          </table>
        )}
        {change === "downgrade" && inCommitment && <p className="notice" role="status">{t("contracts.downgradeBlocked")}</p>}
        <div className="actions"><button type="submit" disabled={!chosen || submit.isPending || (change === "downgrade" && inCommitment)}>{t("contracts.changePlan")}</button></div>
      </form>
      <ErrorNotice error={submit.error} />
    </details>
  );
}
