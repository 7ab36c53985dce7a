// The admin socket outside the data folder (a data folder whose path is too long for a socket address): it lives
// in a private folder of the user in the temp folder, made 0700 by the server; a folder there that another user
// made first, that is open to others, or that is a symbolic link is refused by the server and by the CLI with a
// sentence, and nothing is sent through it. TMPDIR points each case at a fresh temp folder of its own.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { AdminSocketServer } from '../../server/admin/admin-socket.js';
import { AdminClient } from '../../server/admin/admin-client.js';
import type { AdminApi, ServerStatus } from '../../server/admin/admin-api.js';
import { adminSocketDir, adminSocketPath, checkPrivateDir, SocketDirError } from '../../server/admin/socket-path.js';
import { Logger } from '../../server/core/log.js';

const ORIGINAL_TMPDIR = process.env.TMPDIR;
const made: string[] = [];
after(async () => {
  if (ORIGINAL_TMPDIR === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = ORIGINAL_TMPDIR;
  await Promise.all(made.map((d) => fs.rm(d, { recursive: true, force: true })));
});

/** A fresh temp folder as TMPDIR, and a data folder whose admin.sock path is too long for sun_path. */
async function setting(): Promise<{ tmp: string; dataDir: string; privateDir: string }> {
  const tmp = await fs.mkdtemp(path.join(ORIGINAL_TMPDIR ?? os.tmpdir(), 'parley-sock-'));
  made.push(tmp);
  process.env.TMPDIR = tmp;
  const dataDir = path.join(tmp, 'a-data-folder-with-a-rather-long-name-so-that-its-socket-path-is-too-long-for-sun-path');
  await fs.mkdir(dataDir);
  const privateDir = adminSocketDir(dataDir)!;
  assert.equal(privateDir, path.join(tmp, `parley-${process.getuid!()}`));
  return { tmp, dataDir, privateDir };
}

/** Only status() is ever called here. */
const api = { status: async () => ({ domain: 'sock.example' }) as ServerStatus } as unknown as AdminApi;
const quiet = new Logger('error', null);

test('the server makes the private folder (0700, its own) and listens there; the CLI talks to it', async () => {
  const { dataDir, privateDir } = await setting();
  const server = await AdminSocketServer.start(dataDir, api, quiet);
  try {
    const socketPath = adminSocketPath(dataDir);
    assert.equal(server.path, socketPath);
    assert.equal(path.dirname(socketPath), privateDir, 'not in the shared temp folder itself');
    const st = await fs.lstat(privateDir);
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal(st.uid, process.getuid!());
    const client = await AdminClient.connect(dataDir);
    assert.ok(client, 'the CLI finds the server');
    assert.equal((await client.status()).domain, 'sock.example');
    client.close();
  } finally {
    await server.close();
  }
  assert.equal(await AdminClient.connect(dataDir), null, 'no server: nobody there, no error');
});

test('a squatted folder (open to others, a symbolic link, or another user’s) is refused by the server and the CLI', async () => {
  const open = await setting();
  await fs.mkdir(open.privateDir, { mode: 0o777 });
  await fs.chmod(open.privateDir, 0o777);   // the umask would have narrowed it
  await assert.rejects(AdminSocketServer.start(open.dataDir, api, quiet),
    (err: Error) => err instanceof SocketDirError && /is open to other users \(mode 777, it should be 700\)\. Parley does not use it/.test(err.message));
  await assert.rejects(AdminClient.connect(open.dataDir), SocketDirError);
  assert.deepEqual(await fs.readdir(open.privateDir), [], 'nothing was made in it');

  const link = await setting();
  const elsewhere = path.join(link.tmp, 'elsewhere');
  await fs.mkdir(elsewhere, { mode: 0o700 });
  await fs.symlink(elsewhere, link.privateDir);
  await assert.rejects(AdminSocketServer.start(link.dataDir, api, quiet), /is a symbolic link\. Parley does not use it/);
  await assert.rejects(AdminClient.connect(link.dataDir), /is a symbolic link/);
  assert.deepEqual(await fs.readdir(elsewhere), []);

  const other = await setting();
  await fs.mkdir(other.privateDir, { mode: 0o700 });
  // Owned by us, but not by the uid asked about: what a folder made first by another user looks like.
  await assert.rejects(checkPrivateDir(other.privateDir, process.getuid!() + 1),
    /belongs to another user \(uid \d+\)\. Parley does not use it, so that no other user can take over its admin commands/);
  if (process.getuid!() === 0) {
    await fs.chown(other.privateDir, 65534, 65534);
    await assert.rejects(AdminSocketServer.start(other.dataDir, api, quiet), /belongs to another user \(uid 65534\)/);
  }
  assert.equal(await checkPrivateDir(path.join(other.tmp, 'missing')), false, 'a missing folder is nobody there');
});
