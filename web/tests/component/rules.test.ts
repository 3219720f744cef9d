import { describe, expect, test } from "vitest";
import { earlyTerminationCharge, classifyChange, remainingWholeMonths } from "../../src/workspace/contracts/commitment";
import { predictDecision } from "../../src/workspace/contracts/provisioningDecision";
import { componentProblems } from "../../src/workspace/offers/offerRules";
import { draftProblems } from "../../src/workspace/offers/OfferEditor";
import { formatMoney, formatPercent } from "../../src/shared/format";
import { sum, times } from "../../src/shared/money";
import { mobileNumber, newClient } from "../../src/shared/rules";
import { parseStatement, readAmount } from "../../src/workspace/payments/statementCsv";
import { previousPeriod } from "../../src/workspace/billing/BillingPage";
import { holdingDraft, NUMBER_STEP, numberIsAllocated, numberProblem, START, STEPS, stepOf } from "../../src/self-service/subscription";

describe("amounts", () => {
  test("French amounts group thousands with a space and a decimal comma, English with a comma and a point", () => {
    expect(formatMoney("1234.56", "fr")).toBe("1\u00a0234,56\u00a0MAD");
    expect(formatMoney("1234567.5", "fr")).toBe("1\u00a0234\u00a0567,50\u00a0MAD");
    expect(formatMoney("-99.00", "fr")).toBe("-99,00\u00a0MAD");
    expect(formatMoney("1234.56", "en")).toBe("1,234.56\u00a0MAD");
  });
  test("arithmetic goes through cents, never floats", () => {
    expect(sum(["0.10", "0.20"])).toBe("0.30");
    expect(times("149.90", 7)).toBe("1049.30");
  });
});

describe("offer components, as the catalog rules refuse them", () => {
  test.each([
    ["mobile", [], ["mobile_quota_required"]],
    ["mobile", [{ kind: "calls", hours: "1.5" }], ["quota_not_whole_hours"]],
    ["mobile", [{ kind: "data", gb: "2.5" }], []],
    ["mobile", [{ kind: "fiber", mbps: 100 }], ["component_not_allowed_for_service", "mobile_quota_required"]],
    ["internet", [{ kind: "landline" }], ["internet_access_required"]],
    ["internet", [{ kind: "fiber", mbps: 100 }, { kind: "adsl", mbps: 20 }, { kind: "landline" }], ["internet_access_required"]],
    ["internet", [{ kind: "adsl", mbps: 20 }], ["landline_component_required"]],
    ["landline", [{ kind: "international", hours: 2 }], ["national_hours_required"]],
    ["landline", [{ kind: "national", hours: 0 }], ["component_quantity_not_positive"]],
    ["landline", [{ kind: "national", hours: "" }], ["component_quantity_required"]],
  ] as const)("%s %j -> %j", (service, components, codes) => {
    expect(componentProblems(service, components as never).map((p) => p.code)).toEqual(codes);
  });
  test("the offer's own terms", () => {
    const draft = { service: "mobile" as const, name: " ", family: "4g", monthly_fee: "0.00", activation_fee: "1.234", valid_from: "2026-12-01", valid_to: "2026-11-01", components: [{ kind: "data", gb: 5 }] };
    expect(draftProblems(draft).map((p) => p.code)).toEqual(["offer_name_required", "monthly_fee_not_positive", "amount_invalid", "validity_window_inverted"]);
  });
});

describe("provisioning decision, in the backend's order", () => {
  const one = [{ contract_id: "c1", number: "+212611111111" }];
  const two = [...one, { contract_id: "c2", number: "+212622222222" }];
  test("target, intent, kept number, then the count of active lines", () => {
    expect(predictDecision({ target: "c9", active: two })).toEqual({ kind: "plan_change", contractId: "c9" });
    expect(predictDecision({ intent: "new_line", active: two })).toEqual({ kind: "new_line" });
    expect(predictDecision({ number: "+212622222222", active: two })).toEqual({ kind: "plan_change", contractId: "c2" });
    expect(predictDecision({ number: "+212633333333", active: two })).toEqual({ kind: "new_line" });
    expect(predictDecision({ active: [] })).toEqual({ kind: "new_line" });
    expect(predictDecision({ active: one })).toEqual({ kind: "plan_change", contractId: "c1" });
    expect(predictDecision({ active: two }).kind).toBe("ambiguous");
  });
  test("mobile numbers are rendered +212 and 9 digits starting with 6 or 7", () => {
    expect(mobileNumber("06 12 34 56 78")).toBe("+212612345678");
    expect(mobileNumber("+212 7 12345678")).toBe("+212712345678");
    expect(mobileNumber("0512345678")).toBeNull();
  });
});

describe("commitment", () => {
  test("whole months remain; a part month does not count", () => {
    expect(remainingWholeMonths("2026-12-07", "2027-10-01")).toBe(9);
    expect(remainingWholeMonths("2027-10-01", "2027-10-01")).toBe(0);
    expect(earlyTerminationCharge({ start_date: "2026-10-01", commitment_months: 12, monthly_fee: "149.00" }, "2026-12-07"))
      .toEqual({ end: "2027-10-01", months: 9, charge: "1341.00" });
    expect(earlyTerminationCharge({ start_date: "2026-01-31", commitment_months: 1, monthly_fee: "10.00" }, "2026-01-31").end).toBe("2026-02-28");
  });
  test("plan changes are classed by monthly fee", () => {
    expect(classifyChange("99.00", "149.00")).toBe("upgrade");
    expect(classifyChange("99.00", "49.00")).toBe("downgrade");
    expect(classifyChange("99.00", "99.0")).toBe("lateral");
  });
  test("the period billed next is the month before today", () => {
    expect(previousPeriod("2026-12-07")).toBe("2026-11");
    expect(previousPeriod("2027-01-03")).toBe("2026-12");
  });
});

describe("client input, as the API reads it", () => {
  test("a CIN is uppercased and stripped of spaces before its pattern is checked", () => {
    const person = { full_name: "A", email: "a@b.ma", address: "Rabat", phone: "", language: "fr", ice: "" };
    const ok = newClient.safeParse({ ...person, cin: "ab 123 456" });
    expect(ok.success && ok.data).toMatchObject({ cin: "AB123456", phone: null, ice: null });
    expect(newClient.safeParse({ ...person, cin: "ABC12345" }).success).toBe(false);
  });

  test("a business customer's ICE is 15 digits, and an Arabic-speaking client's documents can carry Arabic labels", () => {
    const person = { cin: "AB123456", full_name: "A", email: "a@b.ma", address: "Rabat", phone: "" };
    expect(newClient.safeParse({ ...person, language: "ar", ice: " 001525478000032 " }).data).toMatchObject({ language: "ar", ice: "001525478000032" });
    expect(newClient.safeParse({ ...person, language: "fr", ice: "12345" }).error?.issues[0].message).toBe("rules.ice");
    expect(newClient.safeParse({ ...person, language: "en", ice: "" }).success).toBe(false);
  });
});

describe("bank statement files", () => {
  test("semicolon-separated, French amounts and dates, CINs or client ids", () => {
    const text = "\uFEFFdate;amount;reference;client;method\n01/12/2026;1 234,50;VIR-1;ab 123456;\n2026-12-02;99.9;VIR-2;0b0e9c1e-1b1a-4a8e-9d57-5d4c2b1a0f00;cheque\n";
    const { rows, problems } = parseStatement(text);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, received_on: "2026-12-01", amount: "1234.50", reference: "VIR-1", client: { cin: "AB123456" }, invoice_id: null, method: "bank_transfer" },
      { line: 3, received_on: "2026-12-02", amount: "99.90", reference: "VIR-2", client: { id: "0b0e9c1e-1b1a-4a8e-9d57-5d4c2b1a0f00" }, invoice_id: null, method: "cheque" },
    ]);
  });
  test("each unreadable line is named with its problem; a missing column refuses the file", () => {
    const text = "date,amount,reference,client\n31/02/2026,10,R1,AB123456\n2026-12-01,0,R2,AB123456\n2026-12-01,10,,AB123456\n2026-12-01,10,R4,nobody";
    expect(parseStatement(text).problems).toEqual([
      { line: 2, code: "statement.badDate" }, { line: 3, code: "statement.badAmount" },
      { line: 4, code: "statement.badReference" }, { line: 5, code: "statement.badClient" },
    ]);
    expect(parseStatement("date;amount\n2026-12-01;10").problems).toEqual([{ line: 1, code: "statement.missingColumns" }]);
    expect(readAmount("12,345")).toBeNull();
  });
});

test("a VAT rate reads as a percentage", () => {
  expect(formatPercent("0.2000", "fr")).toBe("20\u00a0%");
  expect(formatPercent("0.0700", "fr")).toBe("7\u00a0%");
  expect(formatPercent("0.1450", "en")).toBe("14.5\u00a0%");
});

test("Arabic pages write amounts as Moroccan documents do", () => {
  expect(formatMoney("1234.5", "ar")).toBe("1\u00a0234,50\u00a0MAD");
});

describe("the subscription journey's number step", () => {
  const journey = { ...START, step: NUMBER_STEP, service: "mobile" as const, offer_id: "o-1", cin: "QF123456", full_name: "Meryem Alaoui",
    email: "meryem@example.ma", address: "Hay Riad, Rabat" };

  test("an allocated number is held for the draft; a kept one must be a mobile number", () => {
    expect(numberIsAllocated(journey)).toBe(true);
    expect(numberIsAllocated({ ...journey, service: "internet", number_choice: "keep" })).toBe(true);
    expect(numberProblem({ ...journey, number_choice: "keep", number: "0512345678" })).toBe("rules.mobile");
    expect(numberProblem({ ...journey, number_choice: "keep", number: "06 12 34 56 78" })).toBeUndefined();
  });

  test("the draft made only to hold a number carries none of the visitor's personal details", () => {
    const draft = holdingDraft(journey);
    expect(draft).toEqual({ step: NUMBER_STEP + 1, service: "mobile", offer_id: "o-1", commitment_months: 12, number_choice: "new" });
  });

  test("a refused number sends the visitor back to the number step", () => {
    expect(STEPS[stepOf("number")]).toBe("number");
    expect(STEPS[stepOf("offer_id")]).toBe("offer");
    expect(STEPS[stepOf("email")]).toBe("details");
  });
});
