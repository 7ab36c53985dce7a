// roster-pep: the roster login (r0 with C mutually subscribed contacts, O online) where each online contact has
// published 3 PEP nodes (tune, mood, nickname; XEP-0163). r0 logs in twice per repeat: once with no caps (no PEP
// interest, like the roster scenario) and once with XEP-0115 caps carrying `+notify` for the 3 nodes, so the
// server sends it the last item of each of the 3·O nodes. Figures per variant: time to all contacts' presence, time
// to all last items, and server CPU per login (averaged over 4× the roster scenario's repeats) — the difference is
// what PEP costs at login.
import { createHash } from 'node:crypto';
import type * as ltx from 'ltx';
import { attrOf, BenchClient, escapeXml } from '../client.js';
import { sample, delta } from '../procstat.js';
import { median, sleep, ScenarioError, type ScenarioContext, type ScenarioResult } from './context.js';
import { MAIN, contactName, contactsOnline, watchContactPresence } from './roster.js';

const NODES = ['http://jabber.org/protocol/tune', 'http://jabber.org/protocol/mood', 'http://jabber.org/protocol/nick'];
const PAYLOADS = [
  (i: number) => `<tune xmlns='${NODES[0]}'><artist>Artist ${i}</artist><title>Song ${i}</title><length>240</length></tune>`,
  (i: number) => `<mood xmlns='${NODES[1]}'><happy/><text>bench ${i}</text></mood>`,
  (i: number) => `<nick xmlns='${NODES[2]}'>Contact ${i}</nick>`,
];
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const IDENTITY = 'client/pc//Bench';
const FEATURES = [DISCO_INFO, 'http://jabber.org/protocol/caps', ...NODES.map((n) => `${n}+notify`)];
const VER = createHash('sha1').update(`${IDENTITY}<` + [...FEATURES].sort().map((f) => f + '<').join('')).digest('base64');
const CAPS_NODE = 'urn:parley:bench';

/** Answers the server's disco#info for our caps node (XEP-0115 §6.2). */
function answerCaps(c: BenchClient): void {
  c.onRequest = (el: ltx.Element) => {
    const q = el.getChild('query', DISCO_INFO);
    if (el.attrs.type !== 'get' || !q) return false;
    c.write(`<iq type='result' id='${escapeXml(String(el.attrs.id))}' to='${escapeXml(String(el.attrs.from))}'><query xmlns='${DISCO_INFO}' node='${escapeXml(String(q.attrs.node ?? ''))}'>`
      + `<identity category='client' type='pc' name='Bench'/>${FEATURES.map((f) => `<feature var='${f}'/>`).join('')}</query></iq>`);
    return true;
  };
}

async function publishAll(c: BenchClient, i: number): Promise<void> {
  for (let k = 0; k < NODES.length; k++) {
    const id = BenchClient.nextId('pub');
    const r = await c.iq(id, `<iq type='set' id='${id}'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='${NODES[k]}'><item>${PAYLOADS[k]!(i)}</item></publish></pubsub></iq>`);
    if (r.attrs.type !== 'result') throw new ScenarioError(`publishing ${NODES[k]} for contact ${i} failed: ${r.toString()}`);
  }
}

/** CPU is read in clock ticks (10 ms): per-login figures are averaged over all repeats, not medians of ticks. */
const total = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

interface LoginRun { presence: number; lastItems: number | null }

async function loginOnce(ctx: ScenarioContext, O: number, withCaps: boolean): Promise<LoginRun> {
  const main = ctx.newClient(MAIN, withCaps ? 'pep' : 'plain');
  const items = new Set<string>();
  let tItems = 0;
  const t0 = performance.now();
  const presence = watchContactPresence(main, O, t0);
  main.onMessage = (text) => {
    if (!text.includes('pubsub#event')) return;
    const node = /<items node=["']([^"']*)["']/.exec(text)?.[1];
    items.add(`${attrOf(text, 'from') ?? ''} ${node ?? ''}`);
    if (items.size === O * NODES.length && tItems === 0) tItems = performance.now() - t0;
  };
  if (withCaps) answerCaps(main);
  await main.login({ rosterGet: true });
  main.write(withCaps ? `<presence><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='${CAPS_NODE}' ver='${VER}'/></presence>` : '<presence/>');
  const wait = Date.now() + 30000;
  while ((presence.elapsed() === 0 || (withCaps && tItems === 0)) && Date.now() < wait) {
    ctx.check();
    await sleep(2);
  }
  if (presence.elapsed() === 0) throw new ScenarioError(`presence arrived from ${presence.count()} of ${O} online contacts within 30 s`);
  if (withCaps && tItems === 0) throw new ScenarioError(`${items.size} of ${O * NODES.length} last items arrived within 30 s`);
  if (!withCaps) await sleep(200);   // anything PEP would send unasked would have come by now
  if (!withCaps && items.size > 0) throw new ScenarioError(`${items.size} PEP events reached a client without +notify caps`);
  await main.close();
  ctx.clients.delete(main);
  return { presence: presence.elapsed(), lastItems: withCaps ? tItems : null };
}

export async function rosterPepScenario(ctx: ScenarioContext, setupByProtocol: boolean): Promise<ScenarioResult> {
  const { scale } = ctx;
  const { C, O, clients } = await contactsOnline(ctx, setupByProtocol);
  ctx.progress = `publishing ${NODES.length} PEP nodes for ${O} contacts`;
  const probe = await clients[0]!.iq('pp1', `<iq type='get' id='pp1' to='${contactName(0)}@${ctx.server.domain}'><query xmlns='${DISCO_INFO}'/></iq>`);
  if (!probe.getChild('query')?.getChildren('identity').some((i) => i.attrs.category === 'pubsub' && i.attrs.type === 'pep')) {
    return { status: 'n/a', message: 'the server has no PEP (no pubsub/pep identity on an account)', figures: {}, details: {} };
  }
  for (let i = 0; i < O; i++) await publishAll(clients[i]!, i);
  await sleep(500);
  const runs: Record<'plain' | 'pep', { presence: number[]; items: number[]; cpu: number[] }> = {
    plain: { presence: [], items: [], cpu: [] }, pep: { presence: [], items: [], cpu: [] },
  };
  // CPU is read in 10 ms ticks and one login costs a few ticks: four times the roster scenario's repeats.
  const repeats = scale.rosterRepeats * 4;
  for (let k = 0; k < repeats; k++) {
    for (const variant of ['plain', 'pep'] as const) {
      ctx.check();
      ctx.progress = `repeat ${k + 1}: ${variant} login`;
      const before = sample(ctx.server.pid);
      const r = await loginOnce(ctx, O, variant === 'pep');
      const d = delta(before, sample(ctx.server.pid));
      runs[variant].presence.push(r.presence);
      if (r.lastItems !== null) runs[variant].items.push(r.lastItems);
      runs[variant].cpu.push(d.serverCpu * 1000);
      await sleep(300);
    }
  }
  await ctx.closeAll();
  return {
    status: 'ok',
    figures: {
      pepPlainPresenceTime: median(runs.plain.presence),
      pepPlainCpuMs: total(runs.plain.cpu) / runs.plain.cpu.length,
      pepPresenceTime: median(runs.pep.presence),
      pepLastItemsTime: median(runs.pep.items),
      pepCpuMs: total(runs.pep.cpu) / runs.pep.cpu.length,
    },
    details: {
      contacts: C, online: O, nodesPerContact: NODES.length, repeats, setup: setupByProtocol ? 'xmpp' : 'files',
      plain: runs.plain, pep: runs.pep,
      note: 'CPU per login includes the TLS handshake and SCRAM; the first pep login also pays one caps disco#info (later ones hit the shared caps cache)',
    },
  };
}
