// Invitations end to end in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against a real
// `parley serve`: an administrator creates an invitation on the console's Invitations page (its link and QR code
// name the HTTPS page; the card shows the CA fingerprint to compare), the invited person opens its link on a
// (simulated) phone, signs up through the web form over HTTPS and logs in with @xmpp/client; the plain HTTP page only
// points to the HTTPS one; a multi-use invitation is revoked with a confirmation; used links show their own pages.
// The server's domain is mapped to 127.0.0.1 inside Chromium, so the links are opened exactly as the console shows
// them. Screenshots go to test-results/screenshots/invite-*.png.
// @xmpp/client has no option for a CA, so certificate checks are off in this file (the integration tests verify).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { client } from '@xmpp/client';
import { within as withinMs } from '../helpers/clients.js';
import { serveParley, stopParley, launchChromium, screenshot, watchPage, SHOTS, type Served } from '../helpers/e2e.js';

const ZBARIMG = '/usr/bin/zbarimg';
const DOMAIN = 'invite-e2e.local';
const ADMIN_PASSWORD = 'amber-quarry-violin-58';
const LENA_PASSWORD = 'copper-kettle-north-17';
const ANDROID_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';

let served: Served;
let browser: Browser;
let consoleContext: BrowserContext;
let phone: BrowserContext;
let page: Page;
let link = '';
const problems: string[] = [];

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return withinMs(p, what, ms);
}

/** The SHA-256 of the server's CA as Node prints it: the one fingerprint people compare. */
function caFingerprint(): string {
  return new X509Certificate(readFileSync(path.join(served.dataDir, 'certs', 'ca.pem'), 'utf8')).fingerprint256;
}

/** What a QR code on the screen says, read back with zbarimg from a screenshot of it. */
async function readQr(locator: ReturnType<Page['locator']>, name: string): Promise<string> {
  const file = path.join(SHOTS, `${name}.png`);
  await locator.screenshot({ path: file });
  const { stdout } = await promisify(execFile)(ZBARIMG, ['-q', '--raw', file]);
  return stdout.trim();
}

async function shot(p: Page, name: string, fullPage = false): Promise<void> {
  await screenshot(p, name, fullPage);
}

/** Record script errors, CSP violations and failed loads of a page, except the responses matching `expected`. */
function watch(p: Page, expected: RegExp): void {
  watchPage(p, problems, (status, url) => expected.test(`${status} ${url}`));
}

before(async () => {
  assert.ok(existsSync(ZBARIMG), `${ZBARIMG} is missing: install Debian's zbar-tools package (apt-get install -y zbar-tools)`);
  [served, browser] = await Promise.all([
    serveParley(DOMAIN, { https: true, dataDirPrefix: 'parley-e2e-invites-' }),
    launchChromium([`--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`]),
  ]);
  consoleContext = await browser.newContext({ viewport: { width: 1100, height: 760 }, colorScheme: 'light' });
  consoleContext.setDefaultTimeout(10_000);
  page = await consoleContext.newPage();
  watch(page, /^$/);
  // The invited person's phone: its own browser profile, a phone's screen and user agent. HTTPS errors are
  // ignored there only because this phone has not installed the server's CA.
  phone = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true, userAgent: ANDROID_UA, colorScheme: 'light', ignoreHTTPSErrors: true });
  phone.setDefaultTimeout(10_000);

  // Set the server up through the wizard's API (console.test.ts covers the wizard's pages); the answer logs the
  // administrator in, in this browser context.
  const setupToken = new URL(served.setupLink).searchParams.get('token')!;
  const r = await page.request.post(new URL('/admin/api/setup/complete', served.setupLink).href, {
    headers: { 'x-parley-setup-token': setupToken },
    data: { choices: { domain: DOMAIN, serverName: 'Parley', adminUser: 'admin', adminPassword: ADMIN_PASSWORD, registration: 'invite', discovery: false, federation: false } },
  });
  assert.equal(r.status(), 200, await r.text());
});

after(async () => {
  await browser?.close();
  await stopParley(served);
});

test('the administrator creates a single-use invitation on the Invitations page: its link, QR code and xmpp: URI', async () => {
  await page.goto(`http://127.0.0.1:${served.httpPort}/admin/#/invitations`);
  await page.getByRole('heading', { level: 1, name: 'Invitations' }).waitFor();
  await page.getByText('There are no active invitations.').waitFor();
  await shot(page, 'invite-console-empty');

  assert.equal(await page.getByRole('radio', { name: /One person/ }).isChecked(), true);
  await page.getByLabel('Works for').selectOption({ label: '3 days' });
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const fresh = page.getByTestId('new-invite');
  await fresh.waitFor();
  link = (await fresh.getByTestId('invite-link').getAttribute('href')) ?? '';
  // Changed on purpose (issue 13): the link is the HTTPS page, never the plain HTTP one.
  assert.match(link, new RegExp(`^https://${DOMAIN.replace(/\./g, '\\.')}:${served.httpsPort}/invite/[A-Za-z0-9_-]{22}$`));
  assert.equal(await fresh.getByTestId('invite-fingerprint').textContent(), caFingerprint(), 'the card shows the CA’s fingerprint');
  const token = link.slice(link.lastIndexOf('/') + 1);
  assert.equal(await fresh.getByTestId('invite-uri').textContent(), `xmpp:${DOMAIN}?register;preauth=${token}`);
  const qr = fresh.getByRole('img', { name: /QR code of the invitation link/ });
  await qr.waitFor();
  assert.ok(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth > 0), 'the QR code image loads under the console’s CSP');
  assert.equal(await readQr(qr, 'invite-qr-console'), link, 'the QR code says the link');
  await page.locator(`tr[data-invite="${token}"]`).waitFor();
  await shot(page, 'invite-console-created', true);
});

test('a multi-use invitation is revoked after a confirmation and moves to the past ones', async () => {
  await page.getByRole('radio', { name: /Several people/ }).check();
  await page.getByLabel('How many people').fill('3');
  await page.getByRole('button', { name: 'Create invitation' }).click();
  const row = page.locator('tr[data-invite]').filter({ hasText: '3 people' });
  await row.waitFor();
  await row.getByRole('button', { name: /^Revoke/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke this invitation?' });
  await dialog.waitFor();
  await shot(page, 'invite-console-revoke-dialog');
  await dialog.getByRole('button', { name: 'Revoke invitation' }).click();
  await dialog.waitFor({ state: 'detached' });
  const past = page.getByRole('region', { name: 'Past invitations' });
  await past.getByText('Revoked', { exact: true }).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Active invitations' }).locator('tr[data-invite]').count(), 1);
});

test('the plain HTTP address of the invitation only points to the HTTPS page, with the fingerprint; no form', async () => {
  const p = await phone.newPage();
  watch(p, /^$/);
  const plain = link.replace(/^https:/, 'http:').replace(`:${served.httpsPort}/`, `:${served.httpPort}/`);
  await p.goto(plain);
  await p.getByRole('heading', { level: 1, name: 'Your invitation to Parley continues on a secure page' }).waitFor();
  assert.equal(await p.getByTestId('secure-link').getAttribute('href'), link);
  assert.equal(await p.getByTestId('fingerprint').textContent(), caFingerprint());
  assert.equal(await p.locator('input[type="password"], form').count(), 0, 'no sign-up form over HTTP');
  await shot(p, 'invite-landing-plain-http', true);
  await p.getByTestId('secure-link').click();
  await p.getByRole('heading', { level: 1, name: `admin@${DOMAIN} invited you to chat on Parley` }).waitFor();
  assert.equal(p.url(), link);
  await p.close();
});

test('on a phone, the link opens the landing page; the invited person signs up in the browser and logs in with an XMPP client', async () => {
  const p = await phone.newPage();
  watch(p, /^400 .*\/register$|^410 .*\/invite\/[A-Za-z0-9_-]+$/);   // the weak password and the spent link below
  await p.goto(link);
  await p.getByRole('heading', { level: 1, name: `admin@${DOMAIN} invited you to chat on Parley` }).waitFor();
  await p.locator('section.platform.this-device[data-platform="android"]').getByText('Conversations').waitFor();
  assert.equal(await p.getByRole('link', { name: 'Open the invitation in your app' }).getAttribute('href'),
    `xmpp:${DOMAIN}?register;preauth=${link.slice(link.lastIndexOf('/') + 1)}`);
  const qr = p.getByRole('img', { name: 'QR code of this page\'s address' });
  await qr.waitFor();
  assert.equal(await readQr(qr, 'invite-qr-landing'), link, 'the landing page’s QR code says its own address');
  assert.equal(await p.getByTestId('fingerprint').textContent(), caFingerprint(), 'the same fingerprint as on the card');
  await shot(p, 'invite-landing-phone', true);

  // The CA download, fetched by the phone's browser itself (Playwright's own requests do not use its name mapping).
  const ca = await p.evaluate(async () => {
    const r = await fetch('/invite/ca.pem');
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  });
  assert.deepEqual([ca.status, ca.type], [200, 'application/x-x509-ca-cert']);
  assert.match(ca.text, /^-----BEGIN CERTIFICATE-----/);

  await p.getByRole('link', { name: 'Sign up in the browser' }).click();
  await p.getByRole('heading', { level: 1, name: 'Create your account on Parley' }).waitFor();
  await p.getByLabel('User name').fill('Lena');
  await p.getByLabel('Password', { exact: true }).fill('lena1');
  await p.getByLabel('Password again').fill('lena1');
  await p.getByRole('button', { name: 'Create account' }).click();
  await p.getByRole('alert').filter({ hasText: 'Your password needs at least 8 characters' }).waitFor();
  assert.equal(await p.getByLabel('User name').inputValue(), 'Lena', 'the name typed is kept');
  await shot(p, 'invite-signup-refused', true);

  await p.getByLabel('Password', { exact: true }).fill(LENA_PASSWORD);
  await p.getByLabel('Password again').fill(LENA_PASSWORD);
  await p.getByRole('button', { name: 'Create account' }).click();
  await p.getByRole('heading', { level: 1, name: 'Welcome! Your account is ready' }).waitFor();
  assert.equal(await p.getByTestId('new-address').textContent(), `lena@${DOMAIN}`);
  await p.getByText(`Open your chat app and log in as lena@${DOMAIN}`).waitFor();
  await shot(p, 'invite-signed-up', true);

  const c = client({ service: `xmpp://127.0.0.1:${served.c2sPort}`, domain: DOMAIN, username: 'lena', password: LENA_PASSWORD, resource: 'phone' });
  c.on('error', () => undefined);
  try {
    const jid = await within(10_000, 'lena to log in', c.start());
    assert.equal(jid.toString(), `lena@${DOMAIN}/phone`);
  } finally {
    c.reconnect.stop();
    await c.stop().catch(() => undefined);
  }

  // The link is spent now: over HTTPS (with the server's own certificate) and over HTTP it says so.
  const overTls = await p.goto(link);
  assert.equal(overTls?.status(), 410);
  const cert = await overTls!.securityDetails();
  assert.equal(cert?.subjectName, DOMAIN, 'the server’s own certificate');
  await p.getByRole('heading', { level: 1, name: 'This invitation has already been used' }).waitFor();
  await shot(p, 'invite-landing-used');
  const plain = link.replace(/^https:/, 'http:').replace(`:${served.httpsPort}/`, `:${served.httpPort}/`);
  const again = await p.goto(plain);
  assert.equal(again?.status(), 410);
  await p.getByRole('heading', { level: 1, name: 'This invitation has already been used' }).waitFor();
  await p.close();
});

test('back in the console, the invitation shows as used, with the account it made', async () => {
  await page.reload();
  const past = page.getByRole('region', { name: 'Past invitations' });
  await past.getByRole('cell', { name: `lena@${DOMAIN}` }).waitFor();
  await past.getByText('Used', { exact: true }).waitFor();
  await page.getByText('There are no active invitations.').waitFor();
  await shot(page, 'invite-console-used', true);
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: /^Users\b/ }).click();
  await page.getByRole('rowheader', { name: `lena@${DOMAIN}` }).waitFor();

  assert.deepEqual(problems, [], 'no script errors, CSP violations or failed loads in the pages');
});
