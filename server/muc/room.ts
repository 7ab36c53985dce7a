// A room's state (XEP-0045 §4–5): configuration, affiliations, occupants, history and subject, with the questions
// the protocol asks of them (who may enter, see real JIDs, speak, change the subject…). Sending is not done here:
// the handlers (enter.ts, occupant-presence.ts, groupchat.ts…) decide and send through the service.
import { createHash, randomBytes } from 'node:crypto';
import type { Element } from '../core/xml.js';
import type { MucSettings } from '../core/config.js';
import { Occupant } from './occupant.js';
import { affiliationRank, defaultRole, type Affiliation, type Role } from './roles.js';
import { completeRoomConfig, occupantCap, type RoomConfig } from './room-config.js';
import type { RoomDoc, StoredAffiliation, StoredSubject } from './room-store.js';

export interface HistoryEntry {
  /** The reflected message without `to` (from = occupant JID, stanza-id, occupant-id), shared by every copy. */
  stanza: Element;
  at: number;
  /** Characters of the stanza as sent (XEP-0045 §7.2.13 maxchars counts the whole stanza). */
  chars: number;
  /** The sender's real full JID (only moderators, or everyone in a non-anonymous room, may learn it). */
  realJid: string;
  /** XEP-0359 id the room gave it. */
  stanzaId: string;
  /** Retracted by a moderator (XEP-0425): `stanza` is its tombstone, and newcomers are not sent it. */
  retracted?: boolean;
}

export interface AffiliationEntry {
  affiliation: Exclude<Affiliation, 'none'>;
  nick?: string;
  reason?: string;
}

export class Room {
  readonly occupants = new Map<string, Occupant>();
  /** Real full JID → occupant. */
  readonly bySession = new Map<string, Occupant>();
  readonly affiliations = new Map<string, AffiliationEntry>();
  history: HistoryEntry[] = [];
  subject: StoredSubject | null = null;
  /** Created by joining and not yet configured (§10.1): only the owner can be in it (MUC-17). */
  locked = false;
  vcard = '';
  /** Salt for occupant-ids (XEP-0421), kept with a persistent room so ids stay stable across restarts. */
  readonly salt: string;

  constructor(
    /** Localpart, normalised. */
    readonly name: string,
    /** Bare JID string. */
    readonly jid: string,
    public config: RoomConfig,
    readonly createdAt = Date.now(),
    salt?: string,
  ) {
    this.salt = salt ?? randomBytes(12).toString('base64');
  }

  static fromDoc(doc: RoomDoc, serviceDomain: string, muc: MucSettings): Room {
    const room = new Room(doc._id, `${doc._id}@${serviceDomain}`, completeRoomConfig(doc.config, muc), doc.createdAt, doc.salt);
    for (const a of doc.affiliations) room.affiliations.set(a.jid, { affiliation: a.affiliation, nick: a.nick, reason: a.reason });
    room.subject = doc.subject;
    room.vcard = doc.vcard ?? '';
    return room;
  }

  toDoc(): RoomDoc {
    const affiliations: StoredAffiliation[] = [];
    for (const [jid, a] of this.affiliations) affiliations.push({ jid, ...a });
    return { _id: this.name, config: { ...this.config }, affiliations, subject: this.subject, createdAt: this.createdAt, vcard: this.vcard, salt: this.salt };
  }

  // ---- affiliations and roles -------------------------------------------------------------------------------

  affiliationOf(bare: string): Affiliation {
    const own = this.affiliations.get(bare);
    if (own) return own.affiliation;
    // §9.2: a ban matches user@domain first, then the domain itself (a whole server banned).
    const at = bare.indexOf('@');
    if (at >= 0 && this.affiliations.get(bare.slice(at + 1))?.affiliation === 'outcast') return 'outcast';
    return 'none';
  }

  /** Bare JIDs with this affiliation. */
  withAffiliation(a: Exclude<Affiliation, 'none'>): string[] {
    const out: string[] = [];
    for (const [jid, e] of this.affiliations) if (e.affiliation === a) out.push(jid);
    return out;
  }

  /** Set (or with 'none', drop) an affiliation, keeping a reserved nick unless banned (§9.1). */
  setAffiliation(bare: string, a: Affiliation, reason?: string): void {
    const old = this.affiliations.get(bare);
    if (a === 'none') {
      this.affiliations.delete(bare);
      return;
    }
    this.affiliations.set(bare, { affiliation: a, nick: a === 'outcast' ? undefined : old?.nick, reason });
  }

  /** The role someone with this affiliation gets on entering (§5.1.2); null: not allowed in. */
  entryRole(bare: string): Role | null {
    return defaultRole(this.affiliationOf(bare), this.config);
  }

  /** The bare JID that reserved this nick (registration / member list), if another than `bare`. */
  nickReservedByOther(nick: string, bare: string): string | null {
    for (const [jid, e] of this.affiliations) if (e.nick === nick && jid !== bare) return jid;
    return null;
  }

  reservedNick(bare: string): string | undefined {
    return this.affiliations.get(bare)?.nick;
  }

  /** Reserve (or with undefined, free) `bare`'s nick; it must hold an affiliation other than outcast (§7.10, §9.1). */
  setReservedNick(bare: string, nick: string | undefined): void {
    const e = this.affiliations.get(bare);
    if (!e || e.affiliation === 'outcast') throw new Error(`${bare} has no affiliation to reserve a nick with`);
    if (nick === undefined) delete e.nick;
    else e.nick = nick;
  }

  /** Outranks: `a` can act on someone with affiliation `b` (kick, ban, devoice) only when strictly higher. */
  static outranks(a: Affiliation, b: Affiliation): boolean {
    return affiliationRank(a) > affiliationRank(b);
  }

  // ---- occupants --------------------------------------------------------------------------------------------

  occupantId(bare: string): string {
    return createHash('sha256').update(this.salt).update('\0').update(bare).digest('base64').slice(0, 22);
  }

  addSession(nick: string, bare: string, full: string, role: Role, presence: Element): Occupant {
    let o = this.occupants.get(nick);
    if (!o) {
      o = new Occupant(nick, bare, role, this.occupantId(bare));
      this.occupants.set(nick, o);
    }
    o.setPresence(full, presence);
    this.bySession.set(full, o);
    return o;
  }

  /** Remove one session; true when the occupant left altogether (it had no other session). */
  removeSession(full: string): boolean {
    const o = this.bySession.get(full);
    if (!o) return false;
    this.bySession.delete(full);
    o.sessions.delete(full);
    if (o.sessions.size > 0) return false;
    this.occupants.delete(o.nick);
    return true;
  }

  /** Remove an occupant with all its sessions. */
  removeOccupant(o: Occupant): void {
    for (const full of o.sessions.keys()) this.bySession.delete(full);
    this.occupants.delete(o.nick);
  }

  renameOccupant(o: Occupant, nick: string): void {
    this.occupants.delete(o.nick);
    o.nick = nick;
    this.occupants.set(nick, o);
  }

  /** Occupants of a real bare JID (one per nick it joined under). */
  occupantsOf(bare: string): Occupant[] {
    const out: Occupant[] = [];
    for (const o of this.occupants.values()) if (o.bare === bare) out.push(o);
    return out;
  }

  get size(): number {
    return this.occupants.size;
  }

  isFull(muc: MucSettings): boolean {
    return this.occupants.size >= occupantCap(this.config, muc);
  }

  // ---- what the configuration allows ------------------------------------------------------------------------

  /** May `viewer` see occupants' real JIDs (§7.2.3/7.2.4: non-anonymous rooms, else moderators)? */
  canSeeRealJids(viewer: Occupant | null): boolean {
    return this.config.whois === 'anyone' || viewer?.role === 'moderator';
  }

  /** Is an occupant with this role's presence broadcast (muc#roomconfig_presencebroadcast)? */
  broadcastsPresenceOf(role: Role): boolean {
    return role === 'none' || this.config.presenceBroadcast.includes(role as Exclude<Role, 'none'>);
  }

  canSpeak(o: Occupant): boolean {
    return o.role === 'moderator' || o.role === 'participant';
  }

  canChangeSubject(o: Occupant): boolean {
    return o.role === 'moderator' || (this.config.changeSubject && o.role === 'participant');
  }

  /** Occupants may send private messages under muc#roomconfig_allowpm. */
  canSendPm(o: Occupant): boolean {
    switch (this.config.allowPm) {
      case 'anyone': return true;
      case 'participants': return o.role === 'participant' || o.role === 'moderator';
      case 'moderators': return o.role === 'moderator';
      case 'none': return false;
    }
  }

  /**
   * May `bare` invite others (§7.8.2, §9.5)? `o`: its occupant, null when it is not in the room. Owners and admins
   * always may, present or not (inviting is how they add members). Otherwise only occupants: in a members-only room
   * the invitee becomes a member, so §9.5 restricts it to admins unless allowmemberinvites opens it to members; in
   * an open room an invitation grants nothing, and muc#roomconfig_allowinvites decides (moderators always may).
   */
  canInvite(bare: string, o: Occupant | null): boolean {
    const aff = this.affiliationOf(bare);
    if (aff === 'owner' || aff === 'admin') return true;
    if (!o) return false;
    if (this.config.membersOnly) return this.config.allowMemberInvites && aff === 'member';
    return this.config.allowInvites || o.role === 'moderator';
  }

  /**
   * Are `bare`'s nicknames "locked down" to its reserved one (§7.10 last paragraph, §7.12)? In members-only rooms
   * (the member list is who may be there, under which name) and rooms where nicks cannot be changed; never for
   * owners and admins, who run the room. A locked-down user entering under another nick gets the reserved one (210).
   */
  locksNickOf(bare: string): boolean {
    const aff = this.affiliationOf(bare);
    if (aff === 'owner' || aff === 'admin' || this.reservedNick(bare) === undefined) return false;
    return this.config.membersOnly || !this.config.canChangeNick;
  }

  // ---- history ----------------------------------------------------------------------------------------------

  addHistory(entry: HistoryEntry, keep: number): void {
    if (keep <= 0) return;
    this.history.push(entry);
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep);
  }
}
