// The catalog's component rules, as the API applies them, so the editor refuses before sending.
import { type Component, UNIT } from "../../shared/offerComponents";

export { type Component, UNIT };
export type Service = "mobile" | "internet" | "landline";

export const KINDS: Record<Service, string[]> = {
  mobile: ["data", "calls"],
  internet: ["fiber", "adsl", "landline"],
  landline: ["national", "international", "phone"],
};

export type RuleProblem = { field: string; code: string };

/** Every problem the API would answer 422 for in these components, as `{field, code}`; codes are the API's. */
export function componentProblems(service: Service, components: Component[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  components.forEach((component, index) => {
    const field = `components[${index}]`;
    if (!KINDS[service].includes(component.kind)) problems.push({ field, code: "component_not_allowed_for_service" });
    else if (seen.has(component.kind)) problems.push({ field, code: "duplicate_component" });
    seen.add(component.kind);
    const unit = UNIT[component.kind];
    if (!unit) return;
    const text = String(component[unit] ?? "").trim();
    const value = Number(text);
    if (text === "" || Number.isNaN(value)) problems.push({ field, code: "component_quantity_required" });
    else if (value <= 0) problems.push({ field, code: "component_quantity_not_positive" });
    else if (unit !== "gb" && !Number.isInteger(value)) {
      problems.push({ field, code: unit === "hours" ? "quota_not_whole_hours" : "speed_not_whole_mbps" });
    }
  });
  if (service === "mobile" && !seen.has("data") && !seen.has("calls")) problems.push({ field: "components", code: "mobile_quota_required" });
  if (service === "internet") {
    const access = ["fiber", "adsl"].filter((k) => seen.has(k)).length;
    if (access !== 1) problems.push({ field: "components", code: "internet_access_required" });
    if (!seen.has("landline")) problems.push({ field: "components", code: "landline_component_required" });
  }
  if (service === "landline" && !seen.has("national")) problems.push({ field: "components", code: "national_hours_required" });
  return problems;
}

/** The components as the API takes them: quantities as numbers, only the kind's own unit. */
export function toRequest(components: Component[]): Component[] {
  return components.map((c) => {
    const unit = UNIT[c.kind];
    return unit ? { kind: c.kind, [unit]: Number(c[unit]) } : { kind: c.kind };
  });
}

/** What a new offer of this service starts with: the smallest valid shape. */
export function startingComponents(service: Service): Component[] {
  if (service === "mobile") return [{ kind: "data", gb: "" }];
  if (service === "internet") return [{ kind: "fiber", mbps: "" }, { kind: "landline" }];
  return [{ kind: "national", hours: "" }];
}
