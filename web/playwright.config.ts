import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

const __dirname = dirname(fileURLToPath(import.meta.url));

// Browser tests of the workspace against the real system: `make test` starts PostgreSQL and
// Kafka and exports their addresses; the webServer below records a past on a fresh database
// and then runs the gateway, relay and projections (tests/e2e/workspace_server.py).
// Debian's Chromium drives them: Playwright's own browser download cannot work on these machines.
const port = Number(process.env.MTF_WEB_TEST_PORT ?? 8765);
export const SEED = resolve(__dirname, "test-results", "seed.json");

export default defineConfig({
  testDir: "tests/browser",
  outputDir: "test-results/artifacts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 20_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    launchOptions: { executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] },
    locale: "fr-FR",
    timezoneId: "Africa/Casablanca",
    viewport: { width: 1366, height: 900 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
  },
  webServer: {
    command: `${resolve(__dirname, "..", ".venv", "bin", "python")} -m tests.e2e.workspace_server`,
    cwd: resolve(__dirname, ".."),
    url: `http://127.0.0.1:${port}/ready`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: { MTF_HTTP_PORT: String(port), MTF_WORKSPACE_SEED: SEED },
  },
});
