// Announcements held back until a muc#admin request's changes are all applied and stored (XEP-0045 §8.2, §9.1):
// an occupant that is removed (kick 307, ban 301, lost membership 321) hears it first, then the requester gets its
// answer, then everyone else is told. A change made without an outbox (the owner's form, the console) announces at
// once, as before.
export class Outbox {
  private readonly early: (() => void)[] = [];
  private readonly late: (() => void)[] = [];

  /** Sent before the requester's answer: what the removed occupants themselves are told. */
  beforeAnswer(send: () => void): void {
    this.early.push(send);
  }

  /** Sent after the requester's answer: what the remaining occupants (and invitees) are told. */
  afterAnswer(send: () => void): void {
    this.late.push(send);
  }

  flushBeforeAnswer(): void {
    for (const send of this.early.splice(0)) send();
  }

  flushAfterAnswer(): void {
    for (const send of this.late.splice(0)) send();
  }
}
