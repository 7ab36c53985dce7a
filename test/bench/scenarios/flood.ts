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
import { Worker } from 'node:worker_threads';
import { bodyOf, type BenchClient } from '../client.js';
import { rssKiB, sample, delta } from '../procstat.js';
import { percentile, sleep, type ScenarioContext, type ScenarioResult } from './context.js';
import type { AttackPlan, AttackResult } from './flood-attacker.js';

export const FLOOD_USERS = 100;
/** The storming account comes after the chatters: u101. */
export const FLOOD_ACCOUNTS = FLOOD_USERS + 1;
const CONNECT_ATTEMPTS = 5000;
const CONNECT_CONCURRENCY = 200;
const SLOWLORIS = 500;
/** The attackers' addresses; the chatters use 127.0.0.2 and up (context.ts). */
const ATTEMPTS_FROM = '127.0.1.1';
const SLOWLORIS_FROM = '127.0.2.1';
/**
 * Each chatter sends its next message this long after its last one arrived: about 4 messages a second per person,
 * brisk for people and well under the server's default per-session message rate (20/s, burst 300), so that what is
 * measured is the flood's effect, not the chatters' own rate limit.
 */
const CHAT_GAP_MS = 250;
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
  /** Chat messages the server refused (an error came back to the sender instead of the message going through). */
  refused: number;
}

export async function floodScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { server } = ctx;
  const floodMs = ctx.scale.chatMessages < 100_000 ? QUICK_FLOOD_MS : FLOOD_MS;
  const names = Array.from({ length: FLOOD_USERS }, (_, i) => `u${i + 1}`);
  const { clients } = await ctx.loginMany(names, ctx.scale.loginConcurrency, { rosterGet: true, presence: true });
  const [stormer] = (await ctx.loginMany([`u${FLOOD_ACCOUNTS}`], 1, { rosterGet: false, presence: true })).clients;
  const jids = clients.map((c) => c.jid);

  // Chat: sender s talks to s^1, one message in flight, the next one CHAT_GAP_MS after it arrived.
  const stats: ChatStats = { baseline: [], flood: [], sent: 0, received: 0, refused: 0 };
  let phase: 'baseline' | 'flood' | 'done' = 'baseline';
  const send = (s: number): void => {
    if (phase === 'done' || ctx.aborted) return;
    stats.sent++;
    clients[s]!.write(`<message to='${jids[s ^ 1]}' type='chat'><body>${s} ${performance.now().toFixed(3)} ${CHAT_PAD}</body></message>`);
  };
  clients.forEach((c: BenchClient, r) => {
    c.onMessage = (text) => {
      if (text.includes(`type='error'`) || text.includes('type="error"')) {
        // A refused chat message: counted, and the chatter goes on, as a person would.
        stats.refused++;
        setTimeout(() => send(r), CHAT_GAP_MS);
        return;
      }
      const body = bodyOf(text);
      if (body === undefined) return;
      const [from, at] = body.split(' ');
      const s = Number(from);
      if (s !== (r ^ 1)) return;
      stats.received++;
      (phase === 'flood' ? stats.flood : stats.baseline).push(performance.now() - Number(at));
      setTimeout(() => send(s), CHAT_GAP_MS);
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

  // The connection attempts and the slowloris connections run in a worker thread of their own: refused attempts
  // cycle fast, and on the chatters' event loop they would delay the chatters' own reading and so the latency
  // measured (seen: the generator's loop lagging 45–94 ms at p99, the chat p99 following it).
  const attacker = new Worker(new URL('./flood-attacker.js', import.meta.url), {
    workerData: {
      host: server.host, port: server.port, domain: server.domain, floodMs, attempts: CONNECT_ATTEMPTS,
      concurrency: CONNECT_CONCURRENCY, attemptsFrom: ATTEMPTS_FROM, slowloris: SLOWLORIS, slowlorisFrom: SLOWLORIS_FROM,
    } satisfies AttackPlan,
  });
  const attacked = new Promise<AttackResult>((resolve, reject) => {
    attacker.once('message', (r: AttackResult) => resolve(r));
    attacker.once('error', reject);
    attacker.once('exit', (code) => reject(new Error(`the attacker thread ended (${code}) before it reported`)));
  });

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
  const { attempts, slowOpenAtEnd, slowCutByServer } = await attacked;
  await attacker.terminate();
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
    floodChatRefused: stats.refused,
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
    users: FLOOD_USERS, floodSeconds: floodMs / 1000, chatSent: stats.sent, chatReceived: stats.received, chatRefused: stats.refused,
    connectAttempts: CONNECT_ATTEMPTS, attempts, slowloris: SLOWLORIS, slowlorisCutByServer: slowCutByServer,
    slowlorisOpenAtEnd: slowOpenAtEnd, stormSent, stormBounces, stormerStillConnected: stormerOpen,
    serverCpuSeconds: d.serverCpu, wallSeconds: d.wallSeconds,
  };
  if (ctx.aborted) return { status: 'timeout', message: 'the flood ran out of time', figures, details };
  if (stats.flood.length === 0) return { status: 'error', message: 'no chat message got through during the flood', figures, details };
  return { status: 'ok', figures, details };
}
