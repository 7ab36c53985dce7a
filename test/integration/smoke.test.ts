import { test } from 'node:test';
import assert from 'node:assert/strict';
import { client, xml } from '@xmpp/client';
import { startWithUsers, DOMAIN } from '../helpers/server.js';

test('CORE-17/CORE-24/CORE-41: @xmpp/client logs in with STARTTLS + SCRAM and pings the server', async () => {
  const t = await startWithUsers({ alice: 'secret-pw' });
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const c = client({ service: `xmpp://127.0.0.1:${t.c2sPort}`, domain: DOMAIN, username: 'alice', password: 'secret-pw' });
  c.on('error', () => undefined);
  const address = await c.start();
  assert.equal(address.bare().toString(), `alice@${DOMAIN}`);
  const pong = await c.iqCaller.request(xml('iq', { type: 'get', to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
  assert.equal(pong.attrs.type, 'result');
  await c.stop();
  await t.stop();
});
