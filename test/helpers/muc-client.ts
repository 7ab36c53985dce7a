// Group chat (XEP-0045) from a test client's side, over raw streams: joining (with everything received until the
// subject, in order), making instant rooms, reading status codes and muc#user items.
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import type { ImClient } from './im-client.js';
import type { Element } from './raw-client.js';
import { escapeXml } from './raw-client.js';
import { DOMAIN } from './server.js';

export const MUC = 'http://jabber.org/protocol/muc';
export const MUC_USER = 'http://jabber.org/protocol/muc#user';
export const MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
export const MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
export const ROOMCONFIG = 'http://jabber.org/protocol/muc#roomconfig';
export const SERVICE = `conference.${DOMAIN}`;

export const roomJid = (room: string): string => `${room}@${SERVICE}`;

export interface JoinOptions {
  password?: string;
  /** Raw <history …/> attributes, e.g. "maxstanzas='2'". */
  history?: string;
  /** Extra presence children. */
  extra?: string;
}

export function joinXml(room: string, nick: string, o: JoinOptions = {}): string {
  const pw = o.password !== undefined ? `<password>${escapeXml(o.password)}</password>` : '';
  const h = o.history !== undefined ? `<history ${o.history}/>` : '';
  return `<presence to='${roomJid(room)}/${escapeXml(nick)}'><x xmlns='${MUC}'>${h}${pw}</x>${o.extra ?? ''}</presence>`;
}

/** Status codes of a presence or message's muc#user <x/>. */
export function codes(e: Element): number[] {
  return (e.getChild('x', MUC_USER)?.getChildren('status') ?? []).map((s) => Number(s.attrs.code));
}

/** Status codes as strings, sorted (as compared in the federation tests). */
export function statuses(e: Element): string[] {
  return codes(e).map(String).sort();
}

/** The muc#user item of a presence. */
export function item(e: Element): Record<string, string> {
  const i = e.getChild('x', MUC_USER)?.getChild('item');
  assert.ok(i, `no muc#user item in ${e.toString()}`);
  return i.attrs as Record<string, string>;
}

export const isSubject = (room: string) => (e: Element): boolean =>
  e.name === 'message' && e.attrs.type === 'groupchat' && String(e.attrs.from).startsWith(roomJid(room)) && e.getChild('subject') !== undefined && e.getChild('body') === undefined;

export const fromRoom = (room: string, nick?: string) => (e: Element): boolean =>
  nick === undefined ? String(e.attrs.from).split('/')[0] === roomJid(room) : e.attrs.from === `${roomJid(room)}/${nick}`;

/** Join and read everything up to and including the subject: [presences…, self, history…, subject]. */
export async function join(c: ImClient, room: string, nick: string, o: JoinOptions = {}): Promise<Element[]> {
  c.send(joinXml(room, nick, o));
  const r = await c.until(isSubject(room), `the subject of ${room} after joining as ${nick}`);
  return [...r.before, r.stop];
}

/** Join expecting an error presence; returns its condition. */
export async function joinRefused(c: ImClient, room: string, nick: string, o: JoinOptions = {}): Promise<string> {
  c.send(joinXml(room, nick, o));
  const e = await c.waitFor((x) => x.name === 'presence' && x.attrs.type === 'error' && x.attrs.from === `${roomJid(room)}/${nick}`, `a refusal to join ${room} as ${nick}`);
  return errorCondition(e);
}

export function errorCondition(e: Element): string {
  const err = e.getChild('error');
  assert.ok(err, `no error in ${e.toString()}`);
  const cond = err.children.find((x) => typeof x !== 'string' && x.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas');
  assert.ok(cond && typeof cond !== 'string', e.toString());
  return cond.name;
}

/** Create `room` as its owner and unlock it as an instant room (MUC-47, MUC-48); returns the join stanzas. */
export async function createRoom(c: ImClient, room: string, nick: string, form = ''): Promise<Element[]> {
  const got = await join(c, room, nick);
  const r = await c.iq((id) => `<iq type='set' id='${id}' to='${roomJid(room)}'><query xmlns='${MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'>${form}</x></query></iq>`);
  assert.equal(r.attrs.type, 'result', r.toString());
  return got;
}

/** A form field for createRoom / configure: `<field var=…><value>…</value></field>`. */
export function configField(name: string, ...values: string[]): string {
  const v = name === 'FORM_TYPE' || name.startsWith('muc#') ? name : `muc#roomconfig_${name}`;
  return `<field var='${v}'>${values.map((x) => `<value>${escapeXml(x)}</value>`).join('')}</field>`;
}

/** Send a groupchat message; returns the id used. */
export function say(c: ImClient, room: string, body: string, id = `m-${Math.random().toString(36).slice(2)}`): string {
  c.send(`<message type='groupchat' to='${roomJid(room)}' id='${id}'><body>${escapeXml(body)}</body></message>`);
  return id;
}

export const isGroupchat = (room: string, body?: string) => (e: Element): boolean =>
  e.name === 'message' && e.attrs.type === 'groupchat' && fromRoom(room)(e) && (body === undefined ? e.getChild('body') !== undefined : e.getChildText('body') === body);

// ---- exact stanzas ----------------------------------------------------------------------------------------------

/**
 * An element as comparable text: attributes sorted, whitespace-only text between elements dropped (pretty-printed
 * expectations), `ignore`d attributes left out wherever they occur (ids the server makes up). Namespaces are
 * compared as written (xmlns attributes), which is how the server writes them.
 */
export function canonical(e: Element, ignore: readonly string[] = []): string {
  const attrs = Object.keys(e.attrs).filter((k) => !ignore.includes(k) && e.attrs[k] !== undefined).sort()
    .map((k) => ` ${k}="${escapeXml(String(e.attrs[k]))}"`).join('');
  const inner = e.children.map((c) => (typeof c === 'string' ? (c.trim() === '' ? '' : escapeXml(c)) : canonical(c, ignore))).join('');
  return `<${e.name}${attrs}>${inner}</${e.name}>`;
}

/** Assert that `actual` is exactly the stanza written in `expected` (apart from the `ignore`d attributes). */
export function assertStanza(actual: Element, expected: string, ignore: readonly string[] = []): void {
  assert.equal(canonical(actual, ignore), canonical(ltx.parse(expected) as Element, ignore));
}

/** Submit a muc#roomconfig form (fields from configField) as the owner; returns the iq reply. */
export function configure(c: ImClient, room: string, fields: string): Promise<Element> {
  return c.iq((id) => `<iq type='set' id='${id}' to='${roomJid(room)}'><query xmlns='${MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'>${configField('FORM_TYPE', ROOMCONFIG)}${fields}</x></query></iq>`);
}

/** Leave a room and read up to our own unavailable presence. */
export async function leave(c: ImClient, room: string, nick: string): Promise<Element> {
  c.send(`<presence to='${roomJid(room)}/${escapeXml(nick)}' type='unavailable'/>`);
  return c.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `${roomJid(room)}/${nick}`, `leaving ${room}`);
}

export const isPresenceFrom = (room: string, nick: string, type?: string) => (e: Element): boolean =>
  e.name === 'presence' && e.attrs.from === `${roomJid(room)}/${nick}` && e.attrs.type === type;
