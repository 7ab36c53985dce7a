// Shared by the svc-*/vcard* integration tests (not a test file itself): exact stanza comparison, an iq round trip
// over @xmpp/client with raw XML, and in-band registration driven by StanzaJS's own XEP-0077 definitions.
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import type { Element } from 'ltx';
import { xml } from '@xmpp/client';
import type { Agent } from 'stanza';
import { sharedServer, DOMAIN, type TestServer } from '../helpers/server.js';
import type { StoredSettings } from '../../server/core/config.js';
import { stanzaClient, xmppjsLogin, nextEvent, within, type StanzaLogin, type XmppjsSession } from '../helpers/clients.js';

export { DOMAIN };

/** Canonical XML: attributes sorted, the stream's default namespace left off the top element. */
export function canon(e: Element | string, top = true): string {
  const node = typeof e === 'string' ? ltx.parse(e) : e;
  const attrs = Object.keys(node.attrs)
    .filter((k) => node.attrs[k] !== undefined && !(top && k === 'xmlns' && node.attrs[k] === 'jabber:client'))
    .sort()
    .map((k) => ` ${k}="${String(node.attrs[k]).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;')}"`)
    .join('');
  const kids = node.children.map((c) => typeof c === 'string' ? c.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : canon(c, false)).join('');
  return kids === '' ? `<${node.name}${attrs}/>` : `<${node.name}${attrs}>${kids}</${node.name}>`;
}

/** The stanza is exactly `expected` (attribute order and quoting aside). */
export function assertStanza(got: Element, expected: string): void {
  assert.equal(canon(got), canon(expected));
}

let n = 0;
export function id(prefix = 'svc'): string {
  return `${prefix}-${++n}`;
}

/** An @xmpp/client session that records every stanza it receives and hands each out once to waitFor. */
export interface SvcClient {
  session: XmppjsSession;
  jid: string;
  received: Element[];
  send(e: Element | string): Promise<void>;
  waitFor(pred: (e: Element) => boolean, what: string, ms?: number): Promise<Element>;
  /** Received stanzas not handed out yet that match. */
  pending(pred?: (e: Element) => boolean): Element[];
  /** A ping round trip: everything the server sent this client before its answer has arrived. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export async function xlogin(t: TestServer, user: string, password: string): Promise<SvcClient> {
  const session = await xmppjsLogin(t, user, password);
  const received: Element[] = [];
  const taken = new Set<Element>();
  let wake: (() => void)[] = [];
  session.client.on('stanza', (e: Element) => {
    received.push(e);
    const w = wake;
    wake = [];
    w.forEach((f) => f());
  });
  const c: SvcClient = {
    session,
    jid: session.jid,
    received,
    send: (e) => session.client.send((typeof e === 'string' ? ltx.parse(e) : e) as never),
    waitFor(pred, what, ms = 5000) {
      return within(new Promise<Element>((resolve) => {
        const check = (): void => {
          const hit = received.find((e) => !taken.has(e) && pred(e));
          if (hit) {
            taken.add(hit);
            resolve(hit);
          } else wake.push(check);
        };
        check();
      }), `${what} at ${session.jid} (received: ${received.map((e) => e.toString()).join(' ') || 'nothing'})`, ms);
    },
    pending: (pred = () => true) => received.filter((e) => !taken.has(e) && pred(e)),
    async sync() {
      const key = id('sync');
      await c.send(xml('iq', { type: 'get', id: key, to: DOMAIN }, xml('ping', { xmlns: 'urn:xmpp:ping' })) as unknown as Element);
      await c.waitFor((e) => e.is('iq') && e.attrs.id === key, `the answer to ${key}`);
    },
    close: () => session.close(),
  };
  return c;
}

export interface SvcServer {
  /** The suite's server (there once `before` has run). */
  readonly t: TestServer;
  /** An @xmpp/client login of one of the suite's users, with its password; it is closed when the suite ends. */
  login(user: string): Promise<SvcClient>;
}

/**
 * For a describe (or a file): `before` starts a server with `users` (name → password) and `settings`; `after`
 * closes every client that `login` opened, then stops the server.
 */
export function svcServer(users: Record<string, string>, settings: StoredSettings = {}): SvcServer {
  const shared = sharedServer<SvcClient>(users, settings, async (clients) => {
    for (const c of clients) await c.close().catch(() => undefined);
  });
  return {
    get t() {
      return shared.t;
    },
    async login(user) {
      const password = users[user];
      if (password === undefined) throw new Error(`${user} is not one of this suite's users`);
      return shared.keep(await xlogin(shared.t, user, password));
    },
  };
}

/** Send an iq (an element or XML text with an id) over @xmpp/client and return the reply with that id. */
export async function iq(c: SvcClient, stanza: Element | string): Promise<Element> {
  const e = typeof stanza === 'string' ? ltx.parse(stanza) : stanza;
  const key = String(e.attrs.id);
  await c.send(e);
  return c.waitFor((r) => r.is('iq') && r.attrs.id === key && (r.attrs.type === 'result' || r.attrs.type === 'error'), `the reply to iq ${key}`);
}

/** disco#info of `to` as seen by `c`. */
export async function discoInfo(c: SvcClient, to: string): Promise<Element> {
  const key = id('disco');
  return iq(c, xml('iq', { type: 'get', id: key, to }, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })) as unknown as Element);
}

/** The `<feature var/>`s of a disco#info result. */
export function features(result: Element): string[] {
  return result.getChild('query')!.getChildren('feature').map((f) => String(f.attrs.var));
}

/**
 * StanzaJS registering `user` in-band before SASL (XEP-0077 §3.1) as an application would: when the server
 * offers the iq-register stream feature, fetch the fields with getAccountInfo(), submit them with updateAccount(),
 * then log in on the same stream with the new account. Resolves once the session started; `registered` reports
 * what the server answered to the get.
 */
export async function stanzaRegisterAndLogin(t: TestServer, user: string, password: string): Promise<{ login: StanzaLogin; fields: Record<string, unknown>; offered: boolean }> {
  const login = stanzaClient(t, user, password);
  const c: Agent = login.client;
  const out = { login, fields: {} as Record<string, unknown>, offered: false };
  c.registerFeature('inbandRegistration', 50, async (_features, done) => {
    out.offered = true;
    try {
      out.fields = { ...(await c.getAccountInfo()) };
      await c.updateAccount(undefined as unknown as string, { username: user, password });
      c.features.negotiated.inbandRegistration = true;
      done();
    } catch (err) {
      done('disconnect', `registration failed: ${JSON.stringify(err)}`);
    }
  });
  const started = nextEvent(c, 'session:started', `StanzaJS ${user} to register and log in`);
  void c.connect();
  try {
    await within(started, `StanzaJS ${user} to register and log in`);
  } catch (err) {
    await login.close();
    throw err;
  }
  return out;
}
