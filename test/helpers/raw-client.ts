// A raw XMPP client for tests: a TCP (or TLS) socket, strings and bytes written exactly as given, and the server's
// output parsed incrementally (saxes) into the stream header, top-level elements and the closing tag. Every wait
// has a timeout that fails with what was received so far; nothing sleeps and hopes.
import net from 'node:net';
import tls from 'node:tls';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { SaxesParser } from 'saxes';
import { Element } from 'ltx';
import { DOMAIN } from './server.js';

export { Element };

export const NS = {
  client: 'jabber:client',
  streams: 'http://etherx.jabber.org/streams',
  streamErrors: 'urn:ietf:params:xml:ns:xmpp-streams',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  tls: 'urn:ietf:params:xml:ns:xmpp-tls',
  sasl: 'urn:ietf:params:xml:ns:xmpp-sasl',
  saslCb: 'urn:xmpp:sasl-cb:0',
  bind: 'urn:ietf:params:xml:ns:xmpp-bind',
  session: 'urn:ietf:params:xml:ns:xmpp-session',
  ping: 'urn:xmpp:ping',
} as const;

export const DEFAULT_TIMEOUT_MS = 5000;

type Event =
  | { kind: 'header'; attrs: Record<string, string> }
  | { kind: 'element'; el: Element }
  | { kind: 'close-tag' }
  | { kind: 'parse-error'; message: string };

interface Waiter {
  /** Returns true when satisfied (it then removed what it consumed from the queue). */
  check(): boolean;
  fail(err: Error): void;
}

export interface ConnectOptions {
  host?: string;
  /** Local address to connect from, e.g. '127.0.0.2' to look like another machine (per-IP limits). */
  localAddress?: string;
  timeoutMs?: number;
  /** Keep our side open after the server's FIN (to test the server's close timeout, CORE-10). */
  allowHalfOpen?: boolean;
  /** Direct TLS (XEP-0368): connect with TLS first. */
  directTls?: { caPem: string; alpn?: string[] };
}

export interface HeaderOptions {
  to?: string | null;
  from?: string;
  version?: string | null;
  lang?: string | null;
  id?: string;
  xmlDecl?: boolean;
}

let idCounter = 0;
export function nextId(prefix = 'id'): string {
  return `${prefix}${++idCounter}`;
}

/** `<stream:stream …>` as a client would send it; null leaves an attribute out. */
export function streamHeader(o: HeaderOptions = {}): string {
  const to = o.to === undefined ? DOMAIN : o.to;
  const version = o.version === undefined ? '1.0' : o.version;
  const lang = o.lang === undefined ? 'en' : o.lang;
  let s = o.xmlDecl === false ? '' : "<?xml version='1.0'?>";
  s += `<stream:stream xmlns='${NS.client}' xmlns:stream='${NS.streams}'`;
  if (to !== null) s += ` to='${to}'`;
  if (o.from !== undefined) s += ` from='${o.from}'`;
  if (o.id !== undefined) s += ` id='${o.id}'`;
  if (version !== null) s += ` version='${version}'`;
  if (lang !== null) s += ` xml:lang='${lang}'`;
  return s + '>';
}

export class RawClient {
  socket: net.Socket;
  /** Everything the server sent, decoded, across TLS and restarts (for failure messages and byte checks). */
  received = '';
  /** Raw bytes received on the current transport before any decoding. */
  rawBytes: Buffer[] = [];
  /** Every response header received, in order. */
  readonly headers: Record<string, string>[] = [];
  closed = false;
  readonly timeoutMs: number;
  private queue: Event[] = [];
  private waiters: Waiter[] = [];
  private parser!: SaxesParser;
  private decoder!: TextDecoder;
  private stack: Element[] = [];
  private parseFailed = false;
  private closedPromise: Promise<void>;
  private resolveClosed!: () => void;
  socketError: Error | null = null;

  private constructor(socket: net.Socket, timeoutMs: number) {
    this.socket = socket;
    this.timeoutMs = timeoutMs;
    this.closedPromise = new Promise((r) => (this.resolveClosed = r));
    this.resetParser();
    this.attach(socket);
  }

  static async connect(port: number, opts: ConnectOptions = {}): Promise<RawClient> {
    const host = opts.host ?? '127.0.0.1';
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let socket: net.Socket;
    if (opts.directTls) {
      const o: tls.ConnectionOptions = { host, port, ca: opts.directTls.caPem, servername: DOMAIN };
      if (opts.directTls.alpn) o.ALPNProtocols = opts.directTls.alpn;
      if (opts.localAddress) (o as net.TcpNetConnectOpts).localAddress = opts.localAddress;
      socket = tls.connect(o);
      await withTimeout(once(socket, 'secureConnect'), timeoutMs, `TLS connect to ${host}:${port}`);
    } else {
      socket = net.connect({ host, port, allowHalfOpen: opts.allowHalfOpen ?? false, localAddress: opts.localAddress });
      await withTimeout(once(socket, 'connect'), timeoutMs, `connect to ${host}:${port}`);
    }
    return new RawClient(socket, timeoutMs);
  }

  // ---- transport ----------------------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.rawBytes.push(chunk);
    const text = this.decoder.decode(chunk, { stream: true });
    this.received += text;
    if (!this.parseFailed) this.parser.write(text);
    this.wake();
  };

  private readonly onClose = (): void => {
    this.closed = true;
    this.resolveClosed();
    this.wake();
  };

  private readonly onError = (err: Error): void => {
    this.socketError = err;
  };

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  private detach(socket: net.Socket): void {
    socket.removeListener('data', this.onData);
    socket.removeListener('close', this.onClose);
    socket.removeListener('error', this.onError);
  }

  /** Start a fresh XML document: the server sends a new `<?xml?>` + header after each restart. */
  resetParser(): void {
    const p = new SaxesParser({ xmlns: false });
    p.on('opentag', (t) => {
      const attrs = t.attributes as Record<string, string>;
      if (this.stack.length === 0 && t.name === 'stream:stream') {
        this.headers.push(attrs);
        this.push({ kind: 'header', attrs });
        this.stack.push(new Element(t.name, attrs));   // stands for the stream; never handed out
        return;
      }
      const e = new Element(t.name, { ...attrs });
      if (this.stack.length > 1) this.stack[this.stack.length - 1].cnode(e);
      this.stack.push(e);
    });
    p.on('closetag', () => {
      const e = this.stack.pop()!;
      if (this.stack.length === 0) this.push({ kind: 'close-tag' });
      else if (this.stack.length === 1) {
        e.parent = null;
        this.push({ kind: 'element', el: e });
      }
    });
    p.on('text', (t) => {
      if (this.stack.length > 1) this.stack[this.stack.length - 1].t(t);
    });
    p.on('error', (err) => {
      if (this.parseFailed) return;
      this.parseFailed = true;
      this.push({ kind: 'parse-error', message: err.message });
    });
    this.parser = p;
    this.decoder = new TextDecoder('utf-8');
    this.stack = [];
    this.parseFailed = false;
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Send the initial (or a restart) header; the parser starts a new document first. */
  sendHeader(o: HeaderOptions = {}): void {
    this.resetParser();
    this.send(streamHeader(o));
  }

  // ---- waiting ------------------------------------------------------------------------------------------------

  private push(ev: Event): void {
    this.queue.push(ev);
  }

  private wake(): void {
    for (const w of [...this.waiters]) {
      if (!this.waiters.includes(w)) continue;
      try {
        if (w.check()) this.waiters.splice(this.waiters.indexOf(w), 1);
      } catch (err) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.fail(err as Error);
      }
    }
  }

  /** What was received so far, for failure messages. */
  describe(): string {
    const tail = this.received.length > 3000 ? '…' + this.received.slice(-3000) : this.received;
    const q = this.queue.map((e) => (e.kind === 'element' ? e.el.toString().slice(0, 300) : e.kind === 'parse-error' ? `parse-error(${e.message})` : e.kind)).join('\n    ');
    return `received so far:\n  ${JSON.stringify(tail)}\n  unconsumed events:\n    ${q || '(none)'}\n  socket ${this.closed ? 'closed' : 'open'}${this.socketError ? ` (error: ${this.socketError.message})` : ''}`;
  }

  /**
   * Wait until `take` finds what it wants in the queue (it must remove what it consumes and return the value), or
   * fail after the timeout, or early once the socket is closed and nothing more can arrive.
   */
  private waitFor<T>(what: string, take: () => T | undefined, timeoutMs = this.timeoutMs): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const waiter: Waiter = {
        check: () => {
          const v = take();
          if (v !== undefined) {
            clearTimeout(timer);
            resolve(v);
            return true;
          }
          if (this.closed) {
            clearTimeout(timer);
            reject(new Error(`waiting for ${what}: the connection closed.\n${this.describe()}`));
            return true;
          }
          return false;
        },
        fail: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}.\n${this.describe()}`));
      }, timeoutMs);
      this.waiters.push(waiter);
      this.wake();
    });
  }

  /** The next event of any kind (strict order). */
  nextEvent(what = 'the next event', timeoutMs?: number): Promise<Event> {
    return this.waitFor(what, () => this.queue.shift(), timeoutMs);
  }

  /** The next response header; throws if an element comes first. */
  async expectHeader(): Promise<Record<string, string>> {
    const ev = await this.nextEvent('a stream header');
    if (ev.kind !== 'header') throw new Error(`expected a stream header, got ${describeEvent(ev)}.\n${this.describe()}`);
    return ev.attrs;
  }

  /**
   * The next top-level element. Without a predicate it must be the very next event (strict order); with one, the
   * first queued element that matches is taken and the others stay queued for later waits.
   */
  nextElement(predicate?: (e: Element) => boolean, what = 'an element', timeoutMs?: number): Promise<Element> {
    if (!predicate) {
      return this.waitFor(what, () => {
        const ev = this.queue[0];
        if (!ev) return undefined;
        if (ev.kind !== 'element') throw new Error(`expected ${what}, got ${describeEvent(ev)}.\n${this.describe()}`);
        this.queue.shift();
        return ev.el;
      }, timeoutMs);
    }
    return this.waitFor(what, () => {
      const i = this.queue.findIndex((ev) => ev.kind === 'element' && predicate(ev.el));
      if (i < 0) {
        const stop = this.queue.find((ev) => ev.kind === 'close-tag' || ev.kind === 'parse-error');
        if (stop) throw new Error(`waiting for ${what}, got ${describeEvent(stop)} first.\n${this.describe()}`);
        return undefined;
      }
      return (this.queue.splice(i, 1)[0] as { el: Element }).el;
    }, timeoutMs);
  }

  /** The next element must be `<stream:features/>`. */
  async expectFeatures(): Promise<Element> {
    const f = await this.nextElement(undefined, '<stream:features/>');
    assert.equal(f.name, 'stream:features', `expected stream features, got ${f.toString()}`);
    return f;
  }

  /** Header + features, after sending a header. */
  async expectStreamStart(): Promise<{ header: Record<string, string>; features: Element }> {
    const header = await this.expectHeader();
    const features = await this.expectFeatures();
    return { header, features };
  }

  /** Our server's closing tag (strict: must be the next event). */
  async expectCloseTag(): Promise<void> {
    const ev = await this.nextEvent('</stream:stream>');
    if (ev.kind !== 'close-tag') throw new Error(`expected </stream:stream>, got ${describeEvent(ev)}.\n${this.describe()}`);
  }

  /** Resolves when the socket is closed; fails after the timeout. */
  expectClosed(timeoutMs = this.timeoutMs): Promise<void> {
    return withTimeout(this.closedPromise, timeoutMs, () => `the connection to close.\n${this.describe()}`);
  }

  /**
   * RFC 6120 §4.9.1.1 (CORE-61): the next element is `<stream:error>` with exactly `condition` in the
   * xmpp-streams namespace (plus optional `<text/>` and one application condition), then `</stream:stream>`,
   * then the connection closes.
   */
  async expectStreamError(condition: string, opts: { skipStanzas?: boolean } = {}): Promise<Element> {
    const e = opts.skipStanzas
      ? await this.nextElement((x) => x.name === 'stream:error', `<stream:error> <${condition}/>`)
      : await this.nextElement(undefined, `<stream:error> <${condition}/>`);
    assert.equal(e.name, 'stream:error', `expected <stream:error><${condition}/>, got ${e.toString()}\n${this.describe()}`);
    const defined = e.getChildElements().filter((c) => c.attrs.xmlns === NS.streamErrors && c.name !== 'text');
    assert.deepEqual(defined.map((c) => c.name), [condition], `stream error condition: ${e.toString()}`);
    for (const c of e.getChildElements()) {
      if (c.name === 'text') assert.equal(c.attrs.xmlns, NS.streamErrors);
    }
    await this.expectCloseTag();
    await this.expectClosed();
    return e;
  }

  /**
   * Like expectStreamError, after whatever elements were sent before it (a client that did not read gets what was
   * queued first): the last element before the closing tag is the stream error with exactly `condition`.
   */
  async expectStreamErrorLast(condition: string): Promise<Element> {
    let last: Element | null = null;
    for (;;) {
      const ev = await this.nextEvent(`the rest of the stream up to <${condition}/>`);
      if (ev.kind === 'close-tag') break;
      if (ev.kind !== 'element') throw new Error(`expected elements then </stream:stream>, got ${describeEvent(ev)}.\n${this.describe()}`);
      last = ev.el;
    }
    assert.equal(last?.name, 'stream:error', `the stream error comes last: ${String(last)}`);
    const defined = last.getChildElements().filter((c) => c.attrs.xmlns === NS.streamErrors && c.name !== 'text');
    assert.deepEqual(defined.map((c) => c.name), [condition], `stream error condition: ${last.toString()}`);
    await this.expectClosed();
    return last;
  }

  /** The socket closes without any further XML (no stream error, no closing tag): TLS-layer failures. */
  async expectSilentClose(): Promise<void> {
    await this.expectClosed();
    assert.equal(this.queue.filter((e) => e.kind === 'element' || e.kind === 'close-tag').length, 0, `expected a silent close.\n${this.describe()}`);
  }

  /** Take an already received element matching `predicate`, without waiting; undefined if there is none. */
  takeQueued(predicate: (e: Element) => boolean): Element | undefined {
    const i = this.queue.findIndex((ev) => ev.kind === 'element' && predicate(ev.el));
    return i < 0 ? undefined : (this.queue.splice(i, 1)[0] as { el: Element }).el;
  }

  /** Everything queued and not consumed (for "nothing else arrived" checks). */
  pending(): Event[] {
    return [...this.queue];
  }

  // ---- negotiation --------------------------------------------------------------------------------------------

  /** Send the initial header and read header + features. */
  async open(o: HeaderOptions = {}): Promise<{ header: Record<string, string>; features: Element }> {
    this.sendHeader(o);
    return this.expectStreamStart();
  }

  /** STARTTLS (CORE-17): `<starttls/>` → `<proceed/>` → TLS handshake verifying the server certificate. */
  async startTls(caPem: string, opts: { servername?: string } = {}): Promise<tls.TLSSocket> {
    this.send(`<starttls xmlns='${NS.tls}'/>`);
    const proceed = await this.nextElement(undefined, '<proceed/>');
    assert.equal(proceed.name, 'proceed', `expected <proceed/>, got ${proceed.toString()}`);
    assert.equal(proceed.attrs.xmlns, NS.tls);
    return this.upgradeToTls(caPem, opts);
  }

  /** Wrap the socket in TLS (after `<proceed/>`). */
  async upgradeToTls(caPem: string, opts: { servername?: string } = {}): Promise<tls.TLSSocket> {
    const raw = this.socket;
    this.detach(raw);
    const secure = tls.connect({ socket: raw, ca: caPem, servername: opts.servername ?? DOMAIN });
    this.socket = secure;
    this.rawBytes = [];
    this.attach(secure);
    this.resetParser();
    await withTimeout(Promise.race([once(secure, 'secureConnect'), this.closedPromise.then(() => { throw new Error(`TLS failed: ${this.socketError?.message ?? 'closed'}`); })]), this.timeoutMs, 'the TLS handshake');
    return secure;
  }

  get tlsSocket(): tls.TLSSocket | null {
    return this.socket instanceof tls.TLSSocket ? this.socket : null;
  }

  /** SASL PLAIN (RFC 4616) with an initial response; resolves to the server's answer element. */
  async authPlain(user: string, password: string, authzid = ''): Promise<Element> {
    const data = Buffer.from(`${authzid}\u0000${user}\u0000${password}`, 'utf8').toString('base64');
    this.send(`<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${data}</auth>`);
    return this.nextElement(undefined, 'the SASL answer');
  }

  /**
   * SCRAM (RFC 5802 / RFC 7677) client side. Resolves to the final answer (`<success/>` whose server signature was
   * verified, or `<failure/>`). `cb` picks a -PLUS mechanism with that channel binding; `gs2Flag` overrides the
   * GS2 header flag (e.g. 'y' to test downgrade detection).
   */
  async authScram(user: string, password: string, opts: { hash?: 'SHA-1' | 'SHA-256'; cb?: 'tls-exporter' | 'tls-server-end-point'; gs2Flag?: 'n' | 'y'; tamperNonce?: boolean } = {}): Promise<Element> {
    const hash = opts.hash ?? 'SHA-256';
    const nodeHash = hash === 'SHA-1' ? 'sha1' : 'sha256';
    const mech = `SCRAM-${hash}${opts.cb ? '-PLUS' : ''}`;
    const gs2 = opts.cb ? `p=${opts.cb},,` : `${opts.gs2Flag ?? 'n'},,`;
    const cnonce = randomBytes(18).toString('base64');
    const firstBare = `n=${user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${cnonce}`;
    this.send(`<auth xmlns='${NS.sasl}' mechanism='${mech}'>${b64(gs2 + firstBare)}</auth>`);
    const challenge = await this.nextElement(undefined, 'the SCRAM challenge');
    if (challenge.name !== 'challenge') return challenge;
    const serverFirst = Buffer.from(challenge.getText(), 'base64').toString('utf8');
    const fields = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
    assert.ok(fields.r.startsWith(cnonce), 'server nonce must extend ours');
    const salted = pbkdf2Sync(password, Buffer.from(fields.s, 'base64'), Number(fields.i), hash === 'SHA-1' ? 20 : 32, nodeHash);
    const clientKey = createHmac(nodeHash, salted).update('Client Key').digest();
    const storedKey = createHash(nodeHash).update(clientKey).digest();
    let cbData: Buffer<ArrayBufferLike> = Buffer.alloc(0);
    if (opts.cb) cbData = channelBinding(this.tlsSocket!, opts.cb);
    const nonce = opts.tamperNonce ? cnonce + 'tampered' : fields.r;
    const finalNoProof = `c=${Buffer.concat([Buffer.from(gs2), cbData]).toString('base64')},r=${nonce}`;
    const authMessage = `${firstBare},${serverFirst},${finalNoProof}`;
    const sig = createHmac(nodeHash, storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ sig[i]));
    this.send(`<response xmlns='${NS.sasl}'>${b64(`${finalNoProof},p=${proof.toString('base64')}`)}</response>`);
    const answer = await this.nextElement(undefined, 'the SASL outcome');
    if (answer.name === 'success') {
      const serverKey = createHmac(nodeHash, salted).update('Server Key').digest();
      const expected = 'v=' + createHmac(nodeHash, serverKey).update(authMessage).digest('base64');
      assert.equal(Buffer.from(answer.getText(), 'base64').toString('utf8'), expected, 'server signature');
    }
    return answer;
  }

  /** After `<success/>`: restart the stream (CORE-35) and read header + features. */
  restart(o: HeaderOptions = {}): Promise<{ header: Record<string, string>; features: Element }> {
    return this.open(o);
  }

  /** Resource binding (RFC 6120 §7); resolves to the full JID, or throws with the error reply. */
  async bind(resource?: string): Promise<string> {
    const reply = await this.bindRaw(resource);
    if (reply.attrs.type !== 'result') throw new Error(`bind failed: ${reply.toString()}`);
    const jid = reply.getChild('bind', NS.bind)?.getChildText('jid');
    assert.ok(jid, `bind result without jid: ${reply.toString()}`);
    return jid;
  }

  /** Send a bind request and return the reply, whatever it is. */
  async bindRaw(resource?: string): Promise<Element> {
    const id = nextId('bind');
    const res = resource === undefined ? '' : `<resource>${escapeXml(resource)}</resource>`;
    this.send(`<iq type='set' id='${id}'><bind xmlns='${NS.bind}'>${res}</bind></iq>`);
    return this.nextElement((e) => e.name === 'iq' && e.attrs.id === id, `the bind reply ${id}`);
  }

  /** Send an iq (a string with id='…'), return the reply with that id. */
  async iq(xml: string, id: string): Promise<Element> {
    this.send(xml);
    return this.nextElement((e) => e.name === 'iq' && e.attrs.id === id, `the reply to iq ${id}`);
  }

  /**
   * XEP-0199 ping to the server; `strict` (default) requires the pong to be the very next element, which proves
   * nothing else was delivered to this client before it.
   */
  async ping(opts: { strict?: boolean; to?: string } = {}): Promise<Element> {
    const id = nextId('ping');
    this.send(`<iq type='get' id='${id}'${opts.to ? ` to='${opts.to}'` : ''}><ping xmlns='${NS.ping}'/></iq>`);
    const pong = opts.strict === false
      ? await this.nextElement((e) => e.name === 'iq' && e.attrs.id === id, `pong ${id}`)
      : await this.nextElement(undefined, `pong ${id}`);
    assert.equal(pong.name, 'iq', `expected the pong, got ${pong.toString()}`);
    assert.equal(pong.attrs.id, id, `expected the pong ${id}, got ${pong.toString()}`);
    assert.equal(pong.attrs.type, 'result', `ping failed: ${pong.toString()}`);
    return pong;
  }

  /** Close our stream (CORE-10): send `</stream:stream>`, expect the server's, then the TCP close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.send('</stream:stream>');
    await this.expectCloseTag();
    await this.expectClosed();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface LoginOptions {
  resource?: string | null;   // null: do not bind
  mechanism?: 'PLAIN' | 'SCRAM-SHA-1' | 'SCRAM-SHA-256';
  lang?: string;
  connect?: ConnectOptions;
}

/** Connect, STARTTLS, authenticate, restart and bind: a ready client and its full JID. */
export async function login(port: number, caPem: string, user: string, password: string, opts: LoginOptions = {}): Promise<RawClient & { jid: string }> {
  const c = await RawClient.connect(port, opts.connect);
  try {
    await c.open({ lang: opts.lang });
    await c.startTls(caPem);
    await c.open({ lang: opts.lang });
    const mech = opts.mechanism ?? 'SCRAM-SHA-256';
    const answer = mech === 'PLAIN' ? await c.authPlain(user, password) : await c.authScram(user, password, { hash: mech === 'SCRAM-SHA-1' ? 'SHA-1' : 'SHA-256' });
    assert.equal(answer.name, 'success', `login as ${user} failed: ${answer.toString()}`);
    await c.restart({ lang: opts.lang });
    const jid = opts.resource === null ? '' : await c.bind(opts.resource);
    return Object.assign(c, { jid });
  } catch (err) {
    c.destroy();
    throw err;
  }
}

/** After a stream error: the server still serves a new client (fresh login + ping), then that client leaves. */
export async function assertServes(port: number, caPem: string, user: string, password: string, connect?: ConnectOptions): Promise<void> {
  const c = await login(port, caPem, user, password, { connect });
  await c.ping();
  await c.close();
}

/** Channel-binding data as a client computes it (RFC 9266 tls-exporter; RFC 5929 tls-server-end-point). */
export function channelBinding(sock: tls.TLSSocket, type: 'tls-exporter' | 'tls-server-end-point'): Buffer<ArrayBufferLike> {
  if (type === 'tls-exporter') return sock.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
  // The test certificates are signed with SHA-256, which RFC 5929 §4.1 says to hash with SHA-256.
  return createHash('sha256').update(sock.getPeerCertificate().raw).digest();
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');
}

/** The `<error/>` of an error stanza: its type and its defined condition. */
export function stanzaError(e: Element): { type: string; condition: string; text: string | null } {
  assert.equal(e.attrs.type, 'error', `expected an error stanza, got ${e.toString()}`);
  const errs = e.getChildren('error');
  assert.equal(errs.length, 1, `an error stanza carries exactly one <error/>: ${e.toString()}`);
  const err = errs[0];
  const conds = err.getChildElements().filter((c) => c.attrs.xmlns === NS.stanzas && c.name !== 'text');
  assert.equal(conds.length, 1, `exactly one defined condition: ${e.toString()}`);
  return { type: String(err.attrs.type), condition: conds[0].name, text: err.getChildText('text', NS.stanzas) };
}

/** Assert an error reply: condition, its recommended type (CORE-52), and the same id. */
export function assertStanzaError(e: Element, condition: string, type: string, id?: string): void {
  const got = stanzaError(e);
  assert.equal(got.condition, condition, `condition of ${e.toString()}`);
  assert.equal(got.type, type, `error type of ${e.toString()}`);
  if (id !== undefined) assert.equal(e.attrs.id, id, `id of ${e.toString()}`);
}

function describeEvent(ev: Event): string {
  switch (ev.kind) {
    case 'element': return ev.el.toString().slice(0, 500);
    case 'header': return `a stream header ${JSON.stringify(ev.attrs)}`;
    case 'close-tag': return '</stream:stream>';
    case 'parse-error': return `unparsable server output (${ev.message})`;
  }
}

function once(emitter: net.Socket, event: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (err: Error): void => {
      emitter.removeListener(event, onOk);
      reject(err);
    };
    const onOk = (): void => {
      emitter.removeListener('error', onErr);
      resolve();
    };
    emitter.once(event, onOk);
    emitter.once('error', onErr);
  });
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string | (() => string)): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`)), ms);
    }),
  ]);
}

/** Resolves once `cond()` holds (looked at every 10 ms); fails naming `what` after `ms`. */
export function until(what: string, cond: () => boolean, ms: number): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => {
    const tick = (): void => {
      if (cond()) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  }), ms, what);
}
