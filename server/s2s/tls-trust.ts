// TLS for server-to-server streams. Both directions present this server's certificate (as server, and as client
// certificate for SASL EXTERNAL, XEP-0178) and check the peer's against the system CAs plus configured ones. A peer
// whose certificate does not validate is still served: dialback authenticates it (XEP-0220 allows dialback over
// TLS with any certificate); only SASL EXTERNAL needs a certificate that validates for the peer's domain.
import type net from 'node:net';
import tls from 'node:tls';
import type { CertBundle } from '../certs/index.js';

export class S2sTls {
  private cachedFor = '';
  private cachedTrust: readonly string[] | null = null;
  private server: tls.SecureContext | null = null;
  private client: tls.SecureContext | null = null;
  private ca: string[] = [];
  private serverOptions: tls.TlsOptions | null = null;
  /**
   * STARTTLS on inbound streams goes through a tls.Server that never listens: only a server-side TLS socket made
   * by a tls.Server checks the peer's certificate (`authorized`); a bare TLSSocket does not.
   */
  private acceptor: tls.Server | null = null;
  private acceptorFor = '';
  private readonly handshakes = new Map<string, (secure: tls.TLSSocket | null, err?: Error) => void>();

  /** `trusted`: extra CA certificates (PEM); re-read on every use, so configuration changes apply to new streams. */
  constructor(private readonly certificate: () => CertBundle | null, private readonly trusted: () => readonly string[]) {}

  private refresh(): boolean {
    const trusted = this.trusted();
    if (trusted !== this.cachedTrust) {
      this.ca = [...tls.rootCertificates, ...trusted];
      this.cachedTrust = trusted;
      this.cachedFor = '';
    }
    const c = this.certificate();
    if (!c) return false;
    if (this.cachedFor !== c.certPem) {
      const chain = c.caCertPem ? `${c.certPem}\n${c.caCertPem}` : c.certPem;
      const opts: tls.SecureContextOptions = { key: c.keyPem, cert: chain, ca: this.ca, minVersion: 'TLSv1.2' };
      this.server = tls.createSecureContext(opts);
      this.client = tls.createSecureContext(opts);
      this.serverOptions = { ...opts, requestCert: true, rejectUnauthorized: false };
      this.cachedFor = c.certPem;
    }
    return true;
  }

  /** For accepting STARTTLS on an inbound stream; null when the server has no certificate. */
  serverContext(): tls.SecureContext | null {
    return this.refresh() ? this.server : null;
  }

  /**
   * Take over a plain socket after <proceed/> and run the server side of the TLS handshake; `done` gets the TLS
   * socket (its `authorized` tells whether the peer's certificate validated) or null when the handshake failed.
   * Returns false when the server has no certificate.
   */
  acceptTls(raw: net.Socket, done: (secure: tls.TLSSocket | null, err?: Error) => void): boolean {
    if (!this.refresh()) return false;
    if (!this.acceptor) {
      const acceptor = tls.createServer(this.serverOptions!);
      acceptor.on('secureConnection', (secure) => this.handshakes.get(keyOf(secure))?.(secure));
      acceptor.on('tlsClientError', (err, secure) => this.handshakes.get(keyOf(secure))?.(null, err));
      this.acceptor = acceptor;
    } else if (this.acceptorFor !== this.cachedFor) {
      this.acceptor.setSecureContext(this.serverOptions!);
    }
    this.acceptorFor = this.cachedFor;
    const key = keyOf(raw);
    this.handshakes.set(key, (secure, err) => {
      this.handshakes.delete(key);
      done(secure, err);
    });
    this.acceptor.emit('connection', raw);
    return true;
  }

  /** For outbound TLS; without a certificate of our own, one that only checks the peer. */
  clientContext(): tls.SecureContext {
    if (this.refresh()) return this.client!;
    return tls.createSecureContext({ ca: this.ca, minVersion: 'TLSv1.2' });
  }
}

/** The peer's certificate chains to a trusted CA and names `domain` (dNSName SAN, wildcards per RFC 6125). */
export function certificateValidFor(socket: tls.TLSSocket, domain: string): boolean {
  if (!socket.authorized) return false;
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return false;
  return tls.checkServerIdentity(domain, cert) === undefined;
}

/** The TCP connection a socket (plain or TLS over it) belongs to: its peer's address and port are unique here. */
function keyOf(s: net.Socket): string {
  return `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
}
