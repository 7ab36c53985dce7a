// A TCP transport for StanzaJS, for tests: StanzaJS 12 ships only WebSocket and BOSH transports (its ROADMAP lists
// "Support direct TCP/TLS connections" as not done), so this plugs RFC 6120 TCP streams into its documented
// transport seam (`client.transports[name]`). Everything above the byte stream (stream features, SASL, bind, iq,
// disco…) stays StanzaJS's own code; STARTTLS is added as a stream feature with StanzaJS's own <starttls/>
// definitions. Config: `transports: { tcp: 'xmpp://127.0.0.1:5222' }` (STARTTLS) or 'xmpps://…' (direct TLS).
import net from 'node:net';
import tls from 'node:tls';
import { JXT, type Agent, type Stanzas, type Transport, type TransportConfig } from 'stanza';
type Stream = Stanzas.Stream;

export interface TcpTlsOptions {
  /** PEM of the CA that signed the server certificate; the certificate is verified against `servername`. */
  ca: string;
  /** SNI and the name the certificate must carry: the XMPP domain (XEP-0368 §3, RFC 6120 §13.7.2.1). */
  servername: string;
  /** e.g. 'TLSv1.2' for tls-unique channel binding, which is undefined for TLS 1.3. */
  maxVersion?: tls.SecureVersion;
  /** Called once TLS is up (after STARTTLS or the direct-TLS handshake). */
  onSecure?: (socket: tls.TLSSocket) => void;
}

export interface TcpTransportInstance extends Transport {
  readonly tlsSocket: tls.TLSSocket | null;
  /** Mechanism names of every SASL <auth/> this transport sent. */
  readonly sentAuthMechanisms: string[];
  /** The last socket error (TLS verification, refused connection…); 'close' follows it. */
  readonly lastError: Error | null;
  upgradeToTls(): Promise<void>;
}

type TransportClass = new (client: Agent, sm: unknown, registry: JXT.Registry) => TcpTransportInstance;

const NS_STREAM = 'http://etherx.jabber.org/streams';

/** A transport class bound to TLS settings, for `client.transports.tcp`. */
export function tcpTransport(tlsOptions: TcpTlsOptions): TransportClass {
  return class TcpTransport implements TcpTransportInstance {
    hasStream = false;
    stream?: Stream;
    authenticated = false;
    readonly sentAuthMechanisms: string[] = [];
    lastError: Error | null = null;
    private config: TransportConfig | null = null;
    private socket: net.Socket | null = null;
    private parser: JXT.StreamParser | null = null;
    private closing = false;
    private closeTimer: NodeJS.Timeout | null = null;

    constructor(private readonly client: Agent, _sm: unknown, private readonly registry: JXT.Registry) {}

    get tlsSocket(): tls.TLSSocket | null {
      return this.socket instanceof tls.TLSSocket ? this.socket : null;
    }

    connect(opts: TransportConfig): void {
      this.config = opts;
      this.hasStream = false;
      this.closing = false;
      const url = new URL(opts.url ?? '');
      const host = url.hostname;
      const port = Number(url.port);
      let socket: net.Socket;
      if (url.protocol === 'xmpps:') {
        const s = tls.connect({ host, port, ...this.tlsConnectOptions(), ALPNProtocols: ['xmpp-client'] });
        s.once('secureConnect', () => {
          tlsOptions.onSecure?.(s);
          this.opened();
        });
        socket = s;
      } else if (url.protocol === 'xmpp:') {
        socket = net.connect({ host, port }, () => this.opened());
      } else {
        throw new Error(`tcp transport: unsupported URL ${opts.url}`);
      }
      this.attach(socket);
    }

    private tlsConnectOptions(): tls.ConnectionOptions {
      return { ca: tlsOptions.ca, servername: tlsOptions.servername, maxVersion: tlsOptions.maxVersion, rejectUnauthorized: true };
    }

    private readonly onData = (data: Buffer): void => {
      const text = data.toString('utf8');
      this.client.emit('raw', 'incoming', text);
      this.parser?.write(text);
    };

    private readonly onClose = (): void => {
      if (this.closeTimer) clearTimeout(this.closeTimer);
      this.closeTimer = null;
      this.socket = null;
      this.parser = null;
      this.hasStream = false;
      this.stream = undefined;
      if (this.client.transport === this) this.client.emit('--transport-disconnected');
    };

    private attach(socket: net.Socket): void {
      this.socket = socket;
      socket.on('data', this.onData);
      socket.on('close', this.onClose);
      socket.on('error', (err) => {
        this.lastError = err;
      });
    }

    private opened(): void {
      this.client.emit('connected');
      this.restart();
    }

    /** After <proceed/>: hand the TCP socket to TLS; the stream is restarted by the caller (RFC 6120 §5.4.3.3). */
    async upgradeToTls(): Promise<void> {
      const raw = this.socket;
      if (!raw || raw instanceof tls.TLSSocket) throw new Error('STARTTLS: no plain TCP socket to upgrade');
      raw.removeListener('data', this.onData);
      raw.removeListener('close', this.onClose);
      raw.removeAllListeners('error');
      this.parser = null;
      const secure = tls.connect({ socket: raw, ...this.tlsConnectOptions() });
      this.attach(secure);
      await new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', () => resolve());
        secure.once('error', reject);
      });
      tlsOptions.onSecure?.(secure);
    }

    /** A new stream: a fresh parser and a fresh header (RFC 6120 §4.3.3). */
    restart(): void {
      this.hasStream = false;
      const parser = new JXT.StreamParser({
        acceptLanguages: this.config?.acceptLanguages,
        allowComments: false,
        lang: this.config?.lang,
        registry: this.registry,
        wrappedStream: true,
      });
      parser.on('data', (e: { event?: string; kind: string; stanza: unknown }) => {
        if (parser !== this.parser) return;
        if (e.event === 'stream-start') {
          this.hasStream = true;
          this.stream = e.stanza as Stream;
          this.client.emit('stream:start', this.stream);
          return;
        }
        if (e.event === 'stream-end') {
          // The server closed its stream: close ours too, then end the connection.
          this.client.emit('stream:end');
          this.disconnect(true);
          this.hasStream = false;
          this.socket?.end();
          return;
        }
        this.client.emit('stream:data', e.stanza as never, e.kind as never);
      });
      parser.on('error', (err: Error) => {
        if (parser !== this.parser) return;
        this.client.emit('stream:error', { condition: 'invalid-xml' }, err);
        this.disconnect(false);
      });
      this.parser = parser;
      const to = JXT.escapeXML(this.config?.server ?? '');
      const lang = JXT.escapeXML(this.config?.lang ?? 'en');
      void this.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS_STREAM}' version='1.0' to='${to}' xml:lang='${lang}'>`).catch(() => undefined);
    }

    disconnect(clean = true): void {
      const socket = this.socket;
      if (!socket) return;
      if (!clean) {
        socket.destroy();
        return;
      }
      if (!this.closing) {
        // Close our stream; the server answers with its closing tag and ends the connection (RFC 6120 §4.4).
        this.closing = true;
        if (this.hasStream) void this.write('</stream:stream>').catch(() => undefined);
      }
      if (!this.hasStream) socket.end();
      this.closeTimer ??= setTimeout(() => socket.destroy(), 1000);
    }

    async send(name: string, data?: JXT.JSONData): Promise<void> {
      if (name === 'sasl' && data && data.type === 'auth') this.sentAuthMechanisms.push(String(data.mechanism));
      const out = data ? this.registry.export(name, data)?.toString() : undefined;
      if (!out) return;
      await this.write(out);
    }

    private write(text: string): Promise<void> {
      const socket = this.socket;
      if (!socket || socket.destroyed) return Promise.reject(new Error('Socket closed'));
      this.client.emit('raw', 'outgoing', text);
      return new Promise((resolve, reject) => socket.write(text, (err) => (err ? reject(err) : resolve())));
    }
  };
}

/** STARTTLS as a StanzaJS stream feature, negotiated before everything else (XEP-0170). */
export function starttlsFeature(client: Agent): void {
  client.registerFeature('tls', 0, async (_features, done) => {
    const transport = client.transport as TcpTransportInstance | undefined;
    if (!transport || transport.tlsSocket) return done();
    const answer = new Promise<{ type?: string }>((resolve) => client.once('tls' as never, resolve as never));
    await client.send('tls' as never, { type: 'start' } as never);
    const reply = await answer;
    if (reply.type !== 'proceed') return done('disconnect', 'STARTTLS refused');
    try {
      await transport.upgradeToTls();
    } catch (err) {
      return done('disconnect', `TLS handshake failed: ${(err as Error).message}`);
    }
    client.features.negotiated.tls = true;
    done('restart');
  });
  client.on('--reset-stream-features', () => {
    client.features.negotiated.tls = false;
  });
}
