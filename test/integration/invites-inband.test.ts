// Invitations used in-band (XEP-0445 pre-authenticated in-band registration, as Conversations does it for an
// xmpp:DOMAIN?register;preauth=TOKEN link): the stream features, <preauth xmlns='urn:xmpp:pars:0' token/> before
// jabber:iq:register, one account per token use, the reserved name, expiry checked only when the token is shown,
// and the policies 'closed' and 'open'. Raw streams over STARTTLS, verified against the server's CA.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, assertStanzaError, stanzaError, type Element } from '../helpers/raw-client.js';
import { inviteStore } from '../../server/storage/invites.js';

const IQ_REGISTER = 'http://jabber.org/features/iq-register';
const IBR_TOKEN = 'urn:xmpp:ibr-token:0';
const INVITE_LEGACY = 'urn:xmpp:invite';

let n = 0;
const nid = (p: string): string => `${p}${++n}`;

/** A raw client after STARTTLS, before authentication, and the features offered there. */
async function preAuth(t: TestServer): Promise<{ c: RawClient; features: Element }> {
  const c = await RawClient.connect(t.c2sPort);
  await c.open();
  await c.startTls(t.caPem);
  const { features } = await c.open();
  return { c, features };
}

function preauthIq(token: string, o: { to?: boolean } = {}): { xml: string; id: string } {
  const id = nid('pa');
  return { id, xml: `<iq type='set' id='${id}'${o.to === false ? '' : ` to='${DOMAIN}'`}><preauth xmlns='urn:xmpp:pars:0' token='${token}'/></iq>` };
}

function registerSet(user: string | null, password: string): { xml: string; id: string } {
  const id = nid('reg');
  return { id, xml: `<iq type='set' id='${id}'><query xmlns='jabber:iq:register'>${user === null ? '' : `<username>${user}</username>`}<password>${password}</password></query></iq>` };
}

async function send(c: RawClient, q: { xml: string; id: string }): Promise<Element> {
  return c.iq(q.xml, q.id);
}

async function canLogin(t: TestServer, user: string, password: string): Promise<boolean> {
  const { c } = await preAuth(t);
  try {
    return (await c.authScram(user, password)).name === 'success';
  } finally {
    c.destroy();
  }
}

describe('registration "invite" (the default)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer();
    assert.equal(t.server.config.registration, 'invite');
  });
  after(async () => {
    await t.stop();
  });

  test('features after TLS: XEP-0445 <register xmlns=urn:xmpp:ibr-token:0/> with its older name and the XEP-0077 feature; none before TLS', async () => {
    const c = await RawClient.connect(t.c2sPort);
    const { features: plain } = await c.open();
    for (const ns of [IQ_REGISTER, IBR_TOKEN, INVITE_LEGACY]) assert.equal(plain.getChild('register', ns), undefined, plain.toString());
    await c.startTls(t.caPem);
    const { features } = await c.open();
    for (const ns of [IQ_REGISTER, IBR_TOKEN, INVITE_LEGACY]) assert.ok(features.getChild('register', ns), `${ns} in ${features.toString()}`);
    c.destroy();
  });

  test('a valid token, then jabber:iq:register: one account, which logs in on the same stream; the use is taken', async () => {
    const invite = await t.server.admin!.createInvite({ uses: 1, expiresInHours: 1 });
    const { c } = await preAuth(t);
    // An unknown token: item-not-found (XEP-0445 §4), from the domain it was addressed to.
    const bad = await send(c, preauthIq('x'.repeat(22)));
    assertStanzaError(bad, 'item-not-found', 'cancel');
    assert.equal(bad.attrs.from, DOMAIN);
    assert.equal(stanzaError(bad).text, 'the invitation token is invalid or expired');
    // Without a token nothing is offered.
    assertStanzaError(await send(c, registerSet('dave', 'dave-secret-1')), 'not-allowed', 'cancel');

    const ok = await send(c, preauthIq(invite.token));
    assert.equal(ok.attrs.type, 'result', ok.toString());
    assert.equal(ok.attrs.from, DOMAIN);
    assert.equal((await t.server.storage!.get(inviteStore).get(invite.token))!.uses, 0, 'presenting the token takes no use (XEP-0445 §4)');
    const formId = nid('get');
    const form = await c.iq(`<iq type='get' id='${formId}'><query xmlns='jabber:iq:register'/></iq>`, formId);
    assert.equal(form.attrs.type, 'result', form.toString());
    assert.ok(form.getChild('query', 'jabber:iq:register')?.getChild('x', 'jabber:x:data'), 'the registration form');

    const done = await send(c, registerSet('Dave', 'dave-secret-1'));
    assert.equal(done.attrs.type, 'result', done.toString());
    // One account per stream (XEP-0077 §3.1.1).
    assertStanzaError(await send(c, registerSet('dave2', 'dave-secret-2')), 'not-acceptable', 'modify');
    assert.equal((await c.authScram('dave', 'dave-secret-1')).name, 'success', 'the new account logs in');
    c.destroy();

    const doc = (await t.server.storage!.get(inviteStore).get(invite.token))!;
    assert.deepEqual([doc.uses, doc.accounts], [1, ['dave']]);
    // The used token is refused on the next stream, whatever the client tries.
    const { c: c2 } = await preAuth(t);
    assertStanzaError(await send(c2, preauthIq(invite.token, { to: false })), 'item-not-found', 'cancel');
    assertStanzaError(await send(c2, registerSet('eve', 'eve-secret-1')), 'not-allowed', 'cancel');
    c2.destroy();
    assert.equal(await t.server.accounts!.exists('eve'), false);
  });

  test('a token reserving a name: the form offers it, another name is refused, and an open registration elsewhere cannot take it', async () => {
    const invite = await t.server.admin!.createInvite({ uses: 1, expiresInHours: 1, username: 'erin' });
    const { c } = await preAuth(t);
    const ok = await send(c, preauthIq(invite.token, { to: false }));
    assert.equal(ok.attrs.type, 'result', ok.toString());
    assert.equal(ok.attrs.from, undefined, 'no from when the request named no server');
    const formId = nid('get');
    const form = await c.iq(`<iq type='get' id='${formId}'><query xmlns='jabber:iq:register'/></iq>`, formId);
    const q = form.getChild('query', 'jabber:iq:register')!;
    assert.equal(q.getChildText('username'), 'erin');
    const field = q.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'username')!;
    assert.equal(field.getChildText('value'), 'erin');

    const other = await send(c, registerSet('frank', 'erin-secret-1'));
    assertStanzaError(other, 'not-acceptable', 'modify');
    assert.equal(stanzaError(other).text, 'this invitation is for the username erin');
    assert.equal((await t.server.storage!.get(inviteStore).get(invite.token))!.uses, 0, 'a refused registration takes no use');
    // The reserved name without <username/> is fine too.
    assert.equal((await send(c, registerSet(null, 'erin-secret-1'))).attrs.type, 'result');
    c.destroy();
    assert.equal(await canLogin(t, 'erin', 'erin-secret-1'), true);
    assert.equal(await t.server.accounts!.exists('frank'), false);
  });

  test('expiry is checked when the token is presented, not again when registering (XEP-0445 §4); a revocation meanwhile is', async () => {
    const { c } = await preAuth(t);
    const store = t.server.storage!.get(inviteStore);
    const soon = await store.create({ maxUses: 1, expiresAt: Date.now() + 1500, createdBy: 'admin', username: null });
    assert.equal((await send(c, preauthIq(soon._id))).attrs.type, 'result');
    await new Promise((r) => setTimeout(r, Math.max(0, soon.expiresAt - Date.now() + 50)));
    assert.ok(Date.now() > soon.expiresAt, 'the token has expired by now');
    assert.equal((await send(c, registerSet('gina', 'gina-secret-1'))).attrs.type, 'result');
    c.destroy();
    assert.equal(await canLogin(t, 'gina', 'gina-secret-1'), true);

    const { c: c2 } = await preAuth(t);
    const revoked = await t.server.admin!.createInvite({ uses: 3, expiresInHours: 1 });
    assert.equal((await send(c2, preauthIq(revoked.token))).attrs.type, 'result');
    await t.server.admin!.revokeInvite(revoked.token);
    const refused = await send(c2, registerSet('hank', 'hank-secret-1'));
    assertStanzaError(refused, 'not-allowed', 'cancel');
    assert.equal(stanzaError(refused).text, 'the invitation has been used up or revoked');
    c2.destroy();
    assert.equal(await t.server.accounts!.exists('hank'), false);
  });

  test('a token is refused on a name that exists (conflict) without taking a use, and a preauth get is a bad request', async () => {
    const invite = await t.server.admin!.createInvite({ uses: 2, expiresInHours: 1 });
    await t.addUser('ivy', 'ivy-secret-1');
    const { c } = await preAuth(t);
    const getId = nid('pa');
    assertStanzaError(await c.iq(`<iq type='get' id='${getId}'><preauth xmlns='urn:xmpp:pars:0' token='${invite.token}'/></iq>`, getId), 'bad-request', 'modify');
    assert.equal((await send(c, preauthIq(invite.token))).attrs.type, 'result');
    assertStanzaError(await send(c, registerSet('IVY', 'ivy-secret-2')), 'conflict', 'cancel');
    assert.equal((await t.server.storage!.get(inviteStore).get(invite.token))!.uses, 0);
    c.destroy();
  });
});

describe('registration "closed" and "open"', () => {
  test('closed: no token features, and a token is refused like registration itself', async () => {
    const t = await startServer({ registration: 'closed' });
    try {
      const token = (await t.server.storage!.get(inviteStore).create({ maxUses: 1, expiresAt: Date.now() + 3600_000, createdBy: '', username: null }))._id;
      const { c, features } = await preAuth(t);
      for (const ns of [IQ_REGISTER, IBR_TOKEN, INVITE_LEGACY]) assert.equal(features.getChild('register', ns), undefined, features.toString());
      assertStanzaError(await send(c, preauthIq(token)), 'service-unavailable', 'cancel');
      c.destroy();
    } finally {
      await t.stop();
    }
  });

  test('open: anyone registers, but not a name an invitation reserves; the invitation itself still works', async () => {
    const t = await startServer({ registration: 'open' });
    try {
      const invite = await t.server.admin!.createInvite({ uses: 1, expiresInHours: 1, username: 'judy' });
      const { c, features } = await preAuth(t);
      for (const ns of [IQ_REGISTER, IBR_TOKEN]) assert.ok(features.getChild('register', ns), features.toString());
      const taken = await send(c, registerSet('judy', 'judy-secret-1'));
      assertStanzaError(taken, 'conflict', 'cancel');
      assert.equal((await send(c, registerSet('kim', 'kim-secret-1'))).attrs.type, 'result', 'open registration as before');
      c.destroy();
      const { c: c2 } = await preAuth(t);
      assert.equal((await send(c2, preauthIq(invite.token))).attrs.type, 'result');
      assert.equal((await send(c2, registerSet('judy', 'judy-secret-1'))).attrs.type, 'result');
      c2.destroy();
      assert.equal(await canLogin(t, 'judy', 'judy-secret-1'), true);
      assert.equal((await t.server.admin!.listInvites())[0].state, 'used');
    } finally {
      await t.stop();
    }
  });
});
