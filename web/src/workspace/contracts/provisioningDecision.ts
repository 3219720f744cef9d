// The backend's provisioning decision (new line or plan change), computed from what the
// workspace has read, so the operator sees it before submitting. Same order of rules:
// 1 a target contract; 2 intent new_line; 3 a kept number the client already has;
// 4 no active contract for the service; 5 exactly one; 6 several is ambiguous.
export type ActiveLine = { contract_id: string; number: string };
export type Decision =
  | { kind: "new_line" }
  | { kind: "plan_change"; contractId: string }
  | { kind: "ambiguous"; candidates: ActiveLine[] };

export function predictDecision(input: { target?: string | null; intent?: "new_line" | null; number?: string | null; active: ActiveLine[] }): Decision {
  if (input.target) return { kind: "plan_change", contractId: input.target };
  if (input.intent === "new_line") return { kind: "new_line" };
  if (input.number) {
    const same = input.active.find((line) => line.number === input.number);
    return same ? { kind: "plan_change", contractId: same.contract_id } : { kind: "new_line" };
  }
  if (input.active.length === 0) return { kind: "new_line" };
  if (input.active.length === 1) return { kind: "plan_change", contractId: input.active[0].contract_id };
  return { kind: "ambiguous", candidates: input.active };
}
