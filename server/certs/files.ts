/** The certificate directory on disk: names, reading, and atomic writing. */

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { unreadableFile, unwritableDir } from './errors.js';

export const FILE_NAMES = {
  caCert: 'ca.pem',
  caKey: 'ca.key',
  cert: 'server.pem',
  key: 'server.key',
  imported: 'imported.json',
} as const;

export type FileKind = keyof typeof FILE_NAMES;

export const DIR_MODE = 0o700;
const KEY_MODE = 0o600;
const PUBLIC_MODE = 0o644;

export function filePath(dir: string, kind: FileKind): string {
  return path.join(dir, FILE_NAMES[kind]);
}

export async function ensureDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  } catch (err) {
    throw unwritableDir(dir, err);
  }
}

/** The file's text, or null when it does not exist. */
export async function readOptional(file: string, imported = false): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw unreadableFile(file, err, imported);
  }
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw unreadableFile(file, err);
  }
}

/**
 * Writes several files so that each one is either old or new, never half
 * written: all are written to temporary files and synced first, then renamed
 * into place in the given order (keys before the certificates that need them).
 */
export async function writeFilesAtomically(
  dir: string,
  files: ReadonlyArray<{ kind: FileKind; content: string }>,
): Promise<void> {
  const staged: Array<{ tmp: string; target: string }> = [];
  try {
    for (const { kind, content } of files) {
      const target = filePath(dir, kind);
      const tmp = `${target}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      const mode = kind === 'caKey' || kind === 'key' ? KEY_MODE : PUBLIC_MODE;
      const handle = await fs.open(tmp, 'wx', mode);
      staged.push({ tmp, target });
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const { tmp, target } of staged) await fs.rename(tmp, target);
    staged.length = 0;
    await syncDir(dir);
  } catch (err) {
    await Promise.all(staged.map(({ tmp }) => fs.rm(tmp, { force: true }).catch(() => undefined)));
    throw unwritableDir(dir, err);
  }
}

async function syncDir(dir: string): Promise<void> {
  // Makes the renames durable; not possible on every platform, so best effort.
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* ignore */
  }
}

/** Runs `task` after any earlier task for the same directory has finished. */
const queues = new Map<string, Promise<unknown>>();
export async function serialized<T>(dir: string, task: () => Promise<T>): Promise<T> {
  const key = path.resolve(dir);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}
