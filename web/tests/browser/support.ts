import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

const __dirname = dirname(fileURLToPath(import.meta.url));

export type Role = "operator" | "auditor" | "admin" | "integrator";
export type Seed = {
  today: string;
  keys: Record<Role, string>;
  offer_id: string;
  payers: { client_id: string; cin: string; name: string; october_gross: string; number: string }[];
  october_run: string;
};

/** What tests/e2e/workspace_server.py recorded before the gateway started. */
export function seed(): Seed {
  return JSON.parse(readFileSync(resolve(__dirname, "..", "..", "test-results", "seed.json"), "utf8")) as Seed;
}

export const ROLE_LABEL: Record<Role, string> = { operator: "Opérateur", auditor: "Auditeur", admin: "Administrateur", integrator: "Intégrateur" };

export async function signIn(page: Page, role: Role): Promise<void> {
  await page.goto("/workspace/");
  await page.evaluate(() => sessionStorage.clear()); // whoever was signed in before
  await page.reload();
  await page.getByLabel("Clé d'API").fill(seed().keys[role]);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByTestId("role")).toHaveText(ROLE_LABEL[role]);
}

export function tab(page: Page, name: string) {
  return page.getByRole("navigation", { name: "Onglets de l'espace" }).getByRole("link", { name, exact: true });
}

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")})`);
  expect(serious).toEqual([]);
}

export async function photograph(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(__dirname, "..", "..", "test-results", "screenshots", `${name}.png`), fullPage: true });
}

/** Non-breaking spaces as the French amounts carry them. */
export function mad(text: string): string {
  return text.replace(/ /g, "\u00a0");
}

/** The latest SMS the stand-in SMS gateway received for this number (tests/e2e/sms_inbox.py), after `since` of them. */
export async function codeSentTo(number: string, since: number): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const sms = smsTo(number);
    if (sms.length > since) return /\b([0-9]{6})\b/.exec(sms[sms.length - 1].text)![1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS reached ${number}`);
}

export function smsTo(number: string): { to: string; text: string }[] {
  const inbox = resolve(__dirname, "..", "..", "test-results", "sms.jsonl");
  if (!existsSync(inbox)) return [];
  return readFileSync(inbox, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((m) => m.to === number);
}

/** The site's catalog in one language, so a test reads the labels a visitor sees. */
export function siteCatalog(language: "fr" | "ar" | "en"): Record<string, Record<string, string | Record<string, string>>> {
  return JSON.parse(readFileSync(resolve(__dirname, "..", "..", "src", "self-service", "i18n", `${language}.json`), "utf8"));
}
