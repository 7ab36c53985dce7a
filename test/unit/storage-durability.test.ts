// The NeDB datafiles under failure (issue 13, storage; DESIGN.md "Storage"): a confirmed write was fdatasync'ed
// first, and concurrent writes share a sync (group commit); superseded lines are compacted away while running;
// damaged lines are named, kept in a copy and dropped, or the start stops with what to do; a failed append (a full
// disk) leaves memory as the disk has it and never glues a partial line onto the next record. A power cut cannot
// be staged, so the fdatasync calls are observed through the file seam (test/helpers/fault-fs.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { collection } from '../../server/storage/backend.js';
import { NedbBackend, type NedbOptions } from '../../server/storage/nedb/backend.js';
import { parseDatafile } from '../../server/storage/nedb/datafile.js';
import { repairDataDir } from '../../server/storage/nedb/repair.js';
import { FaultFs } from '../helpers/fault-fs.js';

const tmpDirs: string[] = [];
after(async () => {
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});
async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-durability-'));
  tmpDirs.push(d);
  return d;
}

interface Note { _id: string; user: string; seq: number; text: string }
const notes = collection<Note>('notes', ['user']);
const note = (id: string, seq = 0, text = 'x'): Note => ({ _id: id, user: 'alice', seq, text });

type Reports = { level: string; message: string }[];
function open(dir: string, o: NedbOptions = {}): { backend: NedbBackend; reports: Reports } {
  const reports: Reports = [];
  return { backend: new NedbBackend(dir, { report: (level, message) => reports.push({ level, message }), ...o }), reports };
}

test('durability flush (the default): a write resolves only after an fdatasync of its datafile', async () => {
  const dir = await tmpDir();
  const ffs = new FaultFs();
  const { backend } = open(dir, { fileOps: ffs.ops });
  const col = await backend.collection(notes);
  ffs.hold();
  let resolved = false;
  const write = col.put(note('n1')).then(() => { resolved = true; });
  // Either the sync starts (and is held), or — without durability — the write just resolves.
  await Promise.race([ffs.nextSync(), write]);
  assert.equal(resolved, false, 'the put resolved before any fdatasync of notes.db');
  assert.deepEqual(ffs.syncs, ['notes.db']);
  await new Promise((r) => setImmediate(r));
  assert.equal(resolved, false, 'the put resolved while its fdatasync was still running');
  ffs.releaseSyncs();
  await write;
  await backend.close();
});

test('group commit: 60 concurrent writes to one datafile share two fdatasyncs', async () => {
  const dir = await tmpDir();
  const ffs = new FaultFs();
  const { backend } = open(dir, { fileOps: ffs.ops });
  const col = await backend.collection(notes);
  ffs.hold();
  const firstSync = ffs.nextSync();
  const writes = Array.from({ length: 60 }, (_, i) => col.put(note(`n${i}`, i)));
  await Promise.race([firstSync, Promise.all(writes)]);
  assert.equal(ffs.syncs.length, 1, 'the writes resolved without an fdatasync');
  // While the first sync is held, the other writes append (NeDB's queue moves on) and wait for the next one.
  await ffs.appended(60);
  ffs.releaseSyncs();
  await Promise.all(writes);
  assert.ok(ffs.syncs.length >= 1 && ffs.syncs.length <= 2, `60 writes took ${ffs.syncs.length} fdatasyncs`);
  assert.equal(ffs.appends, 60);
  await backend.close();
  const again = await open(dir).backend.collection(notes);
  assert.equal(await again.count(), 60);
});

test('durability os: no fdatasync per write (NeDB\'s old behaviour, as a choice)', async () => {
  const dir = await tmpDir();
  const ffs = new FaultFs();
  const { backend } = open(dir, { fileOps: ffs.ops, durability: 'os' });
  const col = await backend.collection(notes);
  for (let i = 0; i < 10; i++) await col.put(note(`n${i}`));
  assert.deepEqual(ffs.syncs, []);
  await backend.close();
});

test('background compaction: many updates of one document shrink the datafile again, without a restart', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'notes.db');
  const { backend } = open(dir, { durability: 'os', compactMinBytes: 64 * 1024 });
  const col = await backend.collection(notes);
  for (let i = 0; i < 20; i++) await col.put(note(`keep${i}`, i));
  const text = 'y'.repeat(1000);
  let biggest = 0;
  for (let i = 0; i < 600; i++) {
    await col.put(note('hot', i, text));
    biggest = Math.max(biggest, (await fs.stat(file)).size);
  }
  await col.remove('keep0');
  // A read goes through NeDB's queue too, so a compaction queued by the last write has run by now.
  assert.equal((await col.get('hot'))?.seq, 599);
  const size = (await fs.stat(file)).size;
  assert.ok(size < 80 * 1024, `notes.db is ${size} bytes after 600 updates of one ~1 KB document (never compacted?)`);
  assert.ok(biggest >= 64 * 1024 && biggest < 200 * 1024, `it grew to ${biggest} bytes at most`);
  const parsed = parseDatafile(await fs.readFile(file));
  assert.deepEqual(parsed.damaged, []);
  await backend.close();
  const again = await open(dir).backend.collection(notes);
  assert.equal(await again.count(), 20);
  assert.equal((await again.get('hot'))?.seq, 599);
  assert.equal(await again.get('keep0'), null);
});

test('background compaction between concurrent writes loses none of them (it runs in NeDB\'s queue, never beside a write)', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'notes.db');
  const ffs = new FaultFs();
  const { backend } = open(dir, { fileOps: ffs.ops, compactMinBytes: 32 * 1024 });
  const col = await backend.collection(notes);
  const text = 'z'.repeat(500);
  // 40 writers, each updating its own document 30 times: compactions are queued while writes keep coming.
  await Promise.all(Array.from({ length: 40 }, async (_, d) => {
    for (let seq = 0; seq < 30; seq++) await col.put(note(`d${d}`, seq, text));
  }));
  assert.ok(ffs.rewrites >= 3, `${ffs.rewrites - 1} compactions while writing`);
  assert.equal(await col.count(), 40);
  for (let d = 0; d < 40; d++) assert.equal((await col.get(`d${d}`))?.seq, 29);
  const size = (await fs.stat(file)).size;
  assert.ok(size < 64 * 1024, `notes.db is ${size} bytes for 40 live ~0.5 KB documents`);
  await backend.close();
  const again = await open(dir).backend.collection(notes);
  for (let d = 0; d < 40; d++) assert.equal((await again.get(`d${d}`))?.seq, 29, `d${d} after a restart`);
});

async function writeLines(file: string, lines: string[]): Promise<void> {
  await fs.writeFile(file, lines.join('\n') + '\n');
}

test('a datafile with one garbled line: it opens, the line is reported (number and id) and kept in a copy', async () => {
  const dir = await tmpDir();
  const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify(note(`n${i}`, i)));
  const garbled = lines[6].slice(0, 25) + '\u0000\u0000' + lines[6].slice(30);
  lines[6] = garbled;
  await writeLines(path.join(dir, 'notes.db'), lines);
  const { backend, reports } = open(dir);
  const col = await backend.collection(notes);
  assert.equal(await col.count(), 19);
  assert.equal(await col.get('n6'), null);
  const warn = reports.find((r) => r.level === 'warn');
  assert.ok(warn, `no warning: ${JSON.stringify(reports)}`);
  assert.match(warn.message, /notes\.db: 1 damaged record .*line 7 \(id n6\).*notes\.db\.damaged-/);
  const copies = (await fs.readdir(dir)).filter((f) => f.startsWith('notes.db.damaged-'));
  assert.equal(copies.length, 1);
  assert.ok((await fs.readFile(path.join(dir, copies[0]), 'utf8')).includes(garbled), 'the copy holds the damaged line');
  assert.deepEqual(parseDatafile(await fs.readFile(path.join(dir, 'notes.db'))).damaged, [], 'the datafile was rewritten clean');
  await backend.close();
  const second = open(dir);
  await second.backend.collection(notes);
  assert.deepEqual(second.reports.filter((r) => r.level !== 'info'), [], 'reported once, not at every start');
});

test('a badly damaged datafile stops the open with a sentence naming the file and "parley repair"', async () => {
  const dir = await tmpDir();
  const lines = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? JSON.stringify(note(`n${i}`, i)) : `#garbage ${i}`));
  await writeLines(path.join(dir, 'notes.db'), lines);
  await assert.rejects(open(dir).backend.collection(notes), (err: Error) => {
    assert.match(err.message, /notes\.db is badly damaged: 5 of its 10 records cannot be read/);
    assert.match(err.message, /parley repair --data /);
    assert.doesNotMatch(err.message, /corruptAlertThreshold/);
    return true;
  });
  assert.equal((await fs.readFile(path.join(dir, 'notes.db'), 'utf8')).split('\n').length, 11, 'the file is left as it was');
});

test('a write cut off by a crash (last line without newline) is dropped quietly, the rest loads', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'notes.db');
  await fs.writeFile(file, JSON.stringify(note('a')) + '\n' + JSON.stringify(note('b')).slice(0, 20));
  const { backend, reports } = open(dir);
  const col = await backend.collection(notes);
  assert.equal(await col.count(), 1);
  assert.deepEqual(reports.filter((r) => r.level !== 'info'), []);
  assert.deepEqual((await fs.readdir(dir)).filter((f) => f.includes('damaged')), []);
  await backend.close();
});

test('a full disk: the failed write rejects, memory keeps the old document, the next write is a clean line of its own', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'notes.db');
  const ffs = new FaultFs();
  const { backend, reports } = open(dir, { fileOps: ffs.ops });
  const col = await backend.collection(notes);
  await col.put(note('a', 1, 'old'));
  ffs.failAppends = 'ENOSPC';
  await assert.rejects(col.put(note('a', 2, 'new')), /could not be saved \(ENOSPC\)/);
  await assert.rejects(col.insert(note('b', 1)), /ENOSPC/);
  assert.equal((await col.get('a'))?.text, 'old', 'memory was put back as the disk has it');
  assert.equal(await col.get('b'), null);
  assert.ok(reports.some((r) => r.level === 'error' && /disk is full/.test(r.message)));
  // The disk recovers: a new write works and is a line of its own.
  ffs.failAppends = null;
  await col.put(note('a', 3, 'newer'));
  assert.deepEqual(parseDatafile(await fs.readFile(file)).damaged, []);
  await backend.close();
  assert.equal((await (await open(dir).backend.collection(notes)).get('a'))?.text, 'newer');
});

test('a full disk where the partial line cannot be cut off either: the next record still starts on a line of its own', async () => {
  const dir = await tmpDir();
  const ffs = new FaultFs();
  const { backend } = open(dir, { fileOps: ffs.ops });
  const col = await backend.collection(notes);
  await col.put(note('a', 1));
  ffs.failAppends = 'ENOSPC';
  ffs.failTruncate = 'EIO';
  await assert.rejects(col.put(note('a', 2)));
  ffs.failAppends = null;
  await col.put(note('c', 1));
  // The truncate works again: a further failed write must cut off only its own partial line, not 'c'.
  ffs.failTruncate = null;
  ffs.failAppends = 'ENOSPC';
  await assert.rejects(col.put(note('d', 1)));
  ffs.failAppends = null;
  assert.equal((await col.get('c'))?.seq, 1);
  await backend.close();
  const again = open(dir);
  const col2 = await again.backend.collection(notes);
  assert.equal((await col2.get('a'))?.seq, 1);
  assert.equal((await col2.get('c'))?.seq, 1, 'the record after the partial line was not glued onto it');
  assert.equal(await col2.get('d'), null);
  assert.equal(again.reports.filter((r) => r.level === 'warn').length, 1, 'the partial line is reported as one damaged record');
});

test('repairDataDir: a damaged file is kept and rewritten; on a full disk it is left as it was, with what to do', async () => {
  const dir = await tmpDir();
  const lines = Array.from({ length: 6 }, (_, i) => (i === 2 ? '{"_id":"n2","user":"al\u0000' : JSON.stringify(note(`n${i}`, i))));
  await writeLines(path.join(dir, 'notes.db'), lines);
  await writeLines(path.join(dir, 'other.db'), [JSON.stringify(note('o1'))]);
  const before = await fs.readFile(path.join(dir, 'notes.db'), 'utf8');
  const ffs = new FaultFs();
  ffs.failAppends = 'ENOSPC';
  const failed = await repairDataDir(dir, ffs.ops);
  assert.deepEqual(failed.map((r) => [r.file, r.ok]), [['notes.db', false], ['other.db', true]]);
  assert.match(failed[0].summary, /could not be rewritten \(ENOSPC\); it is unchanged\. Free some disk space and run parley repair again/);
  assert.equal(await fs.readFile(path.join(dir, 'notes.db'), 'utf8'), before);
  assert.ok(!(await fs.readdir(dir)).includes('notes.db~'));
  const done = await repairDataDir(dir);
  assert.match(done[0].summary, /^repaired: 1 damaged record dropped \(line 3 \(id n2\)\); 5 records kept; the file as it was is in notes\.db\.damaged-/);
  assert.equal(done[1].summary, 'fine, 1 record');
  assert.deepEqual(parseDatafile(await fs.readFile(path.join(dir, 'notes.db'))).damaged, []);
});

test('a damaged datafile is never copied over an earlier copy: a second copy in the same millisecond gets its own name', async () => {
  const { keepDamagedCopy } = await import('../../server/storage/nedb/datafile.js');
  const taken = new Set<string>();
  const copy = async (_from: string, to: string): Promise<void> => {
    // The first name is taken already (a copy made within the same millisecond).
    if (taken.size === 0 || taken.has(to)) {
      taken.add(to);
      throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    }
    taken.add(to);
  };
  const name = await keepDamagedCopy(copy, '/data/notes.db');
  assert.match(name, /^\/data\/notes\.db\.damaged-.+-2$/);
  const failing = async (): Promise<void> => {
    throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
  };
  await assert.rejects(keepDamagedCopy(failing, '/data/notes.db'), /no space/);
});
