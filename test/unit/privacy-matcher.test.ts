// The compiled privacy list (XEP-0016 §2.1–2.2) and the XEP-0191 mapping, without a server: first match in
// ascending order, the four JID forms and parent domains, group and subscription items, stanza kinds, the
// fall-through item; list parsing errors; blocks at the top of the default list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import { parseJid } from '../../server/core/jid.js';
import { StanzaError } from '../../server/core/errors.js';
import { CompiledList, K_IQ, K_MESSAGE, K_OTHER, K_PRESENCE_IN, K_PRESENCE_OUT, STRANGER, type RosterFacts } from '../../server/modules/privacy/matcher.js';
import { parseList } from '../../server/modules/privacy/list-xml.js';
import { blockedJids, withBlocked, withoutBlocked } from '../../server/modules/privacy/blocklist.js';
import type { AccountLists } from '../../server/modules/privacy/store.js';

function compile(items: string): CompiledList {
  return new CompiledList(parseList(ltx.parse(`<list name='t'>${items}</list>`)));
}

function allowed(l: CompiledList, peer: string, kind: number, facts: RosterFacts | null = STRANGER): boolean {
  const r = l.decide(parseJid(peer), kind, facts);
  return r === null || r.allow;
}

test('PRIV-14: items are evaluated in ascending order whatever their order in the XML; first match decides; no match allows', () => {
  const l = compile(`<item action='deny' order='20'/><item type='jid' value='bob@x' action='allow' order='10'/>`);
  assert.equal(allowed(l, 'bob@x/r', K_MESSAGE), true);
  assert.equal(allowed(l, 'eve@x/r', K_MESSAGE), false);
  assert.equal(allowed(compile(`<item type='jid' value='bob@x' action='deny' order='1'/>`), 'eve@x', K_MESSAGE), true);
});

test('PRIV-15: full, bare, domain/resource and domain items; a domain item covers its users, resources and subdomains', () => {
  const cases: [string, string, boolean][] = [
    ['bob@x/r', 'bob@x/r', false], ['bob@x/r', 'bob@x/s', true], ['bob@x', 'bob@x/s', false], ['x/r', 'bob@x/r', false],
    ['x/r', 'bob@x/s', true], ['x', 'bob@x/s', false], ['x', 'x', false], ['x', 'muc.x', false], ['x', 'bob@muc.x/r', false],
    ['x', 'bob@y', true], ['x', 'bob@xx', true], ['bob@x', 'bob@y', true],
    // A resource may hold '@' and '/': the item is still a domain/resource one.
    ['x/a@b/c', 'bob@x/a@b/c', false], ['x/a@b/c', 'bob@x/a@b', true],
  ];
  for (const [value, peer, expected] of cases) {
    assert.equal(allowed(compile(`<item type='jid' value='${value}' action='deny' order='1'/>`), peer, K_MESSAGE), expected, `${value} vs ${peer}`);
  }
  // Normalised on both sides.
  assert.equal(allowed(compile(`<item type='jid' value='Bob@X' action='deny' order='1'/>`), 'bob@x', K_MESSAGE), false);
});

test('PRIV-16: group and subscription items consult the roster facts; "none" covers strangers', () => {
  const l = compile(`<item type='group' value='Work' action='deny' order='1'/><item type='subscription' value='none' action='deny' order='2'/>`);
  assert.ok(l.needsRoster(K_MESSAGE));
  assert.equal(allowed(l, 'a@x', K_MESSAGE, { subscription: 'both', groups: ['Work'] }), false);
  assert.equal(allowed(l, 'a@x', K_MESSAGE, { subscription: 'both', groups: ['Home'] }), true);
  assert.equal(allowed(l, 'a@x', K_MESSAGE, STRANGER), false);
  assert.equal(allowed(l, 'a@x', K_MESSAGE, { subscription: 'to', groups: [] }), true);
  assert.equal(compile(`<item type='jid' value='a@x' action='deny' order='1'/>`).needsRoster(K_MESSAGE), false);
});

test('PRIV-17: stanza kinds — named kinds only, none named = every kind incl. subscriptions (OTHER)', () => {
  const msg = compile(`<item action='deny' order='1'><message/></item>`);
  assert.deepEqual([K_MESSAGE, K_IQ, K_PRESENCE_IN, K_PRESENCE_OUT, K_OTHER].map((k) => allowed(msg, 'a@x', k)), [false, true, true, true, true]);
  const two = compile(`<item action='deny' order='1'><presence-in/><presence-out/></item>`);
  assert.deepEqual([K_MESSAGE, K_IQ, K_PRESENCE_IN, K_PRESENCE_OUT, K_OTHER].map((k) => allowed(two, 'a@x', k)), [true, true, false, false, true]);
  const all = compile(`<item action='deny' order='1'/>`);
  assert.deepEqual([K_MESSAGE, K_IQ, K_PRESENCE_IN, K_PRESENCE_OUT, K_OTHER].map((k) => allowed(all, 'a@x', k)), [false, false, false, false, false]);
  // An allow of one kind before a deny of all: only that kind passes.
  const mixed = compile(`<item type='jid' value='a@x' action='allow' order='1'><iq/></item><item action='deny' order='2'/>`);
  assert.equal(allowed(mixed, 'a@x', K_IQ), true);
  assert.equal(allowed(mixed, 'a@x', K_MESSAGE), false);
  // A rule marks blocklist entries (jid, deny, every kind).
  assert.equal(compile(`<item type='jid' value='a@x' action='deny' order='1'/>`).decide(parseJid('a@x'), K_MESSAGE, null)?.block, true);
  assert.equal(compile(`<item type='jid' value='a@x' action='deny' order='1'><message/></item>`).decide(parseJid('a@x'), K_MESSAGE, null)?.block, false);
});

test('PRIV-05, BAD-42: parse errors name the spec\'s condition', () => {
  const err = (xml: string): string => {
    try {
      parseList(ltx.parse(xml));
    } catch (e) {
      assert.ok(e instanceof StanzaError);
      return e.condition;
    }
    return 'parsed';
  };
  assert.equal(err(`<list name='a'><item action='deny' order='1'/><item action='deny' order='1'/></list>`), 'bad-request');
  assert.equal(err(`<list name='a'><item type='subscription' value='half' action='deny' order='1'/></list>`), 'bad-request');
  assert.equal(err(`<list name='a'><item type='jid' value='@x' action='deny' order='1'/></list>`), 'jid-malformed');
  assert.equal(err(`<list name='a'><item action='deny' order='99999999999'/></list>`), 'bad-request');
  assert.equal(err(`<list name='a'><item type='jid' action='deny' order='1'/></list>`), 'bad-request');
  assert.equal(err(`<list name='a'>${'<item action="deny" order="1"/>'.repeat(1001)}</list>`), 'policy-violation');
  assert.equal(err(`<list name='a'><item action='allow' order='0'/></list>`), 'parsed');
});

test('MOD-31: blocks go to the top of the default list, renumbered; unblocking leaves other items; the last block of a blocks-only list removes it', () => {
  const none: AccountLists = { user: 'u', lists: [], defaultName: null };
  const one = withBlocked(none, ['a@x']);
  assert.equal(one.defaultName, 'blocklist');
  assert.deepEqual(blockedJids(one), ['a@x']);
  const mine: AccountLists = { user: 'u', lists: [{ name: 'blocklist', items: [{ action: 'allow', order: 0, kinds: [] }] }, { name: 'm', items: [{ action: 'allow', order: 7, kinds: ['message'] }] }], defaultName: 'm' };
  const b = withBlocked(mine, ['a@x', 'b@x', 'a@x']);
  assert.deepEqual(b.lists.find((l) => l.name === 'm')!.items.map((i) => `${i.order} ${i.action} ${i.value ?? '*'}`), ['1 deny a@x', '2 deny b@x', '3 allow *']);
  assert.deepEqual(blockedJids(withoutBlocked(b, ['a@x'])), ['b@x']);
  assert.deepEqual(withoutBlocked(b, null).lists.find((l) => l.name === 'm')!.items.map((i) => i.order), [3]);
  // A blocklist created while a list called "blocklist" exists gets another name.
  const other: AccountLists = { user: 'u', lists: [mine.lists[0]], defaultName: null };
  assert.equal(withBlocked(other, ['a@x']).defaultName, 'blocklist 2');
  const gone = withoutBlocked(one, ['a@x']);
  assert.deepEqual(gone.lists, []);
  assert.equal(gone.defaultName, null);
});
