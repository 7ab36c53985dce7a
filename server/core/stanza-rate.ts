// Per-session stanza rates (RFC 6120 §13.12, BAD-23; issue 13): messages, presence and iqs are counted apart, each
// in a token bucket with a sustained rate and a burst. Over the rate a stanza is not processed and is answered with
// a <policy-violation/> stanza error of type wait (RFC 6120 §8.3.3.12; BAD-23: "policy-violation stanza error for
// rate limits"), so a client can back off and recover; it is refused before the router, so a presence storm is
// never fanned out to the contacts. A client that keeps sending while refused — a burst's worth of refused stanzas
// of one kind in a row, none accepted between — is flooding: its stream is closed with <policy-violation/>.
//
// Why stanza counts and not only bytes: Prosody's mod_limits and ejabberd's shapers throttle bytes per connection
// by pausing reads, which this server does too (ByteBucket in c2s-connection.ts); small stanzas (presence, iq) are
// cheap in bytes and expensive in fan-out and store work, which only a count bounds. Throttling by pausing would
// hide the cause from the client; an error names it. Off with `--limits off` (limits.enabled false).
import type { Limits } from './config.js';
import type { StanzaKind } from './stanza-event.js';

export type RateVerdict = 'ok' | 'refuse' | 'close';

class KindBucket {
  private tokens: number;
  private stamp: number;
  /** Stanzas refused since the last one accepted. */
  private refused = 0;

  constructor(private readonly rate: number, private readonly burst: number, now: number) {
    this.tokens = burst;
    this.stamp = now;
  }

  take(now: number): RateVerdict {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.stamp) / 1000) * this.rate);
    this.stamp = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refused = 0;
      return 'ok';
    }
    return ++this.refused >= this.burst ? 'close' : 'refuse';
  }
}

/** The three buckets of one session; made on its first stanza. */
export class StanzaRateLimiter {
  private readonly message: KindBucket;
  private readonly presence: KindBucket;
  private readonly iq: KindBucket;

  constructor(limits: Limits, private readonly now: () => number = Date.now) {
    const t = now();
    this.message = new KindBucket(limits.messagesPerSecond, limits.messageBurst, t);
    this.presence = new KindBucket(limits.presencePerSecond, limits.presenceBurst, t);
    this.iq = new KindBucket(limits.iqPerSecond, limits.iqBurst, t);
  }

  take(kind: StanzaKind): RateVerdict {
    return this[kind].take(this.now());
  }
}
