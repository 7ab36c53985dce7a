// Dashboard: is Parley running, since when, where devices reach it, who is online, live messages per minute,
// certificate expiry and anything that needs attention.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Overview, Traffic } from '../transport/types.js';
import { useConsole, useEvents } from '../lib/context.js';
import { ErrorMessage, Loading, Notice, PageTitle } from '../components/ui.js';
import { AnnounceCard } from './announce-card.js';
import { date, daysFromNow, duration, errorText, plural } from '../lib/format.js';

const PORT_NAMES: Record<string, string> = { c2s: 'Devices (STARTTLS)', tls: 'Devices (direct TLS)', s2s: 'Federation', http: 'Web console' };

export function Dashboard(): JSX.Element {
  const { transport } = useConsole();
  const [o, setO] = useState<Overview | null>(null);
  const [traffic, setTraffic] = useState<Traffic | null>(null);
  const [online, setOnline] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  const load = async (): Promise<void> => {
    try {
      const v = await transport.call('overview', {});
      setO(v);
      setTraffic((t) => t ?? v.traffic);
      setOnline(v.status.onlineSessions);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => {
    void load();
    const refresh = setInterval(() => void load(), 30_000);
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => { clearInterval(refresh); clearInterval(clock); };
  }, []);
  useEvents((e) => {
    if (e.type === 'traffic') {
      setTraffic(e.traffic);
      setOnline(e.traffic.onlineSessions);
    } else if (e.type === 'sessions') {
      setOnline(e.onlineSessions);
    }
  });

  if (!o) return <><PageTitle>Dashboard</PageTitle>{error ? <ErrorMessage error={error} /> : <Loading what="the server’s state" />}</>;
  const s = o.status;
  const uptime = s.startedAt ? (now - new Date(s.startedAt).getTime()) / 1000 : null;
  const devicePort = s.ports.c2s ?? s.ports.tls;
  return (
    <>
      <PageTitle sub={`${o.serverName} · ${s.domain}`}>Dashboard</PageTitle>
      <ErrorMessage error={error} />
      <div class="grid">
        <section class="card stat" aria-labelledby="d-state">
          <h2 id="d-state">State</h2>
          <p class="big"><span class={`dot ${s.running ? 'ok' : 'off'}`} aria-hidden="true" />{s.running ? 'Running' : 'Stopped'}</p>
          {uptime !== null && <p class="hint">Up for {duration(uptime)}</p>}
        </section>
        <section class="card stat" aria-labelledby="d-online">
          <h2 id="d-online">Online now</h2>
          <p class="big" data-testid="online-sessions">{plural(online ?? s.onlineSessions, 'session')}</p>
          <p class="hint">{plural(s.users, 'account')} in all</p>
        </section>
        <section class="card stat" aria-labelledby="d-traffic">
          <h2 id="d-traffic">Messages per minute</h2>
          <p class="big" aria-live="polite">{traffic?.messagesPerMinute ?? '—'}</p>
          <p class="hint">{traffic ? `${plural(traffic.messages, 'message')} since the start` : 'Waiting for the first figures…'}</p>
        </section>
        <section class="card stat" aria-labelledby="d-cert">
          <h2 id="d-cert">Certificate</h2>
          {s.certificate ? (
            <>
              <p class="big">{s.certificate.daysLeft < 0 ? 'Expired' : `${s.certificate.daysLeft} days`}</p>
              <p class="hint">Expires {daysFromNow(s.certificate.daysLeft)}, on {date(s.certificate.notAfter)}</p>
            </>
          ) : <p class="big">None yet</p>}
        </section>
      </div>
      <section class="card" aria-labelledby="d-warnings">
        <h2 id="d-warnings">Needs attention</h2>
        {o.warnings.length === 0 ? <Notice kind="ok">Nothing needs your attention.</Notice> : (
          <ul class="warnings">{o.warnings.map((w) => <li key={w.id} data-warning={w.id}>{w.text}</li>)}</ul>
        )}
      </section>
      <section class="card" aria-labelledby="d-addresses">
        <h2 id="d-addresses">How devices connect</h2>
        <dl class="facts">
          <dt>Chat addresses</dt><dd><code>name@{s.domain}</code></dd>
          <dt>Server</dt><dd><code class="chip">{s.domain}</code>{o.addresses.map((a) => <code key={a} class="chip">{a}</code>)}</dd>
          {devicePort !== undefined && <><dt>Port</dt><dd><code>{devicePort}</code></dd></>}
          <dt>Listening on</dt><dd>{Object.entries(s.ports).map(([k, p]) => <span key={k} class="chip">{PORT_NAMES[k] ?? k}: {o.bind}:{p}</span>)}</dd>
        </dl>
      </section>
      <AnnounceCard />
    </>
  );
}
