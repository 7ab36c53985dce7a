// The `parley` command as people run it, for tests: the real CLI as child processes (node bin/parley.js) on fresh
// data folders, `parley serve` on loopback with ephemeral ports (read back from what it prints), and the checks of
// its output (exit code 0, or 1 with exactly one line "parley: …" and no stack trace). Shared by the CLI tests
// (test/integration/cli.test.ts, cli-rooms.test.ts).
import { after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promises as fs } from 'node:fs';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'parley.js');
/** The same certificate cache as test/helpers/server.ts: RSA key generation would dominate the suite's time. */
const sharedCerts = path.join(os.tmpdir(), `parley-test-certs-${process.getuid?.() ?? 0}-nc`);

export interface Run { code: number | null; stdout: string; stderr: string }

const children = new Set<ChildProcessWithoutNullStreams>();
const tmpDirs: string[] = [];

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A fresh data folder (removed after the file), with the shared test certificates when there are some. */
export async function newDataDir(prefix = 'parley-cli-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  tmpDirs.push(dir);
  try {
    await fs.cp(sharedCerts, path.join(dir, 'certs'), { recursive: true, errorOnExist: false, force: false });
  } catch { /* no cache yet: the first server makes them */ }
  return dir;
}

function spawnParley(args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, PARLEY_DEBUG: '' } });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Run the CLI to completion; `input` becomes its standard input (closed right away when absent). */
export async function parley(args: string[], input?: string): Promise<Run> {
  const child = spawnParley(args);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => { stdout += s; });
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  child.stdin.end(input);
  const code = await exited(child);
  await new Promise<void>((resolve) => setImmediate(resolve));
  return { code, stdout, stderr };
}

export function assertOk(r: Run): void {
  assert.equal(r.code, 0, `exit code 0 expected; stderr: ${r.stderr}`);
}

/** Exit code 1 and exactly one line on stderr, starting "parley: ", matching `pattern` (or equal to it), no stack trace. */
export function assertOneLineError(r: Run, pattern: RegExp | string): void {
  assert.equal(r.code, 1, `exit code 1 expected; stdout: ${r.stdout} stderr: ${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `one line on stderr expected, got:\n${r.stderr}`);
  if (typeof pattern === 'string') assert.equal(lines[0], pattern);
  else assert.match(lines[0], pattern);
  assert.match(lines[0], /^parley: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

export interface Serving {
  child: ChildProcessWithoutNullStreams;
  c2sPort: number;
  /** The direct-TLS listener's port. */
  tlsPort: number;
  caPem: string;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: the data folder's lock and admin socket are left behind. */
  kill(): Promise<void>;
}

/** `parley serve` on loopback with ephemeral ports; resolves once it has printed the ports it listens on. */
export async function serve(dataDir: string, domain: string): Promise<Serving> {
  const child = spawnParley(['serve', '--data', dataDir, '--domain', domain, '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', '0',
    '--s2s-port', 'off', '--http-port', 'off', '--no-discovery', '--log-level', 'warn']);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const ports = await new Promise<{ c2s: number; tls: number }>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`parley serve exited (${code}) before listening: ${stderr}`));
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const c2s = /XMPP clients: 127\.0\.0\.1:(\d+)/.exec(stdout);
      const direct = /XMPP clients, direct TLS: 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (c2s && direct) {
        child.removeListener('exit', onExit);
        resolve({ c2s: Number(c2s[1]), tls: Number(direct[1]) });
      }
    });
  });
  await fs.cp(path.join(dataDir, 'certs'), sharedCerts, { recursive: true, force: false, errorOnExist: false }).catch(() => undefined);
  return {
    child,
    c2sPort: ports.c2s,
    tlsPort: ports.tls,
    caPem: await fs.readFile(path.join(dataDir, 'certs', 'ca.pem'), 'utf8'),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
