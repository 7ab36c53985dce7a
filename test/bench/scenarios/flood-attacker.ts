// The flood scenario's attackers, in a worker thread of their own (flood.ts starts it): 5,000 connection attempts
// (connect, a stream header, then gone; `concurrency` at a time) from one address and slowloris connections (half
// a stream header, then a byte every 2 s, never the header's end) from another, for `floodMs`. On its own event
// loop, the fast cycling of refused attempts cannot delay the chatters that measure the server's latency. Reports
// one AttackResult and ends.
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { runPool, sleep } from './context.js';

export interface AttackPlan {
  host: string;
  port: number;
  domain: string;
  floodMs: number;
  attempts: number;
  concurrency: number;
  attemptsFrom: string;
  slowloris: number;
  slowlorisFrom: string;
}

export interface AttackResult {
  attempts: { answered: number; refused: number; silent: number };
  /** Slowloris connections the server closed. */
  slowCutByServer: number;
  slowOpenAtEnd: number;
}

function header(domain: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`;
}

/**
 * One connection attempt: connect, send a header, wait for the server's features (answered) or a stream error or
 * close (refused), at most 5 s (silent), then drop it.
 */
function attempt(plan: AttackPlan): Promise<'answered' | 'refused' | 'silent'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: plan.host, port: plan.port, localAddress: plan.attemptsFrom });
    const done = (r: 'answered' | 'refused' | 'silent'): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('silent'), 5000);
    s.once('connect', () => s.write(header(plan.domain)));
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString('utf8');
      if (got.includes('stream:error')) done('refused');
      else if (got.includes('<stream:features')) done('answered');
    });
    s.once('error', () => done('refused'));
    s.once('close', () => done('refused'));
  });
}

async function attack(plan: AttackPlan): Promise<AttackResult> {
  const floodEnd = performance.now() + plan.floodMs;
  const attempts = { answered: 0, refused: 0, silent: 0 };
  const connecting = runPool(plan.attempts, plan.concurrency, async () => {
    attempts[await attempt(plan)]++;
  }, () => performance.now() > floodEnd + 30_000);

  const slow: net.Socket[] = [];
  let slowCut = 0;
  const partial = header(plan.domain);
  for (let i = 0; i < plan.slowloris; i++) {
    const s = net.connect({ host: plan.host, port: plan.port, localAddress: plan.slowlorisFrom });
    s.on('error', () => undefined);
    s.once('close', () => slowCut++);
    s.once('connect', () => s.write(partial.slice(0, 30)));
    slow.push(s);
  }
  let slowPos = 30;
  const drip = setInterval(() => {
    if (slowPos >= partial.length - 1) return;   // never the closing '>' of the header
    const byte = partial[slowPos++]!;
    for (const s of slow) if (!s.destroyed) s.write(byte);
  }, 2000);

  while (performance.now() < floodEnd) await sleep(100);
  clearInterval(drip);
  const slowOpenAtEnd = slow.filter((s) => !s.destroyed && !s.closed).length;
  const slowCutByServer = slowCut;
  for (const s of slow) s.destroy();
  await connecting;
  return { attempts, slowCutByServer, slowOpenAtEnd };
}

if (parentPort) {
  const port = parentPort;
  attack(workerData as AttackPlan).then((r) => port.postMessage(r), (err: unknown) => {
    throw err instanceof Error ? err : new Error(String(err));
  });
}
