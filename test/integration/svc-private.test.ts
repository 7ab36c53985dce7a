// Private XML storage (XEP-0049, MOD-49) over real sockets: StanzaJS's typed bookmarks API and raw XML.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { login } from '../helpers/raw-client.js';
import { stanzaLogin } from '../helpers/clients.js';
import { assertStanza, iq, discoInfo, features, id, DOMAIN, svcServer } from './svc-util.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option; StanzaJS and raw clients verify

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

describe('private XML storage', () => {
  const svc = svcServer({ alice: 'pw-alice', bob: 'pw-bob', carol: 'pw-carol' }, { limits: { maxPrivateBytes: 4096 } });
  const im = svc.login;

  test('MOD-49: StanzaJS stores bookmarks with setPrivateData and reads them back with getPrivateData', async () => {
    const s = await stanzaLogin(svc.t, 'alice', 'pw-alice');
    try {
      const rooms = [{ jid: `lounge@conference.${DOMAIN}`, name: 'Lounge', nick: 'al', autoJoin: true }];
      await s.client.setPrivateData('bookmarks', { rooms } as never);
      const got = await s.client.getPrivateData('bookmarks');
      assert.deepEqual(got?.rooms?.map((r) => ({ jid: String(r.jid), name: r.name, nick: r.nick, autoJoin: r.autoJoin })), rooms);
    } finally {
      await s.close();
    }
  });

  test('MOD-49: elements are stored unmodified per namespace and name; a get for nothing stored echoes the empty element', async () => {
    const c = await login(svc.t.c2sPort, svc.t.caPem, 'bob', 'pw-bob');
    try {
      const prefs = '<prefs xmlns="urn:example:prefs" v="2"><theme>dark &amp; quiet</theme><font size="12"/></prefs>';
      const other = '<notes xmlns="urn:example:prefs"><n>one</n></notes>';
      assertStanza(await c.iq(`<iq type='set' id='p1'><query xmlns='jabber:iq:private'>${prefs}${other}</query></iq>`, 'p1'), `<iq type='result' id='p1' to='${c.jid}'/>`);
      let mark = c.received.length;
      await c.iq(`<iq type='get' id='p2'><query xmlns='jabber:iq:private'><prefs xmlns='urn:example:prefs'/></query></iq>`, 'p2');
      assert.ok(c.received.slice(mark).includes(`<iq type="result" id="p2" to="${c.jid}"><query xmlns="jabber:iq:private">${prefs}</query></iq>`), c.received.slice(mark));
      mark = c.received.length;
      await c.iq(`<iq type='get' id='p3'><query xmlns='jabber:iq:private'><notes xmlns='urn:example:prefs'/></query></iq>`, 'p3');
      assert.ok(c.received.slice(mark).includes(`<query xmlns="jabber:iq:private">${other}</query>`), c.received.slice(mark));
      // Nothing stored under this name: the request's element comes back empty.
      assertStanza(await c.iq(`<iq type='get' id='p4'><query xmlns='jabber:iq:private'><other xmlns='urn:example:none'/></query></iq>`, 'p4'),
        `<iq type='result' id='p4' to='${c.jid}'><query xmlns='jabber:iq:private'><other xmlns='urn:example:none'/></query></iq>`);
      // Storing the empty element deletes what was there.
      assertStanza(await c.iq(`<iq type='set' id='p5'><query xmlns='jabber:iq:private'><notes xmlns='urn:example:prefs'/></query></iq>`, 'p5'), `<iq type='result' id='p5' to='${c.jid}'/>`);
      assertStanza(await c.iq(`<iq type='get' id='p6'><query xmlns='jabber:iq:private'><notes xmlns='urn:example:prefs'/></query></iq>`, 'p6'),
        `<iq type='result' id='p6' to='${c.jid}'><query xmlns='jabber:iq:private'><notes xmlns='urn:example:prefs'/></query></iq>`);
      // Alice's data is hers alone (the same namespace and name in another account).
      const a = await im('alice');
      const i = id('p');
      assertStanza(await iq(a, `<iq type='get' id='${i}'><query xmlns='jabber:iq:private'><prefs xmlns='urn:example:prefs'/></query></iq>`),
        `<iq type='result' id='${i}' to='${a.jid}'><query xmlns='jabber:iq:private'><prefs xmlns='urn:example:prefs'/></query></iq>`);
    } finally {
      await c.close();
    }
  });

  test('MOD-49: reserved namespaces and a query without a child are not-acceptable', async () => {
    const c = await im('carol');
    for (const inner of ['<x xmlns="jabber:client"/>', '<x xmlns="jabber:server"/>', '<query xmlns="jabber:iq:private"/>', '<x/>']) {
      for (const type of ['get', 'set']) {
        const i = id('p');
        const r = await iq(c, `<iq type='${type}' id='${i}'><query xmlns='jabber:iq:private'>${inner}</query></iq>`);
        assert.equal(r.attrs.type, 'error', r.toString());
        assert.equal(r.getChild('error')!.attrs.type, 'modify');
        assert.ok(r.getChild('error')!.getChild('not-acceptable', STANZAS), `${type} ${inner}: ${r.toString()}`);
      }
    }
    for (const type of ['get', 'set']) {
      const i = id('p');
      assertStanza(await iq(c, `<iq type='${type}' id='${i}'><query xmlns='jabber:iq:private'/></iq>`),
        `<iq type='error' id='${i}' to='${c.jid}'><error type='modify'><not-acceptable xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>name the element to store or retrieve</text></error></iq>`);
    }
  });

  test('MOD-49/BAD-33: private data of another account is forbidden, existing or not, for get and set', async () => {
    const c = await im('carol');
    for (const target of [`bob@${DOMAIN}`, `nosuch@${DOMAIN}`]) {
      for (const type of ['get', 'set']) {
        const i = id('p');
        assertStanza(await iq(c, `<iq type='${type}' id='${i}' to='${target}'><query xmlns='jabber:iq:private'><prefs xmlns='urn:example:prefs'/></query></iq>`),
          `<iq type='error' id='${i}' from='${target}' to='${c.jid}'><error type='auth'><forbidden xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>private data can only be used by its owner</text></error></iq>`);
      }
    }
    // Addressed to one's own bare JID it works like no `to` at all.
    const i = id('p');
    assertStanza(await iq(c, `<iq type='set' id='${i}' to='carol@${DOMAIN}'><query xmlns='jabber:iq:private'><mine xmlns='urn:example:c'>1</mine></query></iq>`),
      `<iq type='result' id='${i}' from='carol@${DOMAIN}' to='${c.jid}'/>`);
  });

  test('MOD-49: an account cannot store more than the configured private storage limit', async () => {
    const c = await im('carol');
    const i1 = id('p');
    assertStanza(await iq(c, `<iq type='set' id='${i1}'><query xmlns='jabber:iq:private'><big xmlns='urn:example:big'>${'x'.repeat(3000)}</big></query></iq>`),
      `<iq type='result' id='${i1}' to='${c.jid}'/>`);
    const i2 = id('p');
    assertStanza(await iq(c, `<iq type='set' id='${i2}'><query xmlns='jabber:iq:private'><big2 xmlns='urn:example:big'>${'y'.repeat(3000)}</big2></query></iq>`),
      `<iq type='error' id='${i2}' to='${c.jid}'><error type='modify'><not-acceptable xmlns='${STANZAS}'/><text xmlns='${STANZAS}' xml:lang='en'>private storage is limited to 4096 bytes per account</text></error></iq>`);
    // Replacing an element counts only the new version.
    const i3 = id('p');
    assertStanza(await iq(c, `<iq type='set' id='${i3}'><query xmlns='jabber:iq:private'><big xmlns='urn:example:big'>${'z'.repeat(3500)}</big></query></iq>`),
      `<iq type='result' id='${i3}' to='${c.jid}'/>`);
  });

  test('MOD-49: jabber:iq:private is advertised in the server disco#info', async () => {
    const c = await im('carol');
    assert.ok(features(await discoInfo(c, DOMAIN)).includes('jabber:iq:private'));
  });
});
