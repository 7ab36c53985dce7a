// PEP test helpers over ImClient (real sockets): XEP-0115 caps computed here independently of the server, a client
// that advertises caps and answers the server's disco#info, and pubsub requests as raw XML.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { escapeXml, nextId, type Element } from './raw-client.js';
import { isPresence, type ImClient } from './im-client.js';

export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
export const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info';
export const NS_DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';
export const NS_TUNE = 'http://jabber.org/protocol/tune';
export const NS_MOOD = 'http://jabber.org/protocol/mood';

/** XEP-0115 §5.1 for identities and features only (what the test clients advertise). */
export function capsVer(identities: string[], features: string[]): string {
  const s = [...identities].sort().map((x) => x + '<').join('') + [...features].sort().map((x) => x + '<').join('');
  return createHash('sha1').update(s, 'utf8').digest('base64');
}

export interface CapsOptions {
  /** Advertise a hash that does not match the features (the server must not trust it). */
  badHash?: boolean;
  /** Extra presence children. */
  extra?: string;
}

/**
 * Initial presence with caps whose features are disco#info, `<ns>+notify` for each of `notify`, and one feature
 * unique to this call (so the server has never seen the hash and must ask); answers the server's disco#info.
 * Returns the caps features.
 */
export async function onlineWithCaps(c: ImClient, notify: string[], opts: CapsOptions = {}): Promise<string[]> {
  const features = [NS_DISCO_INFO, `urn:test:unique:${nextId('f')}`, ...notify.map((n) => `${n}+notify`)];
  const ver = opts.badHash ? capsVer(['client/pc//Other'], features) : capsVer(['client/pc//Test'], features);
  c.presence('', `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='urn:test:client' ver='${ver}'/>${opts.extra ?? ''}`);
  const q = await c.waitFor((e) => e.name === 'iq' && e.attrs.type === 'get' && e.getChild('query', NS_DISCO_INFO) !== undefined, 'the server\'s disco#info for our caps');
  const node = String(q.getChild('query', NS_DISCO_INFO)!.attrs.node);
  assert.equal(node, `urn:test:client#${ver}`, 'the server asks for node#ver (XEP-0115 §6.2)');
  c.send(`<iq type='result' id='${escapeXml(String(q.attrs.id))}' to='${escapeXml(String(q.attrs.from))}'><query xmlns='${NS_DISCO_INFO}' node='${escapeXml(node)}'>`
    + `<identity category='client' type='pc' name='Test'/>${features.map((f) => `<feature var='${escapeXml(f)}'/>`).join('')}</query></iq>`);
  await c.waitFor(isPresence(undefined, c.jid), 'the echo of our own presence');
  return features;
}

/** Initial presence without caps. */
export async function onlinePlain(c: ImClient): Promise<void> {
  c.presence();
  await c.waitFor(isPresence(undefined, c.jid), 'the echo of our own presence');
}

export const isEvent = (node: string, from?: string) => (e: Element): boolean => {
  if (e.name !== 'message') return false;
  const ev = e.getChild('event', NS_PUBSUB_EVENT);
  if (!ev) return false;
  const child = ev.getChildElements()[0];
  return child?.attrs.node === node && (from === undefined || e.attrs.from === from);
};

/** The events of `node` among elements. */
export function events(es: Element[], node: string): Element[] {
  return es.filter(isEvent(node));
}

export function publishXml(node: string, items: string, options?: Record<string, string>): (id: string) => string {
  const opts = options ? `<publish-options><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${NS_PUBSUB}#publish-options</value></field>`
    + Object.entries(options).map(([k, v]) => `<field var='${k}'><value>${escapeXml(v)}</value></field>`).join('') + '</x></publish-options>' : '';
  return (id) => `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><publish node='${escapeXml(node)}'>${items}</publish>${opts}</pubsub></iq>`;
}

export async function publish(c: ImClient, node: string, items: string, options?: Record<string, string>): Promise<Element> {
  return c.iq(publishXml(node, items, options), 'pub');
}

export async function publishOk(c: ImClient, node: string, items: string, options?: Record<string, string>): Promise<string[]> {
  const r = await publish(c, node, items, options);
  assert.equal(r.attrs.type, 'result', r.toString());
  return r.getChild('pubsub', NS_PUBSUB)!.getChild('publish')!.getChildren('item').map((i) => String(i.attrs.id));
}

/** Items request (`to` the owner's bare JID); the reply. */
export function getItems(c: ImClient, owner: string, node: string, inner = '', attrs = ''): Promise<Element> {
  return c.iq((id) => `<iq type='get' id='${id}' to='${owner}'><pubsub xmlns='${NS_PUBSUB}'><items node='${escapeXml(node)}'${attrs}>${inner}</items></pubsub></iq>`, 'items');
}

export function itemIds(r: Element): string[] {
  assert.equal(r.attrs.type, 'result', r.toString());
  return r.getChild('pubsub', NS_PUBSUB)!.getChild('items')!.getChildren('item').map((i) => String(i.attrs.id));
}

export function tune(artist: string): string {
  return `<tune xmlns='${NS_TUNE}'><artist>${escapeXml(artist)}</artist></tune>`;
}

export function mood(m: string): string {
  return `<mood xmlns='${NS_MOOD}'><${m}/></mood>`;
}

/** The XEP-0060 application condition of an error reply. */
export function pubsubCondition(e: Element): string | undefined {
  const err = e.getChild('error');
  return err?.getChildElements().find((x) => x.getNS() === NS_PUBSUB_ERRORS)?.name;
}

export function errorCondition(e: Element): string | undefined {
  assert.equal(e.attrs.type, 'error', e.toString());
  return e.getChild('error')?.getChildElements().find((x) => x.getNS() === 'urn:ietf:params:xml:ns:xmpp-stanzas')?.name;
}
