// Network namespaces for the mDNS tests: two namespaces joined by a veth pair, loopback up, and a route for
// 224.0.0.0/4 on each side (without it multicast has nowhere to go). Nothing touches the host's interfaces.
// Names carry process.pid, so parallel runs never collide; destroy() removes everything, and namespaces left
// behind by a run that was killed are removed by the next one.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import readline from 'node:readline';
import { promises as fs } from 'node:fs';

const run = promisify(execFile);
const PREFIX = 'parley-t';
let counter = 0;

async function ip(...args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { timeout: 10_000 });
  return stdout;
}

export interface Namespace {
  name: string;
  /** The veth end inside this namespace. */
  iface: string;
  address: string;
}

export interface NetnsPair {
  a: Namespace;
  b: Namespace;
  prefixLength: number;
  destroy(): Promise<void>;
}

/** Whether this machine lets us create namespaces; the reason when it does not. */
export async function namespaceSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  if (process.platform !== 'linux') return { ok: false, reason: `network namespaces are a Linux feature (this is ${process.platform})` };
  const probe = `${PREFIX}${process.pid}-probe`;
  try {
    await ip('netns', 'add', probe);
  } catch (err) {
    return { ok: false, reason: `cannot create a network namespace (ip netns add): ${(err as Error).message.trim()}` };
  }
  await ip('netns', 'del', probe).catch(() => undefined);
  return { ok: true };
}

/** Remove namespaces of earlier runs whose process is gone (a run killed before its cleanup). */
export async function removeStaleNamespaces(): Promise<void> {
  const list = await ip('netns', 'list').catch(() => '');
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0];
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const alive = pidAlive(pid);
    if (!alive || pid === process.pid && name.endsWith('-probe')) await deleteNamespace(name);
  }
  // A run killed between creating a veth pair and moving it into its namespaces leaves it on the host.
  const links = await ip('-o', 'link', 'show').catch(() => '');
  for (const m of links.matchAll(/^\d+: (pv(\d+)x\d+a)[@:]/gm)) {
    if (!pidAlive(Number(m[2]))) await ip('link', 'del', m[1]).catch(() => undefined);
  }
}

/** Kill what still runs inside one of our namespaces (children of a test that died), then remove it. */
async function deleteNamespace(name: string): Promise<void> {
  const pids = await ip('netns', 'pids', name).catch(() => '');
  for (const p of pids.split('\n').map(Number).filter((n) => n > 0)) {
    try { process.kill(p, 'SIGKILL'); } catch { /* already gone */ }
  }
  await ip('netns', 'del', name).catch(() => undefined);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Two fresh namespaces A and B, joined by a veth pair on 10.254.N.0/24 (addresses of our choosing, never routed). */
export async function createPair(): Promise<NetnsPair> {
  const n = ++counter;
  const a: Namespace = { name: `${PREFIX}${process.pid}-${n}a`, iface: `pv${process.pid}x${n}a`, address: `10.254.${n}.1` };
  const b: Namespace = { name: `${PREFIX}${process.pid}-${n}b`, iface: `pv${process.pid}x${n}b`, address: `10.254.${n}.2` };
  const destroy = async (): Promise<void> => {
    for (const ns of [a, b]) await deleteNamespace(ns.name);
    // The veth pair dies with its namespaces; should creation have stopped half-way, it may still be on the host.
    await ip('link', 'del', a.iface).catch(() => undefined);
  };
  try {
    await ip('netns', 'add', a.name);
    await ip('netns', 'add', b.name);
    await ip('link', 'add', a.iface, 'type', 'veth', 'peer', 'name', b.iface);
    for (const ns of [a, b]) {
      await ip('link', 'set', ns.iface, 'netns', ns.name);
      await ip('-n', ns.name, 'addr', 'add', `${ns.address}/24`, 'dev', ns.iface);
      await ip('-n', ns.name, 'link', 'set', 'lo', 'up');
      await ip('-n', ns.name, 'link', 'set', ns.iface, 'up');
      await ip('-n', ns.name, 'route', 'add', '224.0.0.0/4', 'dev', ns.iface);
    }
  } catch (err) {
    await destroy();
    throw err;
  }
  return { a, b, prefixLength: 24, destroy };
}

/** Run `ip` inside a namespace (e.g. to add an address). */
export function ipIn(ns: Namespace, ...args: string[]): Promise<string> {
  return ip('-n', ns.name, ...args);
}

/**
 * A child process inside a namespace that speaks JSON lines on stdout (one object per line, `event` naming it)
 * and takes commands on stdin.
 */
export class NsChild {
  readonly events: Record<string, unknown>[] = [];
  readonly stdoutLines: string[] = [];
  stderr = '';
  private waiters: { pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }[] = [];
  private lineWaiters: { pred: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  readonly proc: ChildProcess;
  exited: Promise<number | null>;

  constructor(ns: Namespace, args: string[], env: NodeJS.ProcessEnv = {}) {
    this.proc = spawn('ip', ['netns', 'exec', ns.name, process.execPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 200_000) this.stderr = this.stderr.slice(-100_000);
      if (process.env.PARLEY_TEST_LOG) process.stderr.write(d);
    });
    readline.createInterface({ input: this.proc.stdout! }).on('line', (line) => {
      this.stdoutLines.push(line);
      this.lineWaiters = this.lineWaiters.filter((w) => (w.pred(line) ? (w.resolve(line), false) : true));
      let e: Record<string, unknown>;
      try { e = JSON.parse(line) as Record<string, unknown>; } catch { return; }
      if (typeof e !== 'object' || e === null) return;
      this.events.push(e);
      this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    });
  }

  send(command: string): void {
    this.proc.stdin!.write(command + '\n');
  }

  /** The first event (already seen, or still to come, unless `fresh`) that matches; rejects after timeoutMs. */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs: number, what: string, fresh = false): Promise<Record<string, unknown>> {
    const seen = fresh ? undefined : this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return this.withTimeout(new Promise((resolve) => this.waiters.push({ pred, resolve })), timeoutMs, what);
  }

  waitForLine(pred: (l: string) => boolean, timeoutMs: number, what: string): Promise<string> {
    const seen = this.stdoutLines.find(pred);
    if (seen) return Promise.resolve(seen);
    return this.withTimeout(new Promise((resolve) => this.lineWaiters.push({ pred, resolve })), timeoutMs, what);
  }

  /** Send a command and wait for the answer event. */
  async ask(command: string, pred: (e: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>> {
    const answer = this.waitFor(pred, timeoutMs, `answer to "${command}"`, true);
    this.send(command);
    return answer;
  }

  private withTimeout<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; stderr tail:\n${this.stderr.slice(-3000)}`)), timeoutMs);
    });
    const exit = this.exited.then((code) => { throw new Error(`the child exited (code ${code}, signal ${this.proc.signalCode}) while waiting for ${what}; stdout tail:\n${this.stdoutLines.slice(-10).join('\n')}\nstderr tail:\n${this.stderr.slice(-3000)}`); });
    return Promise.race([p, timeout, exit]).finally(() => clearTimeout(timer));
  }

  /** Stop the child by its pid: the signal first, SIGKILL if it has not exited within graceMs. */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    const t = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(t);
  }
}

/**
 * A namespace test's teardown: each child stopped in turn (`signal`, by its pid), then the namespaces removed, then
 * the test's data folders deleted. Parts that were never made (undefined) are passed over.
 */
export async function tearDown(pair: NetnsPair | undefined, children: (NsChild | undefined)[], dirs: (string | undefined)[],
  signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  for (const c of children) await c?.kill(signal);
  await pair?.destroy();
  for (const d of dirs) if (d) await fs.rm(d, { recursive: true, force: true });
}

/**
 * For a test file: `undefined` when namespaces can be created; otherwise the skip message. In CI (CI=true)
 * a machine without namespaces is an error, not a skip: the caller turns a non-empty `failInCi` into a failure.
 */
export async function namespaceGate(): Promise<{ skip: string | undefined; failInCi: string | undefined }> {
  await removeStaleNamespaces();
  const s = await namespaceSupport();
  if (s.ok) return { skip: undefined, failInCi: undefined };
  const message = `mDNS tests skipped: this machine cannot create network namespaces (${s.reason}). They run only inside namespaces of their own, never on the host's interfaces.`;
  return process.env.CI ? { skip: message, failInCi: `${message} In CI this is a failure: CI runs as root on Linux and must be able to create them.` } : { skip: message, failInCi: undefined };
}
