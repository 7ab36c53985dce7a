// The headless admin console in real Chromium (Debian's /usr/bin/chromium, driven by playwright-core) against a
// real `parley serve` on a fresh data folder: the setup wizard from the printed link, adding a user in the GUI and
// logging that user in with @xmpp/client, ending its session from the GUI, the certificate fingerprint against
// what the TLS listener presents, and the login in the live log. Screenshots of every page visited go to
// test-results/screenshots/.
// @xmpp/client has no option for a CA, so certificate checks are off in this file; the fingerprint is compared
// with the TLS listener's certificate instead.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import tls from 'node:tls';
import { promises as fs } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { client, type Client, type XmppError } from '@xmpp/client';
import { within as withinMs } from '../helpers/clients.js';
import { serveParley, stopParley, launchChromium, screenshot, watchPage, type Served } from '../helpers/e2e.js';

const DOMAIN = 'e2e.local';
const ADMIN_PASSWORD = 'violet-harbour-lantern-42';

let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
let bob: { password: string; client: Client | null } = { password: '', client: null };
let setupFingerprint = '';

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return withinMs(p, what, ms);
}

async function shot(name: string, fullPage = false): Promise<void> {
  await screenshot(page, name, fullPage);
}

async function go(nav: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: new RegExp(`^${nav}\\b`) }).click();
  await page.getByRole('heading', { level: 1, name: nav }).waitFor();
}

/** The SHA-256 fingerprint of the certificate the direct-TLS listener presents. */
function presentedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: DOMAIN, rejectUnauthorized: false, ALPNProtocols: ['xmpp-client'] }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.destroy();
      resolve(fp);
    });
    s.once('error', reject);
  });
}

before(async () => {
  [served, browser] = await Promise.all([serveParley(DOMAIN, { https: false, dataDirPrefix: 'parley-e2e-' }), launchChromium()]);
  const context = await browser.newContext({ viewport: { width: 1024, height: 700 }, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  watchPage(page, pageErrors, (_status, url) => /\/admin\/setup\?token=wrong$|\/admin\/api\/login$/.test(url));
});

after(async () => {
  await bob.client?.stop().catch(() => undefined);
  await browser?.close();
  await stopParley(served);
});

test('the setup wizard opens from the printed link and sets up the server and its first administrator', async () => {
  // Without the token, no wizard.
  const base = served.setupLink.replace(/\/admin\/setup\?.*$/, '');
  const refused = await page.goto(`${base}/admin/setup?token=wrong`);
  assert.equal(refused?.status(), 403);
  await page.getByRole('heading', { name: 'This setup link is not valid' }).waitFor();
  await shot('setup-0-bad-link');

  await page.goto(served.setupLink);
  await page.getByRole('heading', { level: 1, name: 'Welcome to Parley' }).waitFor();
  assert.equal(await page.getByLabel('Server address').inputValue(), DOMAIN);
  await shot('setup-1-server');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 1, name: 'Your administrator account' }).waitFor();
  await page.getByLabel('Account name').fill('admin');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Password again').fill('short');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('alert').filter({ hasText: 'at least 8 characters' }).waitFor();
  await page.getByLabel('Password', { exact: true }).fill(ADMIN_PASSWORD);
  await page.getByLabel('Password again').fill(ADMIN_PASSWORD);
  await page.getByText('Strength:').waitFor();
  await shot('setup-2-administrator');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 1, name: 'Who may join?' }).waitFor();
  assert.equal(await page.getByRole('radio', { name: /People I invite/ }).isChecked(), true);
  await page.getByRole('radio', { name: /Only accounts I create/ }).check();
  await shot('setup-3-who-may-join');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 1, name: 'The server’s certificate' }).waitFor();
  setupFingerprint = (await page.getByTestId('setup-fingerprint').textContent()) ?? '';
  assert.match(setupFingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await shot('setup-4-certificate');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 1, name: 'Network check' }).waitFor();
  await page.getByRole('cell', { name: String(served.c2sPort), exact: true }).waitFor();
  await shot('setup-5-network');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 1, name: 'Finding and reaching Parley' }).waitFor();
  await shot('setup-6-discovery');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 1, name: 'Ready to finish' }).waitFor();
  await shot('setup-7-review');
  await page.getByRole('button', { name: 'Finish setup' }).click();

  await page.getByRole('heading', { level: 1, name: 'Connect your first device' }).waitFor();
  assert.equal(await page.getByTestId('connect-jid').textContent(), `admin@${DOMAIN}`);
  await page.getByText(setupFingerprint).first().waitFor();
  await shot('setup-8-connect');

  // The link is spent: it now leads to the console, where the new administrator is logged in.
  await page.getByRole('button', { name: 'Open the console' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
  await page.getByText('Running').waitFor();
  await shot('dashboard');
  const again = await page.request.get(served.setupLink, { maxRedirects: 0 });
  assert.equal(again.status(), 303);

  const config = JSON.parse(await fs.readFile(path.join(served.dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(config.setupDone, true);
  assert.equal(config.registration, 'closed');
  assert.equal(config.domain, DOMAIN);
});

test('a user added in the GUI logs in with @xmpp/client, shows as a live session and is disconnected from the GUI', async () => {
  await go('Users');
  await page.getByRole('button', { name: 'Add a person' }).click();
  await page.getByLabel('Account name').fill('bob');
  bob.password = await page.getByLabel('Password', { exact: true }).inputValue();
  assert.ok(bob.password.length >= 16, 'a generated password');
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.getByTestId('new-password').waitFor();
  assert.equal(await page.getByTestId('new-password').textContent(), bob.password);
  await page.getByRole('rowheader', { name: `bob@${DOMAIN}` }).waitFor();
  await shot('users-added');

  const c = client({ service: `xmpp://127.0.0.1:${served.c2sPort}`, domain: DOMAIN, username: 'bob', password: bob.password, resource: 'phone' });
  bob.client = c;
  const errors: XmppError[] = [];
  c.on('error', (err: XmppError) => errors.push(err));
  await within(10_000, 'bob to log in', c.start());
  c.reconnect.stop(); // so that the kicked client stays off

  // The Users page follows session events: bob's session appears without a reload.
  const row = page.locator(`tr[data-session="bob@${DOMAIN}/phone"]`);
  await row.waitFor();
  await shot('users-live-session');

  const offline = new Promise<void>((resolve) => c.once('offline', () => resolve()));
  const disconnected = new Promise<void>((resolve) => c.once('disconnect', () => resolve()));
  await row.getByRole('button', { name: /End session/ }).click();
  const dialog = page.getByRole('dialog', { name: 'End this session?' });
  await dialog.waitFor();
  await shot('users-kick-dialog');
  await dialog.getByRole('button', { name: 'End session' }).click();
  await within(10_000, 'bob to be disconnected', Promise.race([offline, disconnected]));
  assert.ok(errors.some((e) => e.condition === 'policy-violation'), `a policy-violation stream error, got ${errors.map((e) => e.condition).join(', ')}`);
  await page.getByText('Nobody is connected right now.').waitFor();
  await page.getByText(`Ended the session of bob@${DOMAIN}/phone.`).waitFor();
  await shot('users-kicked');
});

test('the certificate page shows the fingerprint that the TLS listener presents', async () => {
  await go('Certificates');
  const shown = (await page.getByTestId('cert-fingerprint').textContent()) ?? '';
  const presented = await presentedFingerprint(served.tlsPort);
  assert.equal(shown, presented);
  assert.equal(shown, setupFingerprint);
  const download = await page.request.get(new URL('api/ca.pem', page.url()).href);
  assert.equal(download.status(), 200);
  assert.match(await download.text(), /^-----BEGIN CERTIFICATE-----/);
  await shot('certificates');
});

test('the log page shows the login, live, and filters by level and text', async () => {
  await go('Logs');
  const log = page.getByRole('log', { name: 'Server log' });
  await log.getByText(`bob@${DOMAIN} logged in from 127.0.0.1`).waitFor();
  await shot('logs');
  await page.getByLabel('Search').fill('logged in');
  await log.getByText(`bob@${DOMAIN} logged in from 127.0.0.1`).waitFor();
  assert.equal(await log.getByText('listening for').count(), 0);
  await shot('logs-search');

  // A new line arrives live: a failed console login from the API shows up without a reload.
  await page.getByLabel('Search').fill('failed console login');
  const r = await page.request.post(new URL('api/login', page.url()).href, { data: { user: 'nobody', password: 'wrong' } });
  assert.equal(r.status(), 400);
  await log.getByText('failed console login as nobody').waitFor();
  await page.getByLabel('Show').selectOption('warn');
  assert.equal(await log.getByText('failed console login as nobody').count(), 0);
});

test('the settings page saves a live setting, and the other pages render', async () => {
  await go('Settings');
  await page.getByRole('radio', { name: /Anyone/ }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved. The changes apply now.').waitFor();
  await shot('settings');
  await shot('settings-full', true);
  const config = JSON.parse(await fs.readFile(path.join(served.dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(config.registration, 'open');

  await go('Invitations');
  await page.getByRole('heading', { level: 2, name: 'New invitation' }).waitFor();
  await page.getByText('There are no active invitations.').waitFor();
  await shot('invitations');

  await go('Dashboard');
  await page.getByText('Anyone who can reach this server can create an account').waitFor();
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot('dashboard-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Log in to the console' }).waitFor();
  await page.getByLabel('Administrator account').fill('admin');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').filter({ hasText: 'That name or password is not right.' }).waitFor();
  await shot('login-refused');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

  assert.deepEqual(pageErrors, [], 'no script errors, CSP violations or failed loads in the pages');
});
