// The items of a muc#admin request, read and checked before anything is applied (XEP-0045 §17.4 rules 4–6;
// MUC-37): in a set, each item changes a role (by nick) or an affiliation (by jid), never both; in a get, one item
// names the list (a role or an affiliation). Bad input answers bad-request, an address that is not one
// jid-malformed.
import type { Element } from '../core/xml.js';
import { StanzaError } from '../core/errors.js';
import { JidError, prepResourcepart, tryParseJid } from '../core/jid.js';
import { isAffiliation, isRole, type Affiliation, type Role } from './roles.js';
import { checkNick } from './enter.js';
import { reasonOf } from './config-form.js';

export interface RoleItem {
  kind: 'role';
  /** The occupant's nick, prepared as occupant JIDs are (RFC 7622 resourcepart). */
  nick: string;
  role: Role;
  reason?: string;
}

export interface AffiliationItem {
  kind: 'affiliation';
  /** A bare JID, or a bare domain (a whole server; bans only, §9.2). */
  jid: string;
  affiliation: Affiliation;
  /** The reserved nick to set (§9.5): '' unsets it; absent leaves it as it is. */
  nick?: string;
  reason?: string;
}

export type AdminItem = RoleItem | AffiliationItem;

/** A list to retrieve: occupants with a role (voice list, moderator list) or users with an affiliation. */
export type ListRequest = { kind: 'role'; role: Exclude<Role, 'none'> } | { kind: 'affiliation'; affiliation: Exclude<Affiliation, 'none'> };

function bad(text: string): never {
  throw new StanzaError('bad-request', { text });
}

function attr(item: Element, name: string): string | undefined {
  const v = item.attrs[name] as unknown;
  return typeof v === 'string' ? v : undefined;
}

function items(query: Element): Element[] {
  const list = query.getChildren('item');
  if (list.length === 0) bad('the query needs an <item/>');
  return list;
}

/** A nick as occupant JIDs carry it; one no occupant JID could carry is jid-malformed (MUC-57). */
function preparedNick(nick: string): string {
  let prepared: string;
  try {
    prepared = prepResourcepart(nick);
  } catch (err) {
    if (!(err instanceof JidError)) throw err;
    throw new StanzaError('jid-malformed', { text: `"${nick}" cannot be a nickname: ${err.message}` });
  }
  checkNick(prepared);
  return prepared;
}

/** The affiliation target: the bare JID of a user (a full JID is taken as its bare JID, §10.3), or a bare domain. */
function targetJid(jid: string): { key: string; domainOnly: boolean } {
  const j = tryParseJid(jid);
  if (!j) throw new StanzaError('jid-malformed', { text: `"${jid}" is not an address` });
  return { key: j.bareString(), domainOnly: j.local === '' };
}

function parseSetItem(item: Element): AdminItem {
  const role = attr(item, 'role');
  const affiliation = attr(item, 'affiliation');
  const nick = attr(item, 'nick');
  const jid = attr(item, 'jid');
  if (role !== undefined && affiliation !== undefined) bad('an item changes either a role (by nick) or an affiliation (by jid), never both');   // MUC-37
  if (role !== undefined) {
    if (!isRole(role)) bad(`"${role}" is not a role; use moderator, participant, visitor or none`);
    if (nick === undefined) bad('a role is changed by nick: add nick=\'…\' to the item');
    if (jid !== undefined) bad('a role is changed by nick only (§17.4): leave out the jid');
    return { kind: 'role', nick: preparedNick(nick), role, reason: reasonOf(item) };
  }
  if (affiliation !== undefined) {
    if (!isAffiliation(affiliation)) bad(`"${affiliation}" is not an affiliation; use owner, admin, member, none or outcast`);
    if (jid === undefined) bad('an affiliation is changed by bare JID: add jid=\'…\' to the item');
    const target = targetJid(jid);
    if (target.domainOnly && affiliation !== 'outcast' && affiliation !== 'none') bad('a whole server can only be banned (outcast) or unbanned (none)');
    // A reserved nick goes with membership and above; outcasts have none (§9.1), and "none" has no entry to hold one.
    const keepsNick = affiliation !== 'outcast' && affiliation !== 'none';
    return {
      kind: 'affiliation', jid: target.key, affiliation, reason: reasonOf(item),
      nick: keepsNick && nick !== undefined ? (nick === '' ? '' : preparedNick(nick)) : undefined,
    };
  }
  bad('an item needs a role (with nick) or an affiliation (with jid)');
}

/** The items of a muc#admin set, each checked; one nick or JID named twice is refused (which would win is unclear). */
export function parseSetItems(query: Element): AdminItem[] {
  const out = items(query).map(parseSetItem);
  const seen = new Set<string>();
  for (const i of out) {
    const key = i.kind === 'role' ? `nick:${i.nick}` : `jid:${i.jid}`;
    if (seen.has(key)) bad(`${i.kind === 'role' ? `the nick ${i.nick}` : i.jid} is named in more than one item`);
    seen.add(key);
  }
  return out;
}

/** The one item of a muc#admin get: which list. */
export function parseListRequest(query: Element): ListRequest {
  const list = items(query);
  if (list.length > 1) bad('ask for one list at a time: one <item/> with a role or an affiliation');
  const role = attr(list[0], 'role');
  const affiliation = attr(list[0], 'affiliation');
  if (role !== undefined && affiliation !== undefined) bad('a list is of a role or of an affiliation, not both');
  if (role !== undefined) {
    if (!isRole(role) || role === 'none') bad(`"${role}" names no list; ask for moderator, participant or visitor`);
    return { kind: 'role', role };
  }
  if (affiliation !== undefined) {
    if (!isAffiliation(affiliation) || affiliation === 'none') bad(`"${affiliation}" names no list; ask for owner, admin, member or outcast`);
    return { kind: 'affiliation', affiliation };
  }
  bad('the <item/> needs a role or an affiliation');
}
