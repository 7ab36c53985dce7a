// The HTML of the invitation pages (XEP-0401 §5.2 / XEP-0379 §3.3 landing page, the web sign-up form and its
// result): server-rendered, no script, styled by /invite/style.css only. Every value from outside is escaped.
import type { InviteLanding } from '../admin/admin-service.js';
import { escapeHtml as e } from './responses.js';

export type Platform = 'android' | 'ios' | 'desktop';

/** A rough guess from the User-Agent, only to show this device's apps first (XEP-0379 §3.3). */
export function platformOf(userAgent: string | undefined): Platform | null {
  const ua = userAgent ?? '';
  if (/Android/i.test(ua)) return 'android';
  if (/iPhone|iPad|iPod/i.test(ua)) return 'ios';
  if (/Windows|Macintosh|Mac OS X|Linux|CrOS|X11/i.test(ua)) return 'desktop';
  return null;
}

/** `where`: where to get it; `invite`: what it does with an invitation (shown before sign-up only). */
interface App { name: string; url: string; where: string; invite?: string }

const APPS: Record<Platform, { title: string; apps: App[] }> = {
  android: {
    title: 'Android',
    apps: [
      { name: 'Conversations', url: 'https://conversations.im/', where: 'on F-Droid (free) and Google Play.', invite: 'It can use this invitation directly.' },
    ],
  },
  ios: {
    title: 'iPhone and iPad',
    apps: [
      { name: 'Monal', url: 'https://monal-im.org/', where: 'free on the App Store.', invite: 'It can use this invitation directly.' },
      { name: 'Siskin IM', url: 'https://siskin.im/', where: 'free on the App Store.', invite: 'Create your account in the browser first (step 2), then log in.' },
    ],
  },
  desktop: {
    title: 'Computers',
    apps: [
      { name: 'Gajim', url: 'https://gajim.org/', where: 'for Windows and Linux.' },
      { name: 'Dino', url: 'https://dino.im/', where: 'for Linux.' },
      { name: 'Monal', url: 'https://monal-im.org/', where: 'for macOS.' },
    ],
  },
};

const ORDER: Platform[] = ['android', 'ios', 'desktop'];

/** "14 March 2026, 09:30 UTC" — the server does not know the reader's time zone. */
export function when(iso: string): string {
  const d = new Date(iso);
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}, ${hh}:${mm} UTC`;
}

/** A whole page: the frame every invitation page shares. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><meta name="robots" content="noindex, nofollow">
<title>${e(title)}</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/invite/style.css"></head>
<body><main>
<p class="brand">Parley</p>
${body}
<footer>If you do not know who sent you this invitation, you can ignore it: nothing happens until someone uses it.</footer>
</main></body>
</html>
`;
}

/** The apps per platform, this device's first; `withInvite` adds what each does with an invitation. */
function appList(platform: Platform | null, withInvite: boolean): string {
  const order = platform ? [platform, ...ORDER.filter((p) => p !== platform)] : ORDER;
  return `<div class="platforms">${order.map((p) => {
    const { title, apps } = APPS[p];
    const mine = p === platform;
    return `<section class="platform${mine ? ' this-device' : ''}" aria-label="${e(title)}" data-platform="${p}">` +
      `<h3>${e(title)}${mine ? '<span class="badge">this device</span>' : ''}</h3><ul>` +
      apps.map((a) => `<li><a href="${e(a.url)}" rel="noopener noreferrer">${e(a.name)}</a> — ${e(a.where)}${withInvite && a.invite ? ` ${e(a.invite)}` : ''}</li>`).join('') +
      '</ul></section>';
  }).join('')}</div>`;
}

/** The fingerprint to compare, as on the invitation card and in the console (one format everywhere). */
function fingerprintLine(l: InviteLanding): string {
  return `<code class="fingerprint" data-testid="fingerprint">${e(l.fingerprintSha256 ?? '')}</code>`;
}

function trustCard(l: InviteLanding, step: string): string {
  if (!l.fingerprintSha256) return '';
  const leaf = l.serverFingerprintSha256 && l.serverFingerprintSha256 !== l.fingerprintSha256
    ? `<details><summary>If an app asks about the server certificate itself</summary>
<p>Some apps show the fingerprint of the server certificate, which the certificate authority above signed. It is:</p>
<code class="fingerprint" data-testid="server-fingerprint">${e(l.serverFingerprintSha256)}</code></details>` : '';
  return `<section class="card" aria-labelledby="trust-title">
<p class="step">${e(step)}</p><h2 id="trust-title">Trust this server</h2>
<p>This server made its own security certificate authority, which your device does not know yet. Before you trust it,
check that the SHA-256 fingerprint your device shows for it (when you install it, or in the browser's certificate details of
this page) is exactly this one, which is also on your invitation:</p>
${fingerprintLine(l)}
${l.caAvailable ? `<p>Install the certificate authority on your device once, and apps will trust the server without asking:</p>
<div class="actions"><a class="button" href="/invite/ca.pem" download>Download the certificate</a></div>
<details><summary>How to install it</summary>
<ul>
<li><strong>Android:</strong> Settings → Security → Encryption &amp; credentials → Install a certificate → CA certificate, then pick the downloaded file.</li>
<li><strong>iPhone and iPad:</strong> open the downloaded file, then Settings → Profile Downloaded → Install; then Settings → General → About → Certificate Trust Settings, and switch it on.</li>
<li><strong>Computers:</strong> add the file to the system's trusted certificate authorities (on Windows: double-click it → Install Certificate → Trusted Root Certification Authorities).</li>
</ul>
<p>It can only vouch for this server's own names, not for any other site.</p></details>` : ''}
${leaf}
</section>`;
}

/**
 * The invitation over plain HTTP: anyone on the network can read and change this page, so it asks for nothing and
 * hands out nothing to trust. It points to the encrypted page (or, without HTTPS, to the chat app) and shows the
 * fingerprint to compare with the one on the invitation before trusting what the encrypted page presents.
 */
export function insecurePage(l: InviteLanding, secureUrl: string | null): string {
  const where = secureUrl
    ? `<div class="actions"><a class="button primary" href="${e(secureUrl)}" data-testid="secure-link">Open the secure invitation page</a></div>
<p>Your browser will warn that it does not know this server's certificate yet. Look at the certificate's details: the
SHA-256 fingerprint of its certificate authority (the top of the chain) must be exactly:</p>`
    : `<p>The secure invitation page is not available right now. Open the invitation link in your chat app instead
(Conversations, Monal), or ask the person who invited you. When the app asks whether to trust the server, its certificate
authority's SHA-256 fingerprint must be exactly:</p>`;
  const body = `<h1>Your invitation to ${e(l.serverName)} continues on a secure page</h1>
<p class="lead">This page was opened without encryption, so it does not take a password and does not hand out the server's
certificate: on a shared network, someone could read or change it.</p>
<section class="card" aria-labelledby="secure-title">
<h2 id="secure-title">Continue securely</h2>
${where}
${l.fingerprintSha256 ? fingerprintLine(l) : ''}
<p class="hint">It is the same fingerprint as on the invitation you were given. If it differs, stop and tell the person who invited you.</p>
</section>`;
  return page(`Invitation to ${l.serverName}`, body);
}

export interface LandingView {
  landing: InviteLanding;
  platform: Platform | null;
  /** This page's own address, as the browser reached it (for the QR code). */
  pageUrl: string;
  /** QR code (SVG markup) of pageUrl. */
  qr: string;
}

/** The landing page of a valid invitation. */
export function landingPage(v: LandingView): string {
  const { landing: l } = v;
  const inv = l.invite;
  const left = inv.maxUses - inv.uses;
  const from = inv.createdBy ? `${e(inv.createdBy)} invited you` : 'You are invited';
  const body = `<h1>${from} to chat on ${e(l.serverName)}</h1>
<p class="lead">With this invitation you can create your own account on the chat server <strong>${e(l.domain)}</strong>.
It works with any app that speaks XMPP, the open chat standard.</p>
${inv.reservedJid ? `<p>Your address will be <span class="address" data-testid="reserved-address">${e(inv.reservedJid)}</span></p>` : ''}
<p class="hint">This invitation works until ${e(when(inv.expiresAt))}${inv.maxUses > 1 ? `, for ${left} more ${left === 1 ? 'person' : 'people'}` : ''}.</p>

<section class="card" aria-labelledby="apps-title">
<p class="step">Step 1</p><h2 id="apps-title">Get a chat app</h2>
<p>If you do not have one yet, install one of these.</p>
${appList(v.platform, true)}
</section>

<section class="card" aria-labelledby="join-title">
<p class="step">Step 2</p><h2 id="join-title">Create your account</h2>
<p>With Conversations or Monal installed on this device, this button opens the app, which creates your account${inv.reservedJid ? '' : ' with the name you choose'}:</p>
<div class="actions"><a class="button primary" href="${e(inv.xmppUri)}" data-testid="xmpp-uri">Open the invitation in your app</a></div>
<p>Does nothing happen, or do you use another app? Create your account here in the browser, then log in from your app.</p>
<div class="actions"><a class="button" href="/invite/${e(inv.token)}/register">Sign up in the browser</a></div>
</section>

${trustCard(l, 'Step 3')}

<section class="card" aria-labelledby="qr-title">
<h2 id="qr-title">Open this page on another device</h2>
<div class="qr"><div role="img" aria-label="QR code of this page's address">${v.qr}</div>
<p>Reading this on a computer but chatting on your phone? Scan this code with the phone's camera to open this page there.</p></div>
</section>`;
  return page(`Invitation to ${l.serverName}`, body);
}

/** A page for an invitation that cannot be used (or no invitation at all). */
export function refusalPage(title: string, text: string): string {
  return page(title, `<h1>${e(title)}</h1><p class="lead" data-testid="refusal">${e(text)}</p>`);
}

export interface FormView {
  landing: InviteLanding;
  /** What was typed (never the passwords). */
  username: string;
  errors: Partial<Record<'invite' | 'username' | 'password' | 'confirm', string>>;
}

function fieldError(id: string, text: string | undefined): string {
  return text ? `<p class="field-error" id="${id}-error">${e(text)}</p>` : '';
}

function describedBy(id: string, text: string | undefined, hint?: string): string {
  const ids = [hint, text ? `${id}-error` : undefined].filter(Boolean).join(' ');
  return (ids ? ` aria-describedby="${ids}"` : '') + (text ? ' aria-invalid="true"' : '');
}

/** The web sign-up form (POST /invite/TOKEN/register). */
export function signupPage(v: FormView): string {
  const { landing: l, errors } = v;
  const inv = l.invite;
  const summary = Object.values(errors).filter(Boolean);
  const nameField = inv.reservedJid
    ? `<div class="field"><span class="label">Your address</span><span class="address" data-testid="reserved-address">${e(inv.reservedJid)}</span></div>`
    : `<div class="field"><label for="username">User name</label>
<div class="with-domain"><input type="text" id="username" name="username" value="${e(v.username)}" required autocomplete="username"
 autocapitalize="none" spellcheck="false" maxlength="200"${describedBy('username', errors.username, 'username-hint')}><span>@${e(l.domain)}</span></div>
<p class="hint" id="username-hint">This becomes your address; others use it to find you.</p>${fieldError('username', errors.username)}</div>`;
  const body = `<h1>Create your account on ${e(l.serverName)}</h1>
${summary.length > 0 ? `<div class="message message-error" role="alert">${summary.map((s) => `<p>${e(s!)}</p>`).join('')}</div>` : ''}
<form class="card" method="post" action="/invite/${e(inv.token)}/register" novalidate>
<input type="hidden" name="token" value="${e(inv.token)}">
${nameField}
<div class="field"><label for="password">Password</label>
<input type="password" id="password" name="password" required autocomplete="new-password" minlength="8"${describedBy('password', errors.password, 'password-hint')}>
<p class="hint" id="password-hint">At least 8 characters. A few unrelated words make a strong password that is easy to type.</p>${fieldError('password', errors.password)}</div>
<div class="field"><label for="confirm">Password again</label>
<input type="password" id="confirm" name="confirm" required autocomplete="new-password"${describedBy('confirm', errors.confirm)}>${fieldError('confirm', errors.confirm)}</div>
<div class="actions"><button type="submit" class="button primary">Create account</button>
<a href="/invite/${e(inv.token)}">Back to the invitation</a></div>
</form>`;
  return page(`Sign up on ${l.serverName}`, body);
}

/** After a successful web sign-up. */
export function signedUpPage(l: InviteLanding, jid: string, platform: Platform | null): string {
  const body = `<h1>Welcome! Your account is ready</h1>
<div class="message message-ok" role="status"><p>Your address is <span class="address" data-testid="new-address">${e(jid)}</span></p></div>
<section class="card" aria-labelledby="login-title">
<h2 id="login-title">Now open your app and log in</h2>
<p>Open your chat app and log in as <strong>${e(jid)}</strong> with the password you just chose. In most apps this is
“I already have an account” or “Add account”.</p>
<p class="hint">No chat app yet? Install one of these:</p>
${appList(platform, false)}
</section>
${trustCard(l, 'If your app warns you')}`;
  return page(`Welcome to ${l.serverName}`, body);
}
