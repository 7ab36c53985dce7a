// The byte pipe under one XML stream. The stream (xml-stream.ts) reads what the transport delivers, writes whole
// strings (a header, an element, the closing) and never touches a socket itself. TCP and TLS sockets implement it
// now (socket-transport.ts: STARTTLS as an upgrade of the transport in place, direct TLS from the start).
//
// RFC 7395 WebSocket fits as another implementation: its `framing` is the WebSocket flavour of StreamFraming
// (<open/>/<close/>, one element per frame), `secure` is wss, it has no startTls (RFC 7395 §3.5: no STARTTLS over
// WebSocket), `write` sends one message per call, `end` sends a close frame, and pause/resume map to the HTTP
// socket under it. BOSH would be a transport too, with its own framing.
import type net from 'node:net';
import type tls from 'node:tls';
import type { StreamFraming } from './stream-framing.js';

/** What a transport reports to its stream. The stream implements it, so no closures are made per connection. */
export interface TransportSink {
  onData(chunk: Buffer): void;
  /** The connection is gone (closed by either side, reset, or a TLS handshake failed). Called once. */
  onTransportClose(): void;
  onTransportError(err: Error): void;
  /**
   * What was written is piling up (the peer reads slower than we write): reading has stopped until it drains, and
   * the stream should hold back what it has read but not handled yet.
   */
  onOutputBackedUp(): void;
  /** Everything queued has left: reading goes on. */
  onOutputDrained(): void;
}

/** A TLS handshake over the plain socket: calls `done` once, with the TLS socket or null when it failed. */
export type TlsHandshake = (raw: net.Socket, done: (secure: tls.TLSSocket | null, err?: Error) => void) => void;

export interface Transport {
  /** How streams are opened, closed and framed on this transport. */
  readonly framing: StreamFraming;
  readonly remoteAddress: string;
  /** TLS is in place (direct TLS, after STARTTLS, or wss). */
  readonly secure: boolean;
  /** The TLS socket, for SASL channel bindings and certificate checks; null without TLS (or when not ours). */
  readonly tlsSocket: tls.TLSSocket | null;
  /** A TLS handshake is under way: writes are dropped and nothing is read. */
  readonly upgrading: boolean;
  /** Bytes written and not yet handed to the OS (the stream bounds this per connection: maxOutputBytes). */
  readonly queuedBytes: number;
  /** Start delivering to `sink` (once). */
  start(sink: TransportSink): void;
  /**
   * Queue data; what is written in one tick leaves together (one write at the end of the tick). `done`, when given,
   * is called once with true when the data was handed to the OS, false when it could not be (closed, or
   * mid-handshake).
   */
  write(data: string, done?: (ok: boolean) => void): void;
  /**
   * Stop and restart reading (backpressure, throttling). Calls nest: reading goes on once every pause() has had
   * its resume(), and never while the output is backed up (see TransportSink.onOutputBackedUp).
   */
  pause(): void;
  resume(): void;
  /** End our side once everything written has left (TCP FIN, TLS close_notify; a close frame on WebSocket). */
  end(): void;
  /** Drop the connection now. */
  destroy(): void;
  /**
   * Switch this transport to TLS in place (STARTTLS, RFC 6120 §5.4.3): what was written is flushed, nothing more
   * is read from the plain layer, and `handshake` runs over it; `secured` is called once TLS is up (a failed
   * handshake just closes: CORE-18). Absent on transports that cannot (WebSocket).
   */
  startTls?(handshake: TlsHandshake, secured: () => void): void;
}
