import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import i18n from "../../src/shared/i18n";

void i18n.changeLanguage("fr");
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
