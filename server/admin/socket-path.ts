// Where a running server's admin endpoint listens: <data>/admin.sock, or, when that path is too long for a Unix
// socket address (sun_path is 104–108 bytes), <tmp>/parley-<uid>/<hash>.sock; on Windows a named pipe.
//
// The temp folder is shared by every user of the machine, so the socket never lies in it directly: a file name
// there can be taken first by anyone (a squatted socket that answers `parley user add` with its own listener, or
// one the server cannot remove). It lies in a folder of its own, parley-<uid>, made with mode 0700 and checked
// before every use: a directory (not a symlink), owned by this user, closed to everyone else. Anything else is
// refused with a sentence saying what is wrong, never used. The name is fixed (not random, as mkdtemp's are) so
// that the CLI finds the server's socket without asking anyone; the checks make a fixed name safe.
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import { UserFacingError } from '../core/user-error.js';

export const SOCKET_FILE = 'admin.sock';
/** Longest socket path used inside the data folder, with room to spare below macOS's 104 bytes. */
export const MAX_SOCKET_PATH_BYTES = 100;
const PRIVATE_DIR_MODE = 0o700;

/** The folder of the admin socket is not private: another user could read or replace the socket. */
export class SocketDirError extends UserFacingError {}

function dataDirHash(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
}

function currentUid(): number | null {
  return process.getuid?.() ?? null;
}

/**
 * The private folder that holds the admin socket when the data folder's path is too long for one, or null when the
 * socket is in the data folder (or a named pipe). `tmpDir` is read per call: os.tmpdir() follows $TMPDIR, as the
 * server and the CLI of one user both see it.
 */
export function adminSocketDir(dataDir: string, platform: NodeJS.Platform = process.platform, tmpDir: string = os.tmpdir(),
  uid: number | null = currentUid()): string | null {
  if (platform === 'win32') return null;
  if (Buffer.byteLength(path.join(path.resolve(dataDir), SOCKET_FILE)) <= MAX_SOCKET_PATH_BYTES) return null;
  return path.join(tmpDir, `parley-${uid ?? 'user'}`);
}

export function adminSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform, tmpDir: string = os.tmpdir(),
  uid: number | null = currentUid()): string {
  if (platform === 'win32') return `\\\\.\\pipe\\parley-${dataDirHash(dataDir)}`;
  const dir = adminSocketDir(dataDir, platform, tmpDir, uid);
  if (dir === null) return path.join(path.resolve(dataDir), SOCKET_FILE);
  return path.join(dir, `${dataDirHash(dataDir)}.sock`);
}

/** Named pipes on Windows are not files: nothing to stat, chmod or unlink. */
export function isNamedPipe(socketPath: string): boolean {
  return socketPath.startsWith('\\\\.\\pipe\\');
}

/**
 * Checks that `dir` is a private folder of this user: a real directory, owned by `uid`, mode 0700 or stricter.
 * Returns false when it does not exist (nobody made it yet); throws a SocketDirError for anything else.
 */
export async function checkPrivateDir(dir: string, uid: number | null = currentUid()): Promise<boolean> {
  let st;
  try {
    st = await fs.lstat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new SocketDirError(`Parley cannot check the folder of its admin socket, ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  const fix = `Parley does not use it, so that no other user can take over its admin commands. Remove ${dir} ` +
    '(as its owner or an administrator), or set TMPDIR to a folder of your own, then try again.';
  if (!st.isDirectory()) {
    throw new SocketDirError(`The admin socket's folder ${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}. ${fix}`);
  }
  if (uid !== null && st.uid !== uid) {
    throw new SocketDirError(`The admin socket's folder ${dir} belongs to another user (uid ${st.uid}). ${fix}`);
  }
  if ((st.mode & 0o077) !== 0) {
    throw new SocketDirError(`The admin socket's folder ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}, ` +
      `it should be 700). ${fix}`);
  }
  return true;
}

/** Makes the private folder of the admin socket (mode 0700) if it is missing, then checks it as checkPrivateDir does. */
export async function preparePrivateDir(dir: string, uid: number | null = currentUid()): Promise<void> {
  try {
    // Not recursive: the temp folder itself must exist, and a folder made here gets 0700 from the start.
    await fs.mkdir(dir, { mode: PRIVATE_DIR_MODE });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SocketDirError(`Parley cannot make the folder of its admin socket, ${dir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). ` +
        'Check that the temp folder exists and is writable, or set TMPDIR to a folder of your own.');
    }
  }
  if (!(await checkPrivateDir(dir, uid))) {
    throw new SocketDirError(`The folder of the admin socket, ${dir}, disappeared while Parley made it. Try again.`);
  }
}
