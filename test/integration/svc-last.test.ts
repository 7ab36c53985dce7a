// Last Activity (XEP-0012, SVC-09): server uptime, and an account's last logout told only to those it shares its
// presence with; unknown accounts and unauthorised askers get the same answer (BAD-33).
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, startWithUsers, type TestServer } from '../helpers/server.js';
import { within } from '../helpers/clients.js';
import { emptyItem, type Subscription, rosterStore } from '../../server/storage/roster.js';
import { assertStanza, canon, iq, discoInfo, features, id, xlogin, svcServer, DOMAIN, type SvcClient } from './svc-util.js';
import { lastActivityStore } from '../../server/storage/last-activity.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const FORBIDDEN = (i: string, from: string, to: string): string =>
  `<iq type='error' id='${i}' from='${from}' to='${to}'><error type='auth'><forbidden xmlns='${STANZAS}'/>`
  + `<text xmlns='${STANZAS}' xml:lang='en'>only contacts who see this user's presence may ask</text></error></iq>`;

const last = (c: SvcClient, to: string, i = id('last')): Promise<Element> =>
  iq(c, `<iq type='get' id='${i}' to='${to}'><query xmlns='jabber:iq:last'/></iq>`);

/** `seconds` of a result, checked to be a non-negative integer no larger than `max`. */
function secondsOf(r: Element, max: number): number {
  assert.equal(r.attrs.type, 'result', r.toString());
  const s = String(r.getChild('query')!.attrs.seconds);
  assert.match(s, /^\d+$/);
  assert.ok(Number(s) <= max, `seconds ${s} ≤ ${max}`);
  return Number(s);
}

/** Same stanza as `expected` apart from the value of the seconds attribute. */
function assertLast(r: Element, expected: string, max = 60): void {
  const s = secondsOf(r, max);
  assert.equal(canon(r), canon(expected.replace('SECONDS', String(s))));
}

async function share(t: TestServer, owner: string, contact: string, subscription: Subscription): Promise<void> {
  await t.server.storage!.get(rosterStore).put(owner, { ...emptyItem(`${contact}@${DOMAIN}`), subscription, listed: true });
}

/** Ask until the server has stored the last logout (it is written when the last session has ended). */
async function lastOnceStored(c: SvcClient, to: string): Promise<Element> {
  for (let i = 0; i < 50; i++) {
    const r = await last(c, to);
    if (r.attrs.type === 'result') return r;
  }
  throw new Error(`no last activity for ${to}`);
}

describe('last activity', () => {
  const svc = svcServer({ alice: 'pw', bob: 'pw', carol: 'pw', dave: 'pw', erin: 'pw' });
  const x = svc.login;
  before(async () => {
    await share(svc.t, 'alice', 'bob', 'from');    // alice → bob: bob sees alice's presence
    await share(svc.t, 'alice', 'carol', 'to');    // alice sees carol's, not the other way round
    await share(svc.t, 'erin', 'bob', 'both');     // erin never logged in
  });

  test('SVC-09: last activity of the server is its uptime in seconds, without text; jabber:iq:last is advertised', async () => {
    const b = await x('bob');
    const i = id('last');
    assertLast(await last(b, DOMAIN, i), `<iq type='result' id='${i}' from='${DOMAIN}' to='${b.jid}'><query xmlns='jabber:iq:last' seconds='SECONDS'/></iq>`);
    assert.ok(features(await discoInfo(b, DOMAIN)).includes('jabber:iq:last'));
  });

  test('SVC-09/BAD-33: requesters the account does not share presence with get forbidden — the same as for an account that does not exist', async () => {
    const c = await x('carol');   // alice sees carol, carol does not see alice
    const d = await x('dave');    // no relation at all
    const online = await x('alice');
    for (const asker of [c, d]) {
      for (const target of ['alice', 'erin', 'nosuch']) {
        const i = id('last');
        assertStanza(await last(asker, `${target}@${DOMAIN}`, i), FORBIDDEN(i, `${target}@${DOMAIN}`, asker.jid));
      }
    }
    await online.close();
  });

  test('SVC-09: a subscribed contact gets 0 while the account is online, then the seconds since logout and the last status text', async () => {
    const b = await x('bob');
    const a = await xlogin(svc.t, 'alice', 'pw');
    const i = id('last');
    assertStanza(await last(b, `alice@${DOMAIN}`, i), `<iq type='result' id='${i}' from='alice@${DOMAIN}' to='${b.jid}'><query xmlns='jabber:iq:last' seconds='0'/></iq>`);
    // Going offline with a status: the unavailable presence is still handled as usual, its status is kept.
    await a.send(`<presence type='unavailable'><status>Heading Home</status></presence>`);
    const ended = new Promise<void>((resolve) => {
      const on = (s: { jid: { toString(): string } }): void => {
        if (s.jid.toString() !== a.jid) return;
        svc.t.server.context_.router.events.off('session-ended', on);
        resolve();
      };
      svc.t.server.context_.router.events.on('session-ended', on);
    });
    await a.close();
    await within(ended, 'alice\'s session to end');
    const r = await lastOnceStored(b, `alice@${DOMAIN}`);
    assertLast(r, `<iq type='result' id='${String(r.attrs.id)}' from='alice@${DOMAIN}' to='${b.jid}'><query xmlns='jabber:iq:last' seconds='SECONDS'>Heading Home</query></iq>`, 5);
    assert.deepEqual({ ...(await svc.t.server.storage!.get(lastActivityStore).get('alice')), at: 0 }, { at: 0, status: 'Heading Home' });
  });

  test('SVC-09: a subscribed contact asking about an account that never logged out gets service-unavailable', async () => {
    const b = await x('bob');
    const i = id('last');
    assertStanza(await last(b, `erin@${DOMAIN}`, i),
      `<iq type='error' id='${i}' from='erin@${DOMAIN}' to='${b.jid}'><error type='cancel'><service-unavailable xmlns='${STANZAS}'/></error></iq>`);
  });
});

test('SVC-09: the last logout survives a restart, and a logout without status text answers without text', async () => {
  const t1 = await startWithUsers({ alice: 'pw', bob: 'pw' });
  await share(t1, 'alice', 'bob', 'both');
  const a = await xlogin(t1, 'alice', 'pw');
  const ended = new Promise<void>((resolve) => t1.server.context_.router.events.once('session-ended', () => resolve()));
  await a.close();
  await within(ended, 'alice\'s session to end');
  const b1 = await xlogin(t1, 'bob', 'pw');
  const r1 = await lastOnceStored(b1, `alice@${DOMAIN}`);
  assert.equal(r1.getChild('query')!.getText(), '');
  await b1.close();
  await t1.stop();
  const t2 = await startServer({}, { dataDir: t1.dataDir });
  try {
    const b2 = await xlogin(t2, 'bob', 'pw');
    const i = id('last');
    assertLast(await last(b2, `alice@${DOMAIN}`, i), `<iq type='result' id='${i}' from='alice@${DOMAIN}' to='${b2.jid}'><query xmlns='jabber:iq:last' seconds='SECONDS'/></iq>`, 10);
    await b2.close();
  } finally {
    await t2.stop();
  }
});
