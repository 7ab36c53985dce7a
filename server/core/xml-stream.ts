// One XML stream over one transport (RFC 6120 §4), for client and server streams alike: attaching the transport,
// reading through the framing's parser, headers and features, the switch to TLS, in-order handling of elements
// (CORE-55), stream errors with a header first when none was sent (CORE-62), the closing handshake with its timeout
// (CORE-10), and one timer for the negotiation deadline. What is written goes through the transport's
// StreamFraming, so nothing here depends on `<stream:stream>` (see stream-framing.ts for WebSocket).
//
// Subclasses: C2sConnection (a client's negotiation), InboundS2s and OutboundS2s (federation).
import type tls from 'node:tls';
import type { FramingHandlers, InputFraming, StreamHeader } from './framing.js';
import type { StreamOpening } from './stream-header.js';
import { streamErrorElement, type StreamErrorCondition } from './errors.js';
import { outputBound } from './config.js';
import type { Element } from './xml.js';
import type { ServerContext } from './context.js';
import { OrderedIntake, type IntakeOwner } from './ordered-intake.js';
import type { StreamFraming } from './stream-framing.js';
import type { TlsHandshake, Transport, TransportSink } from './transport.js';

function timerFired(s: XmlStream): void {
  s.timerFired();
}

export abstract class XmlStream implements TransportSink, FramingHandlers, IntakeOwner<Element> {
  /** Server-wide unique, for logs and the admin console. */
  readonly id: string;
  protected transport: Transport | null = null;
  protected readonly parser: InputFraming;
  /** The id of the current stream: ours when we answered a header, the peer's when we initiated (dialback). */
  streamId = '';
  /** Last time data arrived (client idle pings, CORE-12; server streams also count their writes). */
  lastActivity = Date.now();
  protected headerSent = false;
  /** Our closing has begun: nothing but the closing itself is written, nothing more is handled. */
  protected closeSent = false;
  /** The transport is gone. */
  closed = false;
  private readonly intake: OrderedIntake<Element> = new OrderedIntake<Element>(this);
  /** The most output ever queued on this stream's transport, in bytes (never above maxOutputBytes; for tests and the console). */
  outputPeak = 0;
  private timer: NodeJS.Timeout | null = null;
  private closedWaiters: (() => void)[] | null = null;

  constructor(readonly ctx: ServerContext, id: string, protected readonly framing: StreamFraming) {
    this.id = id;
    this.parser = framing.parser(this, ctx.config.limits);
  }

  /** Log category: 'c2s' or 's2s'. */
  protected abstract get logTag(): string;
  /** The peer's stream header (or a restart's). */
  protected abstract header(h: StreamHeader): void;
  /** One top-level element; may be asynchronous (later elements then wait). */
  protected abstract element(e: Element): void | Promise<void>;
  /** The header to send before a stream error when none was sent yet (CORE-62). */
  protected abstract errorOpening(): StreamOpening;
  /** Called once when the transport is gone. */
  protected abstract ended(): void;

  /** TLS is in place on this stream. */
  get secure(): boolean {
    return this.transport?.secure ?? false;
  }

  get remoteAddress(): string {
    return this.transport?.remoteAddress ?? 'unknown';
  }

  get tlsSocket(): tls.TLSSocket | null {
    return this.transport?.tlsSocket ?? null;
  }

  /** A stream whose closing has not started: it can still carry stanzas. */
  get usable(): boolean {
    return !this.closed && !this.closeSent;
  }

  // ---- transport --------------------------------------------------------------------------------------------

  protected attachTransport(t: Transport): void {
    this.transport = t;
    t.start(this);
  }

  onData(chunk: Buffer): void {
    this.lastActivity = Date.now();
    this.parser.write(chunk);
  }

  onTransportError(err: Error): void {
    this.ctx.log.debug(this.logTag, `${this.id} socket error: ${err.message}`);
  }

  onTransportClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeSent = true;
    this.disarmTimer();
    this.intake.clear();
    try {
      this.ended();
    } finally {
      const waiters = this.closedWaiters;
      this.closedWaiters = null;
      waiters?.forEach((w) => w());
    }
  }

  pauseInput(): void {
    this.transport?.pause();
  }

  resumeInput(): void {
    this.transport?.resume();
  }

  /** Our output to the peer is backed up: nothing it sends is handled until it has read. */
  get outputBackedUp(): boolean {
    return this.intake.isHeld;
  }

  /** The peer reads slower than we write: answer nothing more of what it sends until it has caught up. */
  onOutputBackedUp(): void {
    this.intake.hold();
  }

  onOutputDrained(): void {
    this.intake.release();
  }

  /**
   * Write framing output (a header, an element); `written` as in LocalSession.send. The bytes queued per
   * connection are bounded (maxOutputBytes): a write that would pass the bound is dropped and the stream closes
   * with <policy-violation/> (RFC 6120 §4.9.3.14: a configured local limit, like the stanza size; not
   * resource-constraint, §4.9.3.18, which says the server as a whole lacks resources and invites a retry).
   */
  protected write(data: string, written?: (ok: boolean) => void): void {
    const t = this.transport;
    if (t === null || this.closed) {
      written?.(false);
      return;
    }
    const max = outputBound(this.ctx.config.limits);
    const queued = t.queuedBytes;
    // data.length counts UTF-16 units; a UTF-8 byte count is only needed near the bound.
    if (queued + data.length * 3 > max && queued + Buffer.byteLength(data) > max) {
      written?.(false);
      this.closeWithError('policy-violation', `more than ${max} bytes are waiting to be sent to you: read what the server sends`);
      return;
    }
    t.write(data, written);
    const now = t.queuedBytes;
    if (now > this.outputPeak) this.outputPeak = now;
  }

  /** The stream's own framing (a header, a stream error, the closing tag): small, so never bounded. */
  private writeFraming(data: string): void {
    const t = this.transport;
    if (t !== null && !this.closed) t.write(data);
  }

  /** Write one top-level element, unless our closing has begun. */
  writeElement(e: Element, written?: (ok: boolean) => void): void {
    if (this.closeSent) {
      written?.(false);   // nothing after our closing reaches the peer
      return;
    }
    this.write(this.framing.element(e), written);
  }

  /** Our stream header; a new stream id goes with every header we answer with (CORE-03). */
  protected sendOpening(o: StreamOpening): void {
    this.writeFraming(this.framing.opening(o));
    this.headerSent = true;
  }

  /**
   * STARTTLS over the current transport: stop reading the old layer (nothing received after <starttls/> in the
   * clear may be processed, RFC 6120 §5.4.3.3), run the handshake, and start a new stream once TLS is up.
   * Returns false when the transport cannot switch (then nothing happened).
   */
  protected upgradeTransport(handshake: TlsHandshake, secured: () => void): boolean {
    const t = this.transport;
    if (!t?.startTls) return false;
    this.parser.pause();
    t.startTls(handshake, () => {
      this.headerSent = false;
      this.parser.reset();
      secured();
    });
    return true;
  }

  /** After SASL success: the peer restarts the stream (RFC 6120 §6.4.6); nothing after <success/> counts. */
  protected expectRestart(): void {
    this.parser.pause();
    this.parser.reset();
    this.headerSent = false;
  }

  // ---- parser events (FramingHandlers) ----------------------------------------------------------------------

  onHeader(h: StreamHeader): void {
    try {
      this.header(h);
    } catch (err) {
      this.internalError(err);
    }
  }

  onElement(e: Element): void {
    this.intake.push(e);
  }

  onClose(): void {
    this.closeStream();
  }

  onError(condition: StreamErrorCondition, text: string): void {
    this.closeWithError(condition, text);
  }

  /** Elements strictly in order, also when one is handled asynchronously (CORE-55); after our closing, none. */
  handleElement(e: Element): void | Promise<void> {
    if (this.closeSent) return;
    return this.element(e);
  }

  /**
   * Handling `e` threw or rejected (a bug or a failed store): logged once; a stanza is answered with
   * internal-server-error and the stream goes on, anything else closes the stream with that stream error.
   */
  elementFailed(e: Element, err: unknown): void {
    if (this.closed || this.closeSent) return;
    if (this.answerFailed(e)) {
      this.ctx.log.error(this.logTag, `${this.id}: handling <${e.name}/> failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return;
    }
    this.internalError(err);
  }

  /** Answer an element whose handling failed, when the stream can (a client's stanza); false to close instead. */
  protected answerFailed(_e: Element): boolean {
    return false;
  }

  internalError(err: unknown): void {
    this.ctx.log.error(this.logTag, `${this.id}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    this.closeWithError('internal-server-error');
  }

  // ---- timer ------------------------------------------------------------------------------------------------

  /** The stream's one timer: the negotiation deadline, then (once closing) the close timeout. */
  protected armTimer(seconds: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(timerFired, seconds * 1000, this);
    this.timer.unref();
  }

  protected disarmTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** @internal for the timer */
  timerFired(): void {
    this.timer = null;
    if (this.closeSent) this.transport?.destroy();
    else this.negotiationTimedOut();
  }

  /** The negotiation deadline passed (BAD-12); subclasses decide whether that still matters. */
  protected negotiationTimedOut(): void {
    this.closeWithError('connection-timeout', 'no login within the time allowed');
  }

  // ---- closing ----------------------------------------------------------------------------------------------

  /** A stream error, then our closing (RFC 6120 §4.9.1.1); a header goes first if none was sent yet (CORE-62). */
  closeWithError(condition: StreamErrorCondition, text?: string, appCondition?: Element): void {
    if (this.closed || this.closeSent) return;
    if (!this.headerSent && this.transport) this.sendOpening(this.errorOpening());
    const level = condition === 'system-shutdown' || condition === 'connection-timeout' ? 'debug' : 'info';
    this.ctx.log.log(level, this.logTag, `${this.id} (${this.describePeer()}) stream error ${condition}${text ? ': ' + text : ''}`);
    this.writeFraming(this.framing.element(streamErrorElement(condition, text, appCondition)));
    this.closeStream();
  }

  /** Who is at the other end, for the log line of a stream error. */
  protected describePeer(): string {
    return this.remoteAddress;
  }

  /** Our closing, then end the connection; drop it if the peer does not close within closeTimeoutSeconds (CORE-10). */
  closeStream(): void {
    if (this.closed || this.closeSent) return;
    this.closeSent = true;
    this.parser.pause();
    const t = this.transport;
    if (!t || t.upgrading) {
      this.destroy();
      return;
    }
    if (this.headerSent) this.writeFraming(this.framing.closing);
    t.end();
    this.armTimer(this.ctx.config.closeTimeoutSeconds);
  }

  /** Drop the connection without a word (e.g. when the server is killed). */
  destroy(): void {
    const t = this.transport;
    if (t) t.destroy();
    else this.onTransportClose();   // not connected yet: nothing will report the close
  }

  /** Resolves once the connection is gone. */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => (this.closedWaiters ??= []).push(resolve));
  }
}
