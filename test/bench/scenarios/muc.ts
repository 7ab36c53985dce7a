// muc: Q occupants in one room, S of them send M groupchat messages in all, each sender keeping a small window in
// flight (the next message goes when its own echo comes back). Every occupant must receive every message exactly
// once; latency is measured per delivery.
import { attrOf, bodyOf, BenchClient } from '../client.js';
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
  const per = Math.floor(scale.mucMessages / S);
  const total = per * S;
  const room = `bench${Date.now().toString(36)}@${service}`;
  const names = Array.from({ length: Q }, (_, i) => `u${i + 1}`);
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
  await sleep(500);

  const sent = new Int32Array(S);
  const inflight = new Int32Array(S);
  const seen = new Uint8Array(Q * total);
  const latency = new Float64Array(Q * total);
  let deliveries = 0;
  let duplicates = 0;
  let foreign = 0;
  let bounced = 0;
  let doneAt = 0;
  const goal = Q * total;
  const W = scale.mucWindow;

  const pump = (s: number): void => {
    const c = clients[s]!;
    while (inflight[s]! < W && sent[s]! < per) {
      const seq = sent[s]!++;
      inflight[s]!++;
      c.write(`<message to='${room}' type='groupchat' id='g${seq}'><body>${s} ${seq} ${performance.now().toFixed(3)} ${PAD}</body></message>`);
    }
  };
  const receiver = (q: number) => (text: string): void => {
    const now = performance.now();
    const type = attrOf(text, 'type');
    if (type === 'error') { bounced++; return; }
    const body = bodyOf(text);
    if (body === undefined || type !== 'groupchat') return;   // subject, invitations…
    const a = body.indexOf(' ');
    const b = body.indexOf(' ', a + 1);
    const c = body.indexOf(' ', b + 1);
    const s = Number(body.slice(0, a));
    const seq = Number(body.slice(a + 1, b));
    const ts = Number(body.slice(b + 1, c));
    if (!(s >= 0 && s < S && seq >= 0 && seq < per)) { foreign++; return; }
    const idx = q * total + s * per + seq;
    if (seen[idx]++ !== 0) { duplicates++; return; }
    latency[deliveries++] = now - ts;
    if (deliveries === goal) doneAt = now;
    if (q === s) {
      inflight[s]!--;
      pump(s);
    }
  };
  clients.forEach((c, q) => (c.onMessage = receiver(q)));

  const before = sample(server.pid);
  for (let s = 0; s < S; s++) pump(s);
  const stalled = await awaitDeliveries(ctx, () => deliveries, goal, 'deliveries');
  const after = sample(server.pid);
  if (doneAt === 0) doneAt = performance.now();
  await sleep(500);
  const d = delta(before, after);
  const wall = (doneAt - before.at) / 1000;
  await ctx.closeAll();
  const figures = {
    mucMsgsPerSecond: Math.floor(deliveries / Q) / wall,
    mucDeliveriesPerSecond: deliveries / wall,
    mucP50: percentile(latency.subarray(0, deliveries), 50),
    mucP99: percentile(latency.subarray(0, deliveries), 99),
    mucCpuPer1000: deliveries > 0 ? (d.serverCpu / (deliveries / Q)) * 1000 : null,
    mucLost: goal - deliveries + duplicates,
    mucServerCpu: d.serverCpu / d.wallSeconds,
    mucGeneratorCpu: d.generatorCpu / d.wallSeconds,
  };
  const details = {
    occupants: Q, senders: S, messages: total, window: W, deliveries, duplicates, foreign, bounced, room,
    wallSeconds: wall, serverCpuSeconds: d.serverCpu, generatorCpuSeconds: d.generatorCpu, measuredWindowUs: d.windowUs,
  };
  if (stalled) return { status: 'error', message: `delivery stopped after ${deliveries} of ${goal} deliveries (${bounced} bounced)`, figures, details };
  if (ctx.aborted) return { status: 'timeout', message: `${deliveries} of ${goal} deliveries in time`, figures, details };
  return { status: 'ok', figures, details };
}
