// Server and account service discovery as this modules shape it: the server's identity and features
// (SVC-01/05, DISCO 11a), XEP-0157 contact addresses in a XEP-0128 form (SVC-06/07), and accounts answering others
// the same whether or not they exist (SVC-03/04, BAD-33).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, type TestServer } from '../helpers/server.js';
import { resolveConfig, ConfigError } from '../../server/core/config.js';
import { assertStanza, iq, discoInfo, features, id, xlogin, DOMAIN, type SvcClient } from './svc-util.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';

describe('server disco#info with contact addresses', () => {
  let t: TestServer;
  let c: SvcClient;
  before(async () => {
    t = await startWithUsers({ alice: 'pw', bob: 'pw' }, {
      contactAddresses: {
        admin: [`mailto:admin@${DOMAIN}`, `xmpp:admin@${DOMAIN}`],
        abuse: [`mailto:abuse@${DOMAIN}`],
        status: ['https://status.example.org/'],
      },
    });
    c = await xlogin(t, 'alice', 'pw');
  });
  after(async () => {
    await c.close();
    await t.stop();
  });

  test('SVC-01/SVC-05/VCARD-05: identity server/im; vcard-temp, jabber:iq:private, jabber:iq:last advertised; no jabber:iq:register while registration is not open', async () => {
    const r = await discoInfo(c, DOMAIN);
    assert.equal(r.attrs.type, 'result', r.toString());
    const q = r.getChild('query', DISCO_INFO)!;
    const ids = q.getChildren('identity');
    assert.ok(ids.some((i) => i.attrs.category === 'server' && i.attrs.type === 'im'), q.toString());
    for (const i of ids) assert.ok(i.attrs.category && i.attrs.type, `identity with category and type: ${i.toString()}`);
    for (const f of q.getChildren('feature')) {
      assert.ok(f.attrs.var, f.toString());
      assert.equal(f.children.length, 0, `a feature has no children: ${f.toString()}`);
    }
    const fs = features(r);
    for (const f of [DISCO_INFO, 'http://jabber.org/protocol/disco#items', 'vcard-temp', 'jabber:iq:private', 'jabber:iq:last']) assert.ok(fs.includes(f), `${f} in ${fs.join(' ')}`);
    assert.ok(!fs.includes('jabber:iq:register'));
  });

  test('SVC-06/SVC-07: the XEP-0157 serverinfo form: FORM_TYPE first and hidden, then one list-multi field per configured role', async () => {
    const r = await discoInfo(c, DOMAIN);
    const forms = r.getChild('query', DISCO_INFO)!.getChildren('x', 'jabber:x:data');
    assert.equal(forms.length, 1, r.toString());
    assertStanza(forms[0], "<x xmlns='jabber:x:data' type='result'>"
      + "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/network/serverinfo</value></field>"
      + `<field var='abuse-addresses' type='list-multi'><value>mailto:abuse@${DOMAIN}</value></field>`
      + `<field var='admin-addresses' type='list-multi'><value>mailto:admin@${DOMAIN}</value><value>xmpp:admin@${DOMAIN}</value></field>`
      + "<field var='status-addresses' type='list-multi'><value>https://status.example.org/</value></field></x>");
    assert.equal(forms[0].getChildElements()[0].attrs.var, 'FORM_TYPE', 'FORM_TYPE comes first');
  });

  test('SVC-03/SVC-04/BAD-33: disco#info to another account is service-unavailable, identical for an existing and a non-existent one; the owner sees account/registered', async () => {
    const errors: string[] = [];
    for (const target of ['bob', 'nosuch']) {
      const i = id('d');
      const r = await iq(c, `<iq type='get' id='${i}' to='${target}@${DOMAIN}'><query xmlns='${DISCO_INFO}'/></iq>`);
      assertStanza(r, `<iq type='error' id='${i}' from='${target}@${DOMAIN}' to='${c.jid}'><error type='cancel'><service-unavailable xmlns='${STANZAS}'/></error></iq>`);
      errors.push(r.getChild('error')!.toString());
    }
    assert.equal(errors[0], errors[1]);
    const own = await discoInfo(c, `alice@${DOMAIN}`);
    assert.ok(own.getChild('query')!.getChildren('identity').some((i) => i.attrs.category === 'account' && i.attrs.type === 'registered'), own.toString());
  });
});

test('SVC-07: without contact addresses there is no serverinfo form', async () => {
  const t = await startWithUsers({ alice: 'pw' });
  try {
    const c = await xlogin(t, 'alice', 'pw');
    const r = await discoInfo(c, DOMAIN);
    assert.deepEqual(r.getChild('query')!.getChildren('x', 'jabber:x:data'), []);
    await c.close();
  } finally {
    await t.stop();
  }
});

test('SVC-07: contact addresses must be URIs under known roles; mistakes are explained', () => {
  const resolve = (contactAddresses: unknown) => resolveConfig('/tmp/parley-unused', {}, { domain: DOMAIN, contactAddresses: contactAddresses as never });
  assert.deepEqual(resolve({ support: ['https://help.example.org/', 'tel:+15551234567'] }).contactAddresses, { support: ['https://help.example.org/', 'tel:+15551234567'] });
  assert.deepEqual(resolve(undefined as never).contactAddresses, {});
  assert.throws(() => resolve({ admin: ['admin@example.org'] }), (e: unknown) => e instanceof ConfigError && /mailto:admin@example.org or xmpp:admin@example.org/.test(e.message));
  assert.throws(() => resolve({ boss: ['mailto:boss@example.org'] }), (e: unknown) => e instanceof ConfigError && /"boss" is not a kind of contact address/.test(e.message));
  assert.throws(() => resolve({ admin: 'mailto:a@example.org' }), ConfigError);
  assert.throws(() => resolve({ admin: ['mailto:with space@example.org'] }), ConfigError);
});
