// What a benchmarked server looks like to the scenarios, and the child-process plumbing both servers share:
// a raised file-descriptor limit, pinning to the server core, bounded start and stop.
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, type ChildProcess } from 'node:child_process';

export const DOMAIN = 'bench.local';
export const PASSWORD = 'bench-password';
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export type ServerName = 'parley' | 'prosody';

/** A server process that is up and listening. */
export interface RunningServer {
  name: ServerName;
  pid: number;
  host: string;
  port: number;
  domain: string;
  password: string;
  stop(): Promise<void>;
  /** The last lines the server wrote to its log or stderr, for error messages. */
  logTail(): string;
}

/** How a benchmark gets a server: accounts written once, then a fresh process per scenario. */
export interface ServerKit {
  name: ServerName;
  version: string;
  /** Whether the scenario data (accounts, and for the roster scenario its rosters) is already in place on start. */
  rosterOnDisk: boolean;
  /**
   * `durability`: Parley's setting for this process (the storage scenarios); other servers ignore it.
   * `limits`: run with the server's default abuse limits (the flood scenario); otherwise without any.
   */
  start(opts: { cpuProfDir?: string; durability?: 'flush' | 'os'; limits?: boolean }): Promise<RunningServer>;
  cleanup(): Promise<void>;
}

export interface Accounts {
  /** u1 … uN: the login, idle, chat and muc scenarios use the first ones they need. */
  users: number;
  /** The roster scenario: main account r0 with contacts rc1 … rcN, all mutually subscribed. */
  rosterContacts: number;
}

export interface Pinning { server: string[]; generator: string | null }

/** `taskset -c 0` for servers and core 1 for the generator when there are two cores or more. */
export function pinning(cores: number, hasTaskset: boolean): Pinning {
  if (cores >= 2 && hasTaskset) return { server: ['taskset', '-c', '0'], generator: '1' };
  return { server: [], generator: null };
}

/** Spawns `argv` under bash with a raised descriptor limit (as root up to 65536, else the hard limit). */
export function spawnServer(argv: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): { child: ChildProcess; tail: () => string } {
  const script = 'ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"';
  const child = spawn('bash', ['-c', script, 'bench-server', ...argv], { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer): void => {
    for (const l of d.toString('utf8').split('\n')) if (l.trim()) lines.push(l);
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, tail: () => lines.join('\n') };
}

export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 15000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(t);
}

/** Resolves once something accepts TCP connections on host:port; rejects after `ms` or when `child` exits. */
export async function waitForPort(host: string, port: number, ms: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => { s.destroy(); resolve(true); });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on ${host}:${port} after ${ms} ms`);
}

/** A TCP port nobody listens on right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
