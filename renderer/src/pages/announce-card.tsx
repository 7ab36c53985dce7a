// Dashboard card: send an announcement (a headline from the server) to everyone online now (SVC-18).
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useConsole } from '../lib/context.js';
import { ErrorMessage, Field, Notice } from '../components/ui.js';
import { errorText, plural } from '../lib/format.js';

export function AnnounceCard(): JSX.Element {
  const { transport } = useConsole();
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<number | null>(null);

  const send = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setSent(null);
    try {
      const r = await transport.call('announce', { text, subject });
      setSent(r.sessions);
      setText('');
      setSubject('');
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="d-announce">
      <h2 id="d-announce">Announcement</h2>
      <p class="hint">Everyone online now gets it as a notice from the server. People who are offline do not.</p>
      <form onSubmit={(e) => void send(e)}>
        <Field label="Subject (optional)">
          {(id) => <input id={id} value={subject} maxLength={200} onInput={(e) => setSubject(e.currentTarget.value)} />}
        </Field>
        <Field label="Text">
          {(id) => <textarea id={id} rows={3} value={text} maxLength={4000} required onInput={(e) => setText(e.currentTarget.value)} />}
        </Field>
        <ErrorMessage error={error} />
        {sent !== null && <Notice kind="ok">Sent to {plural(sent, 'session')}.</Notice>}
        <button type="submit" disabled={busy || text.trim() === ''}>{busy ? 'Sending…' : 'Send announcement'}</button>
      </form>
    </section>
  );
}
