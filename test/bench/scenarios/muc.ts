// muc: Q occupants in one room, S of them send groupchat messages, each sender keeping a small window in flight
// (the next message goes when its own reflection comes back). Every occupant must receive every message exactly
// once, from the sender's occupant JID; latency is measured per delivery (one message to one occupant).
//
// A warm-up round (scale.mucWarmup messages, checked the same way) comes first and is not measured, so a JIT
// compiler's first minutes do not count against a server; then scale.mucMessages messages are measured: deliveries
// per second, server CPU per 10,000 deliveries, latency percentiles over every delivery.
//
// Room settings are the servers' (see servers/*.ts): history kept by neither (so no server copies the measured
// messages into a history), temporary rooms, no logging or archiving. The first occupant creates the room and
// confirms it as an instant room when the server says it is new (201), as a client would.
import { attrOf, BenchClient } from '../client.js';
import { MucLedger } from './muc-ledger.js';
import { sample, delta } from '../procstat.js';
import { awaitDeliveries, percentile, runPool, sleep, ScenarioError, type ScenarioContext, type ScenarioResult } from './context.js';

const PAD = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore';

function hasStatus(text: string, code: number): boolean {
  return text.includes(`code='${code}'`) || text.includes(`code="${code}"`);
}

export async function mucScenario(ctx: ScenarioContext, service: string): Promise<ScenarioResult> {
  const { scale, server } = ctx;
  const Q = scale.mucOccupants;
  const S = Math.min(scale.mucSenders, Q);
  const warmPer = Math.floor(scale.mucWarmup / S);
  const per = Math.floor(scale.mucMessages / S);
  const room = `bench${Date.now().toString(36)}@${service}`;
  const names = Array.from({ length: Q }, (_, i) => `u${i + 1}`);
  const senderJid = names.slice(0, S).map((n) => `${room}/${n}`);
  const { clients } = await ctx.loginMany(names, scale.loginConcurrency, { presence: true });

  // Join: the first occupant creates the room (and confirms it as an instant room), then the others come in.
  const join = async (q: number): Promise<void> => {
    const c = clients[q]!;
    const nick = names[q]!;
    const self = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ScenarioError(`${nick} got no self-presence from ${room} within 20 s`)), 20000);
      c.onPresence = (text) => {
        if (attrOf(text, 'from') !== `${room}/${nick}`) return;
        if (attrOf(text, 'type') === 'error') { clearTimeout(timer); reject(new ScenarioError(`joining ${room} failed: ${text}`)); return; }
        if (hasStatus(text, 110)) { clearTimeout(timer); resolve(text); }
      };
      c.write(`<presence to='${room}/${nick}'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>`);
    });
    c.onPresence = null;
    if (hasStatus(self, 201)) {
      const id = BenchClient.nextId('mo');
      const r = await c.iq(id, `<iq type='set' id='${id}' to='${room}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`);
      if (r.attrs.type !== 'result') throw new ScenarioError(`the instant-room configuration was refused: ${r.toString()}`);
    }
  };
  await join(0);
  await runPool(Q - 1, 10, (i) => join(i + 1), () => ctx.aborted);
  ctx.check();
  // What kind of room the server made (muc_temporary, muc_unmoderated…), kept in the details.
  const infoId = BenchClient.nextId('ri');
  const info = await clients[0]!.iq(infoId, `<iq type='get' id='${infoId}' to='${room}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const roomFeatures = (info.getChild('query')?.getChildren('feature') ?? []).map((f) => String(f.attrs.var)).filter((v) => v.startsWith('muc_'));
  await sleep(500);

  const sent = new Int32Array(S);
  const inflight = new Int32Array(S);
  const ledger = new MucLedger(Q, S, warmPer, per, senderJid);
  const { goal, warmGoal } = ledger;
  let sampleDelivery = '';
  /** Messages each sender may have sent so far: warmPer during the warm-up, perAll once measuring. */
  let limit = warmPer;
  const W = scale.mucWindow;

  const pump = (s: number): void => {
    const c = clients[s]!;
    while (inflight[s]! < W && sent[s]! < limit) {
      const seq = sent[s]!++;
      inflight[s]!++;
      c.write(`<message to='${room}' type='groupchat' id='g${seq}'><body>${MucLedger.body(s, seq, performance.now(), PAD)}</body></message>`);
    }
  };
  const receiver = (q: number) => (text: string): void => {
    const s = ledger.receive(q, text, performance.now());
    if (q === Q - 1 && !sampleDelivery && ledger.deliveries > 0) sampleDelivery = text;
    if (s >= 0) {
      inflight[s]!--;
      pump(s);
    }
  };
  clients.forEach((c, q) => (c.onMessage = receiver(q)));

  // Warm-up: not measured, but lost, duplicated or misrouted deliveries count all the same.
  const faults = (): Record<string, unknown> => ({
    lost: ledger.lost, duplicates: ledger.duplicates, misrouted: ledger.misrouted, firstMisrouted: ledger.firstMisrouted,
    bounced: ledger.bounced, firstBounce: ledger.firstBounce,
  });
  for (let s = 0; s < S; s++) pump(s);
  const warmStalled = await awaitDeliveries(ctx, () => ledger.warmDeliveries, warmGoal, 'warm-up deliveries');
  ctx.check();
  if (warmStalled) {
    return {
      status: 'error', message: `the warm-up stopped after ${ledger.warmDeliveries} of ${warmGoal} deliveries (${ledger.bounced} bounced${ledger.firstBounce ? `, e.g. ${ledger.firstBounce}` : ''})`,
      figures: {}, details: { occupants: Q, senders: S, room, roomFeatures, ...faults() },
    };
  }
  await sleep(200);

  limit = ledger.perAll;
  const before = sample(server.pid);
  for (let s = 0; s < S; s++) pump(s);
  const stalled = await awaitDeliveries(ctx, () => ledger.deliveries, goal, 'deliveries');
  const after = sample(server.pid);
  const doneAt = ledger.doneAt || performance.now();
  // Late duplicates still count: wait a little before the figures are taken.
  await sleep(500);
  const d = delta(before, after);
  const wall = (doneAt - before.at) / 1000;
  const tls = `${clients[0]!.tlsProtocol} ${clients[0]!.tlsCipher}`;
  const certificates = clients[0]!.peerCertificates();
  await ctx.closeAll();
  const deliveries = ledger.deliveries;
  const measured = ledger.latency.subarray(0, deliveries);
  const figures = {
    mucDeliveriesPerSecond: deliveries / wall,
    mucMsgsPerSecond: deliveries / Q / wall,
    mucP50: percentile(measured, 50),
    mucP90: percentile(measured, 90),
    mucP99: percentile(measured, 99),
    mucCpuPer10k: deliveries > 0 ? (d.serverCpu / deliveries) * 10000 : null,
    mucLost: ledger.faults,
    mucServerCpu: d.serverCpu / d.wallSeconds,
    mucGeneratorCpu: d.generatorCpu / d.wallSeconds,
  };
  const details = {
    occupants: Q, senders: S, warmupMessages: warmPer * S, messages: per * S, window: W, deliveries, warmDeliveries: ledger.warmDeliveries,
    ...faults(), room, roomFeatures, tls, certificates, sampleDelivery, sampleDeliveryBytes: Buffer.byteLength(sampleDelivery),
    wallSeconds: wall, serverCpuSeconds: d.serverCpu, generatorCpuSeconds: d.generatorCpu, measuredWindowUs: d.windowUs,
  };
  if (stalled) return { status: 'error', message: `delivery stopped after ${deliveries} of ${goal} deliveries (${ledger.bounced} bounced)`, figures, details };
  if (ctx.aborted) return { status: 'timeout', message: `${deliveries} of ${goal} deliveries in time`, figures, details };
  return { status: 'ok', figures, details };
}
