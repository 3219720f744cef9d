import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import ar from "../../src/self-service/i18n/ar.json";
import en from "../../src/self-service/i18n/en.json";
import fr from "../../src/self-service/i18n/fr.json";

type Catalog = { [key: string]: string | Catalog };
const PLURAL = /_(zero|one|two|few|many|other)$/;

function keys(catalog: Catalog, prefix = ""): string[] {
  return Object.entries(catalog).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}

function base(catalog: Catalog): string[] {
  return [...new Set(keys(catalog).map((k) => k.replace(PLURAL, "")))].sort();
}

test("the site's French, Arabic and English catalogs name the same strings", () => {
  expect(base(ar as Catalog)).toEqual(base(fr as Catalog));
  expect(base(en as Catalog)).toEqual(base(fr as Catalog));
});

test("every key the site's code names is in its catalogs, the shared components' included", () => {
  const dir = resolve(__dirname, "..", "..", "src");
  const files = [
    ...readdirSync(join(dir, "self-service")).filter((f) => f.endsWith(".tsx") || f.endsWith(".ts")).map((f) => join(dir, "self-service", f)),
    ...["ErrorNotice.tsx", "Loading.tsx", "PdfViewer.tsx", "Money.tsx"].map((f) => join(dir, "shared", "components", f)),
    join(dir, "shared", "components", "OfferCard.tsx"),
  ];
  const named = files.flatMap((file) => [...readFileSync(file, "utf8").matchAll(/(?:\bt\(|")((?:site|subscribe|space|confirmation|rules|common|errors|offers)\.[a-zA-Z.]+)"/g)].map((m) => m[1]));
  const known = new Set(base(fr as Catalog));
  expect(named.length).toBeGreaterThan(60);
  expect([...new Set(named)].filter((key) => !known.has(key))).toEqual([]);
});
