import { useTranslation } from "react-i18next";
import { Link, NavLink, Route, Routes } from "react-router";
import { Confirmation } from "./Confirmation";
import { chooseSiteLanguage, SITE_LANGUAGES, type SiteLanguage } from "./i18n";
import { MySpace } from "./MySpace";
import { Subscribe } from "./Subscribe";

export function SiteApp() {
  const { t, i18n } = useTranslation();
  return (
    <div className="shell site">
      <a className="skip" href="#main">{t("site.skip")}</a>
      <header className="topbar">
        <Link to="/" className="brand">{t("site.brand")}</Link>
        <nav aria-label={t("site.nav")} className="site-nav">
          <NavLink to="/souscrire">{t("site.subscribe")}</NavLink>
          <NavLink to="/mon-espace">{t("site.mySpace")}</NavLink>
        </nav>
        <label className="language">
          <span className="visually-hidden">{t("site.language")}</span>
          <select value={i18n.language} onChange={(e) => chooseSiteLanguage(e.target.value as SiteLanguage)}>
            {SITE_LANGUAGES.map((l) => <option key={l} value={l} lang={l}>{t(`languages.${l}`)}</option>)}
          </select>
        </label>
      </header>
      <main id="main">
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/souscrire" element={<Subscribe />} />
          <Route path="/confirmation" element={<Confirmation />} />
          <Route path="/mon-espace" element={<MySpace />} />
          <Route path="*" element={<p>{t("site.notFound")}</p>} />
        </Routes>
      </main>
    </div>
  );
}

/** The journey choice comes first. */
function Home() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t("site.welcome")}</h1>
      <div className="journeys">
        <Link to="/souscrire" className="journey">
          <strong>{t("site.newSubscription")}</strong>
          <span>{t("site.newSubscriptionText")}</span>
        </Link>
        <Link to="/mon-espace" className="journey">
          <strong>{t("site.changePlan")}</strong>
          <span>{t("site.changePlanText")}</span>
        </Link>
      </div>
    </section>
  );
}
