// The muc scenario's accounting of deliveries, apart from the sockets so it can be tested: which groupchat message
// reached which occupant, how often, from which occupant JID, and how long after it was sent.
//
// A message's body is "<sender> <seq> <sent-at-ms> <padding>"; sender s sends seq 0 … perAll-1, the first warmPer
// of them the warm-up (checked, not measured). Each occupant q must receive each message exactly once, from the
// sender's occupant JID (senderJid[s]).
import { attrOf, bodyOf, stampedBody } from '../client.js';

export class MucLedger {
  readonly perAll: number;
  /** Messages in all (warm-up included). */
  readonly total: number;
  readonly goal: number;
  readonly warmGoal: number;
  readonly latency: Float64Array;
  private readonly seen: Uint8Array;
  deliveries = 0;
  warmDeliveries = 0;
  duplicates = 0;
  /** A groupchat message with a body this run did not write (or with a sender/seq out of range), or from the wrong occupant JID. */
  misrouted = 0;
  bounced = 0;
  firstBounce = '';
  firstMisrouted = '';
  /** performance.now() when the last measured delivery arrived; 0 until then. */
  doneAt = 0;

  constructor(readonly occupants: number, readonly senders: number, readonly warmPer: number, readonly per: number, private readonly senderJid: readonly string[]) {
    this.perAll = warmPer + per;
    this.total = this.perAll * senders;
    this.goal = occupants * senders * per;
    this.warmGoal = occupants * senders * warmPer;
    this.latency = new Float64Array(this.goal);
    this.seen = new Uint8Array(occupants * this.total);
  }

  /** The body of message `seq` of sender `s`, stamped `now`. */
  static body(s: number, seq: number, now: number, pad: string): string {
    return `${s} ${seq} ${now.toFixed(3)} ${pad}`;
  }

  /**
   * A message stanza that reached occupant q at `now`. Returns the sender's index when this was the first copy of
   * one of the sender's own messages coming back to it (its window has room again), else -1.
   */
  receive(q: number, text: string, now: number): number {
    const type = attrOf(text, 'type');
    if (type === 'error') {
      this.bounced++;
      this.firstBounce ||= text;
      return -1;
    }
    const body = bodyOf(text);
    if (body === undefined || type !== 'groupchat') return -1;   // subject, invitations…
    const stamped = stampedBody(body);
    const s = stamped?.sender ?? -1;
    const seq = stamped?.seq ?? -1;
    const ts = stamped?.sentAt ?? 0;
    if (!(s >= 0 && s < this.senders && seq >= 0 && seq < this.perAll) || attrOf(text, 'from') !== this.senderJid[s]) {
      this.misrouted++;
      this.firstMisrouted ||= text;
      return -1;
    }
    const idx = q * this.total + s * this.perAll + seq;
    if (this.seen[idx] !== 0) {
      this.duplicates++;
      return -1;
    }
    this.seen[idx] = 1;
    if (seq < this.warmPer) this.warmDeliveries++;
    else {
      this.latency[this.deliveries++] = now - ts;
      if (this.deliveries === this.goal) this.doneAt = now;
    }
    return q === s ? s : -1;
  }

  /** Deliveries that never came (so far), warm-up included. */
  get lost(): number {
    return this.goal + this.warmGoal - this.deliveries - this.warmDeliveries;
  }

  /** The figure the report checks against zero. */
  get faults(): number {
    return this.lost + this.duplicates + this.misrouted;
  }
}
