// What inbound and outbound server-to-server streams share: socket I/O with per-tick corking, XML framing, the
// switch to TLS, in-order processing of elements whose handling is asynchronous, stream errors and the closing
// handshake (RFC 6120 §4.4, §4.9), and the activity time the idle sweep looks at.
import type net from 'node:net';
import type tls from 'node:tls';
import { escapeXML } from 'ltx';
import { XmlStreamFraming, type StreamHeader } from '../core/framing.js';
import { streamErrorElement, type StreamErrorCondition } from '../core/errors.js';
import type { Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import type { ServerContext } from '../core/context.js';
import { NS_DIALBACK } from './namespaces.js';
import { TickCork } from '../core/tick-cork.js';
import { OrderedIntake } from '../core/ordered-intake.js';

let counter = 0;

/** `<stream:stream>` for jabber:server, always declaring the dialback namespace (XEP-0220 §2.4.1). */
export function s2sHeader(o: { from?: string; to?: string; id?: string; version?: string | null; lang?: string }): string {
  let s = `<?xml version='1.0'?><stream:stream xmlns='${NS.server}' xmlns:stream='${NS.streams}' xmlns:db='${NS_DIALBACK}'`;
  if (o.id !== undefined) s += ` id='${escapeXML(o.id)}'`;
  if (o.from !== undefined) s += ` from='${escapeXML(o.from)}'`;
  if (o.to !== undefined) s += ` to='${escapeXML(o.to)}'`;
  if (o.version !== null) s += ` version='${o.version ?? '1.0'}'`;
  return s + ` xml:lang='${escapeXML(o.lang ?? 'en')}'>`;
}

export abstract class S2sStream {
  readonly id: string;
  protected socket: net.Socket | null = null;
  protected readonly framing: XmlStreamFraming;
  /** TLS is in place on this stream. */
  secure = false;
  /** The id of the current stream: ours on inbound streams, the peer's on outbound ones (dialback keys use it). */
  streamId = '';
  /** Last time anything was read or written (the idle sweep closes streams quiet for too long). */
  lastActivity = Date.now();
  remoteAddress = 'unknown';
  protected headerSent = false;
  protected closeSent = false;
  /** The plain socket belongs to a TLS handshake in progress: nothing may be written to it. */
  protected handshaking = false;
  closed = false;
  private readonly cork = new TickCork();
  private closeTimer: NodeJS.Timeout | null = null;
  /** Elements in order; after our closing tag nothing more is handled. */
  private readonly intake = new OrderedIntake<Element>((e) => (this.closeSent ? undefined : this.guard(() => this.handle(e))),
    { pause: () => this.socket?.pause(), resume: () => this.socket?.resume() });
  private closedWaiters: (() => void)[] = [];

  constructor(protected readonly ctx: ServerContext, prefix: string) {
    this.id = `${prefix}${++counter}`;
    this.framing = new XmlStreamFraming({
      onHeader: (h) => this.guard(() => this.onHeader(h)),
      onElement: (e) => this.intake.push(e),
      onClose: () => this.onPeerClose(),
      onError: (cond, text) => this.closeWithError(cond, text),
    }, ctx.config.limits);
  }

  /** Processing of the peer's header. */
  protected abstract onHeader(h: StreamHeader): void;
  /** Processing of one top-level element; may be asynchronous (later elements then wait). */
  protected abstract handle(e: Element): void | Promise<void>;
  /** The response header to send before a stream error when none was sent yet (inbound streams). */
  protected abstract errorHeader(): string;
  /** Called once when the connection is gone. */
  protected abstract ended(): void;

  /** A stream whose closing has not started: it can still carry stanzas. */
  get usable(): boolean {
    return !this.closed && !this.closeSent;
  }

  // ---- socket I/O -------------------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.lastActivity = Date.now();
    this.framing.write(chunk);
  };

  protected attach(socket: net.Socket): void {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? this.remoteAddress;
    socket.on('data', this.onData);
    socket.on('error', (err) => this.ctx.log.debug('s2s', `${this.id} socket error: ${err.message}`));
    socket.on('close', () => this.destroyed());
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
  }

  /** Stop using the plain socket (flushing what was written) before TLS takes it over. */
  protected release(raw: net.Socket): void {
    raw.removeListener('data', this.onData);
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    this.cork.flush();
  }

  /** Hand the plain socket to TLS; `secure` becomes the stream's socket. */
  protected switchTo(secure: tls.TLSSocket, raw: net.Socket): void {
    this.release(raw);
    this.attach(secure);
  }

  protected write(data: string): void {
    const socket = this.socket;
    if (this.closed || !socket || socket.destroyed || this.handshaking) return;
    this.lastActivity = Date.now();
    this.cork.write(socket, data);
  }

  sendElement(e: Element): void {
    if (this.closeSent) return;
    this.write(e.toString());
  }

  // ---- elements in order ------------------------------------------------------------------------------------

  private guard(fn: () => void | Promise<void>): void | Promise<void> {
    try {
      const r = fn();
      if (r instanceof Promise) return r.catch((err: unknown) => this.internalError(err));
    } catch (err) {
      this.internalError(err);
    }
  }

  private internalError(err: unknown): void {
    this.ctx.log.error('s2s', `${this.id}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    this.closeWithError('internal-server-error');
  }

  // ---- closing ----------------------------------------------------------------------------------------------

  /** Stream error, then our closing tag (RFC 6120 §4.9.1.1); a header goes first if none was sent. */
  closeWithError(condition: StreamErrorCondition, text?: string): void {
    if (this.closed || this.closeSent) return;
    if (!this.headerSent && this.socket) {
      this.write(this.errorHeader());
      this.headerSent = true;
    }
    const level = condition === 'system-shutdown' || condition === 'connection-timeout' ? 'debug' : 'info';
    this.ctx.log.log(level, 's2s', `${this.id} (${this.remoteAddress}) stream error ${condition}${text ? ': ' + text : ''}`);
    this.write(streamErrorElement(condition, text).toString());
    this.closeStream();
  }

  /** Our closing tag, then end the connection; drop it if the peer does not close within closeTimeoutSeconds. */
  closeStream(): void {
    if (this.closed || this.closeSent) return;
    this.closeSent = true;
    this.framing.pause();
    if (!this.socket || this.handshaking) {
      this.destroy();
      return;
    }
    if (this.headerSent) this.write('</stream:stream>');
    this.socket.end();
    this.closeTimer = setTimeout(() => this.socket?.destroy(), this.ctx.config.closeTimeoutSeconds * 1000);
    this.closeTimer.unref();
  }

  private onPeerClose(): void {
    this.closeStream();
  }

  /** Drop the connection without a word. */
  destroy(): void {
    if (this.socket) this.socket.destroy();
    // Without a socket of our own (not connected yet, or handed to a TLS handshake) no 'close' will tell us.
    if (!this.socket || this.handshaking) this.destroyed();
  }

  protected destroyed(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSent = true;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.intake.clear();
    try {
      this.ended();
    } finally {
      for (const w of this.closedWaiters) w();
      this.closedWaiters = [];
    }
  }

  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }
}
