import { useEffect, useState } from 'preact/hooks';
import { Choice, ErrorBanner, Link } from './components/ui';
import { api, call, setCsrfToken, whenSessionEnds } from './lib/api';
import { ApiError } from './lib/api-error';
import { Context, useConsole, type Session } from './lib/context';
import { DEFAULT_ZONE, parseLang, parseZone, translate, type Lang } from './lib/i18n';
import { navigate, useLocation } from './lib/router';
import { pageOf, PAGES } from './pages';
import { AuditSearchPage } from './pages/audit-search';
import { ChangesPage } from './pages/changes';
import { DeadLettersPage } from './pages/dead-letters';
import { MessageStoryPage } from './pages/message-story';
import { OverviewPage } from './pages/overview';
import { RegistrationsPage } from './pages/registrations';
import { RegistryPage } from './pages/registry';
import { SignInPage } from './pages/sign-in';
import { UsagePage } from './pages/usage';
import { VerifyPage } from './pages/verify';

const ZONES = [DEFAULT_ZONE, 'Asia/Hovd', 'Asia/Choibalsan', 'UTC', 'Europe/Tallinn'];

/** The console: sign-in, or the signed-in shell with its menu and the current page. */
export function App() {
  const [lang, setLang] = useState<Lang>(() => parseLang(localStorage.getItem('ortoo.lang')));
  const [zone, setZone] = useState(() => parseZone(localStorage.getItem('ortoo.zone')));
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [ended, setEnded] = useState(false);
  const location = useLocation();
  const t = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) =>
    translate(lang, key, params);

  const signedIn = (value: Session | null) => {
    setCsrfToken(value?.csrfToken);
    setSession(value);
  };

  useEffect(() => {
    whenSessionEnds(() => {
      signedIn(null);
      setEnded(true);
    });
    call(api.GET('/v1/session')).then(
      (value) => signedIn(value),
      () => signedIn(null),
    );
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('ortoo.lang', lang);
  }, [lang]);
  useEffect(() => localStorage.setItem('ortoo.zone', zone), [zone]);
  useEffect(() => {
    const page = pageOf(location.path);
    document.title = `${page === undefined ? '' : `${t(page.label)} · `}${t('app.name')}`;
    document.getElementById('page-title')?.focus();
  }, [location.path, lang, session]);

  const signOut = async () => {
    await call(api.DELETE('/v1/session')).catch(() => undefined);
    signedIn(null);
    navigate('/');
  };

  const settings = (
    <div class="settings">
      <Choice
        id="lang"
        label={t('lang.label')}
        value={lang}
        options={[
          { value: 'mn', label: translate('mn', 'lang.mn'), lang: 'mn' },
          { value: 'en', label: translate('en', 'lang.en'), lang: 'en' },
        ]}
        onChange={(value) => setLang(parseLang(value))}
      />
      <Choice
        id="zone"
        label={t('zone.label')}
        value={zone}
        options={ZONES.map((name) => ({ value: name, label: name }))}
        onChange={(value) => setZone(parseZone(value))}
      />
    </div>
  );

  if (session === undefined) {
    return (
      <p class="loading" role="status">
        {t('common.loading')}
      </p>
    );
  }
  if (session === null) {
    return (
      <Context.Provider value={{ lang, zone, session: { name: '', role: 'auditor' } }}>
        <div class="signin-shell">
          <header class="signin-header">
            <Brand subtitle={t('app.subtitle')} name={t('app.name')} />
            {settings}
          </header>
          <main id="main">
            {ended ? (
              <ErrorBanner error={new ApiError(401, 'Client.Unauthenticated', t('error.sessionEnded'))} />
            ) : null}
            <SignInPage
              onSignedIn={(value) => {
                setEnded(false);
                signedIn(value);
              }}
            />
          </main>
        </div>
      </Context.Provider>
    );
  }

  const page = pageOf(location.path);
  const allowed = page !== undefined && page.roles.includes(session.role);
  return (
    <Context.Provider value={{ lang, zone, session }}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <div class="shell">
        <header class="topbar">
          <Brand subtitle={t('app.subtitle')} name={t('app.name')} />
          <div class="topbar-right">
            {settings}
            <span class="who">
              {t('signedInAs', {
                name: session.name,
                role: t(session.role === 'admin' ? 'role.admin' : 'role.auditor'),
              })}
            </span>
            <button type="button" class="secondary" onClick={() => void signOut()}>
              {t('signOut')}
            </button>
          </div>
        </header>
        <nav class="sidebar" aria-label={t('nav.label')}>
          <ul>
            {PAGES.filter((item) => item.roles.includes(session.role)).map((item) => (
              <li key={item.path}>
                <Link to={item.path} current={page?.path === item.path}>
                  {t(item.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" class="content">
          {page === undefined ? (
            <ErrorBanner error={new ApiError(404, 'Client.NotFound', location.path)} />
          ) : allowed ? (
            <Page path={location.path} query={location.query} />
          ) : (
            <Forbidden role={page.roles[0] ?? 'admin'} />
          )}
        </main>
      </div>
    </Context.Provider>
  );
}

function Brand(props: { name: string; subtitle: string }) {
  return (
    <div class="brand">
      <svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
        <circle cx="16" cy="16" r="14" fill="#0b4f8a" />
        <path d="M7 19 L16 9 L25 19" fill="none" stroke="#f2c230" stroke-width="3" stroke-linecap="round" />
        <circle cx="16" cy="21" r="3" fill="#f2c230" />
      </svg>
      <div>
        <div class="brand-name">{props.name}</div>
        <div class="brand-sub">{props.subtitle}</div>
      </div>
    </div>
  );
}

function Forbidden(props: { role: string }) {
  const { t } = useConsole();
  const role = t(props.role === 'admin' ? 'role.admin' : 'role.auditor');
  return (
    <section>
      <h1 id="page-title" tabIndex={-1}>
        403
      </h1>
      <ErrorBanner error={new ApiError(403, 'Client.Forbidden', t('error.forbiddenPage', { role }))} />
    </section>
  );
}

function Page(props: { path: string; query: URLSearchParams }) {
  const { path, query } = props;
  if (path.startsWith('/audit/messages/')) {
    return <MessageStoryPage messageId={decodeURIComponent(path.slice('/audit/messages/'.length))} />;
  }
  switch (pageOf(path)?.path) {
    case '/registrations':
      return <RegistrationsPage />;
    case '/registry':
      return <RegistryPage tab={query.get('tab') ?? 'members'} />;
    case '/dead-letters':
      return <DeadLettersPage />;
    case '/audit':
      return <AuditSearchPage query={query} />;
    case '/verify':
      return <VerifyPage />;
    case '/usage':
      return <UsagePage query={query} />;
    case '/changes':
      return <ChangesPage />;
    default:
      return <OverviewPage />;
  }
}
