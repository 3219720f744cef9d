import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";
import en from "../../src/shared/i18n/en.json";
import fr from "../../src/shared/i18n/fr.json";

type Catalog = { [key: string]: string | Catalog };

function keys(catalog: Catalog, prefix = ""): string[] {
  return Object.entries(catalog).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const PLURAL = /_(zero|one|other)$/;

test("French and English catalogs have the same keys", () => {
  expect(keys(en as Catalog).sort()).toEqual(keys(fr as Catalog).sort());
});

test("every key the workspace's code names is in its catalogs", () => {
  const known = new Set(keys(fr as Catalog).map((k) => k.replace(PLURAL, "")));
  const workspace = ["workspace", "shared", "api"].flatMap((dir) => sources(resolve(__dirname, "..", "..", "src", dir)));
  const named = workspace.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/\bt\("([a-zA-Z0-9_.]+)"/g)].map((m) => m[1]));
  const codes = workspace.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/"((?:rules|statement)\.[a-zA-Z]+)"/g)].map((m) => m[1]));
  expect(named.length).toBeGreaterThan(100);
  expect([...named, ...codes].filter((key) => !known.has(key))).toEqual([]);
});
