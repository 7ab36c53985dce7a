// Invitations: links (XEP-0401) that let people create their own account — for one person (optionally with a
// reserved name) or several, for a while. Each has a landing page, an xmpp: link for chat apps and a QR code;
// a link can be copied, shown as a QR code and revoked (with a confirmation).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { InviteInfo, RegistrationChoice } from '../transport/types.js';
import { useConsole } from '../lib/context.js';
import { CopyButton, Dialog, ErrorMessage, Field, Loading, Notice, PageTitle } from '../components/ui.js';
import { dateTime, errorText, plural } from '../lib/format.js';

const DURATIONS: { hours: number; label: string }[] = [
  { hours: 24, label: '1 day' },
  { hours: 72, label: '3 days' },
  { hours: 168, label: '1 week' },
  { hours: 720, label: '30 days' },
];

const STATE_LABEL: Record<InviteInfo['state'], { text: string; cls: string }> = {
  valid: { text: 'Active', cls: 'state-listening' },
  expired: { text: 'Expired', cls: 'state-off' },
  used: { text: 'Used', cls: 'state-off' },
  revoked: { text: 'Revoked', cls: 'state-taken' },
};

/** The QR code (SVG markup from the server) as an image: no markup is inserted into the page. */
function QrImage({ svg, label }: { svg: string; label: string }): JSX.Element | null {
  if (!svg) return null;
  return <img class="qr-code" src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={label} width={176} height={176} />;
}

/** The link to share: the HTTPS page when there is one, else the xmpp: URI (never the plain HTTP page). */
function shareLink(i: InviteInfo): string {
  return i.shareLink;
}

function forWhom(i: InviteInfo): string {
  if (i.reservedJid) return i.reservedJid;
  return i.maxUses === 1 ? '1 person' : `${i.maxUses} people`;
}

export function Invitations(): JSX.Element {
  const { transport } = useConsole();
  const [invites, setInvites] = useState<InviteInfo[] | null>(null);
  const [registration, setRegistration] = useState<RegistrationChoice | null>(null);
  const [domain, setDomain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fresh, setFresh] = useState<InviteInfo | null>(null);
  const [shown, setShown] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<InviteInfo | null>(null);
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (): Promise<void> => {
    try {
      setInvites(await transport.call('listInvites', {}));
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => {
    void load();
    transport.call('getSettings', {}).then((s) => setRegistration((s.running ?? s.saved).registration), () => undefined);
    transport.call('status', {}).then((s) => setDomain(s.domain), () => undefined);
  }, []);

  const active = (invites ?? []).filter((i) => i.state === 'valid');
  const past = (invites ?? []).filter((i) => i.state !== 'valid');

  return (
    <>
      <PageTitle sub="Links that let people create their own account. Nobody needs to tell you a password.">Invitations</PageTitle>
      <ErrorMessage error={error} />
      {registration === 'closed' && (
        <Notice kind="warn">Sign-up is switched off (Who may join: “Only accounts I create”), so invitations cannot be used.
          Choose “People I invite” under <a href="#/settings">Settings</a> to invite people.</Notice>
      )}
      <NewInvite domain={domain} disabled={registration === 'closed'} onCreated={async (i) => {
        setFresh(i);
        setShown(null);
        await load();
      }} />
      {fresh && (
        <section class="card invite-fresh" aria-labelledby="fresh-title" data-testid="new-invite">
          <h2 id="fresh-title">Your new invitation</h2>
          <Notice kind="ok">Send this link to {fresh.reservedJid ? <strong>{fresh.reservedJid}</strong> : forWhom(fresh) === '1 person' ? 'the person you invite' : `up to ${forWhom(fresh)}`} by e-mail or chat,
            or let them scan the QR code. It works until {dateTime(fresh.expiresAt)}.</Notice>
          <InviteDetails invite={fresh} />
        </section>
      )}

      <section class="card" aria-labelledby="active-title">
        <h2 id="active-title">Active invitations</h2>
        {invites === null ? <Loading what="the invitations" /> : active.length === 0 ? <p>There are no active invitations.</p> : (
          <table class="table">
            <thead><tr><th scope="col">For</th><th scope="col">Used</th><th scope="col">Expires</th><th scope="col">Made by</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {active.map((i) => [
                <tr key={i.token} data-invite={i.token}>
                  <th scope="row">{forWhom(i)}</th>
                  <td>{i.uses} of {i.maxUses}</td>
                  <td>{dateTime(i.expiresAt)}</td>
                  <td>{i.createdBy ?? '—'}</td>
                  <td class="actions-cell"><div class="row-actions">
                    <CopyButton text={shareLink(i)} label="Copy link" />
                    <button type="button" class="button small" aria-expanded={shown === i.token} onClick={() => setShown(shown === i.token ? null : i.token)}>
                      {shown === i.token ? 'Hide' : 'Show'}<span class="visually-hidden"> the invitation for {forWhom(i)}</span>
                    </button>
                    <button type="button" class="button small danger" disabled={busy} onClick={() => { setDialogError(null); setRevoking(i); }}>
                      Revoke<span class="visually-hidden"> the invitation for {forWhom(i)}</span>
                    </button>
                  </div></td>
                </tr>,
                shown === i.token ? (
                  <tr key={`${i.token}-details`} class="details-row"><td colSpan={5}><InviteDetails invite={i} /></td></tr>
                ) : null,
              ])}
            </tbody>
          </table>
        )}
      </section>

      {past.length > 0 && (
        <section class="card" aria-labelledby="past-title">
          <h2 id="past-title">Past invitations</h2>
          <table class="table">
            <thead><tr><th scope="col">For</th><th scope="col">State</th><th scope="col">Accounts made with it</th><th scope="col">Expiry</th></tr></thead>
            <tbody>
              {past.map((i) => (
                <tr key={i.token} data-invite={i.token}>
                  <th scope="row">{forWhom(i)}</th>
                  <td><span class={`badge ${STATE_LABEL[i.state].cls}`}>{STATE_LABEL[i.state].text}</span></td>
                  <td>{i.accounts.length > 0 ? i.accounts.join(', ') : '—'}</td>
                  <td>{dateTime(i.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {revoking && (
        <Dialog title="Revoke this invitation?" confirmLabel="Revoke invitation" danger busy={busy} error={dialogError}
          onClose={() => setRevoking(null)}
          onConfirm={() => {
            setBusy(true);
            transport.call('revokeInvite', { token: revoking.token }).then(async () => {
              if (fresh?.token === revoking.token) setFresh(null);
              setRevoking(null);
              await load();
            }, (err: unknown) => setDialogError(errorText(err))).finally(() => setBusy(false));
          }}>
          <p>The link for {forWhom(revoking)} stops working at once. Accounts already made with it stay.</p>
        </Dialog>
      )}
    </>
  );
}

function InviteDetails({ invite }: { invite: InviteInfo }): JSX.Element {
  const link = shareLink(invite);
  return (
    <div class="invite-details">
      <QrImage svg={invite.qrSvg} label={`QR code of the invitation link for ${forWhom(invite)}`} />
      <dl class="facts">
        <dt>Link</dt>
        <dd><a href={link} target="_blank" rel="noopener noreferrer" data-testid="invite-link">{link}</a> <CopyButton text={link} /></dd>
        <dt>For chat apps</dt>
        <dd><code class="wrap" data-testid="invite-uri">{invite.xmppUri}</code> <CopyButton text={invite.xmppUri} /></dd>
        {invite.fingerprintSha256 && (
          <>
            <dt>Fingerprint to compare (SHA-256)</dt>
            <dd><code class="fingerprint" data-testid="invite-fingerprint">{invite.fingerprintSha256}</code> <CopyButton text={invite.fingerprintSha256} /></dd>
          </>
        )}
        <dt>Works until</dt><dd>{dateTime(invite.expiresAt)}</dd>
        <dt>Used</dt><dd>{invite.uses} of {plural(invite.maxUses, 'account')}</dd>
      </dl>
      <p class="hint">The link (and the QR code) opens an encrypted page with the apps to install, the server’s certificate
        authority and a sign-up form. Chat apps that know invitations (Conversations, Monal) can also open the “for chat apps”
        link directly.</p>
      {invite.fingerprintSha256 && (
        <p class="hint">Give the fingerprint along with the link, in another way if you can (in person, on paper, by phone): the
          person you invite checks that their browser or device shows exactly this fingerprint for the server’s certificate
          authority before trusting it. It is the same on the Certificates page.</p>
      )}
    </div>
  );
}

function NewInvite({ domain, disabled, onCreated }: { domain: string; disabled: boolean; onCreated: (i: InviteInfo) => Promise<void> }): JSX.Element {
  const { transport } = useConsole();
  const [several, setSeveral] = useState(false);
  const [uses, setUses] = useState('5');
  const [name, setName] = useState('');
  const [hours, setHours] = useState(168);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form class="card" aria-labelledby="new-invite-title" onSubmit={(e) => {
      e.preventDefault();
      const n = several ? Number(uses) : 1;
      if (!Number.isInteger(n) || n < 2 && several) { setError('Say for how many people (2 or more).'); return; }
      setError(null);
      setBusy(true);
      const invite = { uses: n, expiresInHours: hours, ...(several || name.trim() === '' ? {} : { username: name.trim() }) };
      transport.call('createInvite', { invite }).then(onCreated, (err: unknown) => setError(errorText(err))).finally(() => setBusy(false));
    }}>
      <h2 id="new-invite-title">New invitation</h2>
      <fieldset class="choices">
        <legend>Who is it for?</legend>
        <label class="choice"><input type="radio" name="invite-kind" checked={!several} onChange={() => setSeveral(false)} />
          <span><strong>One person</strong> — <span class="hint">the link works once.</span></span></label>
        <label class="choice"><input type="radio" name="invite-kind" checked={several} onChange={() => setSeveral(true)} />
          <span><strong>Several people</strong> — <span class="hint">e.g. for a team; each person chooses their own name.</span></span></label>
      </fieldset>
      <div class="form-row">
        {several ? (
          <Field label="How many people" hint="Up to 100.">
            {(id, hint) => <input id={id} aria-describedby={hint} type="number" min={2} max={100} value={uses} onInput={(e) => setUses(e.currentTarget.value)} />}
          </Field>
        ) : (
          <Field label="Their name (optional)" hint={name.trim() ? <>Reserved for them: <code>{name.trim()}@{domain || 'your.domain'}</code></> : 'Leave empty to let them choose.'}>
            {(id, hint) => <input id={id} aria-describedby={hint} value={name} autoComplete="off" spellcheck={false} onInput={(e) => setName(e.currentTarget.value)} />}
          </Field>
        )}
        <Field label="Works for">
          {(id) => (
            <select id={id} value={String(hours)} onChange={(e) => setHours(Number(e.currentTarget.value))}>
              {DURATIONS.map((d) => <option key={d.hours} value={String(d.hours)}>{d.label}</option>)}
            </select>
          )}
        </Field>
      </div>
      <ErrorMessage error={error} />
      <div class="actions"><span /><button type="submit" class="button primary" disabled={busy || disabled}>Create invitation</button></div>
    </form>
  );
}
