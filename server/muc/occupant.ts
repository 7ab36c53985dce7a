// One occupant of a room (XEP-0045 §5): a nick, the real user behind it, and each of that user's sessions joined
// under the nick (a user may join with several clients under one nick, MUC-15: room traffic goes to all of them).
import type { Element } from '../core/xml.js';
import type { Role } from './roles.js';

export class Occupant {
  /** Full JID → that session's last presence as reflected (payload only: show, status, caps…; no muc#user). */
  readonly sessions = new Map<string, Element>();
  /** Last voice request (ms), for muc#roomconfig_voicerequestmininterval. */
  lastVoiceRequest = 0;

  constructor(
    public nick: string,
    /** The real bare JID. */
    readonly bare: string,
    public role: Role,
    /** XEP-0421: stable per room and real bare JID, opaque to others. */
    readonly occupantId: string,
  ) {}

  /** The presence shown for this occupant: its most recently updated session's (Map keeps insertion order). */
  get presence(): Element {
    let last: Element | undefined;
    for (const p of this.sessions.values()) last = p;
    if (!last) throw new Error(`occupant ${this.nick} has no session`);
    return last;
  }

  /** Any one session's full JID (the first joined): where an iq to the occupant goes. */
  get firstSession(): string {
    for (const j of this.sessions.keys()) return j;
    throw new Error(`occupant ${this.nick} has no session`);
  }

  /** Record a session's presence as the newest. */
  setPresence(full: string, presence: Element): void {
    this.sessions.delete(full);
    this.sessions.set(full, presence);
  }
}
