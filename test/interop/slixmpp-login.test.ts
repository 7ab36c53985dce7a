// Interop with a third, non-JavaScript client: slixmpp (Debian's python3-slixmpp) logs in over STARTTLS with the
// certificate checked against the test CA, pings the server and prints "OK <full jid>" (slixmpp_login.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { startWithUsers, DOMAIN } from '../helpers/server.js';
import { findPython, interopScript, startScript } from '../helpers/slixmpp.js';

const python = findPython();

test('CORE-17/CORE-24/CORE-42/CORE-13: slixmpp logs in over STARTTLS, binds its resource and pings the server', {
  skip: python ? false : 'python3-slixmpp is not installed (no python3 can import slixmpp): .ci/run must install python3-slixmpp',
}, async () => {
  const t = await startWithUsers({ sli: 'sli-secret' });
  try {
    const caFile = path.join(t.dataDir, 'interop-ca.pem');
    await fs.writeFile(caFile, t.caPem);
    const r = await startScript(python!, interopScript('slixmpp_login.py'), ['--jid', `sli@${DOMAIN}/slixmpp`, '--password', 'sli-secret', '--host', '127.0.0.1',
      '--port', String(t.c2sPort), '--cafile', caFile, '--timeout', '20'], 40_000).finished;
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(lines, [`OK sli@${DOMAIN}/slixmpp`], `stderr: ${r.stderr}`);
    assert.equal(r.code, 0, `stderr: ${r.stderr}`);
  } finally {
    await t.stop();
  }
});
