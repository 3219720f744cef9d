import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect, test } from "vitest";

const web = resolve(__dirname, "..", "..");

test("the generated API types are current with schemas/generated/openapi.json (npm run generate:api)", () => {
  const fresh = join(mkdtempSync(join(tmpdir(), "mtf-api-")), "schema.d.ts");
  execFileSync(join(web, "node_modules", ".bin", "openapi-typescript"), [join(web, "..", "schemas", "generated", "openapi.json"), "-o", fresh], {
    cwd: web,
    stdio: "pipe",
  });
  expect(readFileSync(join(web, "src", "api", "schema.d.ts"), "utf8")).toBe(readFileSync(fresh, "utf8"));
});
