// flood: abuse while people chat (BAD-12, BAD-23). 100 established users chat in pairs at a steady, modest rate
// (one message in flight per sender) while, at the same time and for a bounded time, the server gets
//   - 5,000 connection attempts (TCP connect, a stream header, then gone), 200 at a time;
//   - 500 slowloris connections (half a stream header, then one byte every few seconds, held to the end);
// each attack from one address of its own (one machine on the LAN, as an attacker or a broken client would be), so
// the per-address limits are what they meet;
//   - a stanza storm from one logged-in account (messages to ever-new nonexistent users, as fast as its socket drains).
// Reported: the chatters' latency before and during the flood (p50/p99), how many of the attempts and slowloris
// connections the server accepted or cut, the storm's rate, and the server's memory (VmRSS) before, at its peak
// and after. The server runs with its default limits (`--limits on`): this measures today's defences, it does not
// tune them. Everything is bounded in count and time and stops by itself.
import net from 'node:net';
import { bodyOf, type BenchClient } from '../client.js';
import { rssKiB, sample, delta } from '../procstat.js';
import { percentile, runPool, sleep, type ScenarioContext, type ScenarioResult } from './context.js';

export const FLOOD_USERS = 100;
/** The storming account comes after the chatters: u101. */
export const FLOOD_ACCOUNTS = FLOOD_USERS + 1;
const CONNECT_ATTEMPTS = 5000;
const CONNECT_CONCURRENCY = 200;
const SLOWLORIS = 500;
/** The attackers' addresses; the chatters use 127.0.0.2 and up (context.ts). */
const ATTEMPTS_FROM = '127.0.1.1';
const SLOWLORIS_FROM = '127.0.2.1';
/** Chat before the flood, to compare with. */
const BASELINE_MS = 3000;
/** How long the slowloris connections and the storm last (the connection attempts run until done or this). */
const FLOOD_MS = 20_000;
const QUICK_FLOOD_MS = 8000;
const CHAT_PAD = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor';
/** The storm writes while its socket holds less than this unsent. */
const STORM_BUFFER = 256 * 1024;

interface ChatStats {
  baseline: number[];
  flood: number[];
  sent: number;
  received: number;
}

function header(domain: string): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${domain}' version='1.0'>`;
}

/**
 * One connection attempt: connect, send a header, wait for the server's features (answered) or a stream error or
 * close (refused), at most 5 s (silent), then drop it.
 */
function attempt(host: string, port: number, domain: string): Promise<'answered' | 'refused' | 'silent'> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, localAddress: ATTEMPTS_FROM });
    const done = (r: 'answered' | 'refused' | 'silent'): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done('silent'), 5000);
    s.once('connect', () => s.write(header(domain)));
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

export async function floodScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { server } = ctx;
  const floodMs = ctx.scale.chatMessages < 100_000 ? QUICK_FLOOD_MS : FLOOD_MS;
  const names = Array.from({ length: FLOOD_USERS }, (_, i) => `u${i + 1}`);
  const { clients } = await ctx.loginMany(names, ctx.scale.loginConcurrency, { rosterGet: true, presence: true });
  const [stormer] = (await ctx.loginMany([`u${FLOOD_ACCOUNTS}`], 1, { rosterGet: false, presence: true })).clients;
  const jids = clients.map((c) => c.jid);

  // Chat: sender s talks to s^1, one message in flight, the next one 20 ms after the answer arrives.
  const stats: ChatStats = { baseline: [], flood: [], sent: 0, received: 0 };
  let phase: 'baseline' | 'flood' | 'done' = 'baseline';
  const send = (s: number): void => {
    if (phase === 'done' || ctx.aborted) return;
    stats.sent++;
    clients[s]!.write(`<message to='${jids[s ^ 1]}' type='chat'><body>${s} ${performance.now().toFixed(3)} ${CHAT_PAD}</body></message>`);
  };
  clients.forEach((c: BenchClient, r) => {
    c.onMessage = (text) => {
      const body = bodyOf(text);
      if (body === undefined) return;
      const [from, at] = body.split(' ');
      const s = Number(from);
      if (s !== (r ^ 1)) return;
      stats.received++;
      (phase === 'flood' ? stats.flood : stats.baseline).push(performance.now() - Number(at));
      setTimeout(() => send(s), 20);
    };
  });
  for (let s = 0; s < clients.length; s++) send(s);
  const rssBefore = rssKiB(server.pid);
  await sleep(BASELINE_MS);

  // The flood.
  phase = 'flood';
  const before = sample(server.pid);
  const floodEnd = performance.now() + floodMs;
  let peakRss = rssBefore;
  const rssTimer = setInterval(() => {
    try { peakRss = Math.max(peakRss, rssKiB(server.pid)); } catch { /* gone */ }
  }, 250);

  const attempts = { answered: 0, refused: 0, silent: 0 };
  const connecting = runPool(CONNECT_ATTEMPTS, CONNECT_CONCURRENCY, async () => {
    attempts[await attempt(server.host, server.port, server.domain)]++;
  }, () => ctx.aborted || performance.now() > floodEnd + 30_000);

  const slow: net.Socket[] = [];
  let slowCut = 0;
  const partial = header(server.domain);
  for (let i = 0; i < SLOWLORIS; i++) {
    const s = net.connect({ host: server.host, port: server.port, localAddress: SLOWLORIS_FROM });
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

  let stormSent = 0;
  let stormBounces = 0;
  stormer!.onMessage = () => { stormBounces++; };
  const storming = (async (): Promise<void> => {
    while (performance.now() < floodEnd && !ctx.aborted && stormer!.isOpen) {
      for (let k = 0; k < 100 && stormer!.writableLength < STORM_BUFFER; k++) {
        stormer!.write(`<message to='nobody${stormSent}@${server.domain}' type='chat'><body>storm ${stormSent}</body></message>`);
        stormSent++;
      }
      await new Promise((r) => setImmediate(r));
    }
  })();

  ctx.progress = 'flooding';
  await storming;
  // What the server got through of the storm while it lasted: each processed message comes back as an error.
  const bouncedInTime = stormBounces;
  while (performance.now() < floodEnd && !ctx.aborted) await sleep(100);
  clearInterval(drip);
  const slowOpenAtEnd = slow.filter((s) => !s.destroyed && !s.closed).length;
  const slowCutByServer = slowCut;
  for (const s of slow) s.destroy();
  await connecting;
  const after = sample(server.pid);
  phase = 'done';
  await sleep(2000);
  clearInterval(rssTimer);
  const rssAfter = rssKiB(server.pid);
  const d = delta(before, after);
  const stormerOpen = stormer!.isOpen;
  await ctx.closeAll();

  const figures = {
    floodChatBaselineP99: percentile(stats.baseline, 99),
    floodChatP50: percentile(stats.flood, 50),
    floodChatP99: percentile(stats.flood, 99),
    floodChatDuringFlood: stats.flood.length,
    floodConnectAnswered: attempts.answered,
    floodConnectRefused: attempts.refused + attempts.silent,
    floodSlowlorisOpenAtEnd: slowOpenAtEnd,
    floodStormPerSecond: stormSent / (floodMs / 1000),
    floodStormProcessedPerSecond: bouncedInTime / (floodMs / 1000),
    floodRssBeforeMiB: rssBefore / 1024,
    floodRssPeakMiB: peakRss / 1024,
    floodRssAfterMiB: rssAfter / 1024,
    floodServerCpu: d.serverCpu / d.wallSeconds,
  };
  const details = {
    users: FLOOD_USERS, floodSeconds: floodMs / 1000, chatSent: stats.sent, chatReceived: stats.received,
    connectAttempts: CONNECT_ATTEMPTS, attempts, slowloris: SLOWLORIS, slowlorisCutByServer: slowCutByServer,
    slowlorisOpenAtEnd: slowOpenAtEnd, stormSent, stormBounces, stormerStillConnected: stormerOpen,
    serverCpuSeconds: d.serverCpu, wallSeconds: d.wallSeconds,
  };
  if (ctx.aborted) return { status: 'timeout', message: 'the flood ran out of time', figures, details };
  if (stats.flood.length === 0) return { status: 'error', message: 'no chat message got through during the flood', figures, details };
  return { status: 'ok', figures, details };
}
