// An IM test client on top of RawClient — real sockets, strict in-order reads: roster get/set, presence, and the
// two ways the IM tests prove what arrived and what did not —
//   * `untilPong()`: ping the server and return everything this client received before the pong. The server
//     processes a stream's stanzas in order and finishes each (roster writes, pushes, local deliveries, the
//     contact's side of a subscription stanza) before the next, so the pong comes after every effect of what this
//     client sent before it.
//   * `mark(other)` + `other.untilMark(id)`: send an iq result to the other client's full JID (delivered as is, in
//     order after everything this client sent before it) and read the other client's stream up to it. A stanza
//     that was dropped silently is then provably absent, without sleeping.
import assert from 'node:assert/strict';
import { login, nextId, escapeXml, type RawClient, type Element } from './raw-client.js';
import { sharedServer, DOMAIN, type TestServer } from './server.js';
import type { StoredSettings } from '../../server/core/config.js';
import type { RosterItem, RosterStore } from '../../server/storage/roster.js';
import { rosterStore } from '../../server/storage/roster.js';

export const NS_ROSTER = 'jabber:iq:roster';
export const PASSWORD = 'im-test-pw';

export class ImClient {
  private constructor(readonly raw: RawClient & { jid: string }, readonly user: string) {}

  static async login(t: TestServer, user: string, resource?: string): Promise<ImClient> {
    const raw = await login(t.c2sPort, t.caPem, user, PASSWORD, { resource: resource ?? undefined });
    return new ImClient(raw, user);
  }

  /** Full JID of this resource. */
  get jid(): string {
    return this.raw.jid;
  }

  get bare(): string {
    return `${this.user}@${DOMAIN}`;
  }

  send(xml: string): void {
    this.raw.send(xml);
  }

  /** The next element (strict order). */
  next(what = 'the next element', timeoutMs?: number): Promise<Element> {
    return this.raw.nextElement(undefined, what, timeoutMs);
  }

  /** The first queued or arriving element that matches (others stay queued). */
  waitFor(pred: (e: Element) => boolean, what: string, timeoutMs?: number): Promise<Element> {
    return this.raw.nextElement(pred, what, timeoutMs);
  }

  /** Read elements in order until one matches `stop`; returns those before it (and the stop element). */
  async until(stop: (e: Element) => boolean, what: string): Promise<{ before: Element[]; stop: Element }> {
    const before: Element[] = [];
    for (;;) {
      const e = await this.next(`${what} (after ${before.length} other elements: ${before.map((x) => x.toString().slice(0, 200)).join(' | ')})`);
      if (stop(e)) return { before, stop: e };
      before.push(e);
    }
  }

  /** Ping the server; everything received before the pong, in order. */
  async untilPong(): Promise<Element[]> {
    const id = nextId('pong');
    this.send(`<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    const r = await this.until((e) => e.name === 'iq' && e.attrs.id === id, `pong ${id}`);
    assert.equal(r.stop.attrs.type, 'result', `ping failed: ${r.stop.toString()}`);
    return r.before;
  }

  /** Send a marker (an iq result) to another client; returns its id for `other.untilMark(id)`. */
  mark(other: ImClient): string {
    const id = nextId('mark');
    this.send(`<iq type='result' id='${id}' to='${other.jid}'/>`);
    return id;
  }

  /** Everything received before the marker `id`, in order. */
  async untilMark(id: string): Promise<Element[]> {
    return (await this.until((e) => e.name === 'iq' && e.attrs.id === id && e.attrs.type === 'result', `marker ${id}`)).before;
  }

  /** Send an iq and return the reply with its id. */
  iq(xml: (id: string) => string, prefix = 'iq'): Promise<Element> {
    const id = nextId(prefix);
    return this.raw.iq(xml(id), id);
  }

  /** Roster get (makes this resource "interested"); `ver` undefined: no versioning. */
  rosterGet(ver?: string): Promise<Element> {
    const v = ver === undefined ? '' : ` ver='${escapeXml(ver)}'`;
    return this.iq((id) => `<iq type='get' id='${id}'><query xmlns='${NS_ROSTER}'${v}/></iq>`, 'rget');
  }

  /** Roster get, asserting a result; returns the <item/>s. */
  async roster(): Promise<Element[]> {
    const r = await this.rosterGet();
    assert.equal(r.attrs.type, 'result', r.toString());
    return r.getChild('query', NS_ROSTER)!.getChildren('item');
  }

  /** Roster set of the raw `<item …/>` XML; returns the reply (pushes stay queued). */
  rosterSet(itemXml: string): Promise<Element> {
    return this.iq((id) => `<iq type='set' id='${id}'><query xmlns='${NS_ROSTER}'>${itemXml}</query></iq>`, 'rset');
  }

  /** Send presence (raw attributes and children). */
  presence(attrs = '', children = ''): void {
    this.send(`<presence${attrs ? ' ' + attrs : ''}>${children}</presence>`);
  }

  /** Leave gracefully: our closing tag, then wait for the socket to close (whatever else arrives first). */
  async quit(): Promise<void> {
    if (this.raw.closed) return;
    this.send('</stream:stream>');
    await this.raw.expectClosed();
  }

  /** Leave ungracefully: the TCP connection just goes away (no closing tag). */
  kill(): void {
    this.raw.destroy();
  }
}

// ---- predicates and item checks -------------------------------------------------------------------------------

export const isPresence = (type?: string, from?: string) => (e: Element): boolean =>
  e.name === 'presence' && (type === undefined ? e.attrs.type === undefined : e.attrs.type === type) && (from === undefined || e.attrs.from === from);

export const isPush = (jid?: string) => (e: Element): boolean =>
  e.name === 'iq' && e.attrs.type === 'set' && e.getChild('query', NS_ROSTER) !== undefined
  && (jid === undefined || e.getChild('query', NS_ROSTER)!.getChild('item')?.attrs.jid === jid);

/** The single <item/> of a roster push, after checking the push's shape (IM-07). */
export function pushedItem(e: Element): Element {
  assert.ok(isPush()(e), `expected a roster push, got ${e.toString()}`);
  assert.equal(e.attrs.from, undefined, `a roster push has no from (IM-07): ${e.toString()}`);
  assert.ok(e.attrs.id, `a roster push has an id: ${e.toString()}`);
  const items = e.getChild('query', NS_ROSTER)!.getChildren('item');
  assert.equal(items.length, 1, `a roster push carries exactly one item: ${e.toString()}`);
  return items[0];
}

/** Short description of a list of elements for assertion messages. */
export function describe(es: Element[]): string {
  return es.length === 0 ? '(nothing)' : es.map((e) => e.toString().slice(0, 300)).join('\n  ');
}

export async function addUsers(t: TestServer, ...names: string[]): Promise<void> {
  for (const n of names) await t.addUser(n, PASSWORD);
}

export function bareOf(user: string): string {
  return `${user}@${DOMAIN}`;
}

/** A roster item for `jid`: listed, subscription none, nothing pending, no groups — unless `fields` say otherwise. */
export function rosterItem(jid: string, fields: Partial<RosterItem> = {}): RosterItem {
  return { jid, groups: [], subscription: 'none', ask: false, approved: false, pendingIn: false, listed: true, ...fields };
}

// ---- one server per test file ---------------------------------------------------------------------------------

export interface ImTestServer {
  /** The file's server (there once `before` has run). */
  readonly t: TestServer;
  /** The server's roster store, to set and read subscription states directly. */
  store(): RosterStore;
  /** Log `user` in at `resource`; the client quits when the file is done. */
  connect(user: string, resource: string): Promise<ImClient>;
  /** connect, then available presence, waiting until the server processed it (its echo, then a pong). */
  online(user: string, resource: string): Promise<ImClient>;
  /** A mutual subscription (both) between two accounts, written to the rosters directly; `groupsOfB`: b's groups in a's roster. */
  friends(a: string, b: string, groupsOfB?: string[]): Promise<void>;
  /** A name no other call in this file got: `prefix` and a number (fresh rooms, accounts). */
  unique(prefix: string): string;
  /** Fresh accounts for one test (`a` becomes a<number>, one number per call), each connected at resource r. */
  people(...names: string[]): Promise<ImClient[]>;
  /** people, then each online (available presence sent and echoed). */
  onlinePeople(...names: string[]): Promise<ImClient[]>;
}

/**
 * The server an IM test file shares: registers the file's `before` (start it) and `after` (every client that
 * `connect` logged in quits, then the server stops). Each test makes its own accounts (`addUsers(im.t, …)`).
 */
/** `settings`: the server's settings for the file (e.g. limits a bulk test must not run into). */
export function imTestServer(settings: StoredSettings = {}): ImTestServer {
  const shared = sharedServer<ImClient>({}, settings, async (clients) => {
    for (const c of clients) await c.quit().catch(() => undefined);
  });
  const connect = async (user: string, resource: string): Promise<ImClient> => shared.keep(await ImClient.login(shared.t, user, resource));
  let counter = 0;
  const fresh = async (names: string[], open: (user: string) => Promise<ImClient>): Promise<ImClient[]> => {
    const k = ++counter;
    const users = names.map((x) => `${x}${k}`);
    await addUsers(shared.t, ...users);
    return Promise.all(users.map(open));
  };
  const server: ImTestServer = {
    get t() {
      return shared.t;
    },
    store: () => shared.t.server.storage!.get(rosterStore),
    connect,
    async online(user, resource) {
      const c = await connect(user, resource);
      c.presence();
      await c.waitFor(isPresence(undefined, c.jid), 'the echo of our own presence');
      await c.untilPong();
      return c;
    },
    async friends(a, b, groupsOfB = []) {
      const store = shared.t.server.storage!.get(rosterStore);
      await store.put(a, rosterItem(bareOf(b), { subscription: 'both', groups: groupsOfB }));
      await store.put(b, rosterItem(bareOf(a), { subscription: 'both' }));
    },
    unique: (prefix) => `${prefix}${++counter}`,
    people: (...names) => fresh(names, (u) => connect(u, 'r')),
    onlinePeople: (...names) => fresh(names, (u) => server.online(u, 'r')),
  };
  return server;
}
