// The new-subscription journey's state, its checks per step (the API's rules), and its draft form.
import type { Schemas } from "../api/client";
import { CIN, EMAIL, PHONE, canonicalCin, mobileNumber } from "../shared/rules";

export type Service = "mobile" | "internet" | "landline";
export type Journey = {
  step: number;
  service: Service | null;
  offer_id: string | null;
  commitment_months: 0 | 12 | 24;
  start_date: string;
  cin: string;
  full_name: string;
  email: string;
  address: string;
  phone: string;
  number_choice: "new" | "keep";
  number: string;
};

export const STEPS = ["service", "offer", "details", "number", "preview"] as const;
export const NUMBER_STEP = STEPS.indexOf("number");

export const START: Journey = {
  step: 0, service: null, offer_id: null, commitment_months: 12, start_date: "", cin: "", full_name: "", email: "", address: "",
  phone: "", number_choice: "new", number: "",
};

/** The fields of the details step the API would refuse, with the catalog key of each problem. */
export function detailProblems(journey: Journey, needsContactPhone: boolean): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!CIN.test(canonicalCin(journey.cin))) problems.cin = "rules.cin";
  if (!journey.full_name.trim()) problems.full_name = "rules.required";
  if (!EMAIL.test(journey.email.trim())) problems.email = "rules.email";
  if (!journey.address.trim()) problems.address = "rules.required";
  if (needsContactPhone && !journey.phone.trim()) problems.phone = "rules.required";
  else if (journey.phone.trim() && !PHONE.test(journey.phone.trim())) problems.phone = "rules.phone";
  return problems;
}

/** Whether the line's number is allocated by the operator, and so held for the draft and shown before confirming. */
export function numberIsAllocated(journey: Journey): boolean {
  return journey.service !== "mobile" || journey.number_choice === "new";
}

/** The catalog key of what is wrong with the number step, if anything. */
export function numberProblem(journey: Journey): string | undefined {
  return numberIsAllocated(journey) || mobileNumber(journey.number) ? undefined : "rules.mobile";
}

/** The submission; a visitor browsing in Arabic gets documents with Arabic labels beside the French. */
export function submission(journey: Journey, siteLanguage: string): Schemas["SubmitSubscription"] {
  return {
    language: siteLanguage === "ar" ? "ar" : "fr",
    offer_id: journey.offer_id!,
    commitment_months: journey.commitment_months,
    start_date: journey.start_date || null,
    cin: journey.cin,
    full_name: journey.full_name.trim(),
    email: journey.email.trim(),
    address: journey.address.trim(),
    phone: journey.phone.trim() || null,
    number: journey.service === "mobile" && journey.number_choice === "keep" ? mobileNumber(journey.number) : null,
  };
}

export function toDraft(journey: Journey): Schemas["SubscriptionDraft"] {
  return { ...journey, number: journey.number || null, start_date: journey.start_date || null, phone: journey.phone || null };
}

/** The draft created only to hold a number: the journey's choices, none of the visitor's personal details
 * (those are saved only when the visitor asks to save). */
export function holdingDraft(journey: Journey): Schemas["SubscriptionDraft"] {
  const { step, service, offer_id, commitment_months, number_choice } = journey;
  return { step: step + 1, service, offer_id, commitment_months, number_choice };
}

export function fromDraft(draft: Schemas["SubscriptionDraft"]): Journey {
  const kept = Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== null && v !== undefined));
  return { ...START, ...(kept as Partial<Journey>) };
}

/** Where a field the API refused is entered. */
export function stepOf(field: string): number {
  if (field === "offer_id") return STEPS.indexOf("offer");
  return field === "number" ? NUMBER_STEP : STEPS.indexOf("details");
}
