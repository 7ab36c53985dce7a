// Message archives (XEP-0313) apart from any server: reading queries (§4.1, XEP-0059 <set/>), choosing pages
// (§4.3: forwards, backwards, index, complete, #extended bounds and ids), and the room archive's index (its newest
// ROOM_ARCHIVE_LIMIT kept, group commit to the store, the room's documents dropped with it, a newer room of the same
// name not inheriting an older one's).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import { StanzaError } from '../../server/core/errors.js';
import { el, type Element } from '../../server/core/xml.js';
import { parseMamQuery, type MamQuery } from '../../server/modules/mam/mam-query.js';
import { selectPage, type ArchiveItem, type ArchiveView } from '../../server/modules/mam/mam-page.js';
import { GroupCommit } from '../../server/modules/mam/group-commit.js';
import { RoomArchiveIndex } from '../../server/muc/room-archive-index.js';
import { roomArchiveStore } from '../../server/muc/archive-store.js';
import { Room } from '../../server/muc/room.js';
import { defaultRoomConfig } from '../../server/muc/room-config.js';
import { DEFAULT_MUC } from '../../server/core/config.js';
import { NedbBackend } from '../../server/storage/nedb/backend.js';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';

const q = (xml: string): MamQuery => parseMamQuery(ltx.parse(xml) as Element);
const condition = (f: () => unknown): string => {
  try {
    f();
  } catch (err) {
    if (err instanceof StanzaError) return err.condition;
    throw err;
  }
  return 'none';
};

function view(n: number): ArchiveView<ArchiveItem> {
  const items = Array.from({ length: n }, (_, i) => ({ id: `i${i + 1}`, at: 1000 * (i + 1) }));
  return { items, indexOf: (id) => items.findIndex((x) => x.id === id) };
}
const page = (v: ArchiveView<ArchiveItem>, query: MamQuery, max = { defaultMax: 10, maxMax: 20 }): { ids: string[]; index: number; count: number; complete: boolean } => {
  const p = selectPage(v, query, () => true, max);
  return { ids: p.items.map((x) => x.id), index: p.firstIndex, count: p.count, complete: p.complete };
};
const M = "xmlns='urn:xmpp:mam:2'";
const FORM = (fields: string): string => `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>urn:xmpp:mam:2</value></field>${fields}</x>`;

test('parseMamQuery: form fields, RSM and flip-page; the XEPs\' errors for bad values and unknown fields', () => {
  const parsed = q(`<query ${M} queryid='f1'>${FORM("<field var='start'><value>2010-06-07T00:00:00Z</value></field><field var='with'><value>Room@Conf.Example/Nick</value></field><field var='ids'><value>a</value><value>b</value></field>")}<set xmlns='http://jabber.org/protocol/rsm'><max>5</max><before/></set><flip-page/></query>`);
  assert.equal(parsed.queryid, 'f1');
  assert.equal(parsed.start, Date.UTC(2010, 5, 7));
  assert.equal(parsed.with?.toString(), 'room@conf.example/Nick');
  assert.deepEqual(parsed.ids, ['a', 'b']);
  assert.deepEqual(parsed.rsm, { max: 5, after: null, before: '', index: null });
  assert.equal(parsed.flip, true);
  assert.equal(q(`<query ${M}>${FORM("<field var='end'><value/></field>")}</query>`).end, null, 'an empty field is no filter');
  assert.equal(q(`<query ${M}>${FORM("<field var='end'><value>2010-06-07T02:00:00+02:00</value></field>")}</query>`).end, Date.UTC(2010, 5, 7));
  assert.equal(condition(() => q(`<query ${M}>${FORM("<field var='start'><value>2010-06-07</value></field>")}</query>`)), 'bad-request');
  assert.equal(condition(() => q(`<query ${M}>${FORM("<field var='start'><value>a</value><value>b</value></field>")}</query>`)), 'bad-request');
  assert.equal(condition(() => q(`<query ${M}><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>urn:other</value></field></x></query>`)), 'bad-request');
  assert.equal(condition(() => q(`<query ${M}><x xmlns='jabber:x:data' type='form'/></query>`)), 'bad-request');
  assert.equal(condition(() => q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>-1</max></set></query>`)), 'bad-request');
  assert.equal(condition(() => q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><after/></set></query>`)), 'bad-request');
  assert.equal(condition(() => q(`<query ${M}>${FORM("<field var='mystery'><value>1</value></field>")}</query>`)), 'feature-not-implemented');
  assert.deepEqual(parseMamQuery(ltx.parse(`<query ${M}>${FORM("<field var='mine'><value>1</value></field>")}</query>`) as Element, ['mine']).extra.get('mine'), ['1']);
});

test('selectPage: forwards and backwards with complete in the direction of paging, index, max 0, the server cap, bounds and ids by UID', () => {
  const v = view(25);
  const none = q(`<query ${M}/>`);
  assert.deepEqual(page(v, none), { ids: v.items.slice(0, 10).map((x) => x.id), index: 0, count: 25, complete: false });
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>100</max></set></query>`)).ids.length, 20, 'the server caps a page');
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>10</max><after>i20</after></set></query>`)), { ids: ['i21', 'i22', 'i23', 'i24', 'i25'], index: 20, count: 25, complete: true });
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>3</max><before>i4</before></set></query>`)), { ids: ['i1', 'i2', 'i3'], index: 0, count: 25, complete: true });
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>3</max><before/></set></query>`)), { ids: ['i23', 'i24', 'i25'], index: 22, count: 25, complete: false });
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>3</max><index>30</index></set></query>`)), { ids: [], index: 25, count: 25, complete: true });
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><max>0</max></set></query>`)), { ids: [], index: 0, count: 25, complete: false });
  assert.deepEqual(page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><after>i2</after><before>i6</before></set></query>`)).ids, ['i3', 'i4', 'i5']);
  assert.deepEqual(page(v, q(`<query ${M}>${FORM("<field var='after-id'><value>i2</value></field><field var='before-id'><value>i6</value></field>")}<set xmlns='http://jabber.org/protocol/rsm'><max>2</max></set></query>`)),
    { ids: ['i3', 'i4'], index: 0, count: 3, complete: false });
  assert.deepEqual(page(v, q(`<query ${M}>${FORM("<field var='start'><value>1970-01-01T00:00:03Z</value></field><field var='end'><value>1970-01-01T00:00:05Z</value></field>")}</query>`)).ids, ['i3', 'i4', 'i5']);
  assert.deepEqual(page(v, q(`<query ${M}>${FORM("<field var='ids'><value>i9</value><value>i2</value></field>")}</query>`)).ids, ['i2', 'i9']);
  assert.equal(condition(() => page(v, q(`<query ${M}>${FORM("<field var='ids'><value>i9</value><value>gone</value></field>")}</query>`))), 'item-not-found');
  assert.equal(condition(() => page(v, q(`<query ${M}><set xmlns='http://jabber.org/protocol/rsm'><after>gone</after></set></query>`))), 'item-not-found');
});

test('GroupCommit: what is queued while a write runs goes in the next batch; flush waits for all; a failed write does not stop the next', async () => {
  const batches: number[][] = [];
  let fail = true;
  let release: () => void = () => undefined;
  const errors: unknown[] = [];
  const gc = new GroupCommit<number>(async (batch) => {
    batches.push(batch);
    if (batches.length === 1) await new Promise<void>((r) => { release = r; });
    if (fail) {
      fail = false;
      throw new Error('disk full');
    }
  }, (err) => errors.push(err));
  gc.add(1);
  gc.add(2);
  await new Promise((r) => setImmediate(r));
  gc.add(3);
  gc.add(4);
  gc.add(5);
  gc.drop((x) => x === 4);
  const flushed = gc.flush();
  release();
  await flushed;
  assert.deepEqual(batches, [[1, 2], [3, 5]]);
  assert.equal(errors.length, 1);
});

function roomNamed(name: string): Room {
  return new Room(name, `${name}@conf.example`, defaultRoomConfig(DEFAULT_MUC));
}
function entry(room: Room, i: number): { stanza: Element; at: number; chars: number; realJid: string; stanzaId: string } {
  const stanza = el('message', { from: `${room.jid}/nick`, type: 'groupchat' }, el('body', null, `m${i}`));
  return { stanza, at: 1000 + i, chars: 0, realJid: 'u@example/r', stanzaId: `${room.name}-${i}` };
}

test('RoomArchiveIndex: keeps the newest `limit` messages (in memory at once, on disk after the batch, bucket by bucket), reads a room back after a restart, drops it with the room and ignores what an older room of the name left', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-mam-unit-'));
  const env = { domain: 'example', scramIterations: 4096 };
  const warnings: string[] = [];
  const log = { warn: (m: string): void => { warnings.push(m); } };
  try {
    let backend = new NedbBackend(dir);
    let store = await roomArchiveStore.open(backend, env);
    const archive = new RoomArchiveIndex(store, log, 300);
    const r = roomNamed('r');
    for (let i = 1; i <= 5; i++) archive.append(r, entry(r, i));
    const idx = await archive.index(r);
    assert.deepEqual(idx.items.map((x) => x.seq), [1, 2, 3, 4, 5]);
    assert.equal((await archive.message('r-5'))?.getChildText('body'), 'm5', 'read before it is written');
    for (let i = 6; i <= 700; i++) archive.append(r, entry(r, i));
    assert.deepEqual([idx.items.length, idx.items[0].id, idx.indexOf('r-700'), idx.indexOf('r-400')], [300, 'r-401', 299, -1]);
    await archive.flush();
    const stored = (await store.get('r-404'))!;
    assert.equal(stored.xml, `<message from="r@conf.example/nick" type="groupchat" xmlns="jabber:client"><body>m404</body></message>`);
    assert.deepEqual([stored.nick, stored.bucket, stored.seq], ['nick', 'r#3', 404]);
    assert.equal(await store.get('r-400'), null);
    await backend.close();

    // A restart: the same 300 in order, numbering goes on after them.
    backend = new NedbBackend(dir);
    store = await roomArchiveStore.open(backend, env);
    const again = new RoomArchiveIndex(store, log, 300);
    assert.deepEqual((await again.index(r)).items.map((x) => x.seq), Array.from({ length: 300 }, (_, i) => 401 + i));
    again.append(r, entry(r, 701));
    await again.flush();
    assert.deepEqual((await store.room('r', r.createdAt)).map((d) => d.seq), Array.from({ length: 300 }, (_, i) => 402 + i));
    assert.equal((await again.message('r-701'))?.attrs.xmlns, 'jabber:client');

    // A room made later under the same name (an older one's archive left behind by a crash) starts empty.
    const newer = new Room('r', 'r@conf.example', defaultRoomConfig(DEFAULT_MUC), r.createdAt + 1);
    const third = new RoomArchiveIndex(store, log, 300);
    assert.deepEqual((await third.index(newer)).items, []);
    assert.equal(await store.get('r-701'), null);
    third.append(newer, entry(newer, 1));
    await third.flush();
    assert.equal((await store.room('r', newer.createdAt)).length, 1);
    await third.forgetRoom('r');
    assert.deepEqual(await store.room('r', newer.createdAt), []);
    assert.equal(await store.get('r-1'), null);
    await backend.close();
    assert.deepEqual(warnings, []);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
