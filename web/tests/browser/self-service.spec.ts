import { expect, type Page, test } from "@playwright/test";
import { codeSentTo, expectAccessible, photograph, seed, siteCatalog, smsTo } from "./support";

// Both journeys, end to end, in French and in Arabic (right to left), against the real system.
test.describe.configure({ mode: "serial" });

const LANGUAGES = [
  { language: "fr" as const, cin: "QF123456", name: "Meryem Alaoui" },
  { language: "ar" as const, cin: "QA654321", name: "مريم العلوي" },
];

async function open(page: Page, language: "fr" | "ar") {
  await page.goto("/");
  const fr = siteCatalog("fr");
  await page.getByLabel(fr.site.language as string).selectOption(language);
  await expect(page.locator("html")).toHaveAttribute("dir", language === "ar" ? "rtl" : "ltr");
  await expect(page.locator("html")).toHaveAttribute("lang", language);
}

for (const { language, cin, name } of LANGUAGES) {
  test(`a newcomer subscribes, leaving a draft and coming back to it, and downloads the contract (${language})`, async ({ page }) => {
    const t = siteCatalog(language);
    const sub = t.subscribe as Record<string, string>;
    await open(page, language);
    await expectAccessible(page);
    await photograph(page, `site-home-${language}`);
    await page.getByRole("link", { name: t.site.newSubscription as string }).click();
    await page.getByRole("button", { name: new RegExp((t.services as Record<string, string>).mobile) }).click();
    await page.getByText("Mobile Confort 30 Go").click();
    await page.getByRole("button", { name: sub.next, exact: true }).click();

    await page.getByLabel(sub.cin, { exact: true }).fill(cin.slice(0, 4));
    await page.getByRole("button", { name: sub.next, exact: true }).click();
    await expect(page.getByText((t.rules as Record<string, string>).cin)).toBeVisible(); // checked as the API checks it
    await page.getByLabel(sub.cin, { exact: true }).fill(cin.toLowerCase());
    await page.getByLabel(sub.fullName).fill(name);
    await page.getByLabel(sub.email).fill("meryem@example.ma");
    await page.getByLabel(sub.address).fill("Hay Riad, Rabat");
    await expectAccessible(page);
    await photograph(page, `site-details-${language}`);
    await page.getByRole("button", { name: sub.next, exact: true }).click();

    // The number the line will get, held for this visitor before they confirm, shown read-only.
    const held = page.getByTestId("held-number");
    await expect(held).toHaveText(/^\+212[67][0-9]{8}$/);
    const number = (await held.textContent())!;
    await expect(held).toHaveAttribute("dir", "ltr"); // a number reads left to right, in Arabic too
    await expectAccessible(page);
    await photograph(page, `site-number-${language}`);

    await page.getByRole("button", { name: sub.saveDraft, exact: true }).click();
    const link = page.getByRole("link", { name: sub.draftLink });
    await expect(link).toBeVisible();
    const draftUrl = await link.getAttribute("href");
    await page.goto("/");
    await page.goto(draftUrl!);
    await expect(page.getByTestId("held-number")).toHaveText(number); // restored at the step it was left on, same number
    await page.getByRole("button", { name: sub.next, exact: true }).click();

    const summary = page.getByTestId("subscription-summary");
    await expect(summary).toContainText("Mobile Confort 30 Go");
    await expect(summary).toContainText(cin);
    await expect(summary).toContainText(name); // the details came back with the draft
    await expect(page.getByTestId("summary-number")).toHaveText(number);
    await photograph(page, `site-preview-${language}`);
    await page.getByRole("button", { name: sub.confirm, exact: true }).click();

    const confirmation = t.confirmation as Record<string, string>;
    await expect(page.getByRole("heading", { level: 1, name: confirmation.newLine })).toBeVisible();
    await expect(page.getByTestId("confirmation")).toContainText(number); // what the visitor saw is what the contract got
    const pdf = page.locator("iframe.pdf-frame");
    await expect(pdf).toHaveAttribute("src", /^blob:/);
    expect(await pdf.evaluate(async (frame: HTMLIFrameElement) => (await (await fetch(frame.src)).text()).slice(0, 5))).toBe("%PDF-");
    await expectAccessible(page);
    await photograph(page, `site-confirmation-${language}`);
  });

  test(`a customer proves identity with a code by SMS, changes plan and downloads an invoice (${language})`, async ({ page }) => {
    const t = siteCatalog(language);
    const space = t.space as Record<string, string>;
    const payer = seed().payers[language === "fr" ? 1 : 0];
    await open(page, language);
    await page.getByRole("link", { name: t.site.changePlan as string }).click();
    await page.getByLabel((t.subscribe as Record<string, string>).cin, { exact: true }).fill(payer.cin);
    await page.getByLabel(space.number).fill("0" + payer.number.slice(4));
    const before = smsTo(payer.number).length;
    await page.getByRole("button", { name: space.sendCode, exact: true }).click();
    await expect(page.getByRole("status")).toBeVisible();
    await page.getByLabel(space.code).fill(await codeSentTo(payer.number, before));
    await page.getByRole("button", { name: space.verify, exact: true }).click();

    const line = page.getByRole("article", { name: payer.number });
    await expect(line).toContainText("Mobile Confort 30 Go");
    await expectAccessible(page);
    await photograph(page, `site-space-${language}`);
    await line.getByRole("button", { name: space.changePlan, exact: true }).click();
    await line.getByText("Mobile Liberté 50 Go").click();
    await expect(line.getByTestId("plan-preview")).toContainText("Mobile Liberté 50 Go");
    await line.getByRole("button", { name: space.confirmChange, exact: true }).click();
    await expect(line.getByRole("status")).toBeVisible();

    const invoices = page.getByRole("region", { name: space.invoices });
    await invoices.getByRole("button", { name: space.getPdf, exact: true }).first().click();
    const saved = invoices.getByRole("link").first();
    await expect(saved).toHaveAttribute("href", /^blob:/);
    expect(await saved.evaluate(async (a: HTMLAnchorElement) => (await (await fetch(a.href)).text()).slice(0, 5))).toBe("%PDF-");
    await photograph(page, `site-invoices-${language}`);

    const statement = page.getByRole("region", { name: space.statement });
    await statement.getByLabel(space.statementMonth).fill("2026-11"); // October's invoice was issued on 2026-11-02
    await statement.getByRole("button", { name: space.getPdf, exact: true }).click();
    const sheet = statement.getByRole("link");
    await expect(sheet).toHaveAttribute("href", /^blob:/);
    expect(await sheet.evaluate(async (a: HTMLAnchorElement) => (await (await fetch(a.href)).text()).slice(0, 5))).toBe("%PDF-");
  });
}

test("the site works on a phone-sized screen", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await open(page, "ar");
  await page.getByRole("link", { name: siteCatalog("ar").site.newSubscription as string }).click();
  await expectAccessible(page);
  await photograph(page, "site-phone-ar");
});
