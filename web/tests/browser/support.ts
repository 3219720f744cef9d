import { readFileSync } from "node:fs";
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
  payers: { client_id: string; cin: string; name: string; october_gross: string }[];
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
