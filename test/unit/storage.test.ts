// Open stores (seams issue part 4; DESIGN.md "Storage"): the backend contract, run against NeDB (in memory and on
// disk) and against a second backend written from the interface alone (test/helpers/memory-backend.ts); one shared
// instance per store definition; data dirs written before the stores moved behind the interface still read the same;
// and the account lifecycle's removal event on a backend other than NeDB (SVC-15, XEP-0077 §3.2).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { DuplicateIdError, collection, type StorageBackend } from '../../server/storage/backend.js';
import { NedbBackend } from '../../server/storage/nedb/backend.js';
import { Storage, defineStore } from '../../server/storage/storage.js';
import { rosterStore, emptyItem } from '../../server/storage/roster.js';
import { offlineStore } from '../../server/storage/offline.js';
import { vcardStore } from '../../server/storage/vcard.js';
import { privateStore } from '../../server/storage/private.js';
import { lastActivityStore } from '../../server/storage/last-activity.js';
import { AccountEvents } from '../../server/accounts/account-events.js';
import { AccountService, NoSuchAccountError } from '../../server/accounts/account-service.js';
import { PasswordRejectedError } from '../../server/accounts/password-policy.js';
import { UsernameError } from '../../server/accounts/username.js';
import { openAccounts } from '../../server/accounts/open-accounts.js';
import { SCHEMA_VERSION } from '../../server/storage/schema.js';
import { deriveScramCredential } from '../../server/core/sasl/index.js';
import { MemoryBackend } from '../helpers/memory-backend.js';

const DOMAIN = 'office.local';
const tmpDirs: string[] = [];
after(async () => {
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});
async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-storage-unit-'));
  tmpDirs.push(d);
  return d;
}

interface Note { _id: string; user: string; seq: number; text: string; tags?: string[] }
const notes = collection<Note>('notes', ['user']);

const backends: [string, () => Promise<StorageBackend>][] = [
  ['NeDB in memory', async () => new NedbBackend(null)],
  ['NeDB on disk', async () => new NedbBackend(await tmpDir())],
  ['a second backend (memory, from the interface alone)', async () => new MemoryBackend()],
];

for (const [name, make] of backends) {
  describe(`backend contract: ${name}`, () => {
    test('insert/get/find (equality on index fields, sort, limit)/count; duplicate ids refused', async () => {
      const col = await (await make()).collection(notes);
      for (const [id, user, seq] of [['a1', 'alice', 3], ['a2', 'alice', 1], ['b1', 'bob', 2]] as const) {
        await col.insert({ _id: id, user, seq, text: `${id}`, tags: ['x'] });
      }
      await assert.rejects(col.insert({ _id: 'a1', user: 'x', seq: 0, text: '' }), DuplicateIdError);
      assert.deepEqual((await col.get('a1'))?.tags, ['x']);
      assert.equal(await col.get('zz'), null);
      assert.deepEqual((await col.find({ user: 'alice' }, { sort: { field: 'seq', order: 1 } })).map((d) => d._id), ['a2', 'a1']);
      assert.deepEqual((await col.find({}, { sort: { field: 'seq', order: -1 }, limit: 1 })).map((d) => d._id), ['a1']);
      assert.equal(await col.count({ user: 'alice' }), 2);
      assert.equal(await col.count(), 3);
      // A document handed out is a copy: editing it changes nothing stored.
      const got = (await col.get('a1'))!;
      got.tags!.push('y');
      assert.deepEqual((await col.get('a1'))?.tags, ['x']);
    });

    test('insertMany adds a batch at once; a duplicate id (stored or in the batch) refuses the whole batch', async () => {
      const col = await (await make()).collection(notes);
      await col.insertMany([]);
      await col.insertMany([{ _id: 'x1', user: 'xavier', seq: 1, text: '' }, { _id: 'x2', user: 'xavier', seq: 2, text: '' }]);
      assert.deepEqual((await col.find({ user: 'xavier' }, { sort: { field: 'seq', order: 1 } })).map((d) => d._id), ['x1', 'x2']);
      await assert.rejects(col.insertMany([{ _id: 'x3', user: 'xavier', seq: 3, text: '' }, { _id: 'x1', user: 'xavier', seq: 4, text: '' }]), DuplicateIdError);
      await assert.rejects(col.insertMany([{ _id: 'x4', user: 'xavier', seq: 3, text: '' }, { _id: 'x4', user: 'xavier', seq: 4, text: '' }]), DuplicateIdError);
      assert.equal(await col.count({ user: 'xavier' }), 2);
    });

    test('put replaces or creates; patch sets fields, with compare-and-set; removals by id, ids and condition', async () => {
      const col = await (await make()).collection(notes);
      await col.put({ _id: 'n', user: 'alice', seq: 1, text: 'one' });
      await col.put({ _id: 'n', user: 'alice', seq: 2, text: 'two' });
      assert.equal((await col.get('n'))?.text, 'two');
      assert.equal(await col.patch('n', { text: 'three' }), true);
      assert.equal(await col.patch('n', { text: 'four' }, { seq: 1 }), false, 'compare-and-set: seq is 2');
      assert.equal(await col.patch('n', { text: 'four', seq: 3 }, { seq: 2 }), true);
      assert.deepEqual(await col.get('n'), { _id: 'n', user: 'alice', seq: 3, text: 'four' });
      assert.equal(await col.patch('missing', { text: 'x' }), false);
      await col.insert({ _id: 'm', user: 'bob', seq: 1, text: '' });
      await col.insert({ _id: 'o', user: 'bob', seq: 2, text: '' });
      await col.insert({ _id: 'p', user: 'carol', seq: 2, text: '' });
      assert.equal(await col.remove('n'), true);
      assert.equal(await col.remove('n'), false);
      assert.equal(await col.removeIds(['p', 'nope']), 1);
      assert.equal(await col.removeIds([]), 0);
      await assert.rejects(col.removeWhere({}));
      assert.equal(await col.removeWhere({ user: 'bob' }), 2);
      assert.equal(await col.count(), 0);
    });
  });
}

test('NeDB refuses lookups on fields that are not declared indexes (what another backend could not answer)', async () => {
  const col = await new NedbBackend(null).collection(notes);
  assert.throws(() => col.find({ seq: 1 }), /"seq" is not an index field/);
});

test('Storage.open: one shared instance per definition, also for concurrent opens; get() only after open', async () => {
  const backend = new MemoryBackend();
  const storage = new Storage(backend, { domain: DOMAIN, scramIterations: 4096 }, new AccountEvents());
  let opens = 0;
  const counter = defineStore({ name: 'counter', async open() { opens++; return { n: opens }; } });
  assert.throws(() => storage.get(counter), /was not opened/);
  const [a, b] = await Promise.all([storage.open(counter), storage.open(counter)]);
  assert.equal(a, b);
  assert.equal(storage.get(counter), a);
  assert.equal(opens, 1);
  assert.equal(await storage.open(rosterStore), await storage.open(rosterStore));
  assert.deepEqual(backend.opened, ['roster', 'roster-version']);
});

test('account-removed: higher priority first, then registration order; a failing handler does not stop the others', async () => {
  const events = new AccountEvents();
  const ran: string[] = [];
  events.onAccountRemoved('purge-a', async (u) => { ran.push(`a:${u}`); });
  events.onAccountRemoved('live', async (u) => { ran.push(`live:${u}`); }, 100);
  events.onAccountRemoved('broken', async () => { throw new Error('disk full'); });
  const off = events.onAccountRemoved('gone', async () => { ran.push('gone'); });
  events.onAccountRemoved('purge-b', async (u) => { ran.push(`b:${u}`); });
  off();
  assert.deepEqual(events.handlerNames(), ['live', 'purge-a', 'broken', 'purge-b']);
  await assert.rejects(events.fireRemoved('zoe'), /"broken" failed for zoe: disk full/);
  assert.deepEqual(ran, ['live:zoe', 'a:zoe', 'b:zoe']);
});

test('SVC-15: the account lifecycle on a second backend: removal empties every opened store and the local contact\'s side; the name starts empty again', async () => {
  const events = new AccountEvents();
  const storage = new Storage(new MemoryBackend(), { domain: DOMAIN, scramIterations: 4096 }, events);
  const accounts = await AccountService.open(storage, events, { domain: DOMAIN, sessions: null, log: null });
  const [roster, offline, vcard, priv, last] = await Promise.all([
    storage.open(rosterStore), storage.open(offlineStore), storage.open(vcardStore), storage.open(privateStore), storage.open(lastActivityStore),
  ]);
  await accounts.create('Alice', 'alice-pw');   // the one username parser: PRECIS maps it to alice
  await accounts.create('bob', 'bob-pw');
  assert.equal(await accounts.exists('alice'), true);
  await assert.rejects(accounts.create('bob', ''), PasswordRejectedError);
  await assert.rejects(accounts.create('b ob', 'pw'), UsernameError);
  await roster.put('alice', { ...emptyItem(`bob@${DOMAIN}`), subscription: 'both', listed: true });
  await roster.put('alice', { ...emptyItem('carol@remote.example'), subscription: 'to', listed: true });
  await roster.put('bob', { ...emptyItem(`alice@${DOMAIN}`), subscription: 'both', listed: true, name: 'Alice', groups: ['Work'] });
  const bobVersion = await roster.version('bob');
  await offline.add('alice', '<message/>');
  await vcard.set('alice', '<vCard xmlns="vcard-temp"/>');
  await priv.set('alice', { ns: 'urn:x', name: 'x' }, '<x xmlns="urn:x"/>');
  await last.set('alice', { at: 1, status: 'away' });

  assert.deepEqual(await accounts.remove('alice'), { closedSessions: 0 });
  assert.equal(await accounts.exists('alice'), false);
  assert.deepEqual(await roster.all('alice'), []);
  assert.equal(await offline.count('alice'), 0);
  assert.equal(await vcard.get('alice'), null);
  assert.equal(await priv.size('alice'), 0);
  assert.equal(await last.get('alice'), null);
  // Bob (local) no longer shares presence with "alice"; his item stays as he named it, and his roster version moved.
  assert.deepEqual(await roster.get('bob', `alice@${DOMAIN}`), { ...emptyItem(`alice@${DOMAIN}`), listed: true, name: 'Alice', groups: ['Work'] });
  assert.notEqual(await roster.version('bob'), bobVersion);
  await assert.rejects(accounts.remove('alice'), NoSuchAccountError);

  await accounts.create('alice', 'new-pw');
  assert.deepEqual(await roster.all('alice'), []);
  assert.equal(await offline.count('alice'), 0);
});

test('a data dir written before the stores moved behind the interface reads the same (datafiles and document shapes unchanged)', async () => {
  const dir = await tmpDir();
  const line = (o: unknown): string => JSON.stringify(o) + '\n';
  const scram = { 'SHA-1': deriveScramCredential('SHA-1', 'pw', 4096), 'SHA-256': deriveScramCredential('SHA-256', 'pw', 4096) };
  await fs.writeFile(path.join(dir, 'schema.json'), JSON.stringify({ version: SCHEMA_VERSION }) + '\n');
  await fs.writeFile(path.join(dir, 'accounts.db'), line({ _id: 'alice', scram, createdAt: 5, admin: true }) + line({ _id: 'bob', scram, createdAt: 6, admin: false }));
  await fs.writeFile(path.join(dir, 'roster.db'),
    line({ _id: 'alice\u0000bob@office.local', user: 'alice', jid: 'bob@office.local', groups: ['G'], subscription: 'both', ask: false, approved: false, pendingIn: false, listed: true, ver: 2 })
    + line({ _id: 'alice\u0000old@office.local', user: 'alice', jid: 'old@office.local', groups: [], subscription: 'none', ask: false, approved: false, pendingIn: false, listed: false, removed: true, ver: 3 }));
  await fs.writeFile(path.join(dir, 'roster-version.db'), line({ _id: 'alice', user: 'alice', ver: 3, epoch: 'abcd1234' }));
  await fs.writeFile(path.join(dir, 'offline.db'),
    line({ _id: 'bob\u00002000', user: 'bob', seq: 2000, stamp: 2, xml: '<message id="2"/>' }) + line({ _id: 'bob\u00001000', user: 'bob', seq: 1000, stamp: 1, xml: '<message id="1"/>' }));
  const { storage, accounts } = await openAccounts(dir, { domain: DOMAIN, scramIterations: 4096, sessions: null, log: null });
  assert.deepEqual((await accounts.list()).map((a) => [a.username, a.admin, a.createdAt]), [['alice', true, 5], ['bob', false, 6]]);
  assert.equal((await accounts.credentials('alice'))?.['SHA-256']?.storedKey, scram['SHA-256'].storedKey);
  const roster = await storage.open(rosterStore);
  assert.deepEqual((await roster.listed('alice')).map((i) => [i.jid, i.subscription, i.groups]), [['bob@office.local', 'both', ['G']]]);
  assert.equal(await roster.version('alice'), 'abcd1234-3');
  assert.deepEqual(await roster.changesSince('alice', 'abcd1234-1'), [
    { ver: 'abcd1234-2', item: { jid: 'bob@office.local', groups: ['G'], subscription: 'both', ask: false, approved: false, pendingIn: false, listed: true } },
    { ver: 'abcd1234-3', removed: 'old@office.local' },
  ]);
  const offline = await storage.open(offlineStore);
  assert.deepEqual((await offline.list('bob')).map((m) => m.xml), ['<message id="1"/>', '<message id="2"/>']);
  // New messages sort after the stored ones, across the restart.
  await offline.add('bob', '<message id="3"/>', 0);
  assert.deepEqual((await offline.list('bob')).map((m) => m.xml), ['<message id="1"/>', '<message id="2"/>', '<message id="3"/>']);
});

test('account-removed: a module registers its own handler; when one fails the account is still gone, the other stores still emptied, and the failure reported', async () => {
  const events = new AccountEvents();
  const storage = new Storage(new MemoryBackend(), { domain: DOMAIN, scramIterations: 4096 }, events);
  const accounts = await AccountService.open(storage, events, { domain: DOMAIN, sessions: null, log: null });
  const vcard = await storage.open(vcardStore);
  const seen: string[] = [];
  accounts.onAccountRemoved('future-module', async (user) => { seen.push(user); throw new Error('archive locked'); }, 50);
  await accounts.create('zed', 'zed-pw');
  await vcard.set('zed', '<vCard xmlns="vcard-temp"/>');
  await assert.rejects(accounts.remove('zed'), /"future-module" failed for zed: archive locked/);
  assert.deepEqual(seen, ['zed']);
  assert.equal(await accounts.exists('zed'), false);
  assert.equal(await vcard.get('zed'), null);
});

test('the seam holds: NeDB (its package and its query operators) is used only under server/storage/nedb/', async () => {
  const root = new URL('../../../server/', import.meta.url);
  const offenders: string[] = [];
  const walk = async (dir: URL, rel: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(new URL(`${e.name}/`, dir), `${rel}${e.name}/`);
      else if (e.name.endsWith('.ts') && !`${rel}${e.name}`.startsWith('storage/nedb/')) {
        const text = await fs.readFile(new URL(e.name, dir), 'utf8');
        if (/from 'nedb-promises'|['"{,]\s*\$(?:ne|in|nin|gt|gte|lt|lte|set|unset|inc|push|pull|addToSet|exists|regex|or|and|not|where)\b/.test(text)) offenders.push(`${rel}${e.name}`);
      }
    }
  };
  await walk(root, '');
  assert.deepEqual(offenders, []);
});
