// Small factories that log real client libraries into a test server over real sockets: @xmpp/client (xmpp.js) and
// StanzaJS (through the TCP transport in stanza-tcp-transport.ts). Each returns the connected client, what the
// negotiation looked like (offered mechanisms, the mechanism used) and close(). Waits fail with a message, no sleeps.
import type tls from 'node:tls';
import type { EventEmitter } from 'node:events';
import { client as xmppClient, type Client as XmppClient, type XmppError } from '@xmpp/client';
import { createClient, type Agent, type Stanzas } from 'stanza';
import type { Element } from 'ltx';
import { DOMAIN, type TestServer } from './server.js';
import { tcpTransport, starttlsFeature, type TcpTransportInstance } from './stanza-tcp-transport.js';

type SASL = Stanzas.SASL;
type SASLFailure = Stanzas.SASLFailure;
type StreamFeatures = Stanzas.StreamFeatures;

export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
const WAIT_MS = 10_000;

/** `p`, or a rejection naming what was awaited after `ms`. */
export function within<T>(p: Promise<T>, what: string, ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` (whose first argument passes `filter`, if given), or a rejection after `ms`. */
export function nextEvent<T = unknown>(emitter: Pick<EventEmitter, 'on' | 'removeListener'>, event: string, what: string,
  filter: (arg: T) => boolean = () => true, ms = WAIT_MS): Promise<T> {
  let handler: (arg: T) => void = () => undefined;
  const p = new Promise<T>((resolve) => {
    handler = (arg: T) => {
      if (filter(arg)) resolve(arg);
    };
    emitter.on(event, handler as never);
  });
  return within(p, what, ms).finally(() => emitter.removeListener(event, handler as never));
}

// ---- @xmpp/client ---------------------------------------------------------------------------------------------

export interface XmppjsOptions {
  /** Resource to ask for in bind; none lets the server choose. */
  resource?: string;
  /** Force this SASL mechanism (through the credentials callback, which picks among the usable ones). */
  mechanism?: string;
  /** Connect to the direct-TLS port (xmpps://) instead of STARTTLS on the c2s port. */
  directTls?: boolean;
  /** Host in the service URL; default 127.0.0.1. */
  host?: string;
}

export interface XmppjsLogin {
  client: XmppClient;
  /** Every <stream:features/> received, in order. */
  features: Element[];
  /** <mechanism/>s of the last <stream:features/> that offered SASL, in server order. */
  serverMechanisms: string[];
  /** What the library handed the credentials callback: mechanisms both sides implement, in library order. */
  usableMechanisms: string[];
  /** The mechanism attribute of the <auth/> the library sent. */
  authMechanisms: string[];
  close(): Promise<void>;
}

export interface XmppjsSession extends XmppjsLogin {
  /** The full JID the server bound. */
  jid: string;
}

/** An @xmpp/client for `user` on the test server, not yet started. TLS checks are the caller's business. */
export function xmppjsClient(t: TestServer, user: string, password: string, opts: XmppjsOptions = {}): XmppjsLogin {
  const host = opts.host ?? '127.0.0.1';
  const service = opts.directTls ? `xmpps://${host}:${t.tlsPort}` : `xmpp://${host}:${t.c2sPort}`;
  const login: XmppjsLogin = {
    client: undefined as unknown as XmppClient,
    features: [],
    serverMechanisms: [],
    usableMechanisms: [],
    authMechanisms: [],
    close: async () => {
      const c = login.client;
      c.reconnect.stop();
      if (c.status === 'offline' || c.status === 'disconnect') return;
      await within(c.stop(), `@xmpp/client ${user} to stop`).catch(() => undefined);
    },
  };
  const c = xmppClient({
    service, domain: DOMAIN, resource: opts.resource,
    // Its 2 s default for each stream (re)open and close is too tight on a busy two-core CI machine.
    timeout: WAIT_MS / 2,
    credentials: async (authenticate, mechanisms) => {
      login.usableMechanisms = mechanisms;
      await authenticate({ username: user, password }, opts.mechanism ?? mechanisms[0]);
    },
  });
  login.client = c;
  // A failed login must not turn into a reconnect loop behind the test's back.
  c.reconnect.stop();
  c.on('error', () => undefined);
  c.on('element', (el: Element) => {
    if (!el.is('features', 'http://etherx.jabber.org/streams')) return;
    login.features.push(el);
    const mechs = el.getChild('mechanisms', NS_SASL);
    if (mechs) login.serverMechanisms = mechs.getChildren('mechanism').map((m) => m.getText());
  });
  c.on('send', (el: Element) => {
    if (el.is('auth', NS_SASL)) login.authMechanisms.push(String(el.attrs.mechanism));
  });
  return login;
}

/** Start an @xmpp/client and wait until it is online (bound). */
export async function xmppjsLogin(t: TestServer, user: string, password: string, opts: XmppjsOptions = {}): Promise<XmppjsSession> {
  const login = xmppjsClient(t, user, password, opts);
  const c = login.client;
  let onError: (err: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
    c.on('error', onError);
  });
  try {
    const jid = await within(Promise.race([c.start(), failed]), `@xmpp/client ${user} to log in`);
    return Object.assign(login, { jid: jid.toString() });
  } catch (err) {
    await login.close();
    throw err;
  } finally {
    c.removeListener('error', onError);
  }
}

/** Start an @xmpp/client that is expected to fail SASL; resolves with the error the library reports. */
export async function xmppjsLoginFailure(t: TestServer, user: string, password: string, opts: XmppjsOptions = {}): Promise<{ error: XmppError; login: XmppjsLogin }> {
  const login = xmppjsClient(t, user, password, opts);
  const error = nextEvent<XmppError>(login.client, 'error', `@xmpp/client ${user} to report a SASL failure`, (e) => e.name === 'SASLError');
  login.client.start().catch(() => undefined);
  try {
    return { error: await error, login };
  } catch (err) {
    await login.close();
    throw err;
  }
}

// ---- StanzaJS -------------------------------------------------------------------------------------------------

/** Every SASL mechanism StanzaJS 12 registers (Client.js), to switch off those a test does not want. */
export const STANZA_MECHANISMS = ['EXTERNAL', 'SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1',
  'DIGEST-MD5', 'OAUTHBEARER', 'X-OAUTH2', 'PLAIN', 'ANONYMOUS'];

export interface StanzaOptions {
  resource?: string;
  /** Only these SASL mechanisms stay enabled (StanzaJS picks the highest-priority one the server offers). */
  mechanisms?: string[];
  directTls?: boolean;
  maxTlsVersion?: tls.SecureVersion;
  /**
   * Give StanzaJS the tls-unique channel-binding data (RFC 5929 §3: the first Finished message of the handshake,
   * the client's own in a full handshake), which its SCRAM-*-PLUS needs. `tamper` alters it first.
   */
  tlsUnique?: boolean | { tamper: (data: Buffer) => Buffer };
}

export interface StanzaLogin {
  client: Agent;
  /** Every <stream:features/> received, as StanzaJS parsed them, in order. */
  features: StreamFeatures[];
  serverMechanisms: string[];
  /** Mechanisms of the SASL <auth/>s StanzaJS sent. */
  readonly authMechanisms: string[];
  readonly tlsSocket: tls.TLSSocket | null;
  /** The transport's last socket error, if any. */
  readonly socketError: Error | null;
  close(): Promise<void>;
}

export interface StanzaSession extends StanzaLogin {
  jid: string;
}

/** A StanzaJS client for `user` on the test server over TCP, not yet connected; the CA is checked for DOMAIN. */
export function stanzaClient(t: TestServer, user: string, password: string, opts: StanzaOptions = {}): StanzaLogin {
  const url = opts.directTls ? `xmpps://127.0.0.1:${t.tlsPort}` : `xmpp://127.0.0.1:${t.c2sPort}`;
  const tlsUnique = opts.tlsUnique;
  const client = createClient({
    jid: `${user}@${DOMAIN}`,
    password,
    resource: opts.resource,
    transports: { tcp: url },
    transportPreferenceOrder: ['tcp'],
    useStreamManagement: false,
  });
  client.transports.tcp = tcpTransport({
    ca: t.caPem,
    servername: DOMAIN,
    maxVersion: opts.maxTlsVersion,
    onSecure: (socket) => {
      if (!tlsUnique) return;
      const finished = socket.getFinished();
      if (!finished) throw new Error('no TLS Finished message for tls-unique');
      const data = typeof tlsUnique === 'object' ? tlsUnique.tamper(finished) : finished;
      client.config.credentials = { ...client.config.credentials, tlsUnique: data };
    },
  });
  starttlsFeature(client);
  // StanzaJS picks a -PLUS mechanism whenever one is offered, even with no channel-binding data to send (it then
  // sends the "n" flag, which the server must refuse); an application without tls-unique switches them off.
  const enabled = opts.mechanisms ?? STANZA_MECHANISMS.filter((m) => tlsUnique || !m.endsWith('-PLUS'));
  for (const m of STANZA_MECHANISMS) if (!enabled.includes(m)) client.sasl.disable(m);
  // The transport object is replaced on each connect; keep the last one reachable after a disconnect.
  let last: TcpTransportInstance | undefined;
  client.on('connected', () => {
    last = client.transport as TcpTransportInstance | undefined;
  });
  const transport = (): TcpTransportInstance | undefined => (client.transport as TcpTransportInstance | undefined) ?? last;
  const login: StanzaLogin = {
    client,
    features: [],
    serverMechanisms: [],
    get authMechanisms() {
      return transport()?.sentAuthMechanisms ?? [];
    },
    get tlsSocket() {
      return transport()?.tlsSocket ?? null;
    },
    get socketError() {
      return transport()?.lastError ?? null;
    },
    close: async () => {
      if (!client.transport) return;
      const gone = nextEvent(client, 'disconnected', `StanzaJS ${user} to disconnect`);
      void client.disconnect();
      await gone.catch(() => undefined);
    },
  };
  client.on('features', (f: StreamFeatures) => {
    login.features.push(f);
    if (f.sasl?.mechanisms) login.serverMechanisms = f.sasl.mechanisms;
  });
  return login;
}

/** Connect a StanzaJS client and wait for its session to start (bound). */
export async function stanzaLogin(t: TestServer, user: string, password: string, opts: StanzaOptions = {}): Promise<StanzaSession> {
  const login = stanzaClient(t, user, password, opts);
  const c = login.client;
  const started = nextEvent(c, 'session:started', `StanzaJS ${user} to log in`);
  let onAuthFailed = (): void => undefined;
  let onDisconnected = (): void => undefined;
  const failed = new Promise<never>((_, reject) => {
    onAuthFailed = () => reject(new Error(`StanzaJS ${user}: authentication failed`));
    onDisconnected = () => reject(new Error(`StanzaJS ${user}: disconnected before the session started${login.socketError ? ` (${login.socketError.message})` : ''}`));
    c.on('auth:failed', onAuthFailed);
    c.on('disconnected', onDisconnected);
  });
  void c.connect();
  try {
    await Promise.race([started, failed]);
  } catch (err) {
    await login.close();
    throw err;
  } finally {
    c.off('auth:failed', onAuthFailed);
    c.off('disconnected', onDisconnected);
  }
  return Object.assign(login, { jid: c.jid });
}

/** Connect a StanzaJS client that is expected to fail SASL; resolves with the <failure/> StanzaJS parsed. */
export async function stanzaLoginFailure(t: TestServer, user: string, password: string, opts: StanzaOptions = {}): Promise<{ failure: SASLFailure; login: StanzaLogin; authFailed: Promise<unknown> }> {
  const login = stanzaClient(t, user, password, opts);
  const c = login.client;
  const failure = nextEvent<SASL>(c, 'sasl', `StanzaJS ${user} to receive a SASL failure`, (s) => s.type === 'failure');
  const authFailed = nextEvent(c, 'auth:failed', `StanzaJS ${user} to emit auth:failed`);
  authFailed.catch(() => undefined);
  void c.connect();
  try {
    return { failure: await failure as SASLFailure, login, authFailed };
  } catch (err) {
    await login.close();
    throw err;
  }
}
