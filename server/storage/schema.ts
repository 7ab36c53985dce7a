// The data dir's schema version: startup migrates forward and refuses a data dir written by a newer Parley.
import path from 'node:path';
import { promises as fs } from 'node:fs';

export const SCHEMA_VERSION = 1;
const FILE = 'schema.json';

export class DataDirError extends Error {}

type Migration = (dataDir: string) => Promise<void>;
/** MIGRATIONS[n] upgrades a data dir from version n to n+1. */
const MIGRATIONS: Record<number, Migration> = {};

export async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    await fs.access(dataDir, fs.constants.W_OK);
  } catch (err) {
    throw new DataDirError(`Parley cannot write to its data folder ${dataDir} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Choose another folder with --data, or fix its permissions.`);
  }
  const file = path.join(dataDir, FILE);
  let version = 0;
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as { version?: unknown };
    if (typeof parsed.version !== 'number') throw new Error('no version');
    version = parsed.version;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new DataDirError(`${file} is damaged. If this data folder is new, delete that file; otherwise restore it from a backup.`);
    }
    const entries = await fs.readdir(dataDir);
    if (entries.some((e) => e.endsWith('.db'))) {
      throw new DataDirError(`${dataDir} holds data but no ${FILE}; it was not written by Parley, or that file was lost. Restore it from a backup.`);
    }
    await writeVersion(file, SCHEMA_VERSION);
    return;
  }
  if (version > SCHEMA_VERSION) {
    throw new DataDirError(`The data folder ${dataDir} was written by a newer Parley (data version ${version}; this one understands up to ${SCHEMA_VERSION}). Install the newer Parley again, or use another folder with --data.`);
  }
  for (let v = version; v < SCHEMA_VERSION; v++) {
    const m = MIGRATIONS[v];
    if (m) await m(dataDir);
    await writeVersion(file, v + 1);
  }
}

async function writeVersion(file: string, version: number): Promise<void> {
  await fs.writeFile(file + '.tmp', JSON.stringify({ version }) + '\n');
  await fs.rename(file + '.tmp', file);
}
