// vcard-temp (XEP-0054) over real sockets: raw XML (exact bytes), @xmpp/client and StanzaJS's typed vCard API.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, startWithUsers } from '../helpers/server.js';
import { login } from '../helpers/raw-client.js';
import { stanzaLogin } from '../helpers/clients.js';
import { assertStanza, iq, discoInfo, features, id, DOMAIN, svcServer } from './svc-util.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option; StanzaJS and raw clients verify

const PHOTO = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

describe('vcard-temp', () => {
  const svc = svcServer({ alice: 'pw-alice', bob: 'pw-bob', carol: 'pw-carol', dave: 'pw-dave', erin: 'pw-erin', frank: 'pw-frank' });
  const im = svc.login;

  test('VCARD-01: a new account gets an empty <vCard/> for its own vCard, without `to` and to its own bare JID', async () => {
    const a = await im('alice');
    const i1 = id('v');
    assertStanza(await iq(a, `<iq type='get' id='${i1}'><vCard xmlns='vcard-temp'/></iq>`),
      `<iq type='result' id='${i1}' to='${a.jid}'><vCard xmlns='vcard-temp'/></iq>`);
    const i2 = id('v');
    assertStanza(await iq(a, `<iq type='get' id='${i2}' to='alice@${DOMAIN}'><vCard xmlns='vcard-temp'/></iq>`),
      `<iq type='result' id='${i2}' from='alice@${DOMAIN}' to='${a.jid}'><vCard xmlns='vcard-temp'/></iq>`);
  });

  test('VCARD-02: a vCard set over a raw stream is answered with an empty result and comes back byte for byte', async () => {
    const c = await login(svc.t.c2sPort, svc.t.caPem, 'bob', 'pw-bob');
    try {
      // Written the way the server serialises XML, so "unmodified" can be checked on the bytes themselves.
      const vcard = '<vCard xmlns="vcard-temp"><FN>Bob &amp; Co &lt;dev&gt;</FN><N><FAMILY>Builder</FAMILY><GIVEN>Bob</GIVEN><MIDDLE/></N>'
        + '<TEL><WORK/><VOICE/><NUMBER>303-308-3282</NUMBER></TEL><EMAIL><INTERNET/><PREF/><USERID>bob@example.org</USERID></EMAIL>'
        + `<PHOTO><TYPE>image/png</TYPE><BINVAL>${PHOTO.toString('base64')}</BINVAL></PHOTO><DESC>Zeile 1\nZeile 2 — ünïcødé 😀</DESC></vCard>`;
      const set = await c.iq(`<iq type='set' id='set1'>${vcard}</iq>`, 'set1');
      assertStanza(set, `<iq type='result' id='set1' to='${c.jid}'/>`);
      const before = c.received.length;
      const got = await c.iq(`<iq type='get' id='get1'><vCard xmlns='vcard-temp'/></iq>`, 'get1');
      assert.equal(got.attrs.type, 'result', got.toString());
      assert.ok(c.received.slice(before).includes(vcard), `the vCard bytes as set: ${c.received.slice(before)}`);
      // A second set replaces the whole vCard (§3.2: no partial updates).
      const vcard2 = '<vCard xmlns="vcard-temp"><NICKNAME>bobby</NICKNAME></vCard>';
      assertStanza(await c.iq(`<iq type='set' id='set2'>${vcard2}</iq>`, 'set2'), `<iq type='result' id='set2' to='${c.jid}'/>`);
      const mark = c.received.length;
      await c.iq(`<iq type='get' id='get2'><vCard xmlns='vcard-temp'/></iq>`, 'get2');
      assert.ok(c.received.slice(mark).includes(`<iq type="result" id="get2" to="${c.jid}">${vcard2}</iq>`), c.received.slice(mark));
    } finally {
      await c.close();
    }
  });

  test('VCARD-02: namespace prefixes the vCard inherits from its stanza are declared on the stored copy', async () => {
    const c = await login(svc.t.c2sPort, svc.t.caPem, 'frank', 'pw-frank');
    try {
      const set = await c.iq(`<iq type='set' id='px1' xmlns:x='urn:example:ext'><vCard xmlns='vcard-temp'><FN>F</FN><x:EXT x:a='1'>e</x:EXT></vCard></iq>`, 'px1');
      assert.equal(set.attrs.type, 'result', set.toString());
      const got = await c.iq(`<iq type='get' id='px2'><vCard xmlns='vcard-temp'/></iq>`, 'px2');
      assertStanza(got, `<iq type='result' id='px2' to='${c.jid}'><vCard xmlns='vcard-temp' xmlns:x='urn:example:ext'><FN>F</FN><x:EXT x:a='1'>e</x:EXT></vCard></iq>`);
    } finally {
      await c.close();
    }
  });

  test('VCARD-02/VCARD-04: StanzaJS publishVCard and getVCard round-trip, for the owner and for another user', async () => {
    const carol = await stanzaLogin(svc.t, 'carol', 'pw-carol');
    const dave = await stanzaLogin(svc.t, 'dave', 'pw-dave');
    try {
      await carol.client.publishVCard({
        fullName: 'Carol Example',
        name: { family: 'Example', given: 'Carol' },
        records: [
          { type: 'nickname', value: 'caro' },
          // StanzaJS 12 maps BINVAL as text although its typings say Buffer: it takes (and gives) the base64.
          { type: 'photo', mediaType: 'image/png', data: PHOTO.toString('base64') as unknown as Buffer },
          { type: 'email', value: 'carol@example.org', types: ['internet'], preferred: true },
        ],
      });
      for (const reader of [carol, dave]) {
        const v = await reader.client.getVCard(`carol@${DOMAIN}`);
        assert.equal(v.fullName, 'Carol Example');
        assert.deepEqual(v.name, { family: 'Example', given: 'Carol' });
        assert.deepEqual(v.records?.filter((r) => r.type === 'nickname'), [{ type: 'nickname', value: 'caro' }]);
        const photo = v.records?.find((r) => r.type === 'photo') as { mediaType?: string; data?: unknown } | undefined;
        assert.equal(photo?.mediaType, 'image/png');
        assert.equal(photo?.data, PHOTO.toString('base64'), 'the photo survives');
        const email = v.records?.find((r) => r.type === 'email') as { value?: string } | undefined;
        assert.equal(email?.value, 'carol@example.org');
      }
    } finally {
      await carol.close();
      await dave.close();
    }
  });

  test('VCARD-02: a vCard over the size limit (64 KiB by default) is refused with not-acceptable; the old one stays', async () => {
    const e = await im('erin');
    const ok = id('v');
    assertStanza(await iq(e, `<iq type='set' id='${ok}'><vCard xmlns='vcard-temp'><FN>Erin</FN></vCard></iq>`), `<iq type='result' id='${ok}' to='${e.jid}'/>`);
    const big = id('v');
    const huge = 'A'.repeat(66 * 1024);
    assertStanza(await iq(e, `<iq type='set' id='${big}'><vCard xmlns='vcard-temp'><PHOTO><TYPE>image/png</TYPE><BINVAL>${huge}</BINVAL></PHOTO></vCard></iq>`),
      `<iq type='error' id='${big}' to='${e.jid}'><error type='modify'><not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>`
      + `<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>the vCard is larger than this server's limit of 65536 bytes; use a smaller photo</text></error></iq>`);
    const get = id('v');
    assertStanza(await iq(e, `<iq type='get' id='${get}'><vCard xmlns='vcard-temp'/></iq>`),
      `<iq type='result' id='${get}' to='${e.jid}'><vCard xmlns='vcard-temp'><FN>Erin</FN></vCard></iq>`);
  });

  test('VCARD-03: setting the vCard of another account is forbidden, whether it exists or not', async () => {
    const a = await im('alice');
    for (const target of [`bob@${DOMAIN}`, `nosuch@${DOMAIN}`]) {
      const i = id('v');
      assertStanza(await iq(a, `<iq type='set' id='${i}' to='${target}'><vCard xmlns='vcard-temp'><FN>Mallory</FN></vCard></iq>`),
        `<iq type='error' id='${i}' from='${target}' to='${a.jid}'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>`
        + `<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>you can only change your own vCard</text></error></iq>`);
    }
    // Bob's vCard is still his own.
    const i = id('v');
    const got = await iq(a, `<iq type='get' id='${i}' to='bob@${DOMAIN}'><vCard xmlns='vcard-temp'/></iq>`);
    assert.equal(got.getChild('vCard')?.getChildText('NICKNAME'), 'bobby', got.toString());
  });

  test('VCARD-04/BAD-33: the server answers for other accounts (never forwarding); no vCard and no account get the same service-unavailable', async () => {
    const a = await im('alice');
    const f = await im('frank');   // online owner: must not see the request
    const got = id('v');
    assertStanza(await iq(a, `<iq type='get' id='${got}' to='frank@${DOMAIN}'><vCard xmlns='vcard-temp'/></iq>`),
      `<iq type='result' id='${got}' from='frank@${DOMAIN}' to='${a.jid}'><vCard xmlns='vcard-temp' xmlns:x='urn:example:ext'><FN>F</FN><x:EXT x:a='1'>e</x:EXT></vCard></iq>`);
    await f.sync();
    assert.deepEqual(f.pending((e) => e.is('iq') && e.attrs.type === 'get' && !!e.getChild('vCard')), [], 'the request was not forwarded');
    const errors: string[] = [];
    for (const target of ['dave', 'nosuch']) {   // dave exists and never set a vCard
      const i = id('v');
      const r = await iq(a, `<iq type='get' id='${i}' to='${target}@${DOMAIN}'><vCard xmlns='vcard-temp'/></iq>`);
      assertStanza(r, `<iq type='error' id='${i}' from='${target}@${DOMAIN}' to='${a.jid}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
      errors.push(r.getChild('error')!.toString());
    }
    assert.equal(errors[0], errors[1], 'identical errors for "no vCard" and "no account"');
  });

  test('VCARD-05: vcard-temp is advertised in the server disco#info', async () => {
    const a = await im('alice');
    assert.ok(features(await discoInfo(a, DOMAIN)).includes('vcard-temp'));
  });
});

test('VCARD-02: a stored vCard survives a server restart', async () => {
  const t1 = await startWithUsers({ alice: 'pw' });
  const vcard = '<vCard xmlns="vcard-temp"><FN>Alice</FN><NICKNAME>al</NICKNAME></vCard>';
  const c1 = await login(t1.c2sPort, t1.caPem, 'alice', 'pw');
  assert.equal((await c1.iq(`<iq type='set' id='s'>${vcard}</iq>`, 's')).attrs.type, 'result');
  await c1.close();
  await t1.stop();
  const t2 = await startServer({}, { dataDir: t1.dataDir });
  try {
    const c2 = await login(t2.c2sPort, t2.caPem, 'alice', 'pw');
    const mark = c2.received.length;
    await c2.iq(`<iq type='get' id='g'><vCard xmlns='vcard-temp'/></iq>`, 'g');
    assert.ok(c2.received.slice(mark).includes(`<iq type="result" id="g" to="${c2.jid}">${vcard}</iq>`), c2.received.slice(mark));
    await c2.close();
  } finally {
    await t2.stop();
  }
});
