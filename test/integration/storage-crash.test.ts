// A crash test (issue 13, storage; DESIGN.md "Storage"): clients write — roster items, vCards, offline messages —
// to a server in a child process, which is killed with SIGKILL at a seeded random moment and started again. After
// every kill, everything the server acknowledged is in the datafiles, and no datafile has a damaged line. Two kinds:
// `parley serve` itself, 20 kills (a crash of Parley: the OS keeps what was written); and a server whose appends
// reach the disk only when synced (test/helpers/volatile-fs.ts), 10 kills, each standing for a power cut. An
// offline message counts as acknowledged once a ping sent after it on the same stream is answered (the stream
// handles elements in order, each stored before the next is read). Bounded: every round has ≤ 0.4 s of load.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promises as fs } from 'node:fs';
import { startWithUsers, DOMAIN } from '../helpers/server.js';
import { login, type RawClient } from '../helpers/raw-client.js';
import { parseDatafile } from '../../server/storage/nedb/datafile.js';
import { openOfflineAccounts } from '../../server/accounts/open-offline.js';
import { vcardStore } from '../../server/storage/vcard.js';
import { rosterStore } from '../../server/storage/roster.js';
import { offlineStore } from '../../server/storage/offline.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'parley.js');
const CHILD = path.join(ROOT, 'dist', 'test', 'integration', 'crash-child.js');
const SEED = Number(process.env.PARLEY_CRASH_SEED ?? 1313);
const WRITERS = ['w0', 'w1', 'w2'];

const children = new Set<ChildProcessWithoutNullStreams>();
const dataDirs: string[] = [];
after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(dataDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** mulberry32: a small seeded PRNG, so a failing kill point can be replayed with PARLEY_CRASH_SEED. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Kind = 'parley serve' | 'power cut';
/** The durability the power-cut server runs with: PARLEY_CRASH_DURABILITY=os shows what is lost without syncs. */
const POWER_CUT_DURABILITY = process.env.PARLEY_CRASH_DURABILITY === 'os' ? 'os' : 'flush';

async function serve(kind: Kind, dir: string): Promise<{ child: ChildProcessWithoutNullStreams; port: number; exited: Promise<void> }> {
  const args = kind === 'parley serve'
    ? [BIN, 'serve', '--data', dir, '--domain', DOMAIN, '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', 'off',
      '--s2s-port', 'off', '--http-port', 'off', '--https-port', 'off', '--no-discovery', '--limits', 'off', '--log-level', 'warn']
    : [CHILD, dir, DOMAIN, POWER_CUT_DURABILITY];
  const child = spawn(process.execPath, args, { cwd: ROOT });
  children.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => { children.delete(child); resolve(); }));
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => { stderr += s; });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`parley serve exited (${code}) before listening: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const m = /(?:XMPP clients: 127\.0\.0\.1:|^port )(\d+)/m.exec(stdout);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, port, exited };
}

/** What the server confirmed, per writer. */
interface Acked {
  /** The highest vCard number confirmed (vCards replace each other). */
  vcard: Map<string, number>;
  roster: Map<string, string[]>;
  offline: string[];
}

/** One client writing until its connection is gone: a roster item, a vCard, two offline messages and a ping. */
async function write(c: RawClient, user: string, round: number, acked: Acked): Promise<number> {
  let n = 0;
  try {
    for (;;) {
      n++;
      const contact = `c${round}-${n}@elsewhere.example`;
      const r = await c.iq(`<iq type='set' id='r${n}'><query xmlns='jabber:iq:roster'><item jid='${contact}' name='n${n}'/></query></iq>`, `r${n}`);
      if (r.attrs.type === 'result') acked.roster.get(user)!.push(contact);
      const seq = round * 100000 + n;
      const v = await c.iq(`<iq type='set' id='v${n}'><vCard xmlns='vcard-temp'><FN>${seq}</FN></vCard></iq>`, `v${n}`);
      if (v.attrs.type === 'result') acked.vcard.set(user, seq);
      const bodies = [`${user}-${round}-${n}-a`, `${user}-${round}-${n}-b`];
      for (const b of bodies) c.send(`<message to='sink@${DOMAIN}' type='chat' id='m${b}'><body>${b}</body></message>`);
      const p = await c.iq(`<iq type='get' id='p${n}'><ping xmlns='urn:xmpp:ping'/></iq>`, `p${n}`);
      if (p.attrs.type === 'result') acked.offline.push(...bodies);
    }
  } catch {
    return n; // the server was killed
  }
}

async function checkDataDir(dir: string, acked: Acked, round: number): Promise<void> {
  for (const f of (await fs.readdir(dir)).filter((x) => x.endsWith('.db'))) {
    const parsed = parseDatafile(await fs.readFile(path.join(dir, f)));
    assert.deepEqual(parsed.damaged, [], `round ${round}: ${f} has damaged lines`);
  }
  const opened = await openOfflineAccounts(dir, { domain: DOMAIN, scramIterations: 4096 });
  try {
    const vcards = await opened.storage.open(vcardStore);
    const roster = await opened.storage.open(rosterStore);
    const offline = await opened.storage.open(offlineStore);
    for (const u of WRITERS) {
      const want = acked.vcard.get(u);
      if (want !== undefined) {
        const xml = await vcards.get(u);
        const got = Number(/<FN>(\d+)<\/FN>/.exec(xml ?? '')?.[1] ?? -1);
        assert.ok(got >= want, `round ${round}: ${u}'s vCard ${want} was confirmed, the datafile has ${got}`);
      }
      const items = new Set((await roster.all(u)).map((i) => i.jid));
      const missing = acked.roster.get(u)!.filter((j) => !items.has(j));
      assert.deepEqual(missing, [], `round ${round}: confirmed roster items of ${u} are missing`);
    }
    const stored = new Set((await offline.list('sink')).map((m) => /<body>([^<]*)<\/body>/.exec(m.xml)?.[1]));
    const lost = acked.offline.filter((b) => !stored.has(b));
    assert.deepEqual(lost, [], `round ${round}: confirmed offline messages are missing`);
  } finally {
    await opened.storage.close();
  }
}

async function crashRounds(kind: Kind, rounds: number, seed: number, diag: (msg: string) => void): Promise<void> {
  const t = await startWithUsers(Object.fromEntries([...WRITERS, 'sink'].map((u) => [u, `pw-${u}`])));
  const dataDir = t.dataDir;
  dataDirs.push(dataDir);
  const caPem = t.caPem;
  await t.stop();
  await fs.writeFile(path.join(dataDir, 'config.json'), JSON.stringify({ offlineQuota: 1_000_000 }) + '\n');
  const random = prng(seed);
  const acked: Acked = { vcard: new Map(), roster: new Map(WRITERS.map((u) => [u, []])), offline: [] };
  let writes = 0;
  for (let round = 1; round <= rounds; round++) {
    const s = await serve(kind, dataDir);
    const clients = await Promise.all(WRITERS.map((u) => login(s.port, caPem, u, `pw-${u}`)));
    const running = clients.map((c, i) => write(c, WRITERS[i], round, acked));
    await new Promise((r) => setTimeout(r, 20 + Math.floor(random() * 380)));
    s.child.kill('SIGKILL');
    await s.exited;
    for (const c of clients) c.destroy();
    writes += (await Promise.all(running)).reduce((a, b) => a + b, 0);
    // The next start finds the dead server's lock and admin socket, as after a real crash.
    await checkDataDir(dataDir, acked, round);
  }
  diag(`${kind}: ${writes} write cycles; confirmed: ${acked.offline.length} offline messages, ${[...acked.roster.values()].flat().length} roster items`);
  // Load happened: the rounds confirmed writes of every kind.
  assert.ok(acked.offline.length > rounds && acked.vcard.size === WRITERS.length, `too little load: ${writes} write cycles`);
  const s = await serve(kind, dataDir);
  const c = await login(s.port, caPem, 'w0', 'pw-w0');
  const v = await c.iq(`<iq type='get' id='last'><vCard xmlns='vcard-temp'/></iq>`, 'last');
  assert.ok(Number(v.getChild('vCard')?.getChildText('FN')) >= acked.vcard.get('w0')!);
  c.destroy();
  s.child.kill('SIGKILL');
  await s.exited;
}

test(`parley serve killed with SIGKILL at 20 seeded moments under load (seed ${SEED}): every confirmed write is there, no datafile is damaged`, { timeout: 90_000 }, async (t) => {
  await crashRounds('parley serve', 20, SEED, (m) => t.diagnostic(m));
});

test(`a power cut at 10 seeded moments under load (seed ${SEED + 1}, durability ${POWER_CUT_DURABILITY}): every confirmed write is there, no datafile is damaged`, { timeout: 90_000 }, async (t) => {
  await crashRounds('power cut', 10, SEED + 1, (m) => t.diagnostic(m));
});
