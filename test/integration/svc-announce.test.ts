// Server announcements (SVC-18): announce() sends a headline from the domain to every connected session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers } from '../helpers/server.js';
import { announce } from '../../server/modules/announce.js';
import { assertStanza, xlogin, DOMAIN } from './svc-util.js';

process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option

test('SVC-18: announce() sends a headline from the domain to every online session, with and without subject', async () => {
  const t = await startWithUsers({ alice: 'pw', bob: 'pw' });
  try {
    const sessions = [await xlogin(t, 'alice', 'pw'), await xlogin(t, 'alice', 'pw'), await xlogin(t, 'bob', 'pw')];
    assert.equal(announce(t.server.context_, 'The server restarts at 18:00 & comes back at 18:05.', 'Maintenance'), 3);
    for (const s of sessions) {
      const m = await s.waitFor((e) => e.is('message') && e.attrs.type === 'headline', 'the announcement');
      assert.ok(typeof m.attrs.id === 'string' && m.attrs.id.length > 0);
      assertStanza(m, `<message from='${DOMAIN}' to='${s.jid}' type='headline' id='${String(m.attrs.id)}'><subject>Maintenance</subject>`
        + '<body>The server restarts at 18:00 &amp; comes back at 18:05.</body></message>');
    }
    assert.equal(announce(t.server.context_, 'Back.'), 3);
    for (const s of sessions) {
      const m = await s.waitFor((e) => e.is('message') && e.attrs.type === 'headline', 'the second announcement');
      assertStanza(m, `<message from='${DOMAIN}' to='${s.jid}' type='headline' id='${String(m.attrs.id)}'><body>Back.</body></message>`);
    }
    for (const s of sessions) await s.close();
  } finally {
    await t.stop();
  }
});
