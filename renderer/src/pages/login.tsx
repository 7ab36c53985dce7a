// Login for the headless console: an administrator account's name and password.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AdminTransport, ConsoleUser } from '../transport/types.js';
import { ErrorMessage, Field, focusTitle } from '../components/ui.js';
import { errorText } from '../lib/format.js';

export function Login({ transport, onLogin, notice }: { transport: AdminTransport; onLogin: (u: ConsoleUser) => void; notice?: string | null }): JSX.Element {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { document.title = 'Log in — Parley'; focusTitle(); }, []);
  return (
    <main class="login">
      <form class="card login-card" onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(null);
        transport.login(user, password).then((s) => { if (s.user) onLogin(s.user); }, (err: unknown) => setError(errorText(err)))
          .finally(() => setBusy(false));
      }}>
        <p class="brand">Parley</p>
        <h1 tabIndex={-1} data-page-title>Log in to the console</h1>
        {notice && <p class="message message-info" role="status">{notice}</p>}
        <Field label="Administrator account" hint="The name (like admin) or the full address.">
          {(id, hint) => <input id={id} aria-describedby={hint} value={user} autoComplete="username" spellcheck={false} onInput={(e) => setUser(e.currentTarget.value)} />}
        </Field>
        <Field label="Password">
          {(id) => <input id={id} type="password" value={password} autoComplete="current-password" onInput={(e) => setPassword(e.currentTarget.value)} />}
        </Field>
        <ErrorMessage error={error} />
        <button type="submit" class="button primary wide" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
      </form>
    </main>
  );
}
