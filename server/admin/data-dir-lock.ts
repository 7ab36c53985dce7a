// <data>/parley.lock: one process at a time may write a data folder, either a running server or an offline
// `parley user …` command. The file holds the owner's pid (first line) and its role (second line); a lock whose
// process is gone is stale and taken over.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { UserFacingError } from '../core/user-error.js';
import { DataDirError } from '../storage/schema.js';

export const LOCK_FILE = 'parley.lock';

export type LockRole = 'server' | 'cli';

export interface LockHolder {
  /** 0 when the file is being written right now and holds no pid yet. */
  pid: number;
  role: LockRole;
}

/** The data folder is locked by another live process. */
export class DataDirLockedError extends UserFacingError {
  constructor(message: string, readonly dataDir: string, readonly holder: LockHolder) {
    super(message);
  }
}

/** Lock files held by this process: a lock naming our own pid is live only if listed here (pid reuse after a crash, e.g. pid 1 in a container). */
const heldHere = new Set<string>();

/** A file without a pid younger than this is taken to be in the middle of being written. */
const FRESH_MS = 10_000;

export function lockPath(dataDir: string): string {
  return path.join(dataDir, LOCK_FILE);
}

function isAlive(pid: number, file: string): boolean {
  if (pid === process.pid) return heldHere.has(file);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(text: string): LockHolder | null {
  const [pidLine, roleLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, role: roleLine?.trim() === 'cli' ? 'cli' : 'server' };
}

/** The live holder of a data folder's lock, or null when it is free (no file, or a stale one). */
export async function lockHolder(dataDir: string): Promise<LockHolder | null> {
  const file = lockPath(dataDir);
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw unusable(dataDir, err);
  }
  const holder = parse(text);
  if (holder === null) return Date.now() - mtimeMs < FRESH_MS ? { pid: 0, role: 'server' } : null;
  return isAlive(holder.pid, file) ? holder : null;
}

export function lockedMessage(dataDir: string, holder: LockHolder): string {
  const who = holder.pid > 0 ? ` (process ${holder.pid})` : '';
  if (holder.role === 'cli') return `A parley command${who} is changing the data folder ${dataDir} right now. Try again in a moment.`;
  return `Parley is already running on the data folder ${dataDir}${who}. Stop it first, or give this one another folder with --data. ` +
    `If no Parley is running, delete ${lockPath(dataDir)}.`;
}

function unusable(dataDir: string, err: unknown): DataDirError {
  const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return new DataDirError(`Parley cannot write to its data folder ${dataDir} (${why}). Choose another folder with --data, or fix its permissions.`);
}

export class DataDirLock {
  private released = false;

  constructor(readonly file: string, readonly role: LockRole) {}

  /** Remove the lock file if it is still ours. Safe to call more than once. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    heldHere.delete(this.file);
    try {
      const holder = parse(await fs.readFile(this.file, 'utf8'));
      if (holder?.pid === process.pid) await fs.unlink(this.file);
    } catch { /* already gone */ }
  }
}

/** Take the lock of a data folder (creating the folder if needed); throws DataDirLockedError if a live process has it. */
export async function acquireLock(dataDir: string, role: LockRole): Promise<DataDirLock> {
  const file = lockPath(dataDir);
  try {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw unusable(dataDir, err);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fs.open(file, 'wx', 0o600);
      try {
        await fh.writeFile(`${process.pid}\n${role}\n`);
      } finally {
        await fh.close();
      }
      heldHere.add(file);
      return new DataDirLock(file, role);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw unusable(dataDir, err);
    }
    const holder = await lockHolder(dataDir);
    if (holder !== null) throw new DataDirLockedError(lockedMessage(dataDir, holder), dataDir, holder);
    try {
      await fs.unlink(file); // stale: its process is gone
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(dataDir, err);
    }
  }
  throw new DataDirLockedError(`Another process keeps taking the lock ${file}; try again in a moment.`, dataDir, { pid: 0, role: 'server' });
}
