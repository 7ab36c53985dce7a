// The MUC service's own room types (server/muc/) to the console's JSON (room-api.ts) and back: the running service's
// summaries and details, a stored room's document (no server running), and the console's setting changes as
// configuration fields. Written field by field, so that a renamed or retyped field on either side does not compile.
import type { MucSettings } from '../core/config.js';
import type { RoomDetails, RoomSummary } from '../muc/muc-admin.js';
import { completeRoomConfig, type RoomConfig } from '../muc/room-config.js';
import type { RoomDoc } from '../muc/room-store.js';
import type { RoomInfo, RoomSettings, RoomSettingsChange, RoomView } from './room-api.js';

export function roomInfo(s: RoomSummary): RoomInfo {
  return {
    jid: s.jid, room: s.room, name: s.name, description: s.description, subject: s.subject, occupants: s.occupants,
    public: s.public, persistent: s.persistent, membersOnly: s.membersOnly, moderated: s.moderated,
    passwordProtected: s.passwordProtected, locked: s.locked, createdAt: new Date(s.createdAt).toISOString(),
  };
}

export function roomSettings(c: RoomConfig): RoomSettings {
  return {
    name: c.name, description: c.description, public: c.public, persistent: c.persistent, membersOnly: c.membersOnly,
    moderated: c.moderated, passwordProtected: c.passwordProtected, whois: c.whois, allowPm: c.allowPm, maxUsers: c.maxUsers,
    changeSubject: c.changeSubject, allowInvites: c.allowInvites,
  };
}

export function roomView(d: RoomDetails): RoomView {
  return {
    ...roomInfo(d),
    settings: roomSettings(d.config),
    occupantList: d.occupantList.map((o) => ({ nick: o.nick, jid: o.jid, resources: [...o.resources], role: o.role, affiliation: o.affiliation })),
    affiliations: d.affiliations.map((a) => ({ jid: a.jid, affiliation: a.affiliation, nick: a.nick ?? '', reason: a.reason ?? '' })),
  };
}

/** A stored room as the console lists it when no server runs: nobody is in it, and it is not locked. */
export function storedRoomInfo(doc: RoomDoc, serviceDomain: string, muc: MucSettings): RoomInfo {
  const c = completeRoomConfig(doc.config, muc);
  return {
    jid: `${doc._id}@${serviceDomain}`, room: doc._id, name: c.name, description: c.description, subject: doc.subject?.text ?? '',
    occupants: 0, public: c.public, persistent: c.persistent, membersOnly: c.membersOnly, moderated: c.moderated,
    passwordProtected: c.passwordProtected, locked: false, createdAt: new Date(doc.createdAt).toISOString(),
  };
}

export function storedRoomView(doc: RoomDoc, serviceDomain: string, muc: MucSettings): RoomView {
  return {
    ...storedRoomInfo(doc, serviceDomain, muc),
    settings: roomSettings(completeRoomConfig(doc.config, muc)),
    occupantList: [],
    affiliations: doc.affiliations.map((a) => ({ jid: a.jid, affiliation: a.affiliation, nick: a.nick ?? '', reason: a.reason ?? '' })),
  };
}

/** The console's changes as configuration fields; a password given turns protection on, '' turns it off. */
export function configChanges(ch: RoomSettingsChange): Partial<RoomConfig> {
  const out: Partial<RoomConfig> = {};
  if (ch.name !== undefined) out.name = ch.name;
  if (ch.description !== undefined) out.description = ch.description;
  if (ch.public !== undefined) out.public = ch.public;
  if (ch.persistent !== undefined) out.persistent = ch.persistent;
  if (ch.membersOnly !== undefined) out.membersOnly = ch.membersOnly;
  if (ch.moderated !== undefined) out.moderated = ch.moderated;
  if (ch.whois !== undefined) out.whois = ch.whois;
  if (ch.allowPm !== undefined) out.allowPm = ch.allowPm;
  if (ch.maxUsers !== undefined) out.maxUsers = ch.maxUsers;
  if (ch.changeSubject !== undefined) out.changeSubject = ch.changeSubject;
  if (ch.allowInvites !== undefined) out.allowInvites = ch.allowInvites;
  if (ch.password !== undefined) {
    out.password = ch.password;
    out.passwordProtected = ch.password !== '';
  }
  return out;
}
