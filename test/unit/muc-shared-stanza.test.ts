// The serialise-once copies a room sends to its occupants (server/muc/shared-stanza.ts): each copy's text is the
// stanza's with its own `to`; a copy something changed serialises the ordinary way, with the change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import { shareStanza } from '../../server/muc/shared-stanza.js';

function message(): ltx.Element {
  const m = new ltx.Element('message', { from: 'room@conference.test/nick', type: 'groupchat', id: 'm1' });
  m.c('body').t('fish & <chips>');
  return m;
}

test('each copy serialises as the stanza with its own to (escaped), parsed back to the same element', () => {
  const shared = shareStanza(message());
  for (const to of ['a@test/r', "o'brien@test/x\"y"]) {
    const text = shared.to(to).toString();
    const parsed = ltx.parse(text) as ltx.Element;
    assert.equal(parsed.attrs.to, to);
    assert.equal(parsed.attrs.from, 'room@conference.test/nick');
    assert.equal(parsed.getChildText('body'), 'fish & <chips>');
  }
  assert.equal(shared.chars, message().toString().length + ` to=""`.length);
});

test('a copy given another attribute or child after it was made serialises with the change', () => {
  const shared = shareStanza(message());
  const c1 = shared.to('a@test/r');
  c1.attrs['xml:lang'] = 'de';
  assert.match(c1.toString(), /xml:lang="de"/);
  const c2 = shared.to('b@test/r');
  c2.children = [...c2.children, new ltx.Element('extra', { xmlns: 'urn:test' })];
  assert.match(c2.toString(), /<extra xmlns="urn:test"\/>/);
  // The others are untouched.
  assert.doesNotMatch(shared.to('c@test/r').toString(), /xml:lang|extra/);
});
