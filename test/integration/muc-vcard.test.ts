// vCards and avatars in group chat over real sockets: the room's own vCard (VCARD-06, XEP-0054 on the room JID as
// XEP-0486 profiles it: get, owner-only set within limits.maxVcardBytes, 104 to occupants, the avatar hash in
// disco#info), vCard queries to an occupant JID passed to the occupant's bare JID, and XEP-0153 photo hashes in
// the presence a user sends into a room (VCARD-08).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { imTestServer, type ImClient } from '../helpers/im-client.js';
import { assertStanza, codes, createRoom, errorCondition, isPresenceFrom, join, roomJid } from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';

const MAX_VCARD = 4096;
const im = imTestServer({ limits: { maxVcardBytes: MAX_VCARD, presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000 } });

const room = (): string => im.unique('vc');

// XEP-0486's examples: a red square as SVG and as PNG.
const SVG = 'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHdpZHRoPSIzMiIgaGVpZ2h0PSIzMiI+CiA8cmVjdCB4PSIwIiB5PSIwIiB3aWR0aD0iMzIiIGhlaWdodD0iMzIiIGZpbGw9InJlZCIvPgo8L3N2Zz4K';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgAQMAAABJtOi3AAAAB3RJTUUH4ggVERoVAPsrMgAAAAlwSFlzAAALEgAACxIB0t1+/AAAABl0RVh0U29mdHdhcmUAd3d3Lmlua3NjYXBlLm9yZ5vuPBoAAAAEZ0FNQQAAsY8L/GEFAAAAIGNIUk0AAHomAACAhAAA+gAAAIDoAAB1MAAA6mAAADqYAAAXcJy6UTwAAAAGUExURf8AAP///0EdNBEAAAABYktHRAH/Ai3eAAAADElEQVQI12NgGNwAAACgAAFhJX1HAAAAAElFTkSuQmCC';
const sha1 = (b64: string): string => createHash('sha1').update(Buffer.from(b64, 'base64')).digest('hex');
const photo = (type: string, b64: string): string => `<PHOTO><TYPE>${type}</TYPE><BINVAL>${b64}</BINVAL></PHOTO>`;

const vcardGet = (c: ImClient, to: string): Promise<Element> => c.iq((id) => `<iq type='get' id='${id}' to='${to}'><vCard xmlns='vcard-temp'/></iq>`);
const vcardSet = (c: ImClient, to: string | null, inner: string): Promise<Element> =>
  c.iq((id) => `<iq type='set' id='${id}'${to ? ` to='${to}'` : ''}><vCard xmlns='vcard-temp'>${inner}</vCard></iq>`);
const roomInfo = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);

function avatarHashField(info: Element): string[] | null {
  const form = info.getChild('query')!.getChildren('x').find((x) => x.getNS() === 'jabber:x:data')!;
  const f = form.getChildren('field').find((x) => x.attrs.var === 'muc#roominfo_avatarhash');
  return f ? f.getChildren('value').map((v) => v.getText()) : null;
}

test('VCARD-06: the room\'s vCard: empty until an owner sets one; stored as sent, occupants told with 104, the avatar hashes in disco#info (XEP-0486); others forbidden; too big → not-acceptable; an empty vCard removes it', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  // Anyone may read it, in the room or not.
  assertStanza(await vcardGet(c, roomJid(r)), `<iq type='result' from='${roomJid(r)}' to='${c.jid}'><vCard xmlns='vcard-temp'/></iq>`, ['id']);
  assert.equal(avatarHashField(await roomInfo(c, r)), null);
  const card = `<FN>The Dark Cave</FN>${photo('image/svg+xml', SVG)}${photo('image/png', PNG)}`;
  assertStanza(await vcardSet(a, roomJid(r), card), `<iq type='result' from='${roomJid(r)}' to='${a.jid}'/>`, ['id']);
  const notice = await b.waitFor((e) => e.name === 'message' && e.attrs.from === roomJid(r), 'the 104 notice');
  assertStanza(notice, `<message from='${roomJid(r)}' to='${b.jid}' type='groupchat'><x xmlns='http://jabber.org/protocol/muc#user'><status code='104'/></x></message>`, ['id']);
  assertStanza(await vcardGet(c, roomJid(r)), `<iq type='result' from='${roomJid(r)}' to='${c.jid}'><vCard xmlns='vcard-temp'>${card}</vCard></iq>`, ['id']);
  assert.deepEqual(avatarHashField(await roomInfo(c, r)), [sha1(SVG), sha1(PNG)]);
  // Not an owner → forbidden; over limits.maxVcardBytes → not-acceptable; neither changes it.
  assert.equal(errorCondition(await vcardSet(b, roomJid(r), '<FN>mine now</FN>')), 'forbidden');
  assert.equal(errorCondition(await vcardSet(a, roomJid(r), photo('image/png', 'A'.repeat(MAX_VCARD)))), 'not-acceptable');
  assert.equal((await vcardGet(b, roomJid(r))).getChild('vCard')!.getChildText('FN'), 'The Dark Cave');
  // XEP-0486 §3.2: an empty vCard unpublishes the avatar.
  assert.equal((await vcardSet(a, roomJid(r), '')).attrs.type, 'result');
  assertStanza(await vcardGet(c, roomJid(r)), `<iq type='result' from='${roomJid(r)}' to='${c.jid}'><vCard xmlns='vcard-temp'/></iq>`, ['id']);
  assert.equal(avatarHashField(await roomInfo(c, r)), null);
  // A room that does not exist has no vCard.
  assert.equal(errorCondition(await vcardGet(c, roomJid(im.unique('none')))), 'item-not-found');
});

test('VCARD-06: a vCard query to an occupant JID goes on to the occupant\'s bare JID and the answer comes back from the occupant JID; a non-occupant gets bad-request', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  assert.equal((await vcardSet(b, null, '<FN>Bob Builder</FN>')).attrs.type, 'result');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  assertStanza(await vcardGet(a, `${roomJid(r)}/bob`), `<iq type='result' from='${roomJid(r)}/bob' to='${a.jid}'><vCard xmlns='vcard-temp'><FN>Bob Builder</FN></vCard></iq>`, ['id']);
  assert.equal(errorCondition(await vcardGet(c, `${roomJid(r)}/bob`)), 'bad-request');
});

const photoHash = (p: Element): string | null | undefined => p.getChild('x', 'vcard-temp:x:update')?.getChildText('photo');

test('VCARD-08: a user with an avatar joins a room: the presence the room sends everyone (and later newcomers) carries its XEP-0153 photo hash, and a new avatar reaches the room with the next presence', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  assert.equal((await vcardSet(b, null, `<FN>Bob</FN>${photo('image/png', PNG)}`)).attrs.type, 'result');
  const r = room();
  await createRoom(a, r, 'alice');
  // b's client sends a plain join; its server puts the hash in on the way out, the room keeps and reflects it.
  const joined = await join(b, r, 'bob');
  const self = joined.find(isPresenceFrom(r, 'bob'))!;
  assert.deepEqual(codes(self), [110]);
  assert.equal(photoHash(self), sha1(PNG));
  assert.equal(photoHash(await a.waitFor(isPresenceFrom(r, 'bob'), 'bob in')), sha1(PNG));
  assert.equal(photoHash(joined.find(isPresenceFrom(r, 'alice'))!), '', 'alice has no avatar: an empty <photo/>');
  const later = (await join(c, r, 'carol')).find(isPresenceFrom(r, 'bob'))!;
  assert.equal(photoHash(later), sha1(PNG));
  assert.equal(later.getChildren('x').filter((x) => x.getNS() === 'vcard-temp:x:update').length, 1);
  // A new avatar: the next presence b sends the room carries the new hash.
  assert.equal((await vcardSet(b, null, `<FN>Bob</FN>${photo('image/svg+xml', SVG)}`)).attrs.type, 'result');
  b.send(`<presence to='${roomJid(r)}/bob'><show>away</show></presence>`);
  const away = await c.waitFor((e) => isPresenceFrom(r, 'bob')(e) && e.getChildText('show') === 'away', 'bob away');
  assert.equal(photoHash(away), sha1(SVG));
});
