// The first-run setup wizard: server name, first administrator, who may join, certificate, network check,
// discovery and federation, then "connect your first device". Nothing is saved until the last step.
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AdminTransport, PortCheck, RegistrationChoice, SetupInfo, SetupResult } from '../transport/types.js';
import { CopyButton, ErrorMessage, Field, focusTitle, Loading, Notice, StrengthMeter, Switch } from '../components/ui.js';
import { date, errorText } from '../lib/format.js';
import { generatePassword } from '../lib/password.js';

const STEPS = ['Server', 'Administrator', 'Who may join', 'Certificate', 'Network', 'Discovery', 'Finish'] as const;
const MIN_PASSWORD = 8;

interface Choices {
  domain: string;
  serverName: string;
  adminUser: string;
  adminPassword: string;
  confirm: string;
  registration: RegistrationChoice;
  discovery: boolean;
  federation: boolean;
}

export const REGISTRATION_TEXT: Record<RegistrationChoice, { title: string; text: string }> = {
  invite: { title: 'People I invite', text: 'Only people with an invitation link can create an account. Make links under Invitations.' },
  open: { title: 'Anyone', text: 'Anyone who can reach this server can create an account from their chat app.' },
  closed: { title: 'Only accounts I create', text: 'Nobody can sign up; you create every account under Users.' },
};

export function SetupWizard({ transport, onDone }: { transport: AdminTransport; onDone: () => void }): JSX.Element {
  const [info, setInfo] = useState<SetupInfo | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [step, setStep] = useState(0);
  const [c, setC] = useState<Choices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SetupResult | null>(null);

  const load = async (): Promise<void> => {
    try {
      const i = await transport.setupInfo();
      setInfo(i);
      setC((old) => old ?? {
        domain: i.domain, serverName: i.serverName, adminUser: 'admin', adminPassword: '', confirm: '',
        registration: i.registration, discovery: i.discovery, federation: i.federation,
      });
      setLoadError(null);
    } catch (err) {
      setLoadError(errorText(err));
    }
  };
  useEffect(() => { void load(); }, []);
  useEffect(() => { document.title = result ? 'Connect your first device — Parley' : `Set up Parley: ${STEPS[step]}`; focusTitle(); }, [step, result]);

  if (loadError) {
    return <main class="setup"><h1 tabIndex={-1} data-page-title>Set up Parley</h1><ErrorMessage error={loadError} /><button class="button" onClick={() => void load()}>Try again</button></main>;
  }
  if (!info || !c) return <main class="setup"><Loading what="the setup" /></main>;
  if (result) return <main class="setup"><p class="brand">Parley</p><Connect result={result} choices={c} info={info} onDone={onDone} /></main>;

  const set = <K extends keyof Choices>(k: K, v: Choices[K]): void => {
    setC((prev) => (prev ? { ...prev, [k]: v } : prev));
    setError(null);
  };
  const domain = c.domain.trim().toLowerCase();

  const check = (): string | null => {
    switch (step) {
      case 0:
        if (domain === '') return 'Enter the server’s address, for example office.local.';
        if (!/^[a-z0-9.-]+$/i.test(domain) && !/[^\x00-\x7f]/.test(domain)) return 'The server’s address may contain only letters, digits, dots and hyphens.';
        if (c.serverName.trim() === '') return 'Enter a name for the server, for example Parley.';
        return null;
      case 1:
        if (c.adminUser.trim() === '') return 'Choose a name for the administrator account.';
        if (/[\s@/]/.test(c.adminUser.trim())) return 'The account name cannot contain spaces, @ or /.';
        if ([...c.adminPassword].length < MIN_PASSWORD) return `The password needs at least ${MIN_PASSWORD} characters.`;
        if (c.adminPassword !== c.confirm) return 'The two passwords are not the same.';
        return null;
      default:
        return null;
    }
  };

  const next = async (e: Event): Promise<void> => {
    e.preventDefault();
    const problem = check();
    setError(problem);
    if (problem) return;
    if (step < STEPS.length - 1) {
      if (STEPS[step + 1] === 'Network') void load(); // fresh port states
      setStep(step + 1);
      return;
    }
    setBusy(true);
    try {
      setResult(await transport.completeSetup({
        domain, serverName: c.serverName.trim(), adminUser: c.adminUser.trim(), adminPassword: c.adminPassword,
        registration: c.registration, discovery: c.discovery, federation: c.federation,
      }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const back = (): void => {
    setError(null);
    setStep(Math.max(0, step - 1));
  };

  return (
    <main class="setup">
      <p class="brand">Parley</p>
      <ol class="steps" aria-label="Setup steps">
        {STEPS.map((s, i) => <li key={s} class={i === step ? 'current' : i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>{s}</li>)}
      </ol>
      <form class="card setup-card" onSubmit={(e) => void next(e)} noValidate>
        <p class="step-count">Step {step + 1} of {STEPS.length}</p>
        {step === 0 && <StepServer c={c} info={info} set={set} />}
        {step === 1 && <StepAdmin c={c} domain={domain} set={set} />}
        {step === 2 && <StepJoin c={c} set={set} />}
        {step === 3 && <StepCertificate info={info} domain={domain} />}
        {step === 4 && <StepNetwork info={info} onRecheck={() => void load()} />}
        {step === 5 && <StepDiscovery c={c} domain={domain} set={set} />}
        {step === 6 && <StepReview c={c} domain={domain} info={info} />}
        <ErrorMessage error={error} />
        <div class="actions">
          {step > 0 ? <button type="button" class="button" onClick={back}>Back</button> : <span />}
          <button type="submit" class="button primary" disabled={busy}>{step === STEPS.length - 1 ? (busy ? 'Setting up…' : 'Finish setup') : 'Next'}</button>
        </div>
      </form>
    </main>
  );
}

type Set = <K extends keyof Choices>(k: K, v: Choices[K]) => void;

function StepServer({ c, info, set }: { c: Choices; info: SetupInfo; set: Set }): JSX.Element {
  return (
    <>
      <h1 tabIndex={-1} data-page-title>Welcome to Parley</h1>
      <p>Parley is a chat server for your home or office. Any XMPP chat app (Conversations, Gajim, Dino, Monal…) can connect to it. A few questions, and it is ready.</p>
      <Field label="Server address" hint={<>Everyone’s chat address will end with it, like <code>alice@{c.domain.trim() || info.suggestedDomain}</code>. A name ending in <code>.local</code> works on your local network without any other setup.</>}>
        {(id, hint) => <input id={id} aria-describedby={hint} value={c.domain} autoComplete="off" spellcheck={false} required
          onInput={(e) => set('domain', e.currentTarget.value)} />}
      </Field>
      {c.domain.trim().toLowerCase() !== info.suggestedDomain && (
        <p class="hint after-suggestion">Suggested for this computer: <button type="button" class="link" onClick={() => set('domain', info.suggestedDomain)}>{info.suggestedDomain}</button></p>
      )}
      <Field label="Server name" hint="Shown to people in their chat apps.">
        {(id, hint) => <input id={id} aria-describedby={hint} value={c.serverName} onInput={(e) => set('serverName', e.currentTarget.value)} />}
      </Field>
    </>
  );
}

function StepAdmin({ c, domain, set }: { c: Choices; domain: string; set: Set }): JSX.Element {
  const [shown, setShown] = useState(false);
  return (
    <>
      <h1 tabIndex={-1} data-page-title>Your administrator account</h1>
      <p>You log in to this console with it, and it is a chat account too.</p>
      <Field label="Account name" hint={<>Your chat address will be <code>{(c.adminUser.trim() || 'name')}@{domain}</code>.</>}>
        {(id, hint) => <input id={id} aria-describedby={hint} value={c.adminUser} autoComplete="username" spellcheck={false}
          onInput={(e) => set('adminUser', e.currentTarget.value)} />}
      </Field>
      <Field label="Password" hint={`At least ${MIN_PASSWORD} characters.`}>
        {(id, hint) => (
          <div class="input-row">
            <input id={id} aria-describedby={hint} {...inputType(shown)} value={c.adminPassword} autoComplete="new-password"
              onInput={(e) => set('adminPassword', e.currentTarget.value)} />
            <button type="button" class="button small" aria-pressed={shown} onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Show'}</button>
            <button type="button" class="button small" onClick={() => {
              const p = generatePassword();
              setShown(true);
              set('adminPassword', p);
              set('confirm', p);
            }}>Suggest one</button>
          </div>
        )}
      </Field>
      <StrengthMeter password={c.adminPassword} context={[c.adminUser, domain, 'parley']} />
      <Field label="Password again">
        {(id) => <input id={id} {...inputType(shown)} value={c.confirm} autoComplete="new-password"
          onInput={(e) => set('confirm', e.currentTarget.value)} />}
      </Field>
    </>
  );
}

/** A password field that can show its text (preact's typings want one literal type per element). */
function inputType(shown: boolean): { type: 'text' } {
  return { type: (shown ? 'text' : 'password') as 'text' };
}

function StepJoin({ c, set }: { c: Choices; set: Set }): JSX.Element {
  return (
    <>
      <h1 tabIndex={-1} data-page-title>Who may join?</h1>
      <fieldset class="choices">
        <legend>Who can create an account on this server</legend>
        {(['invite', 'open', 'closed'] as const).map((r) => (
          <label key={r} class="choice">
            <input type="radio" name="registration" value={r} checked={c.registration === r} onChange={() => set('registration', r)} />
            <span><strong>{REGISTRATION_TEXT[r].title}</strong><br /><span class="hint">{REGISTRATION_TEXT[r].text}</span></span>
          </label>
        ))}
      </fieldset>
      <p class="hint">You can change this later under Settings.</p>
    </>
  );
}

function StepCertificate({ info, domain }: { info: SetupInfo; domain: string }): JSX.Element {
  const cert = info.certificate;
  return (
    <>
      <h1 tabIndex={-1} data-page-title>The server’s certificate</h1>
      <p>Connections to Parley are encrypted. Parley made its own certificate authority and a certificate for the server. The first time a device connects, its app may ask whether to trust the certificate: it should show this fingerprint.</p>
      {cert ? (
        <dl class="facts">
          <dt>For</dt><dd>{cert.domain}</dd>
          <dt>Fingerprint (SHA-256)</dt><dd><code class="fingerprint" data-testid="setup-fingerprint">{cert.fingerprintSha256}</code></dd>
          <dt>Valid</dt><dd>from {date(cert.notBefore)} until {date(cert.notAfter)}</dd>
        </dl>
      ) : <Notice kind="warn">There is no certificate yet; Parley makes one when it starts.</Notice>}
      {cert && domain !== cert.domain && (
        <Notice kind="warn">You chose the address {domain}. After Parley restarts it makes a new certificate for that address, with a different fingerprint.</Notice>
      )}
      <p class="hint">Importing a certificate of your own will be possible later, under Certificates.</p>
    </>
  );
}

const STATE_TEXT: Record<PortCheck['state'], string> = {
  listening: 'In use by Parley', free: 'Free', taken: 'Taken', 'not-permitted': 'Not permitted', off: 'Off',
};

export function PortTable({ ports }: { ports: PortCheck[] }): JSX.Element {
  return (
    <table class="table">
      <thead><tr><th scope="col">What</th><th scope="col">Port</th><th scope="col">State</th><th scope="col">What to do</th></tr></thead>
      <tbody>
        {ports.map((p) => (
          <tr key={p.name}>
            <td>{p.label}</td>
            <td>{p.port ?? '—'}</td>
            <td><span class={`badge state-${p.state}`}>{STATE_TEXT[p.state]}</span></td>
            <td>{p.advice || (p.state === 'listening' ? 'Nothing — all is well.' : '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StepNetwork({ info, onRecheck }: { info: SetupInfo; onRecheck: () => void }): JSX.Element {
  const n = info.network;
  return (
    <>
      <h1 tabIndex={-1} data-page-title>Network check</h1>
      <PortTable ports={n.ports} />
      <p><strong>This computer’s addresses:</strong> {n.addresses.length > 0 ? n.addresses.join(', ') : 'none besides loopback'}</p>
      {n.notes.map((t) => <p key={t} class="hint">{t}</p>)}
      <button type="button" class="button small recheck" onClick={onRecheck}>Check again</button>
    </>
  );
}

function StepDiscovery({ c, domain, set }: { c: Choices; domain: string; set: Set }): JSX.Element {
  return (
    <>
      <h1 tabIndex={-1} data-page-title>Finding and reaching Parley</h1>
      <Switch label="Announce Parley on the local network" checked={c.discovery} onChange={(v) => set('discovery', v)}
        hint={<>Devices on this network can then find the server by its name, {domain}. Needed for names ending in .local.</>} />
      <Switch label="Federation with other servers" checked={c.federation} onChange={(v) => set('federation', v)}
        hint="Lets people here chat with people on other XMPP servers. It needs a real domain name and port 5269 reachable from the internet; leave it off for a home or office network." />
    </>
  );
}

function StepReview({ c, domain, info }: { c: Choices; domain: string; info: SetupInfo }): JSX.Element {
  return (
    <>
      <h1 tabIndex={-1} data-page-title>Ready to finish</h1>
      <dl class="facts">
        <dt>Server address</dt><dd>{domain}{domain !== info.domain ? ' (takes effect after a restart)' : ''}</dd>
        <dt>Server name</dt><dd>{c.serverName}</dd>
        <dt>Administrator</dt><dd>{c.adminUser.trim()}@{domain}</dd>
        <dt>Who may join</dt><dd>{REGISTRATION_TEXT[c.registration].title}</dd>
        <dt>Local network</dt><dd>{c.discovery ? 'Announced' : 'Not announced'}</dd>
        <dt>Federation</dt><dd>{c.federation ? 'On' : 'Off'}</dd>
      </dl>
      <p>Finishing creates the administrator account and saves these choices.</p>
    </>
  );
}

function isLoopback(bind: string): boolean {
  return bind === 'localhost' || bind === '::1' || bind.startsWith('127.');
}

function Connect({ result, choices, info, onDone }: { result: SetupResult; choices: Choices; info: SetupInfo; onDone: () => void }): JSX.Element {
  const hosts = [result.domain, ...info.network.addresses];
  return (
    <div class="card setup-card">
      <p class="success-mark" role="status">✓ Parley is set up.</p>
      <h1 tabIndex={-1} data-page-title>Connect your first device</h1>
      {isLoopback(info.network.bind) && (
        <Notice kind="warn">Parley listens on {info.network.bind} only, so only this computer can connect for now. To connect other devices, set the listening address to 0.0.0.0 under Settings and restart Parley.</Notice>
      )}
      {result.restartRequired.length > 0 && (
        <Notice kind="warn">Restart Parley to use the new {result.restartRequired.includes('domain') ? 'server address' : 'settings'}: stop it (Ctrl+C where it runs) and start it again. Until then it still serves {info.domain}.</Notice>
      )}
      <p>In your chat app (for example Conversations on Android, Monal on iPhone, Gajim or Dino on a computer), add an account with:</p>
      <dl class="facts">
        <dt>Address</dt><dd><code data-testid="connect-jid">{result.jid}</code> <CopyButton text={result.jid} /></dd>
        <dt>Password</dt><dd>the one you just chose</dd>
        <dt>Server (if the app asks)</dt><dd>{hosts.map((h) => <code key={h} class="chip">{h}</code>)}</dd>
        <dt>Port</dt><dd><code>{result.port ?? 5222}</code>{result.port !== null && result.port !== 5222 && <span class="hint">not the usual 5222: enter it in the app’s advanced account settings</span>}</dd>
        {result.fingerprintSha256 && (
          <><dt>Certificate fingerprint</dt><dd><code class="fingerprint">{result.fingerprintSha256}</code> <CopyButton text={result.fingerprintSha256} /></dd></>
        )}
      </dl>
      <p class="hint">When the app asks whether to trust the server’s certificate, check that it shows the fingerprint above. If the app cannot find {result.domain}, enter one of the addresses above as the server.</p>
      <p class="hint">You are logged in to the console as {choices.adminUser.trim()}.</p>
      <div class="actions"><span /><button type="button" class="button primary" onClick={onDone}>Open the console</button></div>
    </div>
  );
}
