// Users: the accounts (search, add with a generated password, reset password, disable/enable, administrator
// role, delete with confirmation) and the live sessions, each of which can be ended.
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionInfo, UserInfo } from '../transport/types.js';
import { useConsole, useEvents } from '../lib/context.js';
import { CopyButton, Dialog, ErrorMessage, Field, Loading, Notice, PageTitle } from '../components/ui.js';
import { dateTime, errorText, plural } from '../lib/format.js';
import { generatePassword } from '../lib/password.js';

type Pending =
  | { kind: 'reset'; user: UserInfo; password: string }
  | { kind: 'delete'; user: UserInfo }
  | { kind: 'kick'; session: SessionInfo };

export function Users(): JSX.Element {
  const { transport, user: me } = useConsole();
  const [users, setUsers] = useState<UserInfo[] | null>(null);
  const [sessions, setSessions] = useState<SessionInfo[]>([]);
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<JSX.Element | null>(null);
  const [adding, setAdding] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = async (): Promise<void> => {
    try {
      const [u, s] = await Promise.all([transport.call('listUsers', {}), transport.call('listSessions', {})]);
      setUsers(u);
      setSessions(s);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => { void load(); }, []);
  useEvents((e) => {
    if (e.type !== 'sessions') return;
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void load(), 200);
  });

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return (users ?? []).filter((u) => q === '' || u.jid.toLowerCase().includes(q));
  }, [users, query]);

  /** Run one change, then reload; errors go to the page (or the open dialog). */
  const act = async (fn: () => Promise<unknown>, message: JSX.Element | null, inDialog = false): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setDialogError(null);
    try {
      await fn();
      setDone(message);
      await load();
      return true;
    } catch (err) {
      if (inDialog) setDialogError(errorText(err));
      else setError(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const close = (): void => { setPending(null); setDialogError(null); };
  const isMe = (u: UserInfo): boolean => me !== null && u.username === me.username;

  return (
    <>
      <PageTitle sub={users ? `${plural(users.length, 'account')}, ${plural(sessions.length, 'session')} online` : undefined}>Users</PageTitle>
      <ErrorMessage error={error} />
      {done && <Notice kind="ok">{done}</Notice>}
      <div class="toolbar">
        <div class="field inline">
          <label for="user-search">Search</label>
          <input id="user-search" type="search" value={query} placeholder="Name or address" onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <button type="button" class="button primary" aria-expanded={adding} onClick={() => { setAdding(!adding); setDone(null); }}>Add a person</button>
      </div>
      {adding && <AddUser onAdded={async (jid, password, admin) => {
        const ok = await act(async () => {
          await transport.call('addUser', { user: jid, password });
          if (admin) await transport.call('setAdmin', { user: jid, admin: true });
        }, <>Added <strong>{jid}</strong>. Their password is <code data-testid="new-password">{password}</code> <CopyButton text={password} /> — give it to them now; it is not shown again.</>);
        if (ok) setAdding(false);
      }} busy={busy} />}

      <section class="card" aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        {users === null ? <Loading what="the accounts" /> : shown.length === 0 ? (
          <p>{users.length === 0 ? 'There are no accounts yet.' : `No account matches “${query}”.`}</p>
        ) : (
          <table class="table">
            <thead><tr><th scope="col">Account</th><th scope="col">Admin</th><th scope="col">Status</th><th scope="col">Online</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {shown.map((u) => (
                <tr key={u.jid} data-user={u.jid}>
                  <th scope="row">{u.jid}{isMe(u) ? <span class="hint"> (you)</span> : null}</th>
                  <td>
                    <input type="checkbox" checked={u.admin} disabled={busy || isMe(u)} aria-label={`${u.jid} is an administrator`}
                      onChange={(e) => {
                        const admin = e.currentTarget.checked;
                        void act(() => transport.call('setAdmin', { user: u.jid, admin }), <>{u.jid} is {admin ? 'now' : 'no longer'} an administrator.</>);
                      }} />
                  </td>
                  <td><span class={`badge ${u.disabled ? 'state-taken' : 'state-listening'}`}>{u.disabled ? 'Disabled' : 'Enabled'}</span></td>
                  <td>{u.onlineSessions > 0 ? plural(u.onlineSessions, 'session') : '—'}</td>
                  <td class="actions-cell"><div class="row-actions">
                    <button type="button" class="button small" disabled={busy} onClick={() => setPending({ kind: 'reset', user: u, password: generatePassword() })}>Reset password<span class="visually-hidden"> of {u.jid}</span></button>
                    {u.disabled ? (
                      <button type="button" class="button small" disabled={busy} onClick={() => void act(() => transport.call('enableUser', { user: u.jid }), <>{u.jid} can log in again.</>)}>Enable<span class="visually-hidden"> {u.jid}</span></button>
                    ) : (
                      <button type="button" class="button small" disabled={busy || isMe(u)} onClick={() => void act(() => transport.call('disableUser', { user: u.jid }), <>{u.jid} is disabled and was logged out.</>)}>Disable<span class="visually-hidden"> {u.jid}</span></button>
                    )}
                    <button type="button" class="button small danger" disabled={busy || isMe(u)} onClick={() => setPending({ kind: 'delete', user: u })}>Delete<span class="visually-hidden"> {u.jid}</span></button>
                  </div></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Live sessions</h2>
        {sessions.length === 0 ? <p>Nobody is connected right now.</p> : (
          <table class="table">
            <thead><tr><th scope="col">Device</th><th scope="col">From</th><th scope="col">Connected</th><th scope="col">Encrypted</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.id} data-session={s.jid}>
                  <th scope="row">{s.jid}</th>
                  <td>{s.address || '—'}</td>
                  <td>{dateTime(s.connectedAt) || '—'}</td>
                  <td>{s.secure ? 'Yes' : 'No'}</td>
                  <td class="actions-cell"><div class="row-actions"><button type="button" class="button small" disabled={busy} onClick={() => setPending({ kind: 'kick', session: s })}>End session<span class="visually-hidden"> of {s.jid}</span></button></div></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      {pending?.kind === 'reset' && (
        <Dialog title={`New password for ${pending.user.jid}`} confirmLabel="Set password" busy={busy} error={dialogError} onClose={close}
          onConfirm={() => void act(() => transport.call('setPassword', { user: pending.user.jid, password: pending.password }),
            <>The password of {pending.user.jid} is now <code>{pending.password}</code> <CopyButton text={pending.password} />. Their devices must use it from now on.</>, true)
            .then((ok) => ok && close())}>
          <Field label="New password" hint="A new random password is suggested; you can type another.">
            {(id, hint) => (
              <div class="input-row">
                <input id={id} aria-describedby={hint} value={pending.password} onInput={(e) => setPending({ ...pending, password: e.currentTarget.value })} />
                <button type="button" class="button small" onClick={() => setPending({ ...pending, password: generatePassword() })}>New suggestion</button>
              </div>
            )}
          </Field>
        </Dialog>
      )}
      {pending?.kind === 'delete' && (
        <Dialog title={`Delete ${pending.user.jid}?`} confirmLabel="Delete account" danger busy={busy} error={dialogError} onClose={close}
          onConfirm={() => void act(() => transport.call('removeUser', { user: pending.user.jid }), <>Deleted {pending.user.jid}.</>, true).then((ok) => ok && close())}>
          <p>The account, its contacts and its stored messages are removed for good, and its devices are disconnected. This cannot be undone.</p>
        </Dialog>
      )}
      {pending?.kind === 'kick' && (
        <Dialog title="End this session?" confirmLabel="End session" danger busy={busy} error={dialogError} onClose={close}
          onConfirm={() => void act(() => transport.call('kickSession', { id: pending.session.id }), <>Ended the session of {pending.session.jid}.</>, true).then((ok) => ok && close())}>
          <p>{pending.session.jid} will be disconnected. Their app may connect again by itself; to keep someone out, disable their account instead.</p>
        </Dialog>
      )}
    </>
  );
}

function AddUser({ onAdded, busy }: { onAdded: (user: string, password: string, admin: boolean) => Promise<void>; busy: boolean }): JSX.Element {
  const { transport } = useConsole();
  const [name, setName] = useState('');
  const [password, setPassword] = useState(generatePassword());
  const [admin, setAdmin] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [domain, setDomain] = useState('');
  useEffect(() => { void transport.call('status', {}).then((s) => setDomain(s.domain), () => undefined); }, []);
  return (
    <form class="card add-user" aria-labelledby="add-title" onSubmit={(e) => {
      e.preventDefault();
      if (name.trim() === '') { setError('Enter a name for the account.'); return; }
      setError(null);
      void onAdded(name.trim(), password, admin);
    }}>
      <h2 id="add-title">Add a person</h2>
      <div class="form-row">
        <Field label="Account name" hint={domain ? <>Their address: <code>{name.trim() || 'name'}@{domain}</code></> : undefined}>
          {(id, hint) => <input id={id} aria-describedby={hint} value={name} autoComplete="off" spellcheck={false} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field label="Password" hint="Generated; you can type another.">
          {(id, hint) => (
            <div class="input-row">
              <input id={id} aria-describedby={hint} value={password} autoComplete="off" onInput={(e) => setPassword(e.currentTarget.value)} />
              <button type="button" class="button small" onClick={() => setPassword(generatePassword())}>New suggestion</button>
            </div>
          )}
        </Field>
      </div>
      <label class="check"><input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.currentTarget.checked)} /> Administrator (may use this console)</label>
      <ErrorMessage error={error} />
      <div class="actions"><span /><button type="submit" class="button primary" disabled={busy}>Add account</button></div>
    </form>
  );
}
