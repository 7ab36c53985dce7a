// TCP and TLS sockets as a Transport (transport.ts): plain TCP that may switch to TLS (STARTTLS), or TLS from the
// first byte (direct TLS, XEP-0368). Writes are corked per tick, so everything a stream writes in one tick leaves
// as one TLS record / TCP segment (DESIGN.md performance facts: 0.12 instead of 0.23 CPU-s per 10k relayed frames).
//
// Output backpressure: once the socket's queue passes its high-water mark (socket.write returns false) reading
// stops and the stream is told, until 'drain'; a peer that does not read thus stops having its own requests
// answered. The stream bounds the queue itself (XmlStream, maxOutputBytes), since others can still write to it.
import type net from 'node:net';
import tls from 'node:tls';
import { XML_STREAM } from './stream-framing.js';
import type { TlsHandshake, Transport, TransportSink } from './transport.js';

function uncorkLater(t: SocketTransport): void {
  t.flush();
}

function drained(t: SocketTransport): void {
  t.outputDrained();
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
  /** Nested pause() calls not yet resumed. */
  private pauses = 0;
  /** Output passed the socket's high-water mark; waiting for 'drain'. */
  private backedUp = false;
  private readingPaused = false;

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

  get queuedBytes(): number {
    return this.socket.writableLength;
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
    const below = done ? socket.write(data, (err) => done(!err)) : socket.write(data);
    if (!below && !this.backedUp) {
      this.backedUp = true;
      socket.once('drain', () => drained(this));
      this.updateReading();
      this.sink?.onOutputBackedUp();
    }
  }

  /** @internal the socket drained */
  outputDrained(): void {
    if (!this.backedUp) return;
    this.backedUp = false;
    if (this.gone) return;
    this.updateReading();
    this.sink?.onOutputDrained();
  }

  /** Uncork now (the next tick does it otherwise). */
  flush(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }

  pause(): void {
    this.pauses++;
    this.updateReading();
  }

  resume(): void {
    if (this.pauses > 0) this.pauses--;
    this.updateReading();
  }

  /** Read unless paused by the stream or backed up. */
  private updateReading(): void {
    const paused = this.pauses > 0 || this.backedUp;
    if (paused === this.readingPaused) return;
    this.readingPaused = paused;
    if (paused) this.socket.pause();
    else this.socket.resume();
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
      if (this.readingPaused) secure.pause();
      // Closed during the handshake: 'close' was emitted before we listened.
      if (secure.destroyed) this.closed();
      else secured();
    });
  }
}
