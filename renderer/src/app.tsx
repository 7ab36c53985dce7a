// The console app: setup wizard, login, or the console itself (navigation + pages), chosen by the transport's
// state. Pages are addressed by the URL's hash (#/users), which works both under /admin/ and in the desktop window.
import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { AdminTransport, ConsoleUser } from './transport/types.js';
import { ConsoleContext } from './lib/context.js';
import { EventHub } from './lib/events.js';
import { errorText } from './lib/format.js';
import { ErrorMessage, focusTitle, PageTitle } from './components/ui.js';
import { SetupWizard } from './pages/setup.js';
import { Login } from './pages/login.js';
import { Dashboard } from './pages/dashboard.js';
import { Users } from './pages/users.js';
import { Rooms } from './pages/rooms.js';
import { Invitations } from './pages/invitations.js';
import { Certificates } from './pages/certificates.js';
import { Settings } from './pages/settings.js';
import { Logs } from './pages/logs.js';

type Phase =
  | { kind: 'loading' }
  | { kind: 'setup' }
  | { kind: 'login'; notice: string | null }
  | { kind: 'console'; user: ConsoleUser }
  | { kind: 'error'; message: string };

interface Page { path: string; title: string; render?: () => JSX.Element; coming?: boolean }

const PAGES: Page[] = [
  { path: 'dashboard', title: 'Dashboard', render: () => <Dashboard /> },
  { path: 'users', title: 'Users', render: () => <Users /> },
  { path: 'rooms', title: 'Rooms', render: () => <Rooms /> },
  { path: 'invitations', title: 'Invitations', render: () => <Invitations /> },
  { path: 'certificates', title: 'Certificates', render: () => <Certificates /> },
  { path: 'settings', title: 'Settings', render: () => <Settings /> },
  { path: 'logs', title: 'Logs', render: () => <Logs /> },
];

function currentPath(): string {
  const p = window.location.hash.replace(/^#\/?/, '');
  return PAGES.some((x) => x.path === p) ? p : 'dashboard';
}

export function App({ transport }: { transport: AdminTransport }): JSX.Element {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  const boot = async (): Promise<void> => {
    if (transport.setupMode()) return setPhase({ kind: 'setup' });
    try {
      const s = await transport.session();
      setPhase(s.user ? { kind: 'console', user: s.user } : { kind: 'login', notice: null });
    } catch (err) {
      setPhase({ kind: 'error', message: errorText(err) });
    }
  };
  useEffect(() => {
    transport.onLoggedOut(() => setPhase({ kind: 'login', notice: 'Your console session has ended. Log in again.' }));
    void boot();
  }, []);

  switch (phase.kind) {
    case 'loading':
      return <main class="login"><p class="loading" role="status">Loading Parley…</p></main>;
    case 'error':
      return (
        <main class="login"><div class="card login-card">
          <p class="brand">Parley</p>
          <h1>Parley does not answer</h1>
          <ErrorMessage error={phase.message} />
          <button type="button" class="button primary" onClick={() => void boot()}>Try again</button>
        </div></main>
      );
    case 'setup':
      return <SetupWizard transport={transport} onDone={() => {
        if (transport.kind === 'http') window.location.assign('./#/dashboard');
        else void boot();
      }} />;
    case 'login':
      return <Login transport={transport} notice={phase.notice} onLogin={(user) => setPhase({ kind: 'console', user })} />;
    case 'console':
      return <Shell transport={transport} user={phase.user} onLogout={() => setPhase({ kind: 'login', notice: 'You are logged out.' })} />;
  }
}

function Shell({ transport, user, onLogout }: { transport: AdminTransport; user: ConsoleUser; onLogout: () => void }): JSX.Element {
  const events = useMemo(() => new EventHub(transport), [transport]);
  const [path, setPath] = useState(currentPath());
  const [logoutError, setLogoutError] = useState<string | null>(null);
  useEffect(() => {
    const onHash = (): void => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => { window.removeEventListener('hashchange', onHash); events.close(); };
  }, []);
  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  useEffect(() => { document.title = `${page.title} — Parley`; focusTitle(); }, [page]);

  return (
    <ConsoleContext.Provider value={{ transport, events, user }}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); focusTitle(); }}>Skip to content</a>
      <div class="shell">
        <nav class="sidebar" aria-label="Console">
          <p class="brand">Parley</p>
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p.path === page.path ? 'page' : undefined}>
                  {p.title}{p.coming ? <span class="soon"> coming</span> : null}
                </a>
              </li>
            ))}
          </ul>
          {transport.needsLogin && (
            <div class="who">
              <p class="hint">Logged in as<br /><strong>{user.jid}</strong></p>
              <button type="button" class="button small" onClick={() => {
                transport.logout().then(onLogout, (err: unknown) => setLogoutError(errorText(err)));
              }}>Log out</button>
              <ErrorMessage error={logoutError} />
            </div>
          )}
        </nav>
        <main id="main" class="content">
          {page.render ? page.render() : <Coming title={page.title} />}
        </main>
      </div>
    </ConsoleContext.Provider>
  );
}

function Coming({ title }: { title: string }): JSX.Element {
  return (
    <>
      <PageTitle>{title}</PageTitle>
      <div class="card"><p>This page is coming in a later version of Parley. Until then, add people under <a href="#/users">Users</a>.</p></div>
    </>
  );
}
