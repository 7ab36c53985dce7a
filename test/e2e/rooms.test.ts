// Group chat administration end to end (issue 10) in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) against a real `parley serve` and its MUC service: the administrator creates a room on the
// Rooms page, a real XMPP client (@xmpp/client) enters it, the occupant appears on the page with its real address,
// the administrator kicks it from the page and the client gets the unavailable presence with status 307; then the
// room is destroyed from the page with a reason. Also the Group chat section of the Settings page. Screenshots go
// to test-results/screenshots/rooms-*.png.
// @xmpp/client has no option for a CA, so certificate checks are off in this file (the integration tests verify).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { Element } from 'ltx';
import { client, xml, type Client } from '@xmpp/client';
import { within as withinMs } from '../helpers/clients.js';
import { serveParley, stopParley, launchChromium, screenshot, watchPage, type Served } from '../helpers/e2e.js';

const DOMAIN = 'rooms-e2e.local';
const SERVICE = `conference.${DOMAIN}`;
const ADMIN_PASSWORD = 'maple-lantern-orbit-93';
const BOB_PASSWORD = 'river-stone-quiet-71';
const MUC = 'http://jabber.org/protocol/muc';
const MUC_USER = 'http://jabber.org/protocol/muc#user';

let served: Served;
let browser: Browser;
let page: Page;
let bob: Client | null = null;
const problems: string[] = [];

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return withinMs(p, what, ms);
}

/** The first stanza bob receives that matches, from now on. */
function nextStanza(c: Client, pred: (s: Element) => boolean): Promise<Element> {
  return new Promise((resolve) => {
    const on = (s: Element): void => {
      if (!pred(s)) return;
      c.removeListener('stanza', on);
      resolve(s);
    };
    c.on('stanza', on);
  });
}

function statusCodes(s: Element): number[] {
  return (s.getChild('x', MUC_USER)?.getChildren('status') ?? []).map((x) => Number(x.attrs.code)).sort((a, b) => a - b);
}

before(async () => {
  [served, browser] = await Promise.all([serveParley(DOMAIN, { https: false, dataDirPrefix: 'parley-e2e-rooms-' }), launchChromium()]);
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 }, colorScheme: 'light' });
  context.setDefaultTimeout(10_000);
  page = await context.newPage();
  watchPage(page, problems, () => false);

  // Set the server up through the wizard's API (console.test.ts covers the wizard's pages); the answer logs the
  // administrator in, in this browser context. bob's account is made through the console's API.
  const setupToken = new URL(served.setupLink).searchParams.get('token')!;
  const r = await page.request.post(new URL('/admin/api/setup/complete', served.setupLink).href, {
    headers: { 'x-parley-setup-token': setupToken },
    data: { choices: { domain: DOMAIN, serverName: 'Parley', adminUser: 'admin', adminPassword: ADMIN_PASSWORD, registration: 'closed', discovery: false, federation: false } },
  });
  assert.equal(r.status(), 200, await r.text());
  const { csrfToken } = (await r.json() as { result: { csrfToken: string } }).result;
  const added = await page.request.post(new URL('/admin/api/addUser', served.setupLink).href, {
    headers: { 'x-parley-csrf': csrfToken }, data: { user: 'bob', password: BOB_PASSWORD },
  });
  assert.equal(added.status(), 200, await added.text());
});

after(async () => {
  await bob?.stop().catch(() => undefined);
  await browser?.close();
  await stopParley(served);
});

test('a room created on the Rooms page is entered by a real client, shown with its occupant, who is kicked from the page and gets 307', async (t) => {
  await page.goto(`http://127.0.0.1:${served.httpPort}/admin/#/rooms`);
  await page.getByRole('heading', { level: 1, name: 'Rooms' }).waitFor();
  await page.getByText('There are no rooms yet.').waitFor();

  await page.getByRole('button', { name: 'Create a room' }).click();
  await page.getByLabel('Room name').fill('Team');
  await page.getByText(`team@${SERVICE}`).waitFor();
  await page.getByLabel('Title').fill('The team');
  await page.getByRole('switch', { name: 'Moderated' }).check();
  await screenshot(page, 'rooms-create');
  await page.getByRole('button', { name: 'Create room' }).click();
  const row = page.locator(`tr[data-room="team@${SERVICE}"]`);
  await row.waitFor();
  await page.getByText(`Created team@${SERVICE}. People join it at this address.`).waitFor();
  assert.equal(await row.getByTestId('occupant-count').textContent(), '0');
  assert.deepEqual(await row.locator('.badge').allTextContents(), ['Listed', 'Kept when empty', 'Moderated']);
  // The new room is opened: nobody is in it yet.
  const details = page.getByTestId('room-details');
  await details.getByRole('heading', { name: 'Nobody is in the room' }).waitFor();

  // bob enters with a real client. The room is moderated, so he is a visitor.
  bob = client({ service: `xmpp://127.0.0.1:${served.c2sPort}`, domain: DOMAIN, username: 'bob', password: BOB_PASSWORD, resource: 'phone' });
  bob.on('error', () => undefined);
  await within(10_000, 'bob to log in', bob.start());
  bob.reconnect.stop();
  const self = nextStanza(bob, (s) => s.is('presence') && s.attrs.from === `team@${SERVICE}/Bob`);
  await bob.send(xml('presence', { to: `team@${SERVICE}/Bob` }, xml('x', { xmlns: MUC })));
  const entered = await within(10_000, 'bob to enter', self);
  assert.equal(entered.attrs.type, undefined, entered.toString());
  assert.deepEqual(statusCodes(entered), [110]);

  // The page follows the service: bob appears, with his real address, role and affiliation.
  const occupant = details.locator('tr[data-occupant="Bob"]');
  const enteredAt = Date.now();
  await occupant.waitFor({ timeout: 15_000 });
  t.diagnostic(`bob appeared on the Rooms page ${Date.now() - enteredAt} ms after entering`);
  assert.deepEqual(await occupant.locator('th, td').allTextContents(), ['Bob', `bob@${DOMAIN}`, 'Visitor', '—', 'Kick Bob']);
  await row.getByTestId('occupant-count').filter({ hasText: '1' }).waitFor();
  await screenshot(page, 'rooms-occupant', true);

  const kicked = nextStanza(bob, (s) => s.is('presence') && s.attrs.type === 'unavailable' && s.attrs.from === `team@${SERVICE}/Bob`);
  await occupant.getByRole('button', { name: 'Kick Bob' }).click();
  const dialog = page.getByRole('dialog', { name: `Kick Bob out of team@${SERVICE}?` });
  await dialog.waitFor();
  await dialog.getByLabel('Reason (optional)').fill('Please take a break');
  await screenshot(page, 'rooms-kick-dialog');
  await dialog.getByRole('button', { name: 'Kick' }).click();
  const gone = await within(10_000, 'bob to be kicked', kicked);
  assert.deepEqual(statusCodes(gone), [110, 307]);
  const item = gone.getChild('x', MUC_USER)?.getChild('item');
  assert.equal(item?.attrs.role, 'none');
  assert.equal(item?.getChildText('reason'), 'Please take a break');
  await page.getByText(`Bob was kicked out of team@${SERVICE}.`).waitFor();
  await details.getByRole('heading', { name: 'Nobody is in the room' }).waitFor();
  assert.equal(await row.getByTestId('occupant-count').textContent(), '0');
  await screenshot(page, 'rooms-kicked', true);
});

test('a room is destroyed from the page with a reason; the occupant inside is told', async () => {
  assert.ok(bob);
  const self = nextStanza(bob, (s) => s.is('presence') && s.attrs.from === `team@${SERVICE}/Bob`);
  await bob.send(xml('presence', { to: `team@${SERVICE}/Bob` }, xml('x', { xmlns: MUC })));
  assert.equal((await within(10_000, 'bob to enter again', self)).attrs.type, undefined);
  const row = page.locator(`tr[data-room="team@${SERVICE}"]`);
  await row.getByTestId('occupant-count').filter({ hasText: '1' }).waitFor({ timeout: 15_000 });

  const told = nextStanza(bob, (s) => s.is('presence') && s.attrs.type === 'unavailable' && s.attrs.from === `team@${SERVICE}/Bob`);
  await row.getByRole('button', { name: `Destroy team@${SERVICE}` }).click();
  const dialog = page.getByRole('dialog', { name: `Destroy team@${SERVICE}?` });
  await dialog.getByText('The person in it leaves at once.', { exact: false }).waitFor();
  await dialog.getByLabel('Reason (optional)').fill('We moved to the lobby');
  await dialog.getByRole('button', { name: 'Destroy room' }).click();
  const gone = await within(10_000, 'bob to be told', told);
  assert.equal(gone.getChild('x', MUC_USER)?.getChild('destroy')?.getChildText('reason'), 'We moved to the lobby');
  await page.getByText(`Destroyed team@${SERVICE}.`).waitFor();
  await page.getByText('There are no rooms yet.').waitFor();
});

test('the Group chat settings are saved from the Settings page and apply at once', async () => {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: /^Settings\b/ }).click();
  await page.getByRole('heading', { level: 2, name: 'Group chat' }).waitFor();
  await page.getByRole('radio', { name: /Administrators only/ }).check();
  await page.getByLabel('People in one room at most').fill('25');
  await page.getByRole('switch', { name: 'Members only' }).check();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved. The changes apply now.').waitFor();
  await screenshot(page, 'rooms-settings', true);
  const config = JSON.parse(await fs.readFile(path.join(served.dataDir, 'config.json'), 'utf8')) as { muc?: unknown };
  assert.deepEqual(config.muc, { createRooms: 'admins', maxOccupants: 25, defaults: { membersOnly: true } });
  assert.deepEqual(problems, [], 'no script errors, CSP violations or failed loads');
});
