// roster: an account with C mutually subscribed contacts, O of them online, logs in. Measured from the start of
// the connection: the time until the full roster is in (C items), and until available presence from all O online
// contacts has arrived. Repeated a few times on the same server; the medians are reported.
import { attrOf, BenchClient } from '../client.js';
import { sample, delta } from '../procstat.js';
import { median, sleep, ScenarioError, type ScenarioContext, type ScenarioResult } from './context.js';

export const MAIN = 'r0';
export const contactName = (i: number): string => `rc${i + 1}`;

export function bareOf(jid: string | undefined): string {
  if (!jid) return '';
  const slash = jid.indexOf('/');
  return slash < 0 ? jid : jid.slice(0, slash);
}

/** Answers every subscription request with approval, as a user accepting all contacts would. */
/**
 * Time from `t0` until available presence has come from all `online` contacts (rc…): `elapsed()` is 0 until then.
 * Set on `main` before its login, since the presences follow the initial presence.
 */
export function watchContactPresence(main: BenchClient, online: number, t0: number): { elapsed(): number; count(): number } {
  const got = new Set<string>();
  let t = 0;
  main.onPresence = (text) => {
    const type = attrOf(text, 'type');
    if (type !== undefined && type !== 'available') return;
    const from = bareOf(attrOf(text, 'from'));
    if (!from.startsWith('rc')) return;
    got.add(from);
    if (got.size === online && t === 0) t = performance.now() - t0;
  };
  return { elapsed: () => t, count: () => got.size };
}

function autoApprove(c: BenchClient): void {
  c.onPresence = (text) => {
    if (attrOf(text, 'type') === 'subscribe') {
      const from = bareOf(attrOf(text, 'from'));
      if (from) c.write(`<presence to='${from}' type='subscribed'/>`);
    }
  };
}

async function rosterItems(c: BenchClient): Promise<{ count: number; both: number }> {
  const id = BenchClient.nextId('rg');
  const r = await c.iq(id, `<iq type='get' id='${id}'><query xmlns='jabber:iq:roster'/></iq>`);
  const items = r.attrs.type === 'result' ? (r.getChild('query')?.getChildren('item') ?? []) : [];
  return { count: items.length, both: items.filter((i) => i.attrs.subscription === 'both').length };
}

/**
 * Builds the roster through XMPP (RFC 6121 §3): the main account and every contact ask each other for a
 * subscription and approve each other's request. Used for servers whose roster storage the benchmark does not write.
 */
export async function setupRosterByProtocol(ctx: ScenarioContext, contacts: number): Promise<void> {
  const names = Array.from({ length: contacts }, (_, i) => contactName(i));
  const { clients } = await ctx.loginMany(names, ctx.scale.loginConcurrency, { presence: true }, (c) => autoApprove(c));
  const main = ctx.newClient(MAIN, 'setup');
  autoApprove(main);
  await main.login({ presence: true });
  const domain = ctx.server.domain;
  for (let i = 0; i < contacts; i++) {
    main.write(`<presence to='${contactName(i)}@${domain}' type='subscribe'/>`);
    clients[i]!.write(`<presence to='${MAIN}@${domain}' type='subscribe'/>`);
    if (i % 50 === 49) await sleep(20);
  }
  const until = Date.now() + 60000;
  let got = { count: 0, both: 0 };
  while (Date.now() < until) {
    ctx.check();
    got = await rosterItems(main);
    ctx.progress = `roster setup: ${got.both} of ${contacts} contacts mutually subscribed`;
    ctx.log(ctx.progress);
    if (got.both === contacts) break;
    await sleep(500);
  }
  await ctx.closeAll();
  if (got.both !== contacts) throw new ScenarioError(`roster setup through XMPP left ${got.both} of ${contacts} contacts mutually subscribed (${got.count} items)`);
}

/**
 * The setting of the roster scenarios: the main account's roster of C contacts (made through XMPP when asked, else
 * already in the server's files), and the first O contacts logged in and available.
 */
export async function contactsOnline(ctx: ScenarioContext, setupByProtocol: boolean): Promise<{ C: number; O: number; clients: BenchClient[] }> {
  const { scale } = ctx;
  const C = scale.rosterContacts;
  const O = Math.min(scale.rosterOnline, C);
  if (setupByProtocol) {
    ctx.progress = 'setting up the roster through XMPP';
    await setupRosterByProtocol(ctx, C);
  }
  const online = Array.from({ length: O }, (_, i) => contactName(i));
  const { clients } = await ctx.loginMany(online, scale.loginConcurrency, { presence: true });
  return { C, O, clients };
}

export async function rosterScenario(ctx: ScenarioContext, setupByProtocol: boolean): Promise<ScenarioResult> {
  const { scale, server } = ctx;
  const { C, O } = await contactsOnline(ctx, setupByProtocol);
  await sleep(500);
  const rosterTimes: number[] = [];
  const presenceTimes: number[] = [];
  const rosterRtts: number[] = [];
  const before = sample(server.pid);
  for (let k = 0; k < scale.rosterRepeats; k++) {
    ctx.check();
    const main = ctx.newClient(MAIN);
    const presence = watchContactPresence(main, O, performance.now());
    const t = await main.login({ rosterGet: true, presence: true });
    if (t.rosterItems !== C) throw new ScenarioError(`the roster has ${t.rosterItems ?? 'no'} items, expected ${C}`);
    const wait = Date.now() + 30000;
    while (presence.elapsed() === 0 && Date.now() < wait) {
      ctx.check();
      await sleep(2);
    }
    if (presence.elapsed() === 0) throw new ScenarioError(`presence arrived from ${presence.count()} of ${O} online contacts within 30 s`);
    rosterTimes.push(t.roster!);   // login() starts its clock where t0 was taken
    rosterRtts.push(t.roster! - t.bind);
    presenceTimes.push(presence.elapsed());
    await main.close();
    ctx.clients.delete(main);
    await sleep(300);
  }
  const after = sample(server.pid);
  const d = delta(before, after);
  await ctx.closeAll();
  return {
    status: 'ok',
    figures: {
      rosterTime: median(rosterTimes),
      rosterPresenceTime: median(presenceTimes),
    },
    details: {
      contacts: C, online: O, repeats: scale.rosterRepeats, rosterTimesMs: rosterTimes, presenceTimesMs: presenceTimes,
      rosterGetRoundTripsMs: rosterRtts, measuredWindowUs: d.windowUs, serverCpuSecondsAllRepeats: d.serverCpu, setup: setupByProtocol ? 'xmpp' : 'files',
    },
  };
}
