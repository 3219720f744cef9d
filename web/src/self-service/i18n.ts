// The site's own catalogs: French by default, Arabic (right to left) and English; the choice is remembered.
import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import ar from "./i18n/ar.json";
import en from "./i18n/en.json";
import fr from "./i18n/fr.json";

export const SITE_LANGUAGES = ["fr", "ar", "en"] as const;
export type SiteLanguage = (typeof SITE_LANGUAGES)[number];
const STORED = "mtf.site.language";

function stored(): SiteLanguage {
  const value = localStorage.getItem(STORED);
  return value === "ar" || value === "en" ? value : "fr";
}

export function applyDirection(language: string): void {
  document.documentElement.lang = language;
  document.documentElement.dir = language === "ar" ? "rtl" : "ltr";
}

export function chooseSiteLanguage(language: SiteLanguage): void {
  localStorage.setItem(STORED, language);
  applyDirection(language);
  void i18n.changeLanguage(language);
}

void i18n.use(initReactI18next).init({
  resources: { fr: { translation: fr }, ar: { translation: ar }, en: { translation: en } },
  lng: stored(),
  fallbackLng: "fr",
  interpolation: { escapeValue: false },
  showSupportNotice: false,
});
applyDirection(stored());

export default i18n;
