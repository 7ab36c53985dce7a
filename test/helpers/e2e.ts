// What the Chromium end-to-end tests share: a real `parley serve` child on loopback with ephemeral ports (read
// back from what it prints), Debian's Chromium driven by playwright-core, screenshots, and the watch for script
// errors, CSP violations and failed loads.
import os from 'node:os';
import path from 'node:path';
import { existsSync, promises as fs } from 'node:fs';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium, type Browser, type Page } from 'playwright-core';
import { within } from './clients.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PARLEY = path.join(ROOT, 'bin', 'parley.js');
export const SHOTS = path.join(ROOT, 'test-results', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

export interface Served {
  child: ChildProcessWithoutNullStreams;
  dataDir: string;
  setupLink: string;
  c2sPort: number;
  tlsPort: number;
  httpPort: number;
  /** Only when started with `https: true`. */
  httpsPort: number;
  output(): string;
}

const PRINTED = {
  setupLink: /(http:\/\/127\.0\.0\.1:\d+\/admin\/setup\?token=[A-Za-z0-9_-]+)/,
  c2sPort: /XMPP clients: 127\.0\.0\.1:(\d+)/,
  tlsPort: /XMPP clients, direct TLS: 127\.0\.0\.1:(\d+)/,
  httpPort: /Web and admin console: 127\.0\.0\.1:(\d+)/,
  httpsPort: /Invitation pages over HTTPS: 127\.0\.0\.1:(\d+)/,
};

/** `parley serve` on a fresh data folder; resolves once it printed its ports and the setup link. */
export async function serveParley(domain: string, opts: { https: boolean; dataDirPrefix: string }): Promise<Served> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), opts.dataDirPrefix));
  const child = spawn(process.execPath, [PARLEY, 'serve', '--data', dataDir, '--domain', domain, '--bind', '127.0.0.1',
    '--c2s-port', '0', '--tls-port', '0', '--http-port', '0', '--https-port', opts.https ? '0' : 'off', '--s2s-port', 'off',
    '--no-discovery', '--log-level', 'info'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const wanted = (Object.keys(PRINTED) as (keyof typeof PRINTED)[]).filter((k) => opts.https || k !== 'httpsPort');
  return within(new Promise<Served>((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`parley serve exited (${code}): ${stderr}`));
    child.once('exit', onExit);
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const found = wanted.map((k) => PRINTED[k].exec(stdout)?.[1]);
      if (found.some((v) => v === undefined)) return;
      child.removeListener('exit', onExit);
      const get = (k: keyof typeof PRINTED): string => found[wanted.indexOf(k)] ?? '0';
      resolve({
        child, dataDir, setupLink: get('setupLink'), c2sPort: Number(get('c2sPort')), tlsPort: Number(get('tlsPort')),
        httpPort: Number(get('httpPort')), httpsPort: Number(get('httpsPort')), output: () => stdout + stderr,
      });
    });
  }), 'parley serve to print its setup link', 30_000);
}

/** Stop a served Parley with SIGTERM (a graceful stop) and remove its data folder. */
export async function stopParley(served: Served | undefined): Promise<void> {
  if (!served) return;
  if (served.child.exitCode === null) {
    const exited = new Promise((resolve) => served.child.once('exit', resolve));
    served.child.kill('SIGTERM');
    await within(exited, 'parley serve to stop', 10_000);
  }
  await fs.rm(served.dataDir, { recursive: true, force: true });
}

/** Debian's Chromium, headless, with the background traffic that this closed network refuses turned off. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  assert.ok(existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html')), 'the console is not built: run npm run build');
  await fs.mkdir(SHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', ...extraArgs],
  });
}

export async function screenshot(p: Page, name: string, fullPage = false): Promise<void> {
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage });
}

/** Record script errors, CSP violations and failed loads of a page, except the responses `expected` allows. */
export function watchPage(p: Page, problems: string[], expected: (status: number, url: string) => boolean): void {
  p.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  p.on('console', (m) => {
    // Failed loads are reported below with their addresses.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console error: ${m.text()}`);
  });
  p.on('response', (r) => {
    if (r.status() >= 400 && !expected(r.status(), r.url())) problems.push(`HTTP ${r.status()} for ${r.url()}`);
  });
}
