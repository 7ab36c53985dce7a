// Helpers for the message-routing and offline tests (im-delivery*, im-offline*), on top of the shared ImClient of
// im-client.ts: log a resource in with a given presence priority, build message XML, compare stanzas exactly, and
// prove silence — the sender's pong comes after every effect of what it sent before it (its stream is processed in
// order), and a marker to another resource arrives after anything sent to it before.
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import { ImClient, describe } from './im-client.js';
import { escapeXml, withTimeout, type Element } from './raw-client.js';
import type { TestServer } from './server.js';

export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const NS_DELAY = 'urn:xmpp:delay';

/**
 * Log `user` in as `resource`. priority: undefined → available presence without <priority/>; a number → with it;
 * null → no presence at all (a connected but not available resource). Waits until the server processed the
 * presence; what arrived meanwhile (presence echoes, stored messages) stays queued.
 */
export async function online(t: TestServer, user: string, resource: string, priority?: number | null): Promise<ImClient> {
  const c = await ImClient.login(t, user, resource);
  if (priority !== null) await setPriority(c, priority);
  return c;
}

/** Send available presence (priority undefined: no <priority/>) and wait until the server processed it. */
export async function setPriority(c: ImClient, priority: number | undefined): Promise<void> {
  c.presence('', priority === undefined ? '' : `<priority>${priority}</priority>`);
  await processed(c);
}

/** Ping the server and wait for the pong only (other stanzas stay queued): all sent before it was processed. */
export async function processed(c: ImClient): Promise<void> {
  const pong = await c.iq((id) => `<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`, 'sync');
  assert.equal(pong.attrs.type, 'result', pong.toString());
}

/** Leave gracefully and wait until the server dropped the session, so later tests start from a clean registry. */
export async function leave(t: TestServer, c: ImClient): Promise<void> {
  const ctx = t.server.context_;
  const still = [...ctx.sessions.all()].some((s) => s.jid.toString() === c.jid);
  const gone = still ? new Promise<void>((resolve) => {
    const on = (s: { jid: { toString(): string } }): void => {
      if (s.jid.toString() !== c.jid) return;
      ctx.router.events.off('session-ended', on);
      resolve();
    };
    ctx.router.events.on('session-ended', on);
  }) : Promise.resolve();
  await c.quit();
  await withTimeout(gone, 5000, `the server to drop ${c.jid}`);
}

/** A message stanza as a client sends it; `type` undefined leaves the attribute out; `inner` is raw XML. */
export function message(to: string | undefined, type: string | undefined, id: string, inner = '<body>hi</body>'): string {
  const attrs = [to === undefined ? '' : ` to='${escapeXml(to)}'`, type === undefined ? '' : ` type='${type}'`, ` id='${id}'`].join('');
  return `<message${attrs}>${inner}</message>`;
}

/** The one answer every refused message gets (RFC 6121 §8.5, IM-40: the same element whatever the reason). */
export function refusal(id: string, from: string, to: string, kind = 'message'): string {
  return `<${kind} id='${id}' from='${from}' to='${to}' type='error'><error type='cancel'><service-unavailable xmlns='${NS_STANZAS}'/></error></${kind}>`;
}

/** A comparable form of a stanza: name, attributes (the stream's default xmlns left out), children in order. */
function shape(e: Element | string): unknown {
  if (typeof e === 'string') return e;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.attrs)) if (!(k === 'xmlns' && v === 'jabber:client')) attrs[k] = String(v);
  return [e.name, Object.fromEntries(Object.entries(attrs).sort()), e.children.map(shape)];
}

/** Exactly this stanza (attribute order and the default namespace aside). */
export function assertStanza(actual: Element, expected: string): void {
  assert.deepEqual(shape(actual), shape(ltx.parse(expected) as Element), `got ${actual.toString()}\nexpected ${expected}`);
}

export const withId = (id: string) => (e: Element): boolean => e.attrs.id === id;
export const isMessage = (e: Element): boolean => e.name === 'message';

/** Messages among `es` (presence broadcasts and the like left out). */
export function messagesIn(es: Element[]): Element[] {
  return es.filter(isMessage);
}

/**
 * Prove that the stanza `id` was dropped: the sender got nothing for it before its pong, and none of `others` got
 * it before a marker sent after it. Returns nothing; everything read is consumed.
 */
export async function assertSilent(sender: ImClient, id: string, others: ImClient[] = []): Promise<void> {
  const back = (await sender.untilPong()).filter(withId(id));
  assert.equal(back.length, 0, `the sender got an answer for ${id}: ${describe(back)}`);
  for (const o of others) {
    const got = (await o.untilMark(sender.mark(o))).filter(withId(id));
    assert.equal(got.length, 0, `${o.jid} got ${id}: ${describe(got)}`);
  }
}

/** Read `c` up to a marker from `from`; the messages it received before it (each stanza read once). */
export async function messagesBefore(from: ImClient, c: ImClient): Promise<Element[]> {
  return messagesIn(await c.untilMark(from.mark(c)));
}
