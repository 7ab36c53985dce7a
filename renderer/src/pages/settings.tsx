// Settings: what config.json holds, grouped for people. Saved at once; some apply live, the others when Parley
// starts again (marked, and listed in a banner until then).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { ConsoleSettings, SettingKey, SettingsView } from '../transport/types.js';
import { useConsole } from '../lib/context.js';
import { ErrorMessage, Field, Loading, Notice, PageTitle, Switch } from '../components/ui.js';
import { errorText } from '../lib/format.js';
import { REGISTRATION_TEXT } from './setup.js';
import { GroupChatSettings, MUC_LABELS } from './settings-muc.js';

const LABELS: Record<SettingKey, string> = {
  domain: 'Server address', serverName: 'Server name', bind: 'Listening address', c2sPort: 'Client port (STARTTLS)',
  tlsPort: 'Client port (direct TLS)', s2sPort: 'Federation port', httpPort: 'Web console port', registration: 'Who may join',
  discovery: 'Announce on the local network', logLevel: 'Log detail', consoleRemote: 'Console from other computers',
  offlineQuota: 'Messages kept for offline people', userStorageQuotaBytes: 'Storage per person (MiB)',
  resourceConflict: 'When a device reuses a connection name',
  ...MUC_LABELS,
};

/** A setting's value for the "running now with …" note. */
function shown(v: ConsoleSettings[SettingKey] | undefined): string {
  if (v === null) return 'off';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

const MIB = 1024 * 1024;

const DEFAULT_PORTS: Record<'c2sPort' | 'tlsPort' | 's2sPort' | 'httpPort', number> = { c2sPort: 5222, tlsPort: 5223, s2sPort: 5269, httpPort: 5280 };

export function Settings(): JSX.Element {
  const { transport } = useConsole();
  const [view, setView] = useState<SettingsView | null>(null);
  const [draft, setDraft] = useState<ConsoleSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    transport.call('getSettings', {}).then((v) => { setView(v); setDraft(v.saved); }, (err: unknown) => setError(errorText(err)));
  }, []);
  if (!view || !draft) return <><PageTitle>Settings</PageTitle>{error ? <ErrorMessage error={error} /> : <Loading what="the settings" />}</>;

  const set = <K extends SettingKey>(k: K, v: ConsoleSettings[K]): void => { setDraft({ ...draft, [k]: v }); setSaved(null); };
  const changed = (Object.keys(draft) as SettingKey[]).filter((k) => draft[k] !== view.saved[k]);
  const restart = (k: SettingKey): JSX.Element | null => {
    if (!view.restartOnly.includes(k)) return null;
    const now = view.running?.[k];
    const differs = view.running !== null && now !== view.saved[k];
    return <span class="restart-note">Applies after a restart{differs ? ` — running now with ${shown(now)}` : ''}.</span>;
  };

  const save = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (changed.length === 0) { setSaved('Nothing has changed.'); return; }
    setBusy(true);
    setError(null);
    try {
      const changes: Partial<ConsoleSettings> = {};
      for (const k of changed) (changes as Record<string, unknown>)[k] = draft[k];
      const v = await transport.call('setSettings', { changes });
      setView(v);
      setDraft(v.saved);
      const needsRestart = changed.filter((k) => v.restartOnly.includes(k));
      setSaved(needsRestart.length > 0
        ? `Saved. Restart Parley to apply: ${needsRestart.map((k) => LABELS[k].toLowerCase()).join(', ')}.`
        : 'Saved. The changes apply now.');
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const port = (k: 'c2sPort' | 'tlsPort' | 's2sPort' | 'httpPort', hint?: string): JSX.Element => (
    <Field label={LABELS[k]} hint={<>{hint ? `${hint} ` : ''}{restart(k)}</>}>
      {(id, h) => (
        <div class="input-row">
          <input id={id} aria-describedby={h} type="number" min={1} max={65535} class="port" disabled={draft[k] === null}
            value={draft[k] ?? ''} onInput={(e) => { const n = Number(e.currentTarget.value); set(k, Number.isFinite(n) ? n : null); }} />
          <label class="check"><input type="checkbox" checked={draft[k] !== null}
            onChange={(e) => set(k, e.currentTarget.checked ? (view.saved[k] ?? DEFAULT_PORTS[k]) : null)} /> On</label>
        </div>
      )}
    </Field>
  );

  return (
    <>
      <PageTitle sub="Saved in config.json in Parley’s data folder.">Settings</PageTitle>
      {view.pendingRestart.length > 0 && (
        <Notice kind="warn">Restart Parley to apply: {view.pendingRestart.map((k) => LABELS[k].toLowerCase()).join(', ')}.</Notice>
      )}
      <form onSubmit={(e) => void save(e)} noValidate>
        <section class="card" aria-labelledby="s-server">
          <h2 id="s-server">Server</h2>
          <div class="form-row">
            <Field label={LABELS.domain} hint={<>The end of everyone’s address. {restart('domain')}</>}>
              {(id, h) => <input id={id} aria-describedby={h} value={draft.domain} spellcheck={false} onInput={(e) => set('domain', e.currentTarget.value)} />}
            </Field>
            <Field label={LABELS.serverName} hint={<>Shown in chat apps. {restart('serverName')}</>}>
              {(id, h) => <input id={id} aria-describedby={h} value={draft.serverName} onInput={(e) => set('serverName', e.currentTarget.value)} />}
            </Field>
          </div>
          <fieldset class="choices">
            <legend>{LABELS.registration}</legend>
            {(['invite', 'open', 'closed'] as const).map((r) => (
              <label key={r} class="choice">
                <input type="radio" name="registration" value={r} checked={draft.registration === r} onChange={() => set('registration', r)} />
                <span><strong>{REGISTRATION_TEXT[r].title}</strong> — <span class="hint">{REGISTRATION_TEXT[r].text}</span></span>
              </label>
            ))}
          </fieldset>
        </section>
        <section class="card" aria-labelledby="s-network">
          <h2 id="s-network">Network</h2>
          <Field label={LABELS.bind} hint={<>0.0.0.0 means every network of this computer; 127.0.0.1 only this computer. {restart('bind')}</>}>
            {(id, h) => <input id={id} aria-describedby={h} value={draft.bind} spellcheck={false} onInput={(e) => set('bind', e.currentTarget.value)} />}
          </Field>
          <div class="form-row">
            {port('c2sPort')}
            {port('tlsPort')}
          </div>
          <div class="form-row">
            {port('httpPort', 'Turning it off turns off this console.')}
            {port('s2sPort', 'Federation with other servers.')}
          </div>
          <Switch label={LABELS.discovery} checked={draft.discovery} onChange={(v) => set('discovery', v)}
            hint="Devices on this network find the server by name (needed for .local names). Applies now." />
          <Switch label={LABELS.consoleRemote} checked={draft.consoleRemote} onChange={(v) => set('consoleRemote', v)}
            hint="Lets this console be opened from other computers. Its connection is not encrypted: only on a network you trust. Applies now." />
        </section>
        <section class="card" aria-labelledby="s-more">
          <h2 id="s-more">Messages and log</h2>
          <div class="form-row">
            <Field label={LABELS.offlineQuota} hint="Per person; 0 keeps none. Applies now.">
              {(id, h) => <input id={id} aria-describedby={h} type="number" min={0} value={draft.offlineQuota} onInput={(e) => set('offlineQuota', Number(e.currentTarget.value))} />}
            </Field>
            <Field label={LABELS.userStorageQuotaBytes} hint="Profile, contacts, offline messages and other data, per person; 0 for no limit. Applies now.">
              {(id, h) => <input id={id} aria-describedby={h} type="number" min={0} step={1} value={Math.round(draft.userStorageQuotaBytes / MIB)} onInput={(e) => set('userStorageQuotaBytes', Math.round(Number(e.currentTarget.value) * MIB))} />}
            </Field>
            <Field label={LABELS.logLevel} hint="Applies now.">
              {(id, h) => (
                <select id={id} aria-describedby={h} value={draft.logLevel} onChange={(e) => set('logLevel', e.currentTarget.value as ConsoleSettings['logLevel'])}>
                  <option value="error">Errors only</option>
                  <option value="warn">Warnings and errors</option>
                  <option value="info">Normal</option>
                  <option value="debug">Everything (for finding problems)</option>
                </select>
              )}
            </Field>
          </div>
          <Field label={LABELS.resourceConflict} hint="Applies now.">
            {(id, h) => (
              <select id={id} aria-describedby={h} value={draft.resourceConflict} onChange={(e) => set('resourceConflict', e.currentTarget.value as ConsoleSettings['resourceConflict'])}>
                <option value="new-resource">Give the new connection another name (both stay connected)</option>
                <option value="kick-old">Disconnect the older connection</option>
                <option value="refuse">Refuse the new connection</option>
              </select>
            )}
          </Field>
        </section>
        <GroupChatSettings draft={draft} set={set} restart={restart} />
        <ErrorMessage error={error} />
        <div class="actions sticky">
          <span class={saved ? 'saved' : 'hint'} role="status">{saved ?? (changed.length === 0 ? 'No unsaved changes.' : `${changed.length} unsaved change${changed.length === 1 ? '' : 's'}.`)}</span>
          <span>
            <button type="button" class="button" disabled={changed.length === 0 || busy} onClick={() => { setDraft(view.saved); setSaved(null); setError(null); }}>Undo changes</button>{' '}
            <button type="submit" class="button primary" disabled={busy}>Save settings</button>
          </span>
        </div>
      </form>
    </>
  );
}
