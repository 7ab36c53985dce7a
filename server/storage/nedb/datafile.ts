// Reading a NeDB datafile line by line, telling damaged lines from sound ones: used when a collection loads and by
// `parley repair`. NeDB's own loader drops unreadable lines silently under 10 % and otherwise refuses with a
// message for programmers; here every dropped line is named (number and, when it can be made out, its _id).
import { model, type IndexSpec, type RawDoc } from './nedb-internals.js';

export interface DamagedLine {
  /** 1-based line number in the file. */
  line: number;
  /** The document's _id when it can still be read in the damaged text. */
  id: string | null;
}

export interface ParsedDatafile {
  /** The live documents, last line wins, deletions applied. */
  docs: RawDoc[];
  indexes: IndexSpec[];
  /** Lines in the file, not counting a cut-off last one. */
  lines: number;
  damaged: DamagedLine[];
  /** The last line had no newline and could not be read: a write cut off by a crash (never confirmed). */
  tornTail: boolean;
}

/** More than one damaged line, and more than this share of the lines: too much to drop without a person. */
export const BAD_SHARE = 0.1;

export function isBadlyDamaged(p: ParsedDatafile): boolean {
  return p.damaged.length > 1 && p.damaged.length > p.lines * BAD_SHARE;
}

function idIn(text: string): string | null {
  const m = /"_id":"((?:[^"\\]|\\.){1,200})"/.exec(text);
  return m ? m[1] : null;
}

export function parseDatafile(data: Buffer): ParsedDatafile {
  const text = data.toString('utf8');
  const parts = text.split('\n');
  const byId = new Map<string, RawDoc>();
  const indexes = new Map<string, IndexSpec>();
  const damaged: DamagedLine[] = [];
  let lines = 0;
  let tornTail = false;
  parts.forEach((raw, i) => {
    const last = i === parts.length - 1;
    if (raw === '') return;
    let doc: unknown;
    try {
      doc = model.deserialize(raw);
    } catch {
      doc = undefined;
    }
    if (last && doc === undefined) {
      tornTail = true;
      return;
    }
    lines++;
    const d = doc as RawDoc | null | undefined;
    if (d !== null && typeof d === 'object' && !Array.isArray(d)) {
      if (typeof d._id === 'string' && d._id !== '') {
        if (d.$$deleted === true) byId.delete(d._id);
        else byId.set(d._id, d);
        return;
      }
      const created = d.$$indexCreated as IndexSpec | undefined;
      if (created && typeof created.fieldName === 'string') {
        indexes.set(created.fieldName, created);
        return;
      }
      if (typeof d.$$indexRemoved === 'string') {
        indexes.delete(d.$$indexRemoved);
        return;
      }
    }
    damaged.push({ line: i + 1, id: idIn(raw) });
  });
  return { docs: [...byId.values()], indexes: [...indexes.values()], lines, damaged, tornTail };
}

/** The compacted file: one line per live document, then the index definitions (NeDB's own compacted form). */
export function serializeCompacted(docs: readonly RawDoc[], indexes: readonly IndexSpec[]): Buffer {
  let out = '';
  for (const d of docs) out += model.serialize(d) + '\n';
  for (const ix of indexes) {
    if (ix.fieldName === '_id') continue;
    out += model.serialize({ $$indexCreated: { fieldName: ix.fieldName, unique: ix.unique, sparse: ix.sparse } }) + '\n';
  }
  return Buffer.from(out, 'utf8');
}

/** "lines 4, 9 (id alice@x), …": which records were dropped, for people. */
export function describeDamage(damaged: readonly DamagedLine[], max = 10): string {
  const shown = damaged.slice(0, max).map((d) => (d.id !== null ? `${d.line} (id ${d.id})` : `${d.line}`));
  const more = damaged.length > max ? ` and ${damaged.length - max} more` : '';
  return `line${damaged.length === 1 ? '' : 's'} ${shown.join(', ')}${more}`;
}

/** `<file>.damaged-<UTC time>`: where a damaged datafile is kept before it is rewritten. */
export function damagedCopyName(file: string, now: Date = new Date()): string {
  return `${file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
}

/**
 * Keep a copy of a damaged datafile under damagedCopyName, never over an earlier copy: two copies made within one
 * millisecond (a repair right after a start, or a second repair) get `-2`, `-3`… Returns the name used.
 */
export async function keepDamagedCopy(copy: (from: string, to: string) => Promise<void>, file: string): Promise<string> {
  const base = damagedCopyName(file);
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    try {
      await copy(file, name);
      return name;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw err;
    }
  }
}
