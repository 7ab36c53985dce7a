// A handler that fails (issue 13): the stanza is answered with internal-server-error (RFC 6120 §8.3.3.5), the
// failure is logged once, and the server keeps serving the same stream. Also an async lifecycle listener that
// rejects, and the process-level guard for rejections nobody handled (`parley serve`, the desktop app).
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertStanzaError } from '../helpers/raw-client.js';
import { DEFAULT_MODULES } from '../../server/modules/index.js';
import { failingHandlersModule, NS_FAIL, FAILURE_TEXT } from '../modules/failing-handlers.js';

describe('failing handlers', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ registration: 'open' }, { modules: [...DEFAULT_MODULES, failingHandlersModule] });
    await s.addUser('alice', 'alice-password');
  });
  after(() => s.stop());

  const failuresLogged = (where: string): number =>
    s.logger.recent().filter((e) => e.level === 'error' && e.message.includes(`${FAILURE_TEXT} (${where})`)).length;

  test('CORE-52: an iq handler that rejects → internal-server-error, logged once, the next stanza is served', async () => {
    const c = await login(s.c2sPort, s.caPem, 'alice', 'alice-password');
    const reply = await c.iq(`<iq type='get' id='f1'><query xmlns='${NS_FAIL}'/></iq>`, 'f1');
    assertStanzaError(reply, 'internal-server-error', 'cancel', 'f1');
    await c.ping();
    assert.equal(failuresLogged('iq'), 1);
    await c.close();
  });

  test('CORE-52: a pre-auth iq handler that rejects → internal-server-error on the stream, which goes on to log in', async () => {
    const c = await RawClient.connect(s.c2sPort);
    await c.open();
    await c.startTls(s.caPem);
    await c.open();
    const reply = await c.iq(`<iq type='get' id='p1'><query xmlns='${NS_FAIL}'/></iq>`, 'p1');
    assertStanzaError(reply, 'internal-server-error', 'cancel', 'p1');
    assert.equal(failuresLogged('pre-auth iq'), 1);
    const answer = await c.authScram('alice', 'alice-password', { hash: 'SHA-256' });
    assert.equal(answer.name, 'success', answer.toString());
    await c.restart();
    await c.bind();
    await c.ping();
    await c.close();
  });

  test('an async lifecycle listener that rejects is logged; presence and the stream go on', async () => {
    const before = failuresLogged('resource-available listener');
    const c = await login(s.c2sPort, s.caPem, 'alice', 'alice-password');
    c.send('<presence/>');
    await c.nextElement((e) => e.name === 'presence', 'alice\'s own presence');
    await c.ping({ strict: false });
    assert.equal(failuresLogged('resource-available listener'), before + 1);
    await c.close();
  });
});

test('the process guard: an unhandled rejection is logged and the process keeps running', () => {
  const guard = fileURLToPath(new URL('../../server/core/process-guard.js', import.meta.url));
  const script = `import { guardUnhandledRejections } from ${JSON.stringify(guard)};
    guardUnhandledRejections((m) => process.stderr.write('LOGGED ' + m + '\\n'));
    Promise.reject(new Error('nobody handles this'));
    setTimeout(() => process.stdout.write('still serving\\n'), 50);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'still serving\n');
  assert.match(r.stderr, /LOGGED an asynchronous task failed .*nobody handles this/s);
});
