// `parley user …`, `parley cert show` and `parley serve` as people run them: the real CLI as child processes
// (node bin/parley.js), a real server in another process, logins with @xmpp/client, and the TLS listener's
// certificate read off the wire.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import tls from 'node:tls';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { client, type Client } from '@xmpp/client';
import { adminSocketPath } from '../../server/admin/socket-path.js';
import { login as rawLogin } from '../helpers/raw-client.js';
import { seedAlice, expectContactTold, expectBobRosterClear, expectFreshAlice } from '../helpers/account-removal.js';
import { assertOk, assertOneLineError, newDataDir, parley, serve, type Serving } from '../helpers/cli-process.js';

// @xmpp/client has no CA option; the server's certificate comes from its own local CA.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const DOMAIN = 'test.local';
const TIMEOUT = { timeout: 60_000 };

function xmppClient(port: number, username: string, password: string): Client {
  const c = client({ service: `xmpp://127.0.0.1:${port}`, domain: DOMAIN, username, password, resource: 'cli-test' });
  c.on('error', () => undefined);
  return c;
}

async function login(port: number, username: string, password: string): Promise<Client> {
  const c = xmppClient(port, username, password);
  const jid = await c.start();
  assert.equal(jid.bare().toString(), `${username}@${DOMAIN}`);
  return c;
}

/** Whether a login succeeds; a refused one rejects start(), and the client is stopped either way. */
async function canLogIn(port: number, username: string, password: string): Promise<boolean> {
  const c = xmppClient(port, username, password);
  try {
    await c.start();
    return true;
  } catch {
    return false;
  } finally {
    await c.stop().catch(() => undefined);
  }
}

describe('parley user/cert with a server running on the data folder', () => {
  let dataDir = '';
  let server: Serving;

  before(async () => {
    dataDir = await newDataDir();
    // Added while no server runs: straight into the data folder.
    const added = await parley(['user', 'add', `alice@${DOMAIN}`, '--password', 'alice-pw', '--data', dataDir, '--domain', DOMAIN]);
    assertOk(added);
    assert.equal(added.stdout, `Added alice@${DOMAIN}.\n`);
    assert.equal(added.stderr, '');
    server = await serve(dataDir, DOMAIN);
  });

  after(async () => {
    await server?.stop();
  });

  test('a user added before `parley serve` logs in with that password', TIMEOUT, async () => {
    const c = await login(server.c2sPort, 'alice', 'alice-pw');
    await c.stop();
  });

  test('`user add` while the server runs goes through the admin socket; the login right after works', TIMEOUT, async () => {
    assert.ok((await fs.lstat(adminSocketPath(dataDir))).isSocket());
    // Password as the first line of standard input (not a terminal).
    const r = await parley(['user', 'add', 'bob', '--data', dataDir], 'bob-pw\n');
    assertOk(r);
    assert.equal(r.stdout, `Added bob@${DOMAIN}.\n`);
    const c = await login(server.c2sPort, 'bob', 'bob-pw');
    await c.stop();
  });

  test('`user list` lists the accounts, one JID per line', TIMEOUT, async () => {
    const r = await parley(['user', 'list', '--data', dataDir]);
    assertOk(r);
    const jids = r.stdout.trim().split('\n').map((l) => l.split(/\s+/)[0]);
    assert.ok(jids.includes(`alice@${DOMAIN}`), r.stdout);
    assert.ok(jids.includes(`bob@${DOMAIN}`), r.stdout); // added by the previous test
  });

  test('adding an existing user fails with exit code 1 and one line', TIMEOUT, async () => {
    assertOneLineError(await parley(['user', 'add', 'alice', '--password', 'x', '--data', dataDir]), /The account alice@test\.local already exists\./);
  });

  test('bad JIDs and other domains are refused with one line', TIMEOUT, async () => {
    assertOneLineError(await parley(['user', 'add', 'ali ce', '--password', 'x', '--data', dataDir]), /not a valid user address/);
    assertOneLineError(await parley(['user', 'add', 'carol@example.org', '--password', 'x', '--data', dataDir]), /not an address of this server, which serves test\.local/);
    assertOneLineError(await parley(['user', 'remove', 'nobody', '--data', dataDir]), /^parley: There is no account nobody@test\.local\.$/);
  });

  test('`user passwd` changes the password at once', TIMEOUT, async () => {
    assertOk(await parley(['user', 'add', 'dave', '--password', 'old-pw', '--data', dataDir]));
    const r = await parley(['user', 'passwd', `dave@${DOMAIN}`, '--password', 'new-pw', '--data', dataDir]);
    assertOk(r);
    assert.equal(r.stdout, `Changed the password of dave@${DOMAIN}.\n`);
    assert.equal(await canLogIn(server.c2sPort, 'dave', 'old-pw'), false);
    assert.equal(await canLogIn(server.c2sPort, 'dave', 'new-pw'), true);
  });

  test('`user remove` closes the live session of that user with not-authorized', TIMEOUT, async () => {
    assertOk(await parley(['user', 'add', 'erin', '--password', 'erin-pw', '--data', dataDir]));
    const c = await login(server.c2sPort, 'erin', 'erin-pw');
    try {
      const status = await parley(['status', '--data', dataDir]);
      assertOk(status);
      assert.match(status.stdout, /Parley is running for test\.local/);
      assert.match(status.stdout, /Online sessions: [1-9]/);
      const closed = new Promise<string>((resolve) => c.on('error', (err: { condition?: string }) => {
        if (err.condition) resolve(err.condition);
      }));
      const r = await parley(['user', 'remove', 'erin', '--data', dataDir]);
      assertOk(r);
      assert.equal(r.stdout, `Removed erin@${DOMAIN}. Closed its 1 open session.\n`);
      assert.equal(await closed, 'not-authorized');
    } finally {
      await c.stop().catch(() => undefined);
    }
    const list = await parley(['user', 'list', '--data', dataDir]);
    assert.doesNotMatch(list.stdout, /erin@/);
  });

  test('a second `parley serve` on the same data folder fails with one line', TIMEOUT, async () => {
    const r = await parley(['serve', '--data', dataDir, '--domain', DOMAIN, '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', '0',
      '--http-port', 'off', '--no-discovery']);
    assertOneLineError(r, new RegExp(`Parley is already running on the data folder .* \\(process ${server.child.pid}\\)`));
    // …and the first one still serves.
    assert.equal(await canLogIn(server.c2sPort, 'alice', 'alice-pw'), true);
  });

  test('`cert show` prints the fingerprint the direct-TLS listener presents, and a CA that verifies it', TIMEOUT, async () => {
    const r = await parley(['cert', 'show', '--data', dataDir]);
    assertOk(r);
    const fingerprint = /^ {2}SHA-256 fingerprint: ([0-9A-F:]+)$/m.exec(r.stdout)?.[1];
    const caPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/.exec(r.stdout)?.[0];
    assert.ok(fingerprint, r.stdout);
    assert.ok(caPem, r.stdout);
    assert.match(r.stdout, /Names: test\.local, conference\.test\.local/);
    assert.match(r.stdout, /Valid from \S+ until \S+/);
    const presented = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: server.tlsPort, servername: DOMAIN, ca: caPem, rejectUnauthorized: true, ALPNProtocols: ['xmpp-client'] }, () => {
        const fp = s.getPeerCertificate().fingerprint256;
        s.destroy();
        resolve(fp);
      });
      s.once('error', reject);
    });
    assert.equal(presented, fingerprint);
  });

  // The account lifecycle's removal through the admin socket (seams issue part 5; SVC-15, XEP-0077 §3.2, RFC 6121
  // §3.2–3.3): `user remove` used to delete the account record only, so a new alice got the old one's roster,
  // offline message, vCard and private data, and bob kept seeing alice at subscription both.
  test('SVC-15: `user remove` while the server runs cancels alice\'s subscriptions (bob told) and drops her data; `user add` again starts empty', TIMEOUT, async () => {
    const ep = { c2sPort: server.c2sPort, caPem: server.caPem };
    const { alice, bob } = await seedAlice(ep, 'alice-pw', 'bob-pw');
    try {
      const r = await parley(['user', 'remove', 'alice', '--data', dataDir]);
      assertOk(r);
      assert.equal(r.stdout, `Removed alice@${DOMAIN}. Closed its 1 open session.\n`);
      const streamError = await alice.nextElement((e) => e.name === 'stream:error', 'the stream error');
      assert.ok(streamError.getChild('not-authorized', 'urn:ietf:params:xml:ns:xmpp-streams'), streamError.toString());
      await expectContactTold(bob);
      assertOk(await parley(['user', 'add', 'alice', '--password', 'alice-pw', '--data', dataDir]));
      await expectFreshAlice(ep, 'alice-pw');
    } finally {
      alice.destroy();
      bob.destroy();
    }
  });
});

describe('parley user with no server running', { concurrency: true }, () => {
  // With no server running (seams issue part 5; SVC-15): every store of alice is cleared and bob's roster (a local
  // contact) fixed in the data folder; remote contacts cannot be told with no server running (see open-offline.ts).
  test('SVC-15: `user remove` with no server running clears all of alice\'s data and bob\'s subscription; `user add` again starts empty', TIMEOUT, async () => {
    const dataDir = await newDataDir();
    for (const [user, pw] of [['alice', 'alice-first'], ['bob', 'bob-pw']]) {
      assertOk(await parley(['user', 'add', user, '--password', pw, '--data', dataDir, '--domain', DOMAIN]));
    }
    let server = await serve(dataDir, DOMAIN);
    const caPem = server.caPem;
    try {
      const { alice, bob } = await seedAlice({ c2sPort: server.c2sPort, caPem }, 'alice-first', 'bob-pw');
      alice.destroy();
      bob.destroy();
    } finally {
      await server.stop();
    }
    const r = await parley(['user', 'remove', 'alice', '--data', dataDir, '--domain', DOMAIN]);
    assertOk(r);
    assert.equal(r.stdout, `Removed alice@${DOMAIN}.\n`);
    assertOk(await parley(['user', 'add', 'alice', '--password', 'alice-second', '--data', dataDir, '--domain', DOMAIN]));
    server = await serve(dataDir, DOMAIN);
    try {
      const ep = { c2sPort: server.c2sPort, caPem };
      const bob = await rawLogin(ep.c2sPort, caPem, 'bob', 'bob-pw');
      try {
        await expectBobRosterClear(bob);
      } finally {
        bob.destroy();
      }
      await expectFreshAlice(ep, 'alice-second');
    } finally {
      await server.stop();
    }
  });

  test('duplicate add fails with one line; the stores are used directly', TIMEOUT, async () => {
    const dataDir = await newDataDir();
    assertOk(await parley(['user', 'add', 'bob', '--password', 'pw', '--data', dataDir, '--domain', DOMAIN]));
    assertOneLineError(await parley(['user', 'add', 'bob@test.local', '--password', 'pw2', '--data', dataDir, '--domain', DOMAIN]),
      /^parley: The account bob@test\.local already exists\.$/);
    assertOneLineError(await parley(['user', 'add', 'carol@other.local', '--password', 'pw', '--data', dataDir, '--domain', DOMAIN]),
      /which serves test\.local/);
    assertOneLineError(await parley(['user', 'add', 'carol', '--data', dataDir, '--domain', DOMAIN]), /No password was given/);
    const list = await parley(['user', 'list', '--data', dataDir, '--domain', DOMAIN]);
    assertOk(list);
    assert.equal(list.stdout, `bob@${DOMAIN}\n`);
    // Nothing is left behind: no lock, no socket.
    await assert.rejects(fs.access(path.join(dataDir, 'parley.lock')));
    await assert.rejects(fs.access(adminSocketPath(dataDir)));
  });

  test('usage mistakes, a missing or unwritable data folder: one line each', TIMEOUT, async () => {
    const dataDir = await newDataDir();
    assertOneLineError(await parley(['user', 'add']), /Which user\?/);
    assertOneLineError(await parley(['user', 'frob']), /Unknown command "parley user frob"/);
    assertOneLineError(await parley(['user', 'list', '--data', path.join(dataDir, 'missing')]), /There is no Parley data folder at/);
    const file = path.join(dataDir, 'a-file');
    await fs.writeFile(file, '');
    assertOneLineError(await parley(['user', 'add', 'bob', '--password', 'x', '--data', path.join(file, 'sub')]), /cannot write to its data folder/);
  });

  test('`serve` on a port in use fails with one line', TIMEOUT, async (t) => {
    const dataDir = await newDataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    t.after(() => blocker.close());
    const port = (blocker.address() as net.AddressInfo).port;
    const r = await parley(['serve', '--data', dataDir, '--domain', DOMAIN, '--bind', '127.0.0.1', '--c2s-port', String(port), '--tls-port', '0',
      '--http-port', 'off', '--no-discovery', '--log-level', 'warn']);
    assertOneLineError(r, new RegExp(`Port ${port} \\(client connections\\) on 127\\.0\\.0\\.1 is already in use`));
    // The failed start released the folder again.
    await assert.rejects(fs.access(path.join(dataDir, 'parley.lock')));
  });

  test('a live process holding the lock without answering on the admin socket: the stores are not touched', TIMEOUT, async (t) => {
    const dataDir = await newDataDir();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    t.after(() => { holder.kill('SIGKILL'); });
    await fs.writeFile(path.join(dataDir, 'parley.lock'), `${holder.pid}\nserver\n`);
    const r = await parley(['user', 'add', 'bob', '--password', 'pw', '--data', dataDir, '--domain', DOMAIN]);
    assertOneLineError(r, new RegExp(`Parley is running on .* \\(process ${holder.pid}\\) but does not answer on its admin socket .*wait a moment and try again; if it hangs, stop it \\(kill ${holder.pid}\\)`));
    await assert.rejects(fs.access(path.join(dataDir, 'accounts.db')), 'no store was opened');
  });

  test('after a killed server: long data folder (socket in the temp folder), stale lock and socket are cleaned up', TIMEOUT, async () => {
    const base = await newDataDir();
    const dataDir = path.join(base, 'a-data-folder-with-a-rather-long-name-so-that-the-socket-path-is-too-long-for-sun-path');
    await fs.mkdir(dataDir);
    await fs.cp(path.join(base, 'certs'), path.join(dataDir, 'certs'), { recursive: true }).catch(() => undefined);
    const socketPath = adminSocketPath(dataDir);
    assert.equal(path.dirname(socketPath), path.join(os.tmpdir(), `parley-${process.getuid!()}`), 'in the user’s private folder of the temp folder');

    const first = await serve(dataDir, DOMAIN);
    assert.equal((await fs.stat(socketPath)).mode & 0o777, 0o600);
    assertOk(await parley(['user', 'add', 'frank', '--password', 'frank-pw', '--data', dataDir]));
    await first.kill();
    // The lock and the socket file are still there, but nobody is behind them.
    await fs.access(path.join(dataDir, 'parley.lock'));
    assert.ok((await fs.lstat(socketPath)).isSocket());

    const list = await parley(['user', 'list', '--data', dataDir, '--domain', DOMAIN]);
    assertOk(list);
    assert.equal(list.stdout, `frank@${DOMAIN}\n`);

    const second = await serve(dataDir, DOMAIN);
    try {
      assert.equal(await canLogIn(second.c2sPort, 'frank', 'frank-pw'), true);
    } finally {
      await second.stop();
    }
    await assert.rejects(fs.access(socketPath), 'the socket is removed at a clean stop');
    await assert.rejects(fs.access(path.join(dataDir, 'parley.lock')), 'the lock is released at a clean stop');
  });
});

describe('parley repair (issue 13: damaged datafiles)', () => {
  /** Cut and garble the lines of a datafile that `pick` chooses (0-based). */
  async function garble(file: string, pick: (i: number) => boolean): Promise<void> {
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    for (let i = 0; i < lines.length; i++) if (lines[i] !== '' && pick(i)) lines[i] = lines[i].slice(0, 14) + '\u0000#garbled';
    await fs.writeFile(file, lines.join('\n'));
  }

  test('over a real data folder: one line per datafile, copies kept, clean files rewritten; the server then starts and serves', TIMEOUT, async () => {
    const dataDir = await newDataDir();
    for (const u of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hugo', 'ida', 'jon']) {
      assertOk(await parley(['user', 'add', u, '--password', `pw-${u}`, '--data', dataDir, '--domain', DOMAIN]));
    }
    // accounts.db badly damaged (every second record garbled): serve refuses with what to do.
    const accounts = path.join(dataDir, 'accounts.db');
    await garble(accounts, (i) => i % 2 === 1);
    const serveRefused = await parley(['serve', '--data', dataDir, '--domain', DOMAIN, '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', '0',
      '--s2s-port', 'off', '--http-port', 'off', '--no-discovery']);
    assertOneLineError(serveRefused, /accounts\.db is badly damaged: \d+ of its \d+ records cannot be read .*run "parley repair --data /);

    const r = await parley(['repair', '--data', dataDir]);
    assertOk(r);
    const lines = r.stdout.trim().split('\n');
    const dbs = (await fs.readdir(dataDir)).filter((f) => f.endsWith('.db')).sort();
    for (const db of dbs) assert.ok(lines.some((l) => l.startsWith(`${db}: `)), `no line for ${db} in:\n${r.stdout}`);
    assert.match(r.stdout, /^accounts\.db: repaired: \d+ damaged records dropped \(lines [\d, ()a-z@.]+\); \d+ records kept; the file as it was is in accounts\.db\.damaged-\S+$/m);
    assert.match(r.stdout, /^roster\.db: fine, \d+ records?$/m);
    assert.match(r.stdout, /Repaired 1 file; Parley can start again/);
    const copy = (await fs.readdir(dataDir)).find((f) => f.startsWith('accounts.db.damaged-'));
    assert.ok(copy, 'a copy of the damaged file is kept');
    assert.ok((await fs.readFile(path.join(dataDir, copy), 'utf8')).includes('#garbled'));
    assert.ok(!(await fs.readFile(accounts, 'utf8')).includes('#garbled'), 'accounts.db was rewritten clean');

    // Again: nothing left to do.
    const again = await parley(['repair', '--data', dataDir]);
    assertOk(again);
    assert.doesNotMatch(again.stdout, /repaired/);

    // The server starts on the repaired folder; accounts that survived log in; repair refuses while it runs.
    const s = await serve(dataDir, DOMAIN);
    try {
      const list = await parley(['user', 'list', '--data', dataDir]);
      assertOk(list);
      const user = list.stdout.trim().split('\n')[0].split('@')[0];
      assert.ok(await canLogIn(s.c2sPort, user, `pw-${user}`));
      assertOneLineError(await parley(['repair', '--data', dataDir]), /Parley is already running on the data folder/);
    } finally {
      await s.stop();
    }
    assertOneLineError(await parley(['repair', '--data', path.join(dataDir, 'nowhere')]), /There is no data folder .*nowhere\. Give the folder Parley keeps its data in with --data\./);
  });
});
