// How `parley room list` and `parley room show` print rooms: one line per room in the list (address first, so it
// can be cut out), and a room's settings, occupants and affiliations for people.
import type { RoomInfo, RoomView } from './admin/room-api.js';

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The flags worth a word: what differs from an open, listed, persistent, unmoderated room without a password. */
function flags(r: RoomInfo): string[] {
  return [
    r.public ? '' : 'hidden',
    r.persistent ? '' : 'temporary',
    r.membersOnly ? 'members only' : '',
    r.moderated ? 'moderated' : '',
    r.passwordProtected ? 'password' : '',
    r.locked ? 'locked (not configured yet)' : '',
  ].filter(Boolean);
}

/** "team@conference.office.local  “The team”  3 people  members only, moderated" */
export function formatRoomLine(r: RoomInfo): string {
  const parts = [r.jid];
  if (r.name) parts.push(`“${r.name}”`);
  parts.push(plural(r.occupants, 'person', 'people'));
  const f = flags(r);
  if (f.length > 0) parts.push(f.join(', '));
  return parts.join('  ');
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

export function formatRoom(r: RoomView): string {
  const s = r.settings;
  const lines = [r.name ? `${r.jid} — ${r.name}` : r.jid];
  if (r.description) lines.push(`  Description: ${r.description}`);
  if (r.subject) lines.push(`  Subject: ${r.subject}`);
  lines.push(
    `  Listed in the room directory: ${yes(s.public)}`,
    `  Kept when empty: ${yes(s.persistent)}`,
    `  Members only: ${yes(s.membersOnly)}`,
    `  Moderated: ${yes(s.moderated)}`,
    `  Password: ${yes(s.passwordProtected)}`,
    `  Real addresses seen by: ${s.whois === 'anyone' ? 'everyone in the room' : 'moderators'}`,
    `  Private messages: ${s.allowPm === 'none' ? 'nobody' : s.allowPm}`,
    `  Most people: ${s.maxUsers === 0 ? 'the service’s limit' : s.maxUsers}`,
    `  Created: ${r.createdAt}`,
  );
  if (r.locked) lines.push('  Locked: its owner has not configured it yet, so nobody else can enter.');
  lines.push(r.occupantList.length === 0 ? '  Nobody is in the room.' : `  In the room (${r.occupantList.length}):`);
  for (const o of r.occupantList) lines.push(`    ${o.nick}  ${o.jid}  ${o.role}${o.affiliation === 'none' ? '' : `, ${o.affiliation}`}`);
  if (r.affiliations.length > 0) {
    lines.push('  Affiliations:');
    for (const a of r.affiliations) {
      const notes = [a.nick ? `nick ${a.nick}` : '', a.reason ? `reason: ${a.reason}` : ''].filter(Boolean);
      lines.push(`    ${a.jid}  ${a.affiliation === 'outcast' ? 'banned' : a.affiliation}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}
