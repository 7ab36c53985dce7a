// In-band registration (XEP-0077): closed vs open pre-auth behaviour over raw TLS streams, StanzaJS registering
// in-band, password change and account removal for logged-in users (SVC-12…SVC-15, BAD-31).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, login, type Element } from '../helpers/raw-client.js';
import { stanzaLogin, stanzaLoginFailure, nextEvent } from '../helpers/clients.js';
import { emptyItem, rosterStore } from '../../server/storage/roster.js';
import { vcardStore } from '../../server/storage/vcard.js';
import { privateStore } from '../../server/storage/private.js';
import { offlineStore } from '../../server/storage/offline.js';
import { seedAlice, expectContactTold, expectFreshAlice } from '../helpers/account-removal.js';
import { assertStanza, discoInfo, features, stanzaRegisterAndLogin, DOMAIN, xlogin } from './svc-util.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option; StanzaJS and raw clients verify

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const FEATURE = 'http://jabber.org/features/iq-register';
const err = (id: string, type: string, condition: string, text: string, from?: string): string =>
  `<iq type='error' id='${id}'${from ? ` from='${from}'` : ''}><error type='${type}'><${condition} xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>${text}</text></error></iq>`;
const registerSet = (id: string, user: string, password: string): string =>
  `<iq type='set' id='${id}'><query xmlns='jabber:iq:register'><username>${user}</username><password>${password}</password></query></iq>`;

/** A raw client after STARTTLS, before authentication; with the features the server offered there. */
async function preAuth(t: TestServer, localAddress?: string): Promise<{ c: RawClient; before: Element; after: Element }> {
  const c = await RawClient.connect(t.c2sPort, localAddress ? { localAddress } : {});
  const { features: beforeTls } = await c.open();
  await c.startTls(t.caPem);
  const { features: afterTls } = await c.open();
  return { c, before: beforeTls, after: afterTls };
}

async function canLogin(t: TestServer, user: string, password: string): Promise<boolean> {
  const c = await RawClient.connect(t.c2sPort);
  try {
    await c.open();
    await c.startTls(t.caPem);
    await c.open();
    return (await c.authScram(user, password)).name === 'success';
  } finally {
    c.destroy();
  }
}

// 'invite' (the default) offers registration with an invitation token only (XEP-0445; invites*.test.ts has the rest):
// the iq-register feature comes with the token features, as Prosody sends them, and without a token it is refused.
const REFUSAL = {
  closed: { condition: 'service-unavailable', text: 'accounts are created by the administrator' },
  invite: { condition: 'not-allowed', text: 'accounts on this server are created with an invitation: open your invitation link' },
} as const;

for (const policy of ['closed', 'invite'] as const) {
  const { condition, text } = REFUSAL[policy];
  test(`SVC-12: registration "${policy}": ${policy === 'closed' ? 'no iq-register feature' : 'token features only'}, pre-auth get and set without a token → ${condition}, nothing created, not in disco`, async () => {
    const t = await startServer(policy === 'invite' ? {} : { registration: policy });
    try {
      assert.equal(t.server.config.registration, policy);
      const { c, before: b, after: a } = await preAuth(t);
      assert.equal(b.getChild('register', FEATURE), undefined);
      assert.equal(b.getChild('register', 'urn:xmpp:ibr-token:0'), undefined);
      if (policy === 'closed') {
        assert.equal(a.getChild('register', FEATURE), undefined, a.toString());
        assert.equal(a.getChild('register', 'urn:xmpp:ibr-token:0'), undefined, a.toString());
      } else {
        for (const ns of [FEATURE, 'urn:xmpp:ibr-token:0', 'urn:xmpp:invite']) assert.ok(a.getChild('register', ns), `${ns} in ${a.toString()}`);
      }
      assertStanza(await c.iq(`<iq type='get' id='r1'><query xmlns='jabber:iq:register'/></iq>`, 'r1'),
        err('r1', 'cancel', condition, text));
      assertStanza(await c.iq(registerSet('r2', 'mallory', 'secret'), 'r2'),
        err('r2', 'cancel', condition, text));
      assertStanza(await c.iq(`<iq type='get' id='r3' to='${DOMAIN}'><query xmlns='jabber:iq:register'/></iq>`, 'r3'),
        err('r3', 'cancel', condition, text, DOMAIN));
      // The stream is still fine for logging in; nothing was created.
      assert.equal((await c.authScram('mallory', 'secret')).name, 'failure');
      c.destroy();
      assert.equal(await t.server.accounts!.exists('mallory'), false);
      await t.addUser('alice', 'pw');
      const im = await xlogin(t, 'alice', 'pw');
      assert.ok(!features(await discoInfo(im, DOMAIN)).includes('jabber:iq:register'));
      await im.close();
    } finally {
      await t.stop();
    }
  });
}

test('SVC-12/CORE-08: other stanzas before login still close the stream with not-authorized when registration is open', async () => {
  const t = await startServer({ registration: 'open' });
  try {
    const { c } = await preAuth(t);
    c.send(`<iq type='get' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await c.expectStreamError('not-authorized');
  } finally {
    await t.stop();
  }
});

describe('registration open', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ registration: 'open', limits: { registrationsPerIpPerHour: 100 } });
  });
  after(async () => {
    await t.stop();
  });

  test('SVC-13: the iq-register feature is offered after TLS only; get returns instructions, username, password and a form', async () => {
    const { c, before: b, after: a } = await preAuth(t);
    try {
      assert.equal(b.getChild('register', FEATURE), undefined, `not before TLS: ${b.toString()}`);
      assert.ok(a.getChild('register', FEATURE), `after TLS: ${a.toString()}`);
      assert.ok(a.getChild('mechanisms', 'urn:ietf:params:xml:ns:xmpp-sasl'));
      assertStanza(await c.iq(`<iq type='get' id='g1' to='${DOMAIN}'><query xmlns='jabber:iq:register'/></iq>`, 'g1'),
        `<iq type='result' id='g1' from='${DOMAIN}'><query xmlns='jabber:iq:register'>`
        + '<instructions>Choose a username and password for use with this server.</instructions><username/><password/>'
        + "<x xmlns='jabber:x:data' type='form'><title>Create an account</title><instructions>Choose a username and password for use with this server.</instructions>"
        + "<field type='hidden' var='FORM_TYPE'><value>jabber:iq:register</value></field>"
        + "<field type='text-single' var='username' label='Username'><required/></field>"
        + "<field type='text-private' var='password' label='Password'><required/></field></x></query></iq>");
    } finally {
      c.destroy();
    }
  });

  test('SVC-13: missing or empty fields → not-acceptable; a pre-auth <remove/> → unexpected-request', async () => {
    const { c } = await preAuth(t);
    try {
      const cases: [string, string][] = [
        [`<iq type='set' id='m1'><query xmlns='jabber:iq:register'><password>x</password></query></iq>`, 'a username is required'],
        [`<iq type='set' id='m2'><query xmlns='jabber:iq:register'><username/><password>x</password></query></iq>`, 'a username is required'],
        [`<iq type='set' id='m3'><query xmlns='jabber:iq:register'><username>ok</username></query></iq>`, 'a password is required'],
        [`<iq type='set' id='m4'><query xmlns='jabber:iq:register'><username>ok</username><password></password></query></iq>`, 'a password is required'],
        [`<iq type='set' id='m5'><query xmlns='jabber:iq:register'><username>a@b</username><password>x</password></query></iq>`, 'this username cannot be used in an address'],
      ];
      for (const [stanza, text] of cases) {
        const i = /id='(m\d)'/.exec(stanza)![1];
        assertStanza(await c.iq(stanza, i), err(i, 'modify', 'not-acceptable', text));
      }
      assertStanza(await c.iq(`<iq type='set' id='m6'><query xmlns='jabber:iq:register'><remove/></query></iq>`, 'm6'),
        err('m6', 'wait', 'unexpected-request', 'log in to remove your account'));
      assert.equal(await t.server.accounts!.exists('ok'), false);
    } finally {
      c.destroy();
    }
  });

  test('SVC-13/BAD-31: register "juliet", then "JULIET" and fullwidth "ｊｕｌｉｅｔ" conflict; one account per stream; the new account logs in', async () => {
    const { c } = await preAuth(t);
    assertStanza(await c.iq(registerSet('j1', 'juliet', 'R0m30!'), 'j1'), `<iq type='result' id='j1'/>`);
    // The same stream may not create a second account (XEP-0077 §3.1.1).
    assertStanza(await c.iq(registerSet('j2', 'juliet2', 'x'), 'j2'), err('j2', 'modify', 'not-acceptable', 'an account was already created on this connection; log in with it'));
    assert.equal((await c.authScram('juliet', 'R0m30!')).name, 'success');
    c.destroy();
    for (const [n, name] of [['k1', 'JULIET'], ['k2', 'ｊｕｌｉｅｔ'], ['k3', 'Juliet']] as const) {
      const { c: other } = await preAuth(t);
      assertStanza(await other.iq(registerSet(n, name, 'other'), n), err(n, 'cancel', 'conflict', 'this username is taken'));
      other.destroy();
    }
    assert.equal(await canLogin(t, 'juliet', 'R0m30!'), true, 'the first registration still stands');
    assert.equal(await canLogin(t, 'juliet', 'other'), false);
  });

  test('SVC-13: a registration submitted as a jabber:iq:register data form', async () => {
    const { c } = await preAuth(t);
    try {
      assertStanza(await c.iq(`<iq type='set' id='f1'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>`
        + `<field var='FORM_TYPE'><value>jabber:iq:register</value></field><field var='username'><value>formuser</value></field>`
        + `<field var='password'><value>f0rm-pw</value></field></x></query></iq>`, 'f1'), `<iq type='result' id='f1'/>`);
    } finally {
      c.destroy();
    }
    assert.equal(await canLogin(t, 'formuser', 'f0rm-pw'), true);
  });

  test('SVC-13: StanzaJS sees the stream feature, registers in-band with its XEP-0077 API and logs in on the same stream', async () => {
    const { login: s, fields, offered } = await stanzaRegisterAndLogin(t, 'romeo', 'Juli3t!');
    try {
      assert.equal(offered, true);
      assert.equal(fields.instructions, 'Choose a username and password for use with this server.');
      const form = fields.form as { fields?: { name?: string; required?: boolean }[] } | undefined;
      assert.deepEqual(form?.fields?.map((f) => [f.name, f.required ?? false]), [['FORM_TYPE', false], ['username', true], ['password', true]]);
      assert.match(s.client.jid, new RegExp(`^romeo@${DOMAIN.replace('.', '\\.')}/`));
    } finally {
      await s.close();
    }
  });

  test('SVC-12/SVC-13: jabber:iq:register is in the server disco#info when registration is open', async () => {
    await t.addUser('discoer', 'pw');
    const im = await xlogin(t, 'discoer', 'pw');
    try {
      assert.ok(features(await discoInfo(im, DOMAIN)).includes('jabber:iq:register'));
    } finally {
      await im.close();
    }
  });
});

test('SVC-13: registrations are rate-limited per remote address', async () => {
  const t = await startServer({ registration: 'open', limits: { registrationsPerIpPerHour: 2 } });
  try {
    for (const [i, user] of [['a1', 'one'], ['a2', 'two']]) {
      const { c } = await preAuth(t);
      assertStanza(await c.iq(registerSet(i, user, 'pw'), i), `<iq type='result' id='${i}'/>`);
      c.destroy();
    }
    const { c } = await preAuth(t);
    assertStanza(await c.iq(registerSet('a3', 'three', 'pw'), 'a3'),
      err('a3', 'modify', 'not-acceptable', 'too many accounts were created from your address; try again later'));
    c.destroy();
    // Another address is not affected.
    const { c: other } = await preAuth(t, '127.0.0.2');
    assertStanza(await other.iq(registerSet('a4', 'four', 'pw'), 'a4'), `<iq type='result' id='a4'/>`);
    other.destroy();
    assert.equal(await t.server.accounts!.exists('three'), false);
  } finally {
    await t.stop();
  }
});

describe('password change and account removal (registration closed)', () => {
  let t: TestServer;
  before(async () => {
    t = await startServer({ registration: 'closed' });
  });
  after(async () => {
    await t.stop();
  });

  test('SVC-14: a logged-in user is told they are registered and changes the password with StanzaJS; the new one works, the old not', async () => {
    await t.addUser('paula', 'old-pw');
    const s = await stanzaLogin(t, 'paula', 'old-pw');
    try {
      const info = await s.client.getAccountInfo();
      assert.equal(info.registered, true);
      assert.equal(info.username, 'paula');
      await s.client.updateAccount(DOMAIN, { username: 'paula', password: 'new-pw' });
    } finally {
      await s.close();
    }
    const again = await stanzaLogin(t, 'paula', 'new-pw');
    await again.close();
    const { failure, login: l } = await stanzaLoginFailure(t, 'paula', 'old-pw');
    assert.equal(failure.condition, 'not-authorized');
    await l.close();
  });

  test('SVC-14: an empty password never replaces the old one, another account\'s name is refused, and errors do not echo the password', async () => {
    await t.addUser('quinn', 'keep-me');
    const c = await login(t.c2sPort, t.caPem, 'quinn', 'keep-me');
    try {
      for (const [i, body] of [['e1', '<username>quinn</username><password/>'], ['e2', '<username>quinn</username><password></password>'], ['e3', '<username>quinn</username>']] as const) {
        assertStanza(await c.iq(`<iq type='set' id='${i}' to='${DOMAIN}'><query xmlns='jabber:iq:register'>${body}</query></iq>`, i),
          `<iq type='error' id='${i}' from='${DOMAIN}' to='${c.jid}'><error type='modify'><not-acceptable xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>a password is required</text></error></iq>`);
      }
      const mark = c.received.length;
      assertStanza(await c.iq(`<iq type='set' id='e4'><query xmlns='jabber:iq:register'><username>paula</username><password>hijack-secret</password></query></iq>`, 'e4'),
        `<iq type='error' id='e4' to='${c.jid}'><error type='modify'><bad-request xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>you can only change the password of the account you are logged in with</text></error></iq>`);
      assert.ok(!c.received.slice(mark).includes('hijack-secret'), 'the password is not echoed');
    } finally {
      await c.close();
    }
    assert.equal(await canLogin(t, 'quinn', 'keep-me'), true);
    assert.equal(await canLogin(t, 'paula', 'new-pw'), true);
  });

  test('SVC-15: <remove/> deletes the account and its data, answers, then closes every stream of it with not-authorized; login then fails', async () => {
    const storage = t.server.storage!;
    const stores = {
      accounts: t.server.accounts!,
      roster: storage.get(rosterStore),
      vcard: storage.get(vcardStore),
      private: storage.get(privateStore),
    };
    await t.addUser('zoe', 'zoe-pw');
    await t.addUser('yan', 'yan-pw');
    // Zoe and Yan see each other's presence; Zoe has a vCard and private data.
    await stores.roster.put('zoe', { ...emptyItem(`yan@${DOMAIN}`), subscription: 'both', listed: true, name: 'Yan' });
    await stores.roster.put('yan', { ...emptyItem(`zoe@${DOMAIN}`), subscription: 'both', listed: true, name: 'Zoe', groups: ['Friends'] });
    await stores.vcard.set('zoe', '<vCard xmlns="vcard-temp"><FN>Zoe</FN></vCard>');
    await stores.private.set('zoe', { ns: 'urn:example', name: 'x' }, '<x xmlns="urn:example">1</x>');
    const yan = await login(t.c2sPort, t.caPem, 'yan', 'yan-pw');
    // Yan's client fetched the roster and is online, so it is told about changes (RFC 6121 §2.1.6, §3.2.3).
    assert.equal((await yan.iq(`<iq type='get' id='ros'><query xmlns='jabber:iq:roster'/></iq>`, 'ros')).attrs.type, 'result');
    yan.send(`<presence/>`);
    const c1 = await login(t.c2sPort, t.caPem, 'zoe', 'zoe-pw');
    const c2 = await login(t.c2sPort, t.caPem, 'zoe', 'zoe-pw');
    // <remove/> must be alone.
    assertStanza(await c1.iq(`<iq type='set' id='x0'><query xmlns='jabber:iq:register'><remove/><username>zoe</username></query></iq>`, 'x0'),
      `<iq type='error' id='x0' to='${c1.jid}'><error type='modify'><bad-request xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>&lt;remove/&gt; must be the only child of &lt;query/&gt;</text></error></iq>`);
    c1.send(`<iq type='set' id='rm1'><query xmlns='jabber:iq:register'><remove/></query></iq>`);
    // The result comes first, then the stream error (XEP-0077 §3.2).
    assertStanza(await c1.nextElement(undefined, 'the result of <remove/>'), `<iq type='result' id='rm1' to='${c1.jid}'/>`);
    await c1.expectStreamError('not-authorized');
    await c2.expectStreamError('not-authorized');
    assert.equal(await stores.accounts.exists('zoe'), false);
    assert.equal(await stores.vcard.get('zoe'), null);
    assert.equal(await stores.private.size('zoe'), 0);
    assert.deepEqual(await stores.roster.all('zoe'), []);
    // Yan no longer shares presence with a "zoe" that might be registered again, and was told so.
    const item = await stores.roster.get('yan', `zoe@${DOMAIN}`);
    assert.deepEqual(item, { ...emptyItem(`zoe@${DOMAIN}`), subscription: 'none', listed: true, name: 'Zoe', groups: ['Friends'] });
    assertStanza(await yan.nextElement((e) => e.name === 'presence' && e.attrs.type === 'unsubscribed', 'unsubscribed from zoe'),
      `<presence type='unsubscribed' from='zoe@${DOMAIN}' to='yan@${DOMAIN}'/>`);
    assertStanza(await yan.nextElement((e) => e.name === 'presence' && e.attrs.type === 'unsubscribe', 'unsubscribe from zoe'),
      `<presence type='unsubscribe' from='zoe@${DOMAIN}' to='yan@${DOMAIN}'/>`);
    const pushes: string[] = [];
    for (let i = 0; i < 2; i++) {
      const push = await yan.nextElement((e) => e.name === 'iq' && e.attrs.type === 'set', 'a roster push');
      pushes.push(push.getChild('query')!.getChild('item')!.toString());
      yan.send(`<iq type='result' id='${String(push.attrs.id)}'/>`);
    }
    assert.deepEqual(pushes, [
      `<item jid="zoe@${DOMAIN}" name="Zoe" subscription="from"><group>Friends</group></item>`,
      `<item jid="zoe@${DOMAIN}" name="Zoe" subscription="none"><group>Friends</group></item>`,
    ]);
    yan.destroy();
    assert.equal(await canLogin(t, 'zoe', 'zoe-pw'), false);
  });

  test('SVC-15: StanzaJS deleteAccount: the iq succeeds and the server ends the session', async () => {
    await t.addUser('walt', 'walt-pw');
    const s = await stanzaLogin(t, 'walt', 'walt-pw');
    const gone = nextEvent(s.client, 'disconnected', 'StanzaJS walt to be disconnected');
    let incoming = '';
    s.client.on('raw', (direction: string, data: string) => {
      if (direction === 'incoming') incoming += data;
    });
    const result = await s.client.deleteAccount(DOMAIN);
    assert.equal(result.type, 'result');
    await gone;
    assert.match(incoming, /<stream:error><not-authorized xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/>/);
    assert.equal(await t.server.accounts!.exists('walt'), false);
  });
});

test('SVC-15: a stanza from another server naming the same localpart cannot remove or re-key a local account', async () => {
  const t = await startServer();
  try {
    await t.addUser('bob', 'bob-password');
    const { el } = await import('../../server/core/xml.js');
    const replies: Element[] = [];
    const { REMOTE_KEY } = await import('../../server/core/router.js');
    // Answers to a remote sender leave through the router's `route/remote` event (what federation hooks).
    const unhook = t.server.context_.router.hook(REMOTE_KEY, (ev) => {
      replies.push(ev.stanza);
      return true;
    });
    for (const payload of [el('remove'), el('password', null, 'stolen')]) {
      const stanza = el('iq', { type: 'set', id: 'evil', from: 'bob@other.example/x', to: DOMAIN }, el('query', { xmlns: 'jabber:iq:register' }, payload));
      await t.server.context_.router.submit(stanza, 'peer');
    }
    unhook();
    assert.deepEqual(replies.map((r) => [r.attrs.type, r.attrs.to, r.getChild('error')?.getChild('service-unavailable') !== undefined]), [['error', 'bob@other.example/x', true], ['error', 'bob@other.example/x', true]]);
    assert.equal(await t.server.accounts!.exists('bob'), true, 'the local account is still there');
    const c = await login(t.c2sPort, t.caPem, 'bob', 'bob-password');
    await c.close();
  } finally {
    await t.stop();
  }
});

// The account lifecycle's removal, by the XEP-0077 path (seams issue part 5; SVC-15, XEP-0077 §3.2, RFC 6121 §3.2–3.3):
// one scenario for every removal path (console-api, cli: server running and not), test/helpers/account-removal.ts.
test('SVC-15: <remove/> cancels the subscriptions (bob told, his roster at none) and drops everything; alice registered again starts empty', async () => {
  const t = await startServer({ registration: 'open', limits: { registrationsPerIpPerHour: 100 } });
  const register = async (user: string, password: string): Promise<void> => {
    const { c } = await preAuth(t);
    try {
      assert.equal((await c.iq(registerSet('reg', user, password), 'reg')).attrs.type, 'result');
    } finally {
      c.destroy();
    }
  };
  try {
    await register('alice', 'alice-first');
    await register('bob', 'bob-pw');
    const { alice, bob } = await seedAlice(t, 'alice-first', 'bob-pw');
    try {
      assert.equal(await t.server.storage!.get(offlineStore).count('alice'), 1, 'a message is queued for alice');
      alice.send(`<iq type='set' id='rm'><query xmlns='jabber:iq:register'><remove/></query></iq>`);
      assert.equal((await alice.nextElement((e) => e.name === 'iq' && e.attrs.id === 'rm', 'the result of <remove/>')).attrs.type, 'result');
      // Then her streams close with not-authorized (after bob's unavailable presence, as her unsubscribe ended it).
      const streamError = await alice.nextElement((e) => e.name === 'stream:error', 'the stream error');
      assert.ok(streamError.getChild('not-authorized', 'urn:ietf:params:xml:ns:xmpp-streams'), streamError.toString());
      await expectContactTold(bob);
      await register('alice', 'alice-second');
      await expectFreshAlice(t, 'alice-second');
    } finally {
      alice.destroy();
      bob.destroy();
    }
  } finally {
    await t.stop();
  }
});
