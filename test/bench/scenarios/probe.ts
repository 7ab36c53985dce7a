// What a server implements, asked the way a client would: disco#info and disco#items of the domain, disco#info of
// each item (and of conference.<domain>), and whether a roster get is answered with a result.
import * as ltx from 'ltx';
import { BenchClient, escapeXml } from '../client.js';
import type { ScenarioContext } from './context.js';

export const NS_ROSTER = 'jabber:iq:roster';
export const NS_MUC = 'http://jabber.org/protocol/muc';

export interface Capabilities {
  features: string[];
  roster: boolean;
  mucService: string | null;
}

function features(reply: ltx.Element): string[] {
  if (reply.attrs.type !== 'result') return [];
  return (reply.getChild('query')?.getChildren('feature') ?? []).map((f) => String(f.attrs.var));
}

async function discoInfo(c: BenchClient, to: string): Promise<string[]> {
  const id = BenchClient.nextId('di');
  return features(await c.iq(id, `<iq type='get' id='${id}' to='${escapeXml(to)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`));
}

export async function probeCapabilities(ctx: ScenarioContext): Promise<Capabilities> {
  const c = ctx.newClient('u1', 'probe');
  const t = await c.login({ rosterGet: true });
  const domain = ctx.server.domain;
  const hostFeatures = await discoInfo(c, domain);
  const id = BenchClient.nextId('dt');
  const items = await c.iq(id, `<iq type='get' id='${id}' to='${domain}'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
  const candidates = new Set<string>();
  if (items.attrs.type === 'result') for (const i of items.getChild('query')?.getChildren('item') ?? []) candidates.add(String(i.attrs.jid));
  candidates.add(`conference.${domain}`);
  let mucService: string | null = null;
  for (const jid of candidates) {
    if ((await discoInfo(c, jid)).includes(NS_MUC)) {
      mucService = jid;
      break;
    }
  }
  await c.close();
  ctx.clients.delete(c);
  return { features: hostFeatures, roster: t.rosterOk === true || hostFeatures.includes(NS_ROSTER), mucService };
}
