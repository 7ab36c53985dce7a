// muc#admin (XEP-0045 §8–§10) from a test client's side: sending item sets and list gets to a room, reading their
// answers, and recognising the presences a role or affiliation change produces.
import assert from 'node:assert/strict';
import type { ImClient } from './im-client.js';
import type { Element } from './raw-client.js';
import { escapeXml } from './raw-client.js';
import { MUC_ADMIN, MUC_USER, errorCondition, roomJid } from './muc-client.js';

/** A muc#admin iq of `type` with `items` (raw <item/> XML) to the room; the reply. */
export function adminIq(c: ImClient, room: string, items: string, type: 'get' | 'set' = 'set'): Promise<Element> {
  return c.iq((id) => `<iq type='${type}' id='${id}' to='${roomJid(room)}'><query xmlns='${MUC_ADMIN}'>${items}</query></iq>`, 'admin');
}

/** A set that must succeed. */
export async function adminOk(c: ImClient, room: string, items: string): Promise<Element> {
  const r = await adminIq(c, room, items);
  assert.equal(r.attrs.type, 'result', r.toString());
  assert.equal(r.attrs.from, roomJid(room));
  return r;
}

/** A get or set that must fail; its error condition. */
export async function adminRefused(c: ImClient, room: string, items: string, type: 'get' | 'set' = 'set'): Promise<string> {
  const r = await adminIq(c, room, items, type);
  assert.equal(r.attrs.type, 'error', r.toString());
  return errorCondition(r);
}

/** A list get that must succeed: its items' attributes (and reason text as `reason`), in the order given. */
export async function adminList(c: ImClient, room: string, item: string): Promise<Record<string, string>[]> {
  const r = await adminIq(c, room, item, 'get');
  assert.equal(r.attrs.type, 'result', r.toString());
  const q = r.getChild('query', MUC_ADMIN);
  assert.ok(q, r.toString());
  return q.getChildren('item').map((i) => {
    const out: Record<string, string> = { ...(i.attrs as Record<string, string>) };
    const reason = i.getChildText('reason');
    if (reason !== null) out.reason = reason;
    return out;
  });
}

/** Items sorted by jid then nick, for comparing lists whose order the XEP leaves open. */
export function sorted(items: Record<string, string>[]): Record<string, string>[] {
  return [...items].sort((x, y) => `${x.jid ?? ''} ${x.nick ?? ''}`.localeCompare(`${y.jid ?? ''} ${y.nick ?? ''}`));
}

export const roleItem = (nick: string, role: string, reason?: string): string =>
  `<item nick='${escapeXml(nick)}' role='${role}'>${reason !== undefined ? `<reason>${escapeXml(reason)}</reason>` : ''}</item>`;

export const affItem = (jid: string, affiliation: string, extra: { nick?: string; reason?: string } = {}): string =>
  `<item jid='${escapeXml(jid)}' affiliation='${affiliation}'${extra.nick !== undefined ? ` nick='${escapeXml(extra.nick)}'` : ''}>${extra.reason !== undefined ? `<reason>${escapeXml(extra.reason)}</reason>` : ''}</item>`;

/** A presence from room/nick: available (no type) unless `type` is given. */
export const presenceOf = (room: string, nick: string, type?: string) => (e: Element): boolean =>
  e.name === 'presence' && e.attrs.from === `${roomJid(room)}/${nick}` && (type === undefined ? e.attrs.type === undefined : e.attrs.type === type);

/** The <actor/> and <reason/> of a presence's muc#user item. */
export function actorAndReason(e: Element): { actor?: string; reason?: string } {
  const i = e.getChild('x', MUC_USER)?.getChild('item');
  return { actor: i?.getChild('actor')?.attrs.nick as string | undefined, reason: i?.getChildText('reason') ?? undefined };
}
