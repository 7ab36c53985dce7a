// A real federation peer for interop tests: Debian's Prosody (0.12) as a child process on loopback, serving
// prosody.test (and whatever components a test adds, e.g. its MUC service at conference.prosody.test), with STARTTLS
// on every stream and certificates that neither side trusts (s2s_secure_auth = false: dialback authenticates, as
// XEP-0220 allows).
//
// Neither side's names resolve here, so each side gets a route of its own:
//   * Parley: static routes (config.s2sHosts), set by the test: prosody.test (and each component of it) →
//     127.0.0.1:<prosody s2s port>.
//   * Prosody 0.12 has no static s2s routes, but it resolves through libunbound (lua-unbound), whose context it
//     configures from the global `unbound` option: `resolvconf = false` and `forward` to a DNS server of our own
//     (dns-stub.ts) that holds an SRV record _xmpp-server._tcp.<host> → <host>:<parley s2s port> and an A record for
//     every Parley host the test names (parley.test, conference.parley.test…). So Prosody finds Parley exactly as on
//     the Internet (SRV, then the address), on an ephemeral port. ".test" is one of unbound's default static local
//     zones (every name under it NXDOMAIN at once); `local-zone: "test. transparent"` lets the queries through to
//     our server, and `do-not-query-localhost: no` lets unbound ask a server on 127.0.0.1.
// Names under .localhost would not help: neither Node's getaddrinfo nor libunbound resolve them here.
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promises as fs, existsSync } from 'node:fs';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { closedPort } from './s2s.js';
import { startDnsStub, type DnsStub } from './dns-stub.js';
import { RawClient, withTimeout } from './raw-client.js';

const PROSODY = '/usr/bin/prosody';
const PROSODYCTL = '/usr/bin/prosodyctl';
const LUNBOUND = ['/usr/lib/x86_64-linux-gnu/lua/5.4/lunbound.so', '/usr/lib/aarch64-linux-gnu/lua/5.4/lunbound.so'];
const run = promisify(execFile);

/** Why Prosody cannot be the peer on this machine, or false when it can. */
export function prosodyMissing(): string | false {
  if (!existsSync(PROSODY) || !existsSync(PROSODYCTL)) return 'prosody is not installed (Debian package prosody)';
  // lua-unbound is what lets Prosody find Parley's hosts (there is no other way to give Prosody 0.12 a route).
  if (!LUNBOUND.some((p) => existsSync(p))) return 'lua-unbound is not installed: Prosody could not be given a route to Parley';
  return false;
}

/**
 * node:test's `skip` for a Prosody interop test: a developer's machine without the peer skips; under CI a missing
 * peer is a failure, never a skip (.ci/run installs prosody and lua-unbound) — startProsody() throws then.
 */
export const prosodySkip: string | false = process.env.CI ? false : prosodyMissing();

export interface ProsodyOptions {
  /** The VirtualHost (default prosody.test). */
  domain?: string;
  /** The Parley hosts Prosody federates with: domain → that server's s2s port on 127.0.0.1 (an SRV record each). */
  peers: Record<string, number>;
  /** Accounts to create on the VirtualHost: name → password. */
  users?: Record<string, string>;
  /** Modules enabled besides the ones every test needs. */
  modules?: string[];
  /** Lua lines after the VirtualHost, e.g. `Component "conference.prosody.test" "muc"`. */
  components?: string[];
  /** Names the certificate covers besides the domain (the components'). */
  certNames?: string[];
}

function lua(s: string): string {
  return JSON.stringify(s);   // a JSON string is a valid Lua string literal for these paths and records
}

export class Prosody {
  /** Prosody's console log (debug level), one line each: the first thing to read when a test fails. */
  readonly log: string[] = [];
  private child: ChildProcess | null = null;
  private rl: readline.Interface | null = null;
  private readonly clients: RawClient[] = [];
  private exit: Promise<void> = Promise.resolve();

  private constructor(
    readonly domain: string,
    readonly dir: string,
    readonly c2sPort: number,
    readonly s2sPort: number,
    /** Prosody's certificate (PEM), the trust anchor for its clients' STARTTLS. */
    readonly certPem: string,
    private readonly dns: DnsStub,
  ) {}

  /** Write the configuration, create the accounts, start Prosody and wait until it listens for c2s and s2s. */
  static async start(opts: ProsodyOptions): Promise<Prosody> {
    const missing = prosodyMissing();
    if (missing) throw new Error(`${missing}; .ci/run installs it`);
    const domain = opts.domain ?? 'prosody.test';
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-prosody-'));
    const [c2s, s2s] = [await closedPort(), await closedPort()];
    await fs.mkdir(path.join(dir, 'certs'));
    await fs.mkdir(path.join(dir, 'data'));
    const key = path.join(dir, 'certs', `${domain}.key`);
    const crt = path.join(dir, 'certs', `${domain}.crt`);
    // Components find this certificate as their parent domain's (Prosody's certmanager looks one label up).
    const san = [domain, ...(opts.certNames ?? [])].map((n) => `DNS:${n}`).join(',');
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '2',
      '-subj', `/CN=${domain}`, '-addext', `subjectAltName=${san}`], { timeout: 30_000 });
    const certPem = await fs.readFile(crt, 'utf8');
    const srv: Record<string, { target: string; port: number }> = {};
    const a: Record<string, string> = {};
    for (const [host, port] of Object.entries(opts.peers)) {
      srv[`_xmpp-server._tcp.${host}`] = { target: host, port };
      a[host] = '127.0.0.1';
    }
    const dns = await startDnsStub({ srv, a });
    const cfg = path.join(dir, 'prosody.cfg.lua');
    const modules = ['roster', 'saslauth', 'tls', 'dialback', 'disco', 'ping', 'posix', ...(opts.modules ?? [])];
    await fs.writeFile(cfg, [
      'run_as_root = true   -- the test may run as root; Prosody refuses to otherwise',
      `pidfile = ${lua(path.join(dir, 'prosody.pid'))}`,
      `data_path = ${lua(path.join(dir, 'data'))}`,
      `certificates = ${lua(path.join(dir, 'certs'))}`,
      'plugin_paths = {}',
      'interfaces = { "127.0.0.1" }',
      `c2s_ports = { ${c2s} }`,
      `s2s_ports = { ${s2s} }`,
      'c2s_direct_tls_ports = {}', 's2s_direct_tls_ports = {}', 'http_ports = {}', 'https_ports = {}',
      `modules_enabled = { ${modules.map(lua).join('; ')} }`,
      'authentication = "internal_plain"',
      's2s_secure_auth = false   -- our certificate is from Parley\'s own CA: dialback authenticates',
      's2s_require_encryption = true',
      'c2s_require_encryption = true',
      'log = { { levels = { min = "debug" }, to = "console" } }',
      `unbound = { resolvconf = false; hoststxt = false; forward = ${lua(dns.forward)};`,
      `  options = { ["do-not-query-localhost:"] = "no"; ["local-zone:"] = "test. transparent" } }`,
      `VirtualHost ${lua(domain)}`,
      ...(opts.components ?? []),
      '',
    ].join('\n'));
    for (const [user, password] of Object.entries(opts.users ?? {})) {
      await run(PROSODYCTL, ['--config', cfg, 'register', user, domain, password], { timeout: 20_000 });
    }
    const p = new Prosody(domain, dir, c2s, s2s, certPem, dns);
    p.spawn(cfg);
    await p.waitForLog((l) => l.includes(`Activated service 's2s' on [127.0.0.1]:${s2s}`), 'Prosody\'s s2s listener');
    await p.waitForLog((l) => l.includes(`Activated service 'c2s' on [127.0.0.1]:${c2s}`), 'Prosody\'s c2s listener');
    return p;
  }

  private spawn(cfg: string): void {
    const child = spawn(PROSODY, ['--config', cfg, '-F'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exit = new Promise((resolve) => child.once('exit', () => resolve()));
    this.rl = readline.createInterface({ input: child.stdout! });
    this.rl.on('line', (l) => this.log.push(l));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.log.push(...d.split('\n')));
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines of the log, for failure messages. */
  logTail(lines = 60): string {
    return `Prosody's log ends with:\n${this.log.slice(-lines).join('\n')}\nnames Prosody asked our DNS for: ${this.dns.asked.join(', ') || '(none)'}`;
  }

  /** `p`, or its failure with Prosody's log tail appended (what Prosody thought is usually the answer). */
  async explain<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${this.logTail()}`);
    }
  }

  /** Wait for a line of Prosody's log (one already logged counts). */
  waitForLog(pred: (l: string) => boolean, what: string, ms = 10_000): Promise<string> {
    const found = this.log.find(pred);
    if (found) return Promise.resolve(found);
    const rl = this.rl;
    let onLine: (l: string) => void = () => undefined;
    return withTimeout(new Promise<string>((resolve, reject) => {
      onLine = (l: string): void => {
        if (pred(l)) resolve(l);
      };
      rl?.on('line', onLine);
      void this.exit.then(() => reject(new Error(`prosody exited while waiting for ${what}`)));
    }), ms, () => `${what}; ${this.logTail(40)}`).finally(() => rl?.removeListener('line', onLine));
  }

  /** user@domain logged in to Prosody (STARTTLS with Prosody's own certificate as trust anchor, PLAIN), available. */
  async login(user: string, password: string, resource: string): Promise<RawClient & { jid: string }> {
    const c = await RawClient.connect(this.c2sPort, { timeoutMs: 10_000 });
    this.clients.push(c);
    await c.open({ to: this.domain });
    await c.startTls(this.certPem, { servername: this.domain });
    await c.open({ to: this.domain });
    const answer = await c.authPlain(user, password);
    if (answer.name !== 'success') throw new Error(`login to Prosody as ${user}: ${answer.toString()}`);
    await c.restart({ to: this.domain });
    const jid = await c.bind(resource);
    c.send('<presence/>');
    await c.nextElement((e) => e.name === 'presence' && e.attrs.from === jid, `${user}'s own presence`);
    return Object.assign(c, { jid });
  }

  /**
   * Stop Prosody: SIGTERM is an orderly shutdown (Prosody closes its sessions and streams), SIGKILL a server that
   * is simply gone (its peers see the connections drop and nothing else). Resolves once the process has exited.
   */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exit;
    clearTimeout(t);
  }

  /** Stop Prosody, drop its clients, its DNS server and its folder. */
  async dispose(): Promise<void> {
    for (const c of this.clients.splice(0)) c.destroy();
    await this.stop();
    this.rl?.close();
    await this.dns.close();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
