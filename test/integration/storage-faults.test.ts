// Storage faults over a real server (issue 13, storage; DESIGN.md "Storage"): a full disk refuses the write with an
// error and changes nothing — not memory, not the next record — and a damaged datafile is named at start, kept in
// a copy, and either dropped line by line (the server starts) or, when badly damaged, stops the start with what to
// do. The full disk is injected through the NeDB file seam (test/helpers/fault-fs.ts).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { startServer, startWithUsers } from '../helpers/server.js';
import { login } from '../helpers/raw-client.js';
import { NedbBackend } from '../../server/storage/nedb/backend.js';
import { parseDatafile } from '../../server/storage/nedb/datafile.js';
import { SCHEMA_VERSION } from '../../server/storage/schema.js';
import { FaultFs } from '../helpers/fault-fs.js';

const dirs: string[] = [];
after(async () => {
  await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

const vcard = (fn: string): string => `<vCard xmlns='vcard-temp'><FN>${fn}</FN></vCard>`;

test('a full disk: a vCard set fails with an error, a get returns the old vCard; once the disk recovers a set works and survives a restart', async () => {
  const ffs = new FaultFs();
  const t = await startWithUsers({ alice: 'pw-alice' }, {}, {});
  const dataDir = t.dataDir;
  await t.stop();
  dirs.push(dataDir);
  const t2 = await startServer({}, { dataDir, storage: (dir, o) => new NedbBackend(dir, { ...o, fileOps: ffs.ops }) });
  try {
    const c = await login(t2.c2sPort, t2.caPem, 'alice', 'pw-alice');
    assert.equal((await c.iq(`<iq type='set' id='v1'>${vcard('Old')}</iq>`, 'v1')).attrs.type, 'result');
    ffs.failAppends = 'ENOSPC';
    const failed = await c.iq(`<iq type='set' id='v2'>${vcard('New')}</iq>`, 'v2');
    assert.equal(failed.attrs.type, 'error', failed.toString());
    assert.ok(failed.getChild('error')?.getChild('internal-server-error') ?? failed.getChild('error')?.getChild('resource-constraint'), failed.toString());
    const got = await c.iq(`<iq type='get' id='v3'><vCard xmlns='vcard-temp'/></iq>`, 'v3');
    assert.equal(got.getChild('vCard')?.getChildText('FN'), 'Old', `after the failed set: ${got.toString()}`);
    assert.ok(t2.logger.recent().some((e) => e.level === 'error' && /vcard\.db: a write could not be saved \(ENOSPC\).*disk is full/.test(e.message)));
    ffs.failAppends = null;
    assert.equal((await c.iq(`<iq type='set' id='v4'>${vcard('Newer')}</iq>`, 'v4')).attrs.type, 'result');
    await c.close();
  } finally {
    await t2.stop();
  }
  assert.deepEqual(parseDatafile(await fs.readFile(path.join(dataDir, 'vcard.db'))).damaged, [], 'no partial line left in vcard.db');
  const t3 = await startServer({}, { dataDir });
  try {
    const c = await login(t3.c2sPort, t3.caPem, 'alice', 'pw-alice');
    const got = await c.iq(`<iq type='get' id='v5'><vCard xmlns='vcard-temp'/></iq>`, 'v5');
    assert.equal(got.getChild('vCard')?.getChildText('FN'), 'Newer', got.toString());
    await c.close();
  } finally {
    await t3.stop();
  }
});

/** A data dir with a vCard datafile of `n` records, some of them garbled. */
async function dataDirWithVcards(n: number, garble: (i: number) => boolean): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-damaged-'));
  dirs.push(dir);
  await fs.writeFile(path.join(dir, 'schema.json'), JSON.stringify({ version: SCHEMA_VERSION }) + '\n');
  const lines = Array.from({ length: n }, (_, i) => {
    const line = JSON.stringify({ _id: `user${i}`, xml: vcard(`User ${i}`) });
    return garble(i) ? line.slice(0, 18) + '\u0000garbled' : line;
  });
  await fs.writeFile(path.join(dir, 'vcard.db'), lines.join('\n') + '\n');
  return dir;
}

test('a datafile with one garbled line: the server starts, the log names the line and its id, the copy keeps it', async () => {
  const dir = await dataDirWithVcards(30, (i) => i === 11);
  const t = await startServer({}, { dataDir: dir });
  try {
    const warn = t.logger.recent().find((e) => e.level === 'warn' && e.source === 'storage');
    assert.ok(warn, 'no storage warning at start');
    assert.match(warn.message, /vcard\.db: 1 damaged record .*line 12 \(id user11\).*vcard\.db\.damaged-/);
    const copy = (await fs.readdir(dir)).find((f) => f.startsWith('vcard.db.damaged-'));
    assert.ok(copy);
    assert.match(await fs.readFile(path.join(dir, copy), 'utf8'), /\{"_id":"user11","x\u0000garbled/);
  } finally {
    await t.stop();
  }
});

test('a badly damaged datafile: the start stops with a message naming the file and saying to run parley repair', async () => {
  const dir = await dataDirWithVcards(20, (i) => i % 3 === 0);
  await assert.rejects(startServer({}, { dataDir: dir }), (err: Error) => {
    assert.match(err.message, new RegExp(`${path.join(dir, 'vcard.db').replace(/[.\\/]/g, '\\$&')} is badly damaged: 7 of its 20 records`));
    assert.match(err.message, /run "parley repair --data /);
    assert.doesNotMatch(err.message, /\n\s+at /, 'no stack trace');
    return true;
  });
});
