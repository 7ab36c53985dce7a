// `parley repair`: check every datafile of a data dir with no server on it, keep a copy of each damaged one, and
// rewrite it with the records that can be read — the same reading as a start (datafile.ts), but also for files too
// damaged for a start to go on by itself. One result per file, for a one-line report to people.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { describeDamage, keepDamagedCopy, parseDatafile, serializeCompacted } from './datafile.js';
import { nodeFileOps, type FileOps } from './file-ops.js';

export interface RepairResult {
  file: string;
  /** Records kept (live documents). */
  records: number;
  /** What happened, one sentence. */
  summary: string;
  /** The copy of the file as it was, when it was rewritten. */
  copy: string | null;
  ok: boolean;
}

export async function repairDataDir(dataDir: string, ops: FileOps = nodeFileOps): Promise<RepairResult[]> {
  const names = (await fs.readdir(dataDir)).sort();
  const results: RepairResult[] = [];
  // A compaction cut short between its steps leaves only `<name>.db~`; it holds the whole collection.
  for (const n of names.filter((x) => x.endsWith('.db~') && !names.includes(x.slice(0, -1)))) {
    await ops.rename(path.join(dataDir, n), path.join(dataDir, n.slice(0, -1)));
    names.push(n.slice(0, -1));
  }
  for (const name of [...new Set(names.filter((x) => x.endsWith('.db')))].sort()) results.push(await repairFile(path.join(dataDir, name), ops));
  return results;
}

async function repairFile(file: string, ops: FileOps): Promise<RepairResult> {
  const name = path.basename(file);
  let raw: Buffer;
  try {
    raw = await ops.read(file) ?? Buffer.alloc(0);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { file: name, records: 0, copy: null, ok: false, summary: `cannot be read (${code}); check its permissions, or restore it from a backup` };
  }
  const parsed = parseDatafile(raw);
  const records = parsed.docs.length;
  if (parsed.damaged.length === 0 && !parsed.tornTail) {
    return { file: name, records, copy: null, ok: true, summary: `fine, ${records} record${records === 1 ? '' : 's'}` };
  }
  const tmp = file + '~';
  let copy: string | null = null;
  try {
    copy = await keepDamagedCopy((from, to) => ops.copy(from, to), file);
    await ops.writeSynced(tmp, serializeCompacted(parsed.docs, parsed.indexes), 0o600);
    await ops.rename(tmp, file);
    await ops.syncDir(path.dirname(file));
  } catch (err) {
    // The rename is the last step: until it, the file is as it was (so a copy of it is not needed either).
    await ops.unlink(tmp).catch(() => undefined);
    if (copy !== null) await ops.unlink(copy).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { file: name, records, copy: null, ok: false,
      summary: `damaged, and could not be rewritten (${code}); it is unchanged.${code === 'ENOSPC' ? ' Free some disk space' : ' Check the folder\'s permissions'} and run parley repair again` };
  }
  const what = [
    parsed.damaged.length > 0 ? `${parsed.damaged.length} damaged record${parsed.damaged.length === 1 ? '' : 's'} dropped (${describeDamage(parsed.damaged)})` : '',
    parsed.tornTail ? 'an unfinished last write dropped' : '',
  ].filter(Boolean).join(', ');
  return { file: name, records, copy: path.basename(copy), ok: true, summary: `repaired: ${what}; ${records} record${records === 1 ? '' : 's'} kept; the file as it was is in ${path.basename(copy)}` };
}
