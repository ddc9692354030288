import { useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useOverview, useWorkspaceInfo } from '../api/queries.ts';
import { Freshness } from './Freshness.tsx';
import { LanguageSwitch } from './LanguageSwitch.tsx';
import { routeHref, type Route } from './route.ts';

const NAV: { page: Route['page']; labelKey: string; route: Route }[] = [
  { page: 'overview', labelKey: 'nav.overview', route: { page: 'overview' } },
  { page: 'customers', labelKey: 'nav.customers', route: { page: 'customers', customerId: null } },
  { page: 'segments', labelKey: 'nav.segments', route: { page: 'segments', segment: null } },
  { page: 'publish', labelKey: 'publish.nav', route: { page: 'publish', segment: null } },
  { page: 'runs', labelKey: 'runs.nav', route: { page: 'runs', runId: null } },
  { page: 'settings', labelKey: 'settings.nav', route: { page: 'settings' } },
];

/** Header (product, navigation, workspace, freshness, language), skip link and the main landmark. */
export function Shell({ route, children }: { route: Route; children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const mainRef = useRef<HTMLElement>(null);
  const workspace = useWorkspaceInfo();
  // Freshness comes with the workspace info when the API sends it, else from an Overview already loaded;
  // this query never fetches on its own, so the Customers page stays light.
  const cachedOverview = useOverview({ fetch: false });
  const asOf = workspace.data?.asOf !== undefined ? workspace.data.asOf : cachedOverview.data?.freshness.asOf;

  useEffect(() => {
    document.documentElement.lang = i18n.language === 'xx' ? 'en' : i18n.language;
  }, [i18n.language]);

  useEffect(() => {
    const page = t(NAV.find((item) => item.page === route.page)?.labelKey ?? 'nav.overview');
    document.title = `${page} · ${t('app.name')}`;
  }, [route.page, t]);

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // Hash routes own location.hash: move focus without navigating.
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        {t('shell.skipToContent')}
      </a>
      <header className="topbar">
        <div className="topbar__brand">
          <span className="logo" aria-hidden="true" />
          <span className="topbar__product">{t('app.name')}</span>
        </div>
        <nav className="topbar__nav" aria-label={t('shell.mainNavigation')}>
          <ul>
            {NAV.map((item) => (
              <li key={item.page}>
                <a
                  href={routeHref(item.route)}
                  className="nav-link"
                  aria-current={route.page === item.page ? 'page' : undefined}
                >
                  {t(item.labelKey)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar__meta">
          <div className="workspace">
            <span className="visually-hidden">{t('shell.workspace')}</span>
            {workspace.isPending ? (
              <span className="workspace__name workspace__name--loading">{t('state.loading')}</span>
            ) : workspace.isError ? (
              <span className="workspace__name workspace__name--error">
                {t('shell.workspaceUnavailable')}
              </span>
            ) : (
              <span className="workspace__name" translate="no">
                {workspace.data.name}
              </span>
            )}
            <Freshness asOf={asOf} />
          </div>
          <LanguageSwitch />
        </div>
      </header>
      <main id="main" className="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
