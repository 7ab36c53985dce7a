// Group chat with a non-JavaScript client: slixmpp's XEP-0045 plugin (Debian's python3-slixmpp) joins a room a raw
// test client made, sees its occupants, answers a groupchat message, and leaves (slixmpp_muc.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { startWithUsers, DOMAIN } from '../helpers/server.js';
import { ImClient, PASSWORD } from '../helpers/im-client.js';
import { createRoom, fromRoom, isGroupchat, item, roomJid, say } from '../helpers/muc-client.js';
import { findPython, interopScript, startScript } from '../helpers/slixmpp.js';

const python = findPython();

test('MUC-07, MUC-08, MUC-27, MUC-24: slixmpp joins a Parley room, sees its occupants, answers in the room and leaves', {
  skip: python ? false : 'python3-slixmpp is not installed (no python3 can import slixmpp): .ci/run must install python3-slixmpp',
}, async () => {
  const t = await startWithUsers({ owner: PASSWORD, sli: 'sli-secret' });
  const owner = await ImClient.login(t, 'owner', 'r').catch(async (err: unknown) => {
    await t.stop();
    throw err;
  });
  try {
    const room = 'pyroom';
    await createRoom(owner, room, 'Owner');
    const caFile = path.join(t.dataDir, 'interop-ca.pem');
    await fs.writeFile(caFile, t.caPem);
    const sli = startScript(python!, interopScript('slixmpp_muc.py'), ['--jid', `sli@${DOMAIN}/py`, '--password', 'sli-secret',
      '--host', '127.0.0.1', '--port', String(t.c2sPort), '--cafile', caFile, '--room', roomJid(room), '--nick', 'Snake', '--timeout', '30'], 45_000);
    const joined = await sli.line('JOINED ', 40_000);
    assert.equal(joined, 'JOINED Owner Snake');
    const seen = await owner.waitFor(fromRoom(room, 'Snake'), 'slixmpp in the room');
    assert.equal(item(seen).jid, `sli@${DOMAIN}/py`);
    say(owner, room, 'ping');
    const pong = await owner.waitFor(isGroupchat(room, 'pong'), 'slixmpp\'s answer', 20_000);
    assert.equal(pong.attrs.from, `${roomJid(room)}/Snake`);
    const left = await owner.waitFor((e) => fromRoom(room, 'Snake')(e) && e.attrs.type === 'unavailable', 'slixmpp leaving', 20_000);
    assert.equal(item(left).role, 'none');
    const r = await sli.finished;
    assert.deepEqual(r.stdout.split('\n').filter((l) => l !== ''), ['JOINED Owner Snake', `HEARD ${roomJid(room)}/Owner`, 'OK'], `stderr: ${r.stderr}`);
    assert.equal(r.code, 0, `stderr: ${r.stderr}`);
  } finally {
    await owner.quit().catch(() => undefined);
    await t.stop();
  }
});
