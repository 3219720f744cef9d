import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, NavLink, Route, Routes, useNavigate } from "react-router";
import { setApiKey } from "../api/client";
import { Loading } from "../shared/components/Loading";
import { chooseLanguage, type Language, LANGUAGES } from "../shared/i18n";
import { useApiKey, useCan, useMe } from "./session";
import { SignIn } from "./SignIn";
import { visibleTabs } from "./tabs";

// One chunk per tab: the chart library, say, loads with the collections tab only.
const AuditPage = lazy(() => import("./audit/AuditPage").then((m) => ({ default: m.AuditPage })));
const BillingPage = lazy(() => import("./billing/BillingPage").then((m) => ({ default: m.BillingPage })));
const InvoicePage = lazy(() => import("./billing/InvoicePage").then((m) => ({ default: m.InvoicePage })));
const ClientPage = lazy(() => import("./clients/ClientPage").then((m) => ({ default: m.ClientPage })));
const ClientsPage = lazy(() => import("./clients/ClientsPage").then((m) => ({ default: m.ClientsPage })));
const CasePage = lazy(() => import("./collections/CasePage").then((m) => ({ default: m.CasePage })));
const CollectionsPage = lazy(() => import("./collections/CollectionsPage").then((m) => ({ default: m.CollectionsPage })));
const ContractPage = lazy(() => import("./contracts/ContractPage").then((m) => ({ default: m.ContractPage })));
const ContractsPage = lazy(() => import("./contracts/ContractsPage").then((m) => ({ default: m.ContractsPage })));
const ProvisionWizard = lazy(() => import("./contracts/ProvisionWizard").then((m) => ({ default: m.ProvisionWizard })));
const OfferEditor = lazy(() => import("./offers/OfferEditor").then((m) => ({ default: m.OfferEditor })));
const OffersPage = lazy(() => import("./offers/OffersPage").then((m) => ({ default: m.OffersPage })));
const PaymentsPage = lazy(() => import("./payments/PaymentsPage").then((m) => ({ default: m.PaymentsPage })));

export function App() {
  const { t } = useTranslation();
  const key = useApiKey();
  const me = useMe();
  const can = useCan();
  if (!key || me.isError) return <SignIn failure={me.error} />;
  if (!me.data) return <Loading />;
  const tabs = visibleTabs(can);
  return (
    <div className="shell">
      <a className="skip" href="#main">{t("shell.skip")}</a>
      <Header />
      <nav className="tabs" aria-label={t("shell.tabs")}>
        {tabs.map((tab) => (
          <NavLink key={tab.path} to={`/${tab.path}`}>{t(tab.label)}</NavLink>
        ))}
      </nav>
      <main id="main">
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Navigate to={`/${tabs[0]?.path ?? "clients"}`} replace />} />
            <Route path="/clients" element={<ClientsPage />} />
            <Route path="/clients/:clientId" element={<ClientPage />} />
            <Route path="/offers" element={<OffersPage />} />
            <Route path="/offers/new" element={<OfferEditor />} />
            <Route path="/offers/:offerId" element={<OfferEditor />} />
            <Route path="/contracts" element={<ContractsPage />} />
            <Route path="/contracts/new" element={<ProvisionWizard />} />
            <Route path="/contracts/:contractId" element={<ContractPage />} />
            <Route path="/billing" element={<BillingPage />} />
            <Route path="/billing/invoices/:invoiceId" element={<InvoicePage />} />
            <Route path="/payments" element={<PaymentsPage />} />
            <Route path="/collections" element={<CollectionsPage />} />
            <Route path="/collections/cases/:caseId" element={<CasePage />} />
            <Route path="/audit" element={<AuditPage />} />
            <Route path="*" element={<p>{t("shell.notFound")}</p>} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}

function Header() {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const navigate = useNavigate();
  const queries = useQueryClient();
  useEffect(() => { document.documentElement.lang = i18n.language; }, [i18n.language]);
  const signOut = () => {
    setApiKey(null);
    queries.clear();
    navigate("/");
  };
  return (
    <header className="topbar">
      <span className="brand">{t("shell.title")}</span>
      <span className="role" data-testid="role">{t(`roles.${me.data?.role}`)}</span>
      <label className="language">
        <span className="visually-hidden">{t("shell.language")}</span>
        <select value={i18n.language} onChange={(e) => chooseLanguage(e.target.value as Language)}>
          {LANGUAGES.map((l) => <option key={l} value={l}>{t(`languages.${l}`)}</option>)}
        </select>
      </label>
      <button type="button" onClick={signOut}>{t("shell.signOut")}</button>
    </header>
  );
}
