import { expect, test } from "@playwright/test";
import { expectAccessible, mad, photograph, type Role, seed, signIn, tab } from "./support";

test.describe.configure({ mode: "serial" });

const READ_TABS = ["Clients", "Offres", "Contrats", "Facturation", "Paiements", "Recouvrement"];
const TABS_OF: Record<Role, string[]> = {
  operator: READ_TABS,
  auditor: [...READ_TABS, "Audit"],
  admin: [...READ_TABS, "Audit"],
  integrator: ["Clients", "Offres", "Contrats"], // a partner: its clients and contracts, and the catalog
};

test("a wrong key is refused with the API's message, and each role sees only its tabs", async ({ page }) => {
  await page.goto("/workspace/");
  await page.getByLabel("Clé d'API").fill("not-a-key");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("unknown API key");
  await expect(page.getByRole("alert")).toContainText("unauthenticated");
  for (const role of Object.keys(TABS_OF) as Role[]) {
    await signIn(page, role);
    const tabs = page.getByRole("navigation", { name: "Onglets de l'espace" }).getByRole("link");
    await expect(tabs).toHaveText(TABS_OF[role]);
    await page.getByRole("button", { name: "Se déconnecter" }).click();
  }
});

test("French by default, English on the switch, remembered", async ({ page }) => {
  await signIn(page, "operator");
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await page.getByRole("banner").getByLabel("Langue").selectOption("en"); // the header's, not the client form's "Langue des documents"
  await expect(page.getByRole("navigation", { name: "Workspace tabs" }).getByRole("link")).toHaveText(
    ["Clients", "Offers", "Contracts", "Billing", "Payments", "Collections"]);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("every tab has no serious accessibility violation, and is photographed", async ({ page }) => {
  await signIn(page, "auditor");
  for (const [name, file] of [["Clients", "clients"], ["Offres", "offers"], ["Contrats", "contracts"], ["Facturation", "billing"],
    ["Paiements", "payments"], ["Recouvrement", "collections"], ["Audit", "audit"]] as const) {
    await tab(page, name).click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expect(page.getByText("Chargement…")).toHaveCount(0);
    await expectAccessible(page);
    await photograph(page, `tab-${file}`);
  }
  await signIn(page, "operator");
  await tab(page, "Clients").click();
  await page.getByText("Nouveau client").click();
  await expectAccessible(page);
  await page.setViewportSize({ width: 390, height: 844 }); // a phone
  await tab(page, "Recouvrement").click();
  await expect(page.getByTestId("aging-chart")).toBeVisible();
  await expectAccessible(page);
  await photograph(page, "phone-collections");
});

test("an admin creates an offer, seeing its card and the component rules before sending", async ({ page }) => {
  await signIn(page, "admin");
  await tab(page, "Offres").click();
  await page.getByRole("link", { name: "Nouvelle offre" }).click();
  await page.getByLabel("Service").selectOption("internet");
  await page.getByLabel("Nom", { exact: true }).fill("Fibre Maison 200");
  await page.getByLabel("Famille").fill("fibre");
  await page.getByLabel("Redevance mensuelle HT").fill("349.00");
  await page.getByRole("button", { name: "Retirer Fibre" }).click();
  await page.getByRole("button", { name: "Créer l'offre" }).click();
  await expect(page.getByText("Une offre internet demande exactement un accès : fibre ou ADSL.")).toBeVisible();
  await page.getByRole("button", { name: "+ Fibre" }).click();
  await page.getByLabel("Fibre (Mbit/s)").fill("200");
  const preview = page.getByRole("article", { name: "Aperçu de la fiche offre" });
  await expect(preview).toContainText("Fibre Maison 200");
  await expect(preview).toContainText(mad("349,00 MAD"));
  await expect(preview).toContainText("Fibre : 200 Mbit/s");
  await expectAccessible(page);
  await photograph(page, "offer-editor");
  await page.getByRole("button", { name: "Créer l'offre" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Fibre Maison 200" })).toBeVisible();
  await expect(page.getByText("v1", { exact: true })).toBeVisible();
  await tab(page, "Offres").click();
  await expect(page.getByRole("link", { name: "Fibre Maison 200" })).toBeVisible();
});

test("an operator provisions a line for a new client and finds it on the client's page", async ({ page }) => {
  await signIn(page, "operator");
  await tab(page, "Contrats").click();
  await page.getByRole("link", { name: "Nouveau contrat" }).click();
  await page.getByLabel("Nouveau client").check();
  await page.getByLabel("CIN").fill("zt 123 456");
  await page.getByLabel("Nom complet").fill("Nadia El Fassi");
  await page.getByLabel("E-mail").fill("nadia@example.ma");
  await page.getByLabel("Adresse postale").fill("Rue Oued Fès, Agdal, Rabat");
  await page.getByRole("button", { name: "Suivant" }).click();
  await page.getByText("Mobile Confort 30 Go").click();
  await page.getByRole("button", { name: "Suivant" }).click();
  await expect(page.getByTestId("decision")).toHaveText("Décision : une nouvelle ligne sera créée.");
  await page.getByLabel("Garder un numéro existant (portabilité)").fill("0512");
  await expect(page.getByText("Numéro mobile invalide", { exact: false })).toBeVisible();
  await page.getByLabel("Garder un numéro existant (portabilité)").fill("");
  await page.getByRole("button", { name: "Suivant" }).click();
  await expect(page.getByText("Nadia El Fassi")).toBeVisible();
  await photograph(page, "provisioning-summary");
  await page.getByRole("button", { name: "Confirmer la souscription" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /^Mobile \+2126|^Mobile \+2127/ })).toBeVisible();
  const number = (await page.getByRole("heading", { level: 1 }).textContent())!.replace("Mobile ", "");
  await expect(page.getByText("Contrat souscrit")).toBeVisible();
  await expect(page.locator("dd code").first()).toHaveText(/^CT-[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}$/); // random, not from the id
  await expect(page.locator("iframe.pdf-frame")).toHaveAttribute("src", /^blob:/);
  await page.getByRole("link", { name: "Client", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Nadia El Fassi" })).toBeVisible();
  await expect(page.getByText("ZT123456", { exact: true })).toBeVisible(); // typed "zt 123 456", kept as the API canonicalised it
  await expect(page.getByRole("link", { name: number })).toBeVisible();
});

test("a dry run shows the invoices before anything is issued, then a billing run completes and its PDF opens", async ({ page }) => {
  await signIn(page, "operator");
  await tab(page, "Facturation").click();
  await expect(page.getByLabel("Période")).toHaveValue("2026-11");
  await page.getByRole("button", { name: "Simulation" }).click();
  const dryRun = page.getByTestId("dry-run");
  // The two clients billed in October; the line provisioned today starts in December.
  await expect(page.getByRole("heading", { name: /Simulation de 2026-11 : 2 factures/ })).toBeVisible();
  await expect(dryRun.locator(":scope > tbody > tr")).toHaveCount(2);
  await expect(page.getByTestId("run-2026-11")).toHaveCount(0);
  await photograph(page, "billing-dry-run");
  await page.getByRole("button", { name: "Lancer la facturation" }).click();
  const run = page.getByTestId("run-2026-11");
  await expect(run).toContainText("Terminée", { timeout: 60_000 });
  await expect(run).toContainText(/(\d+) \/ \1 clients/);
  await page.getByRole("button", { name: "Factures" }).click();
  await page.getByLabel("Période").fill("2026-11");
  await expect(page.locator("tbody tr")).toHaveCount(2);
  await page.locator("tbody tr").first().getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1, name: /^Facture FAC-2026-/ })).toBeVisible();
  await expect(page.getByText("Abonnement", { exact: false }).first()).toBeVisible();
  const pdf = page.locator("iframe.pdf-frame");
  await expect(pdf).toHaveAttribute("src", /^blob:/, { timeout: 30_000 });
  const bytes = await pdf.evaluate(async (frame: HTMLIFrameElement) => (await (await fetch(frame.src)).text()).slice(0, 5));
  expect(bytes).toBe("%PDF-");
  await photograph(page, "invoice");
});

test("a bank statement's payments go through the batch endpoint and the aging chart changes", async ({ page }) => {
  const { payers } = seed();
  await signIn(page, "operator");
  await tab(page, "Recouvrement").click();
  const overdue = page.getByTestId("aging-table").locator('tfoot [data-bucket="d1_30"]');
  await expect(page.getByTestId("aging-chart")).toBeVisible();
  await expect(overdue).not.toHaveText(mad("0,00 MAD"));
  const before = await overdue.textContent();
  await photograph(page, "aging-before");

  await tab(page, "Paiements").click();
  await page.getByText("Importer un relevé bancaire (CSV)").click();
  const csv = ["date;amount;reference;client", ...payers.map((p, i) => `02/12/2026;${p.october_gross.replace(".", ",")};VIR-DEC-${i};${p.cin}`), "31/02/2026;10,00;VIR-X;AB12"].join("\n");
  await page.getByLabel("Fichier du relevé").setInputFiles({ name: "releve.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await expect(page.getByText("Ligne 4 : date illisible")).toBeVisible();
  await expect(page.getByRole("button", { name: /Enregistrer les 2 paiements/ })).toBeDisabled();
  const good = ["date;amount;reference;client", ...payers.map((p, i) => `02/12/2026;${p.october_gross.replace(".", ",")};VIR-DEC-${i};${p.cin}`)].join("\n");
  await page.getByLabel("Fichier du relevé").setInputFiles({ name: "releve.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  const preview = page.getByTestId("statement-preview");
  await expect(preview.getByText("Prêt")).toHaveCount(2);
  await photograph(page, "statement-preview");
  await page.getByRole("button", { name: "Enregistrer les 2 paiements" }).click();
  await expect(page.getByText("2 paiements enregistrés sur 2")).toBeVisible();

  await tab(page, "Recouvrement").click();
  await expect(overdue).toHaveText(mad("0,00 MAD"));
  expect(before).not.toBe(mad("0,00 MAD"));
  await photograph(page, "aging-after");
});

test("an auditor reads a contract's history and its state at an earlier moment, and has no write button anywhere", async ({ page }) => {
  const payer = seed().payers[0];
  await signIn(page, "operator");
  await page.goto(`/workspace/clients/${payer.client_id}`);
  await page.getByRole("region", { name: "Contrats" }).getByRole("link").first().click();
  const suspension = page.locator("details").filter({ has: page.locator("summary", { hasText: "Suspendre" }) });
  await suspension.locator("summary").click();
  await suspension.getByLabel("Motif").fill("Demande du client : voyage");
  await suspension.getByRole("button", { name: "Suspendre" }).click();
  await expect(page.getByText("Suspendu", { exact: true })).toBeVisible();
  const contractUrl = page.url();

  await signIn(page, "auditor");
  await page.goto(contractUrl);
  await expect(page.getByText("Contrat suspendu")).toBeVisible();
  await expect(page.getByRole("button")).toHaveText(["Se déconnecter"]);
  await expect(page.locator("summary")).toHaveCount(0);
  await page.getByRole("link", { name: "Historique enregistré" }).click();
  await expect(page.getByRole("heading", { name: /contract : \d+ événements/ })).toBeVisible();
  const latest = page.getByTestId("state-at");
  await expect(latest).toContainText('"status": "suspended"');
  await page.getByRole("button", { name: "État après la version 3" }).click();
  await expect(latest).toContainText("État au");
  await expect(latest).toContainText('"status": "active"');
  await photograph(page, "audit-time-travel");
  for (const name of ["Clients", "Offres", "Contrats", "Facturation", "Paiements", "Recouvrement"]) {
    await tab(page, name).click();
    await expect(page.getByText("Chargement…")).toHaveCount(0);
    const writes = page.getByRole("button", { name: /Nouveau|Nouvelle|Lancer|Simulation|Enregistrer|Importer|Créer/ });
    await expect(writes).toHaveCount(0);
    await expect(page.getByRole("link", { name: /Nouveau|Nouvelle/ })).toHaveCount(0);
  }
});

test("an operator's edit of a client someone changed meanwhile is refused, not written over", async ({ page }) => {
  const { keys, payers } = seed();
  const client = payers[1];
  await signIn(page, "operator");
  await page.goto(`/workspace/clients/${client.client_id}`);
  await expect(page.getByRole("heading", { level: 1, name: client.name })).toBeVisible();
  await page.getByText("Modifier les coordonnées").click();
  await page.getByLabel("E-mail").fill("vu-a-l-ecran@example.ma");
  // Meanwhile, another operator changes the same client through the API.
  const current = await (await page.request.get(`/api/v1/clients/${client.client_id}`, { headers: { "X-API-Key": keys.operator } })).json();
  const other = await page.request.put(`/api/v1/clients/${client.client_id}`, {
    headers: { "X-API-Key": keys.operator },
    data: { full_name: current.full_name, email: "autre-operateur@example.ma", address: current.address, phone: current.phone, language: current.language, ice: current.ice },
  });
  expect(other.status()).toBe(200);
  await page.getByRole("button", { name: "Enregistrer", exact: true }).click();
  await expect(page.getByRole("alert").first()).toContainText("rechargez la page");
  await photograph(page, "client-edit-stale");
  await page.reload();
  await expect(page.getByText("autre-operateur@example.ma")).toBeVisible();
});

test("an operator suspends a client with a reason code, which the client's page then shows", async ({ page }) => {
  const { keys } = seed();
  const created = await page.request.post("/api/v1/clients", {
    headers: { "X-API-Key": keys.operator },
    data: { cin: "QR 246813", full_name: "Nadia Fraude-Test", email: "nadia@example.ma", address: "3 Rue Tarik, Tanger" },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  await signIn(page, "operator");
  await page.goto(`/workspace/clients/${id}`);
  await expect(page.getByRole("heading", { level: 1, name: "Nadia Fraude-Test" })).toBeVisible();
  await page.getByText("Changer le statut").click();
  await page.getByLabel("Code motif").selectOption("fraud");
  await page.getByLabel("Motif", { exact: true }).fill("contrôle anti-fraude");
  await photograph(page, "client-status-reason");
  await page.getByRole("button", { name: "Appliquer" }).click();
  await expect.poll(async () => {
    const view = await page.request.get(`/api/v1/clients/${id}`, { headers: { "X-API-Key": keys.operator } });
    const body = await view.json();
    return `${body.status}/${body.status_reason_code}`;
  }).toBe("suspended/fraud");
});
