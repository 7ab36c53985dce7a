// Stanzas for the stanza-handler fuzzer: real stanzas of every module (roster, privacy, blocking, vCard, private
// storage, disco, version, time, last activity, ping, offline, presence, messages), mutated (attributes added,
// dropped or given odd values, children renamed, moved to other namespaces, duplicated or replaced by random
// element trees, text added) and addressed to every kind of target. Always well-formed and namespace-well-formed
// (no undeclared prefixes), so a closed stream is never the right answer to one of them. Nothing here can remove
// the account or change its password (jabber:iq:register is left out), so the fuzzed session stays usable.
import * as ltx from 'ltx';
import { type Element, el } from '../../server/core/xml.js';
import type { Rng } from './rng.js';

export interface GeneratedStanza {
  element: Element;
  /** An iq get/set with an id: it must be answered (RFC 6120 §8.2.3). */
  needsReply: boolean;
}

const NAMESPACES = ['jabber:iq:roster', 'jabber:iq:privacy', 'urn:xmpp:blocking', 'vcard-temp', 'jabber:iq:private', 'http://jabber.org/protocol/disco#info',
  'http://jabber.org/protocol/disco#items', 'jabber:iq:version', 'urn:xmpp:time', 'jabber:iq:last', 'urn:xmpp:ping', 'storage:bookmarks',
  'http://jabber.org/protocol/pubsub', 'http://jabber.org/protocol/commands', 'urn:xmpp:mam:2', 'urn:xmpp:carbons:2', 'jabber:x:data', 'urn:example:unknown', ''];
const NAMES = ['query', 'item', 'list', 'active', 'default', 'block', 'unblock', 'blocklist', 'vCard', 'FN', 'PHOTO', 'BINVAL', 'group', 'presence-in',
  'message', 'iq', 'storage', 'conference', 'ping', 'time', 'x', 'field', 'value', 'pubsub', 'items', 'publish', 'command', 'enable', 'body', 'show', 'status',
  'priority', 'delay', 'error', 'a', 'z'];
const ATTRS = ['jid', 'name', 'subscription', 'ask', 'type', 'value', 'action', 'order', 'node', 'var', 'id', 'to', 'from', 'xml:lang', 'seconds', 'ver', 'approved'];
const VALUES = ['', ' ', 'bob@test.local', 'alice@test.local/fuzz', 'test.local', 'nobody@test.local', 'a@b@c', '@test.local', 'x'.repeat(1100), 'both', 'remove',
  'none', 'deny', 'allow', '-1', '0', '4294967296', '1e9', 'NaN', 'jid', 'group', 'subscription', 'Friends', 'ünïcödé 😀', '<&>\'"', 'get', 'set', 'result'];
const TARGETS = [undefined, 'test.local', 'alice@test.local', 'bob@test.local', 'bob@test.local/phone', 'alice@test.local/other', 'nobody@test.local',
  'conference.test.local', 'elsewhere.example', 'a@b@c', '@test.local', 'test.local/resource'];

/** Real payloads, one function per module, so each call builds a fresh tree the mutator may change. */
const IQ_PAYLOADS: ReadonlyArray<() => Element> = [
  () => el('query', { xmlns: 'jabber:iq:roster' }),
  () => el('query', { xmlns: 'jabber:iq:roster' }, el('item', { jid: 'bob@test.local', name: 'Bob' }, el('group', null, 'Friends'))),
  () => el('query', { xmlns: 'jabber:iq:privacy' }),
  () => el('query', { xmlns: 'jabber:iq:privacy' }, el('list', { name: 'fuzz' }, el('item', { type: 'jid', value: 'eve@test.local', action: 'deny', order: '1' }, el('message')))),
  () => el('query', { xmlns: 'jabber:iq:privacy' }, el('active', { name: 'fuzz' })),
  () => el('query', { xmlns: 'jabber:iq:privacy' }, el('default', { name: 'fuzz' })),
  () => el('blocklist', { xmlns: 'urn:xmpp:blocking' }),
  () => el('block', { xmlns: 'urn:xmpp:blocking' }, el('item', { jid: 'eve@test.local' })),
  () => el('unblock', { xmlns: 'urn:xmpp:blocking' }),
  () => el('vCard', { xmlns: 'vcard-temp' }),
  () => el('vCard', { xmlns: 'vcard-temp' }, el('FN', null, 'Alice'), el('PHOTO', null, el('TYPE', null, 'image/png'), el('BINVAL', null, 'aGVsbG8='))),
  () => el('query', { xmlns: 'jabber:iq:private' }, el('storage', { xmlns: 'storage:bookmarks' })),
  () => el('query', { xmlns: 'jabber:iq:private' }, el('storage', { xmlns: 'storage:bookmarks' }, el('conference', { jid: 'room@conference.test.local', autojoin: 'true' }))),
  () => el('query', { xmlns: 'http://jabber.org/protocol/disco#info' }),
  () => el('query', { xmlns: 'http://jabber.org/protocol/disco#items' }),
  () => el('query', { xmlns: 'jabber:iq:version' }),
  () => el('time', { xmlns: 'urn:xmpp:time' }),
  () => el('query', { xmlns: 'jabber:iq:last' }),
  () => el('ping', { xmlns: 'urn:xmpp:ping' }),
  () => el('session', { xmlns: 'urn:ietf:params:xml:ns:xmpp-session' }),
  () => el('enable', { xmlns: 'urn:xmpp:carbons:2' }),
  () => el('query', { xmlns: 'urn:xmpp:mam:2' }),
  () => el('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, el('items', { node: 'urn:xmpp:avatar:metadata' })),
  () => el('command', { xmlns: 'http://jabber.org/protocol/commands', node: 'urn:xmpp:invite#invite', action: 'execute' }),
];

function randomTree(rng: Rng, depth: number): Element {
  const e = el(rng.pick(NAMES), rng.chance(0.5) ? { xmlns: rng.pick(NAMESPACES) } : null);
  for (let i = 0, n = rng.int(3); i < n; i++) e.attrs[rng.pick(ATTRS)] = rng.pick(VALUES);
  if (rng.chance(0.3)) e.t(rng.pick(VALUES));
  if (depth > 0) for (let i = 0, n = rng.int(3); i < n; i++) e.cnode(randomTree(rng, depth - 1));
  return e;
}

function allElements(root: Element): Element[] {
  const out: Element[] = [root];
  for (const c of root.children) if (typeof c !== 'string') out.push(...allElements(c));
  return out;
}

/** One random change somewhere in `root` (never on an xmlns a child relies on being declared: there are no prefixes). */
function mutate(rng: Rng, root: Element): void {
  const target = rng.pick(allElements(root));
  switch (rng.int(8)) {
    case 0: target.attrs[rng.pick(ATTRS)] = rng.pick(VALUES); break;
    case 1: {
      const keys = Object.keys(target.attrs).filter((k) => k !== 'xmlns' || target !== root);
      if (keys.length > 0) delete target.attrs[rng.pick(keys)];
      break;
    }
    case 2: target.name = rng.pick(NAMES); break;
    case 3: target.attrs.xmlns = rng.pick(NAMESPACES); break;
    case 4: target.cnode(randomTree(rng, rng.int(4))); break;
    case 5: target.t(rng.pick(VALUES)); break;
    case 6: target.children = []; break;
    default: {
      const child = target.children.find((c): c is Element => typeof c !== 'string');
      if (child) target.cnode(ltx.parse(child.toString()));
    }
  }
}

let counter = 0;

/** The next stanza: mostly iq get/set (which must be answered), some messages and presences, mutated 0–4 times. */
export function generateStanza(rng: Rng): GeneratedStanza {
  const kind = rng.int(10);
  // Half to the server or the account itself, where most handlers are; the rest anywhere.
  const to = rng.chance(0.5) ? rng.pick([undefined, 'test.local']) : rng.pick(TARGETS);
  const id = `fz${++counter}`;
  if (kind < 7) {
    const type = rng.chance(0.9) ? rng.pick(['get', 'set']) : rng.pick(['result', 'error', 'bogus']);
    const payload = rng.chance(0.9) ? rng.pick(IQ_PAYLOADS)() : randomTree(rng, 3);
    for (let m = 0, n = rng.int(5); m < n; m++) mutate(rng, payload);
    const iq = el('iq', { type, id, to }, payload);
    if (rng.chance(0.05)) iq.cnode(rng.pick(IQ_PAYLOADS)());   // two payloads: bad-request
    if (rng.chance(0.03)) iq.children = [];                   // none: bad-request
    return { element: iq, needsReply: type === 'get' || type === 'set' };
  }
  if (kind < 9) {
    const msg = el('message', { to: to ?? 'bob@test.local', type: rng.pick(['chat', 'normal', 'groupchat', 'headline', 'error', 'bogus', undefined]), id },
      el('body', null, rng.pick(VALUES)));
    for (let m = 0, n = rng.int(4); m < n; m++) mutate(rng, msg);
    // A top-level element in another namespace is no stanza: closing the stream is then right (BAD-17), not a find.
    msg.name = 'message';
    delete msg.attrs.xmlns;
    return { element: msg, needsReply: false };
  }
  const pres = el('presence', { to, type: rng.pick([undefined, 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe', 'unavailable', 'error', 'bogus']), id },
    el('show', null, rng.pick(['away', 'dnd', 'xa', 'chat', 'bogus'])), el('priority', null, rng.pick(['0', '5', '-128', '128', 'x'])));
  for (let m = 0, n = rng.int(3); m < n; m++) mutate(rng, pres);
  pres.name = 'presence';
  delete pres.attrs.xmlns;
  // An unavailable presence would end the session's availability; the run stays available (the real ones are tested elsewhere).
  if (pres.attrs.type === 'unavailable' && pres.attrs.to === undefined) delete pres.attrs.type;
  return { element: pres, needsReply: false };
}
