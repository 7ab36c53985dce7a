// Interop with a third, non-JavaScript client: slixmpp (Debian's python3-slixmpp) logs in over STARTTLS with the
// certificate checked against the test CA, pings the server and prints "OK <full jid>" (slixmpp_login.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { promises as fs, existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startWithUsers, DOMAIN } from '../helpers/server.js';

// The script is not compiled: find it in the source tree from dist/test/interop/ (or next to this file).
const here = path.dirname(fileURLToPath(import.meta.url));
const SCRIPT = [path.resolve(here, '../../../test/interop/slixmpp_login.py'), path.join(here, 'slixmpp_login.py')]
  .find((p) => existsSync(p)) ?? path.join(here, 'slixmpp_login.py');

/** The first Python that can import slixmpp: Debian's own before whatever `python3` is first on PATH (e.g. pyenv). */
function findPython(): string | null {
  const candidates = [process.env.PARLEY_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import slixmpp'], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return py;
  }
  return null;
}

const python = findPython();

/** Run the script without blocking this process (the server under test lives in it). */
function run(py: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(py, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`slixmpp_login.py did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('CORE-17/CORE-24/CORE-42/CORE-13: slixmpp logs in over STARTTLS, binds its resource and pings the server', {
  skip: python ? false : 'python3-slixmpp is not installed (no python3 can import slixmpp): .ci/run must install python3-slixmpp',
}, async () => {
  const t = await startWithUsers({ sli: 'sli-secret' });
  try {
    const caFile = path.join(t.dataDir, 'interop-ca.pem');
    await fs.writeFile(caFile, t.caPem);
    const r = await run(python!, ['--jid', `sli@${DOMAIN}/slixmpp`, '--password', 'sli-secret', '--host', '127.0.0.1',
      '--port', String(t.c2sPort), '--cafile', caFile, '--timeout', '20'], 40_000);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    assert.deepEqual(lines, [`OK sli@${DOMAIN}/slixmpp`], `stderr: ${r.stderr}`);
    assert.equal(r.code, 0, `stderr: ${r.stderr}`);
  } finally {
    await t.stop();
  }
});
