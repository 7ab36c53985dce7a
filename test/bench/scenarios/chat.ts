// chat: P pairs of online users exchange M one-to-one messages (to full JIDs) as fast as the server takes them.
// Each sender keeps a fixed window of messages in flight and sends the next one as soon as its partner received
// one, so the server is always saturated and latency is the server's queueing plus its work. Every body carries
// sender, sequence number and send time; each (sender, sequence) must arrive exactly once, at the right partner.
import { attrOf, bodyOf, stampedBody, BenchClient } from '../client.js';
import { sample, delta } from '../procstat.js';
import { awaitDeliveries, percentile, sleep, type ScenarioContext, type ScenarioResult } from './context.js';

/** Filler that brings a chat message to ~250 bytes on the wire, like a short real message with its markup. */
const PAD = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna';


/** Items of the privacy list every user activates in the chat-privacy variant. */
export const PRIVACY_ITEMS = 100;
const NS_PRIVACY = 'jabber:iq:privacy';

/**
 * A 100-item list as people keep them: blocks of other addresses (users elsewhere, whole domains, some for
 * messages only, some for everything), none of which matches the partner, so every message is checked against the
 * whole list and still delivered. JID items only: a group or subscription item would add a roster lookup per stanza
 * (measured apart if ever needed).
 */
function privacyList(name: string): string {
  const items: string[] = [];
  for (let i = 0; i < PRIVACY_ITEMS; i++) {
    const value = i % 10 === 9 ? `spam${i}.example` : `blocked${i}@elsewhere${i % 7}.example`;
    const kinds = i % 3 === 0 ? '<message/>' : i % 3 === 1 ? '<message/><presence-in/>' : '';
    items.push(`<item type='jid' value='${value}' action='deny' order='${i + 1}'>${kinds}</item>`);
  }
  return `<query xmlns='${NS_PRIVACY}'><list name='${name}'>${items.join('')}</list></query>`;
}

/** Every client stores and activates the 100-item list; null when done, else why the server could not. */
async function activatePrivacyLists(clients: BenchClient[]): Promise<string | null> {
  for (const c of clients) {
    for (const payload of [privacyList('bench'), `<query xmlns='${NS_PRIVACY}'><active name='bench'/></query>`]) {
      const id = BenchClient.nextId('priv');
      const r = await c.iq(id, `<iq type='set' id='${id}'>${payload}</iq>`);
      if (r.attrs.type !== 'result') return `privacy list refused: ${r.toString().slice(0, 300)}`;
    }
  }
  return null;
}

/** `privacy`: the chat-privacy variant — the same run with a 100-item active privacy list on every recipient. */
export async function chatScenario(ctx: ScenarioContext, privacy = false): Promise<ScenarioResult> {
  const { scale, server } = ctx;
  const senders = scale.chatPairs * 2;
  const per = Math.floor(scale.chatMessages / senders);
  const total = per * senders;
  const names = Array.from({ length: senders }, (_, i) => `u${i + 1}`);
  const { clients } = await ctx.loginMany(names, scale.loginConcurrency, { rosterGet: true, presence: true });
  const jids = clients.map((c) => c.jid);
  if (jids.some((j) => !j.includes('/'))) return { status: 'error', message: 'a bound JID has no resource', figures: {}, details: {} };
  if (privacy) {
    ctx.progress = `activating ${PRIVACY_ITEMS}-item privacy lists`;
    const refused = await activatePrivacyLists(clients);
    if (refused !== null) {
      await ctx.closeAll();
      return { status: 'n/a', message: `no XEP-0016 privacy lists (${refused})`, figures: {}, details: {} };
    }
  }

  const sent = new Int32Array(senders);
  const inflight = new Int32Array(senders);
  const seen = new Uint8Array(total);
  const latency = new Float64Array(total);
  let delivered = 0;
  let duplicates = 0;
  let misrouted = 0;
  let bounced = 0;
  let doneAt = 0;
  const W = scale.chatWindow;

  const pump = (s: number): void => {
    const c = clients[s]!;
    const to = jids[s ^ 1]!;
    while (inflight[s]! < W && sent[s]! < per) {
      const seq = sent[s]!++;
      inflight[s]!++;
      c.write(`<message to='${to}' type='chat' id='c${seq}'><body>${s} ${seq} ${performance.now().toFixed(3)} ${PAD}</body></message>`);
    }
  };

  const receiver = (r: number) => (text: string): void => {
    const now = performance.now();
    if (attrOf(text, 'type') === 'error') { bounced++; return; }
    const body = bodyOf(text);
    if (body === undefined) return;
    const stamped = stampedBody(body);
    const s = stamped?.sender ?? -1;
    const seq = stamped?.seq ?? -1;
    const ts = stamped?.sentAt ?? 0;
    if (!(s >= 0 && s < senders && seq >= 0 && seq < per) || s !== (r ^ 1)) { misrouted++; return; }
    const idx = s * per + seq;
    if (seen[idx]++ !== 0) { duplicates++; return; }
    latency[delivered++] = now - ts;
    inflight[s]!--;
    if (delivered === total) doneAt = now;
    pump(s);
  };
  clients.forEach((c: BenchClient, r) => (c.onMessage = receiver(r)));
  await sleep(500);

  const before = sample(server.pid);
  for (let s = 0; s < senders; s++) pump(s);
  const stalled = await awaitDeliveries(ctx, () => delivered, total, 'delivered');
  const after = sample(server.pid);
  if (doneAt === 0) doneAt = performance.now();
  // Anything still on its way now would be a duplicate.
  await sleep(500);
  const d = delta(before, after);
  const wall = (doneAt - before.at) / 1000;
  const lost = total - delivered;
  await ctx.closeAll();
  const figures = {
    chatMsgsPerSecond: delivered / wall,
    chatP50: percentile(latency.subarray(0, delivered), 50),
    chatP99: percentile(latency.subarray(0, delivered), 99),
    chatCpuPer10k: delivered > 0 ? (d.serverCpu / delivered) * 10000 : null,
    chatLost: lost + duplicates + misrouted,
    chatServerCpu: d.serverCpu / d.wallSeconds,
    chatGeneratorCpu: d.generatorCpu / d.wallSeconds,
  };
  const details = {
    privacyItems: privacy ? PRIVACY_ITEMS : 0, pairs: scale.chatPairs, messages: total, window: W, delivered, lost, duplicates, misrouted, bounced,
    wallSeconds: wall, serverCpuSeconds: d.serverCpu, generatorCpuSeconds: d.generatorCpu, measuredWindowUs: d.windowUs,
  };
  if (stalled) return { status: 'error', message: `delivery stopped after ${delivered} of ${total} messages (${bounced} bounced)`, figures, details };
  if (ctx.aborted) return { status: 'timeout', message: `${delivered} of ${total} messages delivered in time`, figures, details };
  return { status: 'ok', figures, details };
}
