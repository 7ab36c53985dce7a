// XEP-0016 and XEP-0191 requests for the privacy tests, on top of ImClient: set and get lists, activate, make
// default, block and unblock, and predicates for their pushes.
import assert from 'node:assert/strict';
import { nextId, type Element, type RawClient } from './raw-client.js';

/** What the requests need of a client: ImClient has it; rawSender() gives it to a RawClient. */
export interface IqSender {
  iq(xml: (id: string) => string, prefix?: string): Promise<Element>;
}

export function rawSender(raw: RawClient): IqSender {
  return {
    iq: (xml, prefix = 'iq') => {
      const id = nextId(prefix);
      return raw.iq(xml(id), id);
    },
  };
}

export const NS_PRIVACY = 'jabber:iq:privacy';
export const NS_BLOCKING = 'urn:xmpp:blocking';
export const NS_BLOCKING_ERRORS = 'urn:xmpp:blocking:errors';

/** An iq set or get of jabber:iq:privacy with the given query content; the reply. */
export function privacy(c: IqSender, type: 'get' | 'set', content = ''): Promise<Element> {
  return c.iq((id) => `<iq type='${type}' id='${id}'><query xmlns='${NS_PRIVACY}'>${content}</query></iq>`, 'priv');
}

/** Create or replace a list (items as XML); asserts success. */
export async function putList(c: IqSender, name: string, items: string): Promise<void> {
  const r = await privacy(c, 'set', `<list name='${name}'>${items}</list>`);
  assert.equal(r.attrs.type, 'result', `setting list ${name}: ${r.toString()}`);
}

export async function activate(c: IqSender, name: string | null): Promise<Element> {
  return privacy(c, 'set', name === null ? '<active/>' : `<active name='${name}'/>`);
}

export async function makeDefault(c: IqSender, name: string | null): Promise<Element> {
  return privacy(c, 'set', name === null ? '<default/>' : `<default name='${name}'/>`);
}

export function ok(r: Element): void {
  assert.equal(r.attrs.type, 'result', r.toString());
}

/** An XEP-0191 request (`<blocklist/>`, `<block>…`, `<unblock>…`); the reply. */
export function blocking(c: IqSender, type: 'get' | 'set', payload: string): Promise<Element> {
  return c.iq((id) => `<iq type='${type}' id='${id}'>${payload}</iq>`, 'blk');
}

export async function blocklist(c: IqSender): Promise<string[]> {
  const r = await blocking(c, 'get', `<blocklist xmlns='${NS_BLOCKING}'/>`);
  ok(r);
  return r.getChild('blocklist', NS_BLOCKING)!.getChildren('item').map((i) => String(i.attrs.jid));
}

export const block = (c: IqSender, ...jids: string[]): Promise<Element> =>
  blocking(c, 'set', `<block xmlns='${NS_BLOCKING}'>${jids.map((j) => `<item jid='${j}'/>`).join('')}</block>`);
export const unblock = (c: IqSender, ...jids: string[]): Promise<Element> =>
  blocking(c, 'set', `<unblock xmlns='${NS_BLOCKING}'>${jids.map((j) => `<item jid='${j}'/>`).join('')}</unblock>`);

/** The names a privacy list push names (XEP-0016 §2.6: `<query><list name/></query>`, an iq set). */
export const isPrivacyPush = (name: string) => (e: Element): boolean =>
  e.name === 'iq' && e.attrs.type === 'set' && e.getChild('query', NS_PRIVACY)?.getChild('list')?.attrs.name === name;

export const isBlockPush = (kind: 'block' | 'unblock') => (e: Element): boolean =>
  e.name === 'iq' && e.attrs.type === 'set' && e.getChild(kind, NS_BLOCKING) !== undefined;

export function pushJids(e: Element, kind: 'block' | 'unblock'): string[] {
  return e.getChild(kind, NS_BLOCKING)!.getChildren('item').map((i) => String(i.attrs.jid));
}

/** The items of a list as the server returns it, compactly: "order action type=value [kinds]". */
export async function listItems(c: IqSender, name: string): Promise<string[]> {
  const r = await privacy(c, 'get', `<list name='${name}'/>`);
  ok(r);
  return r.getChild('query', NS_PRIVACY)!.getChild('list')!.getChildren('item').map((i) => {
    const kinds = i.getChildElements().map((k) => k.name).join(',');
    return `${String(i.attrs.order)} ${String(i.attrs.action)}${i.attrs.type ? ` ${String(i.attrs.type)}=${String(i.attrs.value)}` : ''}${kinds ? ` [${kinds}]` : ''}`;
  });
}
