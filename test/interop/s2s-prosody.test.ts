// Federation interop with a real peer: Debian's Prosody (0.12) as a child process, parley.test ⇄ prosody.test on
// loopback, messages both ways between a Parley user and a Prosody user over dialback (STARTTLS on both streams,
// certificates that neither side trusts: s2s_secure_auth = false, as XEP-0220 allows).
//
// Neither name resolves here, so each side gets a static route:
//   * Parley: s2sHosts { "prosody.test": "127.0.0.1:<prosody s2s port>" }.
//   * Prosody 0.12 has no static s2s routes, but it resolves through libunbound (lua-unbound), whose context
//     Prosody configures from the global `unbound` option: `hoststxt` (an /etc/hosts-format file of our own:
//     parley.test → 127.0.0.1), `resolvconf = false` (no upstream server is asked), and one unbound `local-data`
//     record, the SRV record _xmpp-server._tcp.parley.test → parley.test:<parley s2s port>. So Prosody finds Parley
//     exactly as on the Internet (SRV, then the address), on an ephemeral port. (".test" is one of unbound's default
//     static local zones, so any other lookup under it fails at once instead of waiting for the network.)
// Names under .localhost would not help: neither Node's getaddrinfo nor libunbound resolve them here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promises as fs, existsSync } from 'node:fs';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { startDomain, loginTo, closedPort, isStanza, type DomainServer } from '../helpers/s2s.js';
import { RawClient, withTimeout, type Element } from '../helpers/raw-client.js';

const PROSODY = '/usr/bin/prosody';
const PROSODYCTL = '/usr/bin/prosodyctl';
const run = promisify(execFile);

function prosodyUsable(): string | false {
  if (!existsSync(PROSODY) || !existsSync(PROSODYCTL)) return 'prosody is not installed (Debian package prosody)';
  try {
    // lua-unbound is what makes the SRV record below reach Prosody.
    if (!existsSync('/usr/lib/x86_64-linux-gnu/lua/5.4/lunbound.so') && !existsSync('/usr/lib/aarch64-linux-gnu/lua/5.4/lunbound.so')) {
      return 'lua-unbound is not installed: Prosody could not be given a route to parley.test';
    }
  } catch { /* fall through */ }
  return false;
}

// A developer's machine without the peer skips; under CI a missing peer is a failure, never a skip (.ci/run
// installs prosody and lua-unbound).
const missing = prosodyUsable();
const skip = process.env.CI ? false : missing;

let parley: DomainServer;
let dir: string;
let prosody: ChildProcess | null = null;
let prosodyLog: string[] = [];
let prosodyC2s = 0;
let prosodyS2s = 0;
const clients: RawClient[] = [];
let prosodyCert = '';

function lua(s: string): string {
  return JSON.stringify(s);   // a JSON string is a valid Lua string literal for these paths and records
}

/** Wait for a line of Prosody's console log. */
function waitForLog(pred: (l: string) => boolean, what: string, ms = 10_000): Promise<string> {
  const found = prosodyLog.find(pred);
  if (found) return Promise.resolve(found);
  return withTimeout(new Promise<string>((resolve, reject) => {
    const onLine = (l: string): void => {
      if (pred(l)) {
        rl?.removeListener('line', onLine);
        resolve(l);
      }
    };
    rl?.on('line', onLine);
    prosody?.once('exit', (code) => reject(new Error(`prosody exited (${String(code)}) while waiting for ${what}`)));
  }), ms, () => `${what}; Prosody's log ends with:\n${prosodyLog.slice(-40).join('\n')}`);
}

let rl: readline.Interface | null = null;

before(async () => {
  if (skip) return;
  if (missing) throw new Error(`${missing}; .ci/run installs it`);
  parley = await startDomain('parley.test');
  await parley.addUser('pam');
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-prosody-'));
  [prosodyC2s, prosodyS2s] = [await closedPort(), await closedPort()];
  await fs.mkdir(path.join(dir, 'certs'));
  await fs.mkdir(path.join(dir, 'data'));
  const key = path.join(dir, 'certs', 'prosody.test.key');
  const crt = path.join(dir, 'certs', 'prosody.test.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2',
    '-subj', '/CN=prosody.test', '-addext', 'subjectAltName=DNS:prosody.test'], { timeout: 30_000 });
  prosodyCert = await fs.readFile(crt, 'utf8');
  await fs.writeFile(path.join(dir, 'hosts'), '127.0.0.1 parley.test\n');
  const srv = `_xmpp-server._tcp.parley.test. 60 IN SRV 0 0 ${parley.s2sPort} parley.test.`;
  const cfg = path.join(dir, 'prosody.cfg.lua');
  await fs.writeFile(cfg, [
    'run_as_root = true   -- the test may run as root; Prosody refuses to otherwise',
    `pidfile = ${lua(path.join(dir, 'prosody.pid'))}`,
    `data_path = ${lua(path.join(dir, 'data'))}`,
    `certificates = ${lua(path.join(dir, 'certs'))}`,
    'plugin_paths = {}',
    'interfaces = { "127.0.0.1" }',
    `c2s_ports = { ${prosodyC2s} }`,
    `s2s_ports = { ${prosodyS2s} }`,
    'c2s_direct_tls_ports = {}', 's2s_direct_tls_ports = {}', 'http_ports = {}', 'https_ports = {}',
    'modules_enabled = { "roster"; "saslauth"; "tls"; "dialback"; "disco"; "ping"; "posix" }',
    'authentication = "internal_plain"',
    's2s_secure_auth = false   -- our certificate is from Parley\'s own CA: dialback authenticates',
    's2s_require_encryption = true',
    'c2s_require_encryption = true',
    'log = { { levels = { min = "debug" }, to = "console" } }',
    `unbound = { hoststxt = ${lua(path.join(dir, 'hosts'))}; resolvconf = false; options = { ["local-data:"] = ${lua(srv)} } }`,
    'VirtualHost "prosody.test"',
    '',
  ].join('\n'));
  await run(PROSODYCTL, ['--config', cfg, 'register', 'pat', 'prosody.test', 'pat-secret'], { timeout: 20_000 });
  parley.server.config.s2sHosts = { 'prosody.test': `127.0.0.1:${prosodyS2s}` };
  prosodyLog = [];
  prosody = spawn(PROSODY, ['--config', cfg, '-F'], { stdio: ['ignore', 'pipe', 'pipe'] });
  rl = readline.createInterface({ input: prosody.stdout! });
  rl.on('line', (l) => prosodyLog.push(l));
  prosody.stderr!.setEncoding('utf8').on('data', (d: string) => prosodyLog.push(...d.split('\n')));
  await waitForLog((l) => l.includes(`Activated service 's2s' on [127.0.0.1]:${prosodyS2s}`), 'Prosody\'s s2s listener');
  await waitForLog((l) => l.includes(`Activated service 'c2s' on [127.0.0.1]:${prosodyC2s}`), 'Prosody\'s c2s listener');
});

after(async () => {
  for (const c of clients) c.destroy();
  if (prosody && prosody.exitCode === null) {
    const exited = new Promise((r) => prosody!.once('exit', r));
    prosody.kill('SIGTERM');
    const t = setTimeout(() => prosody?.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  }
  rl?.close();
  await parley?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** pat@prosody.test logged in to Prosody (STARTTLS with Prosody's own certificate as trust anchor, PLAIN). */
async function loginProsody(): Promise<RawClient & { jid: string }> {
  const c = await RawClient.connect(prosodyC2s, { timeoutMs: 10_000 });
  clients.push(c);
  await c.open({ to: 'prosody.test' });
  await c.startTls(prosodyCert, { servername: 'prosody.test' });
  await c.open({ to: 'prosody.test' });
  const answer = await c.authPlain('pat', 'pat-secret');
  assert.equal(answer.name, 'success', `login to Prosody: ${answer.toString()}`);
  await c.restart({ to: 'prosody.test' });
  const jid = await c.bind('interop');
  c.send('<presence/>');
  await c.nextElement((e) => e.name === 'presence' && e.attrs.from === jid, 'pat\'s own presence');
  return Object.assign(c, { jid });
}

test('a Parley user and a Prosody user exchange messages both ways over dialback', { skip, timeout: 20_000 }, async () => {
  const pam = await loginTo(parley, 'pam', 'desk');
  clients.push(pam);
  const pat = await loginProsody();

  pam.send(`<message to='pat@prosody.test' type='chat' id='p1'><body>hello Prosody</body></message>`);
  let got: Element;
  try {
    got = await pat.nextElement(isStanza('message', (e) => e.attrs.id === 'p1'), 'Parley\'s message at pat', 10_000);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nProsody's log ends with:\n${prosodyLog.slice(-60).join('\n')}`);
  }
  assert.equal(got.attrs.from, 'pam@parley.test/desk');
  assert.equal(got.getChildText('body'), 'hello Prosody');

  pat.send(`<message to='pam@parley.test' type='chat' id='p2'><body>hello Parley</body></message>`);
  const back = await pam.nextElement(isStanza('message', (e) => e.attrs.id === 'p2'), 'Prosody\'s message at pam', 10_000);
  assert.equal(back.attrs.from, 'pat@prosody.test/interop');
  assert.equal(back.getChildText('body'), 'hello Parley');

  // Both directions were authenticated by dialback, and Prosody's log says so too.
  assert.deepEqual(parley.s2s.status(), { inbound: ['prosody.test'], outbound: ['prosody.test'] });
  assert.ok(prosodyLog.some((l) => /s2s.*(authenticated|established)/i.test(l) && l.includes('parley.test')), 'Prosody logged the s2s session');
});

test('a ping from the Prosody user to the Parley server is answered', { skip, timeout: 20_000 }, async () => {
  const pat = clients.find((c): c is RawClient & { jid: string } => (c as { jid?: string }).jid?.startsWith('pat@') ?? false) ?? await loginProsody();
  const pong = await pat.ping({ to: 'parley.test', strict: false });
  assert.equal(pong.attrs.from, 'parley.test');
});
