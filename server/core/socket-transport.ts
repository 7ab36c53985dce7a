// TCP and TLS sockets as a Transport (transport.ts): plain TCP that may switch to TLS (STARTTLS), or TLS from the
// first byte (direct TLS, XEP-0368). Writes are corked per tick, so everything a stream writes in one tick leaves
// as one TLS record / TCP segment (DESIGN.md performance facts: 0.12 instead of 0.23 CPU-s per 10k relayed frames).
import type net from 'node:net';
import tls from 'node:tls';
import { XML_STREAM } from './stream-framing.js';
import type { TlsHandshake, Transport, TransportSink } from './transport.js';

function uncorkLater(t: SocketTransport): void {
  t.flush();
}

export class SocketTransport implements Transport {
  readonly framing = XML_STREAM;
  readonly remoteAddress: string;
  secure: boolean;
  upgrading = false;
  private socket: net.Socket;
  private sink: TransportSink | null = null;
  private corked = false;
  private gone = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.secure = socket instanceof tls.TLSSocket;
  }

  get tlsSocket(): tls.TLSSocket | null {
    return this.socket instanceof tls.TLSSocket ? this.socket : null;
  }

  start(sink: TransportSink): void {
    this.sink = sink;
    this.listen(this.socket);
  }

  private readonly onData = (chunk: Buffer): void => this.sink!.onData(chunk);
  private readonly onClose = (): void => this.closed();
  private readonly onError = (err: Error): void => this.sink!.onTransportError(err);

  private listen(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
    socket.setNoDelay(true);
    // The OS notices peers that vanished without a FIN (power cut, Wi-Fi gone) even on idle connections.
    socket.setKeepAlive(true, 60_000);
  }

  private closed(): void {
    if (this.gone) return;
    this.gone = true;
    this.sink?.onTransportClose();
  }

  write(data: string, done?: (ok: boolean) => void): void {
    const socket = this.socket;
    if (this.gone || this.upgrading || socket.destroyed) {
      done?.(false);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(uncorkLater, this);
    }
    if (done) socket.write(data, (err) => done(!err));
    else socket.write(data);
  }

  /** Uncork now (the next tick does it otherwise). */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    if (!this.upgrading) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
    // Mid-handshake the plain socket no longer reports to us, and the handshake may never call back.
    if (this.upgrading) this.closed();
  }

  startTls(handshake: TlsHandshake, secured: () => void): void {
    const raw = this.socket;
    // What was written (<proceed/>, our <starttls/>) must leave in the clear before TLS takes the socket over.
    this.flush();
    raw.removeListener('data', this.onData);
    raw.removeListener('error', this.onError);
    raw.removeListener('close', this.onClose);
    this.upgrading = true;
    let answered = false;
    handshake(raw, (secure, err) => {
      if (answered || this.gone) return;
      answered = true;
      this.upgrading = false;
      if (!secure) {
        // A failed handshake just ends the connection (RFC 6120 §5.4.3.2, CORE-18): nothing can be said any more.
        if (err) this.sink?.onTransportError(err);
        raw.destroy();
        this.closed();
        return;
      }
      this.socket = secure;
      this.secure = true;
      this.listen(secure);
      // Closed during the handshake: 'close' was emitted before we listened.
      if (secure.destroyed) this.closed();
      else secured();
    });
  }
}
