// The load generator's XMPP client: raw TCP, STARTTLS, SCRAM-SHA-1, resource binding, then stanzas as strings.
// It is deliberately lean (no element trees on the hot path, writes corked per tick) so that one generator core
// can drive a server core to saturation, and it measures the steps of a login.
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import * as ltx from 'ltx';
import { StreamFramer } from './framer.js';
import { ScramSha1Client } from './scram-client.js';

export interface ClientOptions {
  host: string;
  port: number;
  localAddress?: string;
  domain: string;
  username: string;
  password: string;
  resource: string;
}

export interface LoginSteps {
  rosterGet?: boolean;
  presence?: boolean;
  /** Extra presence payload, e.g. for MUC joins; default none. */
}

/** Milliseconds from the start of connect() to the end of each step. */
export interface LoginTimes {
  tcp: number;
  tls: number;
  auth: number;
  bind: number;
  roster: number | null;
  /** Whether the roster get was answered with a result (false: an error, e.g. service-unavailable). */
  rosterOk: boolean | null;
  rosterItems: number | null;
  done: number;
}

export class XmppError extends Error {}

const NS_STREAM = 'http://etherx.jabber.org/streams';
/** One TLS context for every connection: building one per tls.connect() would cost the generator ~1 ms a login. */
let clientContext: tls.SecureContext | null = null;
let iqCounter = 0;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export class BenchClient {
  jid = '';
  /** Stanzas after login: messages and presences as raw text (the hot path never builds a tree). */
  onMessage: ((text: string) => void) | null = null;
  onPresence: ((text: string) => void) | null = null;
  /** A request from the server after login (e.g. a caps disco#info); return true when it was answered. */
  onRequest: ((el: ltx.Element) => boolean) | null = null;
  onStreamEnd: ((reason: string) => void) | null = null;
  tlsCipher = '';
  tlsProtocol = '';
  private secure: tls.TLSSocket | null = null;
  private socket: net.Socket | tls.TLSSocket | null = null;
  private readonly framer: StreamFramer;
  private ready = false;
  private ended = false;
  private corked = false;
  private queue: string[] = [];
  private waiter: ((text: string | null) => void) | null = null;
  private readonly iqs = new Map<string, (el: ltx.Element) => void>();
  private closeWaiters: (() => void)[] = [];
  private t0 = 0;
  private endReason = '';

  constructor(readonly opts: ClientOptions) {
    this.framer = new StreamFramer({
      onHeader: () => undefined,
      onElement: (t) => this.onElement(t),
      onEnd: () => this.onEnd('server closed the stream'),
    });
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** Bytes written and not yet sent: a client that floods waits while this is high instead of buffering without end. */
  get writableLength(): number {
    return this.socket?.writableLength ?? 0;
  }

  private readonly onData = (chunk: string): void => {
    this.framer.write(chunk);
  };

  private onElement(text: string): void {
    if (this.ready) {
      // Hot path: dispatch on the first letters only.
      const c = text.charCodeAt(1);
      if (c === 109 /* m */ && this.onMessage) return this.onMessage(text);
      if (c === 112 /* p */ && this.onPresence) return this.onPresence(text);
    }
    if (text.startsWith('<iq')) {
      const id = /\sid=["']([^"']*)["']/.exec(text.slice(0, text.indexOf('>')))?.[1];
      const cb = id !== undefined ? this.iqs.get(id) : undefined;
      if (cb) {
        this.iqs.delete(id!);
        cb(ltx.parse(text) as ltx.Element);
        return;
      }
      if (this.ready) {
        // A request from the server (e.g. a roster push): answer result/error politely and move on.
        const el = ltx.parse(text) as ltx.Element;
        const type = el.attrs.type as string | undefined;
        if ((type === 'get' || type === 'set') && el.attrs.id !== undefined) {
          if (this.onRequest?.(el)) return;
          this.write(`<iq type='result' id='${escapeXml(String(el.attrs.id))}'${el.attrs.from ? ` to='${escapeXml(String(el.attrs.from))}'` : ''}/>`);
        }
        return;
      }
    }
    if (text.startsWith('<stream:error')) {
      this.onEnd(`stream error: ${text}`);
      return;
    }
    if (this.ready) return;   // unsolicited stanza nobody listens to
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(text);
    } else this.queue.push(text);
  }

  private onEnd(reason: string): void {
    if (!this.endReason) this.endReason = reason;
    if (this.ended) return;
    this.ended = true;
    this.ready = false;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(null);
    }
    for (const cb of this.iqs.values()) cb(new ltx.Element('iq', { type: 'error', 'x-bench': 'closed' }));
    this.iqs.clear();
    this.onStreamEnd?.(reason);
    if (this.socket && !this.socket.destroyed) {
      this.socket.end();
      // The peer gets a moment to close its side; then the socket goes regardless.
      const s = this.socket;
      setTimeout(() => s.destroy(), 2000).unref();
    }
  }

  /** The next negotiation element, or an error when the stream ends first. */
  private next(): Promise<string> {
    const q = this.queue.shift();
    if (q !== undefined) return Promise.resolve(q);
    if (this.ended) return Promise.reject(new XmppError(this.endReason || 'stream closed'));
    return new Promise((resolve, reject) => {
      this.waiter = (t) => (t === null ? reject(new XmppError(this.endReason || 'stream closed')) : resolve(t));
    });
  }

  write(text: string): void {
    const s = this.socket;
    if (!s || s.destroyed || this.ended) return;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      process.nextTick(() => {
        this.corked = false;
        s.uncork();
      });
    }
    s.write(text);
  }

  private header(): void {
    this.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}' to='${this.opts.domain}' version='1.0'>`);
  }

  private attach(s: net.Socket | tls.TLSSocket): void {
    this.socket = s;
    s.setEncoding('utf8');
    s.on('data', this.onData);
  }

  /**
   * The server's certificate chain as the handshake presented it, e.g. "RSA-2048 CN=bench.local ← RSA-3072 CN=… CA"
   * (key type and size of each certificate sent), so a run can show that every server used the same kind of key.
   */
  peerCertificates(): string {
    const s = this.secure;
    if (!s) return '';
    const parts: string[] = [];
    let c: tls.DetailedPeerCertificate | null = s.getPeerCertificate(true);
    const seen = new Set<string>();
    while (c && c.raw && !seen.has(c.fingerprint256)) {
      seen.add(c.fingerprint256);
      const key = c.asn1Curve ? `EC-${c.asn1Curve}` : c.modulus ? `RSA-${c.bits}` : `${c.bits}-bit key`;
      parts.push(`${key} CN=${c.subject?.CN ?? '?'}`);
      c = c.issuerCertificate && c.issuerCertificate !== c ? c.issuerCertificate : null;
    }
    return parts.join(' ← ');
  }

  /** Sends an iq (which must carry the given id) and resolves with the reply, result or error. */
  iq(id: string, text: string): Promise<ltx.Element> {
    return new Promise((resolve) => {
      this.iqs.set(id, resolve);
      this.write(text);
    });
  }

  static nextId(prefix: string): string {
    return `${prefix}${(++iqCounter).toString(36)}`;
  }

  private connectTcp(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host: this.opts.host, port: this.opts.port, localAddress: this.opts.localAddress });
      this.socket = s;
      s.setNoDelay(true);
      let connected = false;
      s.on('error', (err) => (connected ? this.onEnd(`socket error: ${err.message}`) : reject(err)));
      s.on('close', () => (connected ? this.closed() : reject(new XmppError(this.endReason || 'closed before connecting'))));
      s.once('connect', () => {
        connected = true;
        resolve(s);
      });
    });
  }

  private closed(): void {
    this.onEnd(this.endReason || 'connection closed');
    const w = this.closeWaiters;
    this.closeWaiters = [];
    for (const f of w) f();
  }

  /** Full login. Resolves with the step times, rejects with a sentence when a step fails. */
  async login(steps: LoginSteps = {}): Promise<LoginTimes> {
    this.t0 = performance.now();
    const at = (): number => performance.now() - this.t0;
    const raw = await this.connectTcp();
    this.attach(raw);
    const tcp = at();
    this.header();
    let features = await this.next();
    if (!features.includes('urn:ietf:params:xml:ns:xmpp-tls')) throw new XmppError('no STARTTLS offered');
    this.write(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
    const proceed = await this.next();
    if (!proceed.startsWith('<proceed')) throw new XmppError(`STARTTLS refused: ${proceed}`);
    raw.removeListener('data', this.onData);
    this.framer.reset();
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      clientContext ??= tls.createSecureContext({});
      // No session resumption: every login pays for a full handshake, as a fresh client would.
      const t = tls.connect({ socket: raw, servername: this.opts.domain, rejectUnauthorized: false, secureContext: clientContext });
      const closed = (): void => reject(new XmppError(this.endReason || 'closed during the TLS handshake'));
      t.once('error', reject);
      t.once('close', closed);
      t.once('secureConnect', () => {
        t.removeListener('error', reject);
        t.removeListener('close', closed);
        t.on('error', (err) => this.onEnd(`tls error: ${err.message}`));
        resolve(t);
      });
    });
    this.tlsCipher = secure.getCipher()?.standardName ?? '';
    this.tlsProtocol = secure.getProtocol() ?? '';
    this.secure = secure;
    this.attach(secure);
    const tlsDone = at();
    this.header();
    features = await this.next();
    if (!features.includes('>SCRAM-SHA-1<')) throw new XmppError(`SCRAM-SHA-1 not offered: ${features}`);
    const scram = new ScramSha1Client(this.opts.username, this.opts.password);
    this.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='SCRAM-SHA-1'>${scram.first()}</auth>`);
    const challenge = await this.next();
    if (!challenge.startsWith('<challenge')) throw new XmppError(`SASL: ${challenge}`);
    this.write(`<response xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>${scram.final(innerText(challenge))}</response>`);
    const success = await this.next();
    if (!success.startsWith('<success')) throw new XmppError(`SASL failed: ${success}`);
    if (!scram.verify(innerText(success))) throw new XmppError('the server signature in <success/> does not verify');
    const auth = at();
    this.framer.reset();
    this.header();
    features = await this.next();
    if (!features.includes('urn:ietf:params:xml:ns:xmpp-bind')) throw new XmppError(`no resource binding offered: ${features}`);
    const bindId = BenchClient.nextId('b');
    const bound = await this.iq(bindId, `<iq type='set' id='${bindId}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>${escapeXml(this.opts.resource)}</resource></bind></iq>`);
    if (bound.attrs.type !== 'result') throw new XmppError(`bind failed: ${bound.toString()}`);
    this.jid = bound.getChild('bind')?.getChildText('jid') ?? '';
    this.ready = true;
    const bind = at();
    let roster: number | null = null;
    let rosterOk: boolean | null = null;
    let rosterItems: number | null = null;
    if (steps.rosterGet) {
      const id = BenchClient.nextId('r');
      const reply = await this.iq(id, `<iq type='get' id='${id}'><query xmlns='jabber:iq:roster'/></iq>`);
      if (reply.attrs['x-bench'] === 'closed') throw new XmppError(`stream closed during roster get: ${this.endReason}`);
      roster = at();
      rosterOk = reply.attrs.type === 'result';
      rosterItems = rosterOk ? (reply.getChild('query')?.getChildren('item').length ?? 0) : null;
    }
    if (steps.presence) this.write('<presence/>');
    return { tcp, tls: tlsDone, auth, bind, roster, rosterOk, rosterItems, done: at() };
  }

  /** Close the stream politely; the socket is destroyed if the server does not close within `ms`. */
  close(ms = 3000): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.closeWaiters.push(resolve);
      if (!this.ended) {
        this.write('</stream:stream>');
        this.ready = false;
      }
      const t = setTimeout(() => s.destroy(), ms);
      t.unref();
      s.once('close', () => clearTimeout(t));
    });
  }

  /** Drop the connection now; a login in progress fails (its socket's close event ends the stream). */
  destroy(): void {
    if (!this.endReason) this.endReason = 'dropped by the benchmark';
    if (this.socket) this.socket.destroy();
    else this.ended = true;
  }
}

function innerText(el: string): string {
  const gt = el.indexOf('>');
  if (el.charCodeAt(gt - 1) === 47) return '';
  const lt = el.lastIndexOf('<');
  return el.slice(gt + 1, lt).trim();
}

/** The attribute `name` of the outermost tag of a raw stanza. */
const attrPatterns = new Map<string, RegExp>();

export function attrOf(text: string, name: string): string | undefined {
  const head = text.slice(0, text.indexOf('>'));
  let re = attrPatterns.get(name);
  if (!re) attrPatterns.set(name, (re = new RegExp(`\\s${name}=(?:"([^"]*)"|'([^']*)')`)));
  const m = re.exec(head);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** A numbered bench message's body, "<sender> <seq> <sent at> …": its numbers, or null when it is not one. */
export function stampedBody(body: string): { sender: number; seq: number; sentAt: number } | null {
  const a = body.indexOf(' ');
  const b = body.indexOf(' ', a + 1);
  const c = body.indexOf(' ', b + 1);
  if (!(a > 0 && b > a && c > b)) return null;
  const sender = Number(body.slice(0, a));
  const seq = Number(body.slice(a + 1, b));
  const sentAt = Number(body.slice(b + 1, c));
  return Number.isInteger(sender) && Number.isInteger(seq) ? { sender, seq, sentAt } : null;
}

/** The text of the first <body> of a raw message (bench bodies hold no markup or entities). */
export function bodyOf(text: string): string | undefined {
  const i = text.indexOf('<body');
  if (i < 0) return undefined;
  const gt = text.indexOf('>', i);
  const end = text.indexOf('</body>', gt);
  return end < 0 ? undefined : text.slice(gt + 1, end);
}
