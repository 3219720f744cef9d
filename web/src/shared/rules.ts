// The API's input rules, mirrored so a form refuses before sending what the gateway would
// answer 422 for. Error messages are i18n keys, translated where they are shown.
import { z } from "zod";

export const CIN = /^[A-Z]{1,2}[0-9]{5,6}$/;
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const PHONE = /^\+?[0-9 ]{6,20}$/;
export const AMOUNT = /^[0-9]{1,10}([.][0-9]{1,2})?$/;
export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

/** As the API reads a CIN: uppercased, spaces removed. */
export function canonicalCin(text: string): string {
  return text.toUpperCase().replace(/\s+/g, "");
}

const text = (max: number) => z.string().trim().min(1, "rules.required").max(max, "rules.tooLong");

export const cin = z.string().transform(canonicalCin).pipe(z.string().regex(CIN, "rules.cin"));
export const email = z.string().trim().regex(EMAIL, "rules.email").max(254, "rules.tooLong");
export const phone = z
  .string()
  .trim()
  .transform((v) => (v === "" ? null : v))
  .pipe(z.string().regex(PHONE, "rules.phone").nullable());
export const amount = z.string().trim().regex(AMOUNT, "rules.amount");
export const positiveAmount = amount.refine((v) => /[1-9]/.test(v), "rules.positive");
export const period = z.string().regex(PERIOD, "rules.period");
export const reason = text(500);

export const ICE = /^[0-9]{15}$/;
export const ice = z.string().trim().transform((v) => v || null).pipe(z.string().regex(ICE, "rules.ice").nullable());

export const clientDetails = z.object({
  full_name: text(200),
  email,
  address: text(500),
  phone,
  language: z.enum(["fr", "ar"]),
  ice,
});
export const newClient = clientDetails.extend({ cin });
export type NewClient = z.output<typeof newClient>;

/** A mobile number as the API renders it: +212 and 9 digits starting with 6 or 7; null when it is not one. */
export function mobileNumber(text: string): string | null {
  const digits = text.replace(/[\s.-]/g, "");
  const local = digits.startsWith("+212") ? digits.slice(4) : digits.startsWith("00212") ? digits.slice(5) : digits.startsWith("0") ? digits.slice(1) : digits;
  return /^[67][0-9]{8}$/.test(local) ? `+212${local}` : null;
}
