// TCP and TLS sockets as a Transport (transport.ts): plain TCP that may switch to TLS (STARTTLS), or TLS from the
// first byte (direct TLS, XEP-0368). What a stream writes in one tick is joined into one string and handed to the
// socket as one write at the end of the tick, so it leaves as one TLS record / TCP segment (DESIGN.md performance
// facts: corking per read chunk took relaying from 0.23 to 0.12 CPU-s per 10k frames). Joining rather than corking
// also spares Node's stream a chunk per stanza (its writev loop and per-chunk encoding): a group chat fan-out writes
// one copy to each of many sockets per message, and a socket often gets several copies in one tick.
//
// Output backpressure: once the socket's queue passes its high-water mark (socket.write returns false) reading
// stops and the stream is told, until 'drain'; a peer that does not read thus stops having its own requests
// answered. The stream bounds the queue itself (XmlStream, maxOutputBytes), since others can still write to it.
import type net from 'node:net';
import tls from 'node:tls';
import { XML_STREAM } from './stream-framing.js';
import type { TlsHandshake, Transport, TransportSink } from './transport.js';

function flushLater(t: SocketTransport): void {
  t.flush();
}

function drained(t: SocketTransport): void {
  t.outputDrained();
}

type Done = (ok: boolean) => void;

export class SocketTransport implements Transport {
  readonly framing = XML_STREAM;
  readonly remoteAddress: string;
  secure: boolean;
  upgrading = false;
  private socket: net.Socket;
  private sink: TransportSink | null = null;
  /** What was written this tick, not yet handed to the socket; '' when nothing waits. */
  private pending = '';
  /** The `done` callbacks of the pending writes, in order; null when none asked. */
  private pendingDone: Done[] | null = null;
  /** A flush is scheduled for the end of this tick. */
  private scheduled = false;
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
    this.dropPending();
    this.sink?.onTransportClose();
  }

  /** Bytes queued in the socket, and (counted as UTF-16 units, ≤ their UTF-8 bytes) what waits for this tick's end. */
  get queuedBytes(): number {
    return this.socket.writableLength + this.pending.length;
  }

  write(data: string, done?: Done): void {
    const socket = this.socket;
    if (this.gone || this.upgrading || socket.destroyed) {
      done?.(false);
      return;
    }
    this.pending += data;
    if (done) (this.pendingDone ??= []).push(done);
    if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(flushLater, this);
    }
    // The socket will refuse more (write() → false) once this is handed over: tell the stream now, as a corked
    // socket.write() would have, so nothing more of the peer's is handled in this tick either.
    if (!this.backedUp && socket.writableLength + this.pending.length >= socket.writableHighWaterMark) this.backUp();
  }

  private backUp(): void {
    this.backedUp = true;
    this.socket.once('drain', () => drained(this));
    this.updateReading();
    this.sink?.onOutputBackedUp();
  }

  /** Writes that never reached the socket are reported as not written. */
  private dropPending(): void {
    const done = this.pendingDone;
    this.pending = '';
    this.pendingDone = null;
    if (done) for (const d of done) d(false);
  }

  /** @internal the socket drained */
  outputDrained(): void {
    if (!this.backedUp) return;
    this.backedUp = false;
    if (this.gone) return;
    this.updateReading();
    this.sink?.onOutputDrained();
  }

  /** Hand what waits to the socket now (the end of the tick does it otherwise). */
  flush(): void {
    this.scheduled = false;
    const data = this.pending;
    if (data === '') return;
    const done = this.pendingDone;
    this.pending = '';
    this.pendingDone = null;
    const socket = this.socket;
    if (this.gone || socket.destroyed) {
      if (done) for (const d of done) d(false);
      return;
    }
    const below = done ? socket.write(data, (err) => { for (const d of done) d(!err); }) : socket.write(data);
    if (!below && !this.backedUp) this.backUp();
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
    if (this.upgrading) return;
    this.flush();
    this.socket.end();
  }

  destroy(): void {
    this.dropPending();
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
