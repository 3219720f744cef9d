/// <reference types="vitest/config" />
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const __dirname = dirname(fileURLToPath(import.meta.url));

// One build, one entry per front end; the gateway serves dist/workspace/ at /workspace/,
// dist/self-service/ at / and the shared hashed files from dist/assets/ at /assets/.
export default defineConfig({
  plugins: [react()],
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      input: { workspace: resolve(__dirname, "workspace/index.html"), "self-service": resolve(__dirname, "self-service/index.html") },
    },
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000" } },
  test: {
    environment: "jsdom",
    globals: true,
    include: ["tests/component/**/*.test.{ts,tsx}"],
    setupFiles: ["tests/component/setup.ts"],
  },
});
