// The room archive kept (XEP-0313 §3, §6.1.2 for rooms; MUC-58, MOD-20, MOD-22): what a reflected message costs is
// an entry in the room's in-memory index and a place in the group commit, nothing per occupant and no disk wait.
// The index (UID, order, time, nick, real JID: what queries filter on) is read from the store when a room's archive
// is first needed; the messages themselves stay in the store and are read per page. A room keeps its newest
// ROOM_ARCHIVE_LIMIT messages (§3.2: deletions only from the oldest end; UIDs are random, never reused).
import type { Element } from '../core/xml.js';
import { Element as XmlElement } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { parseFragment } from '../modules/stored-xml.js';
import { GroupCommit } from '../modules/mam/group-commit.js';
import type { ArchiveItem, ArchiveView } from '../modules/mam/mam-page.js';
import { bucketOf, type ArchivedMessage, type RoomArchiveStore, type Trimmed } from './archive-store.js';
import type { HistoryEntry, Room } from './room.js';

/**
 * Messages a room's archive keeps. The store is NeDB, which holds every document in memory: a message is about
 * 1 KB there (the stanza and its fields), so a busy room costs at most ~5 MB (+ ~1 MB of index here), and a room
 * with a hundred messages a working day keeps about two and a half months of scrollback.
 */
export const ROOM_ARCHIVE_LIMIT = 5000;

export interface IndexEntry extends ArchiveItem {
  readonly seq: number;
  readonly nick: string;
  /** Real full JID of the sender. */
  readonly jid: string;
}

/** One room's archive in archive order, with the lookups queries need. */
export class RoomIndex implements ArchiveView<IndexEntry> {
  readonly items: IndexEntry[] = [];
  private readonly seqOf = new Map<string, number>();

  constructor(readonly room: string, readonly epoch: number) {}

  get lastSeq(): number {
    return this.items.length > 0 ? this.items[this.items.length - 1].seq : 0;
  }

  indexOf(id: string): number {
    const seq = this.seqOf.get(id);
    if (seq === undefined) return -1;
    let lo = 0;
    let hi = this.items.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.items[mid].seq;
      if (s === seq) return mid;
      if (s < seq) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  push(e: IndexEntry): void {
    this.items.push(e);
    this.seqOf.set(e.id, e.seq);
  }

  /** Drop the oldest past `limit`; what went, or null when nothing did. */
  trim(limit: number): Trimmed | null {
    if (this.items.length <= limit) return null;
    const ids: string[] = [];
    while (this.items.length > limit) {
      const e = this.items.shift()!;
      this.seqOf.delete(e.id);
      ids.push(e.id);
    }
    return { room: this.room, ids, firstKept: this.items[0]?.seq ?? this.lastSeq + 1 };
  }

  /** Entries whose write failed: they never were in the archive. */
  forget(ids: ReadonlySet<string>): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (ids.has(this.items[i].id)) {
        this.seqOf.delete(this.items[i].id);
        this.items.splice(i, 1);
      }
    }
  }
}

/** Where the archive reports what went wrong (the server's log). */
export interface ArchiveLog {
  warn(message: string): void;
}

type ArchiveOp =
  | { readonly kind: 'add'; readonly index: RoomIndex; readonly entry: IndexEntry; readonly stanza: Element }
  | { readonly kind: 'trim'; readonly trimmed: Trimmed }
  | { readonly kind: 'replace'; readonly room: string; readonly id: string; readonly stanza: Element };

const roomOf = (op: ArchiveOp): string => (op.kind === 'add' ? op.index.room : op.kind === 'trim' ? op.trimmed.room : op.room);

/** The message as results carry it: qualified by jabber:client (it sits inside <forwarded/>), its own children list. */
function clientMessage(stanza: Element): Element {
  const m = new XmlElement('message', { ...stanza.attrs, xmlns: NS.client });
  m.children = [...stanza.children];
  return m;
}

export class RoomArchiveIndex {
  private readonly ready = new Map<string, RoomIndex>();
  private readonly loading = new Map<string, Promise<RoomIndex>>();
  /** Queued or being written: results read them here until the store has them. */
  private readonly unwritten = new Map<string, Element>();
  /** Tombstones of retracted messages not yet written in their place. */
  private readonly replaced = new Map<string, Element>();
  private readonly writer: GroupCommit<ArchiveOp>;

  constructor(private readonly store: RoomArchiveStore, private readonly log: ArchiveLog, private readonly limit = ROOM_ARCHIVE_LIMIT) {
    this.writer = new GroupCommit((batch) => this.write(batch), (err) => log.warn(`archive write failed: ${String(err)}`));
  }

  /** A reflected message (or subject change): into the room's index now, onto the disk with the next batch. */
  append(room: Room, entry: HistoryEntry): void {
    const idx = this.ready.get(room.name);
    if (idx && idx.epoch === room.createdAt) {
      this.add(idx, room, entry);
      return;
    }
    // First message since start (or since the room was made): once its archive is read, in arrival order.
    this.index(room).then((i) => {
      if (this.ready.get(room.name) === i) this.add(i, room, entry);
    }, (err: unknown) => this.log.warn(`could not read the archive of ${room.jid}: ${String(err)}`));
  }

  private add(idx: RoomIndex, room: Room, h: HistoryEntry): void {
    const from = String(h.stanza.attrs.from ?? '');
    const e: IndexEntry = { id: h.stanzaId, at: h.at, seq: idx.lastSeq + 1, nick: from.slice(room.jid.length + 1), jid: h.realJid };
    idx.push(e);
    this.unwritten.set(e.id, h.stanza);
    this.writer.add({ kind: 'add', index: idx, entry: e, stanza: h.stanza });
    const trimmed = idx.trim(this.limit);
    if (trimmed) this.writer.add({ kind: 'trim', trimmed });
  }

  /** A moderator retracted `id` (XEP-0425): its tombstone takes its place, in results at once, on disk next batch. */
  retract(room: Room, id: string, tombstone: Element): void {
    const apply = (i: RoomIndex): void => {
      if (this.ready.get(room.name) !== i || i.indexOf(id) < 0) return;
      this.replaced.set(id, tombstone);
      this.writer.add({ kind: 'replace', room: room.name, id, stanza: tombstone });
    };
    const idx = this.ready.get(room.name);
    if (idx && idx.epoch === room.createdAt) apply(idx);
    else this.index(room).then(apply, (err: unknown) => this.log.warn(`could not read the archive of ${room.jid}: ${String(err)}`));
  }

  /** The room's archive, read from the store the first time (documents of an older room of that name dropped). */
  index(room: Room): Promise<RoomIndex> {
    const name = room.name;
    const ready = this.ready.get(name);
    if (ready && ready.epoch === room.createdAt) return Promise.resolve(ready);
    let p = this.loading.get(name);
    if (!p) {
      const loading: Promise<RoomIndex> = this.load(name, room.createdAt).then((idx) => {
        // Unless the room went (forgetRoom) while it was being read.
        if (this.loading.get(name) === loading) this.ready.set(name, idx);
        return idx;
      }).finally(() => {
        if (this.loading.get(name) === loading) this.loading.delete(name);
      });
      this.loading.set(name, loading);
      p = loading;
    }
    return p;
  }

  private async load(name: string, epoch: number): Promise<RoomIndex> {
    const idx = new RoomIndex(name, epoch);
    for (const d of await this.store.room(name, epoch)) idx.push({ id: d._id, at: d.at, seq: d.seq, nick: d.nick, jid: d.jid });
    const trimmed = idx.trim(this.limit);   // the limit was lowered, or a trim had not been written
    if (trimmed) this.writer.add({ kind: 'trim', trimmed });
    return idx;
  }

  /** The archived message of an entry (null: trimmed meanwhile), as results forward it. */
  async message(id: string): Promise<Element | null> {
    const pending = this.replaced.get(id) ?? this.unwritten.get(id);
    if (pending) return clientMessage(pending);
    const doc = await this.store.get(id);
    return doc ? parseFragment(doc.xml) : null;
  }

  /** The room is gone (destroyed, or temporary and empty): its archive goes, on disk and queued. */
  async forgetRoom(name: string): Promise<void> {
    this.ready.delete(name);
    this.loading.delete(name);
    this.writer.drop((op) => {
      if (roomOf(op) !== name) return false;
      if (op.kind === 'add') this.unwritten.delete(op.entry.id);
      if (op.kind === 'replace') this.replaced.delete(op.id);
      return true;
    });
    await this.store.removeRoom(name);
  }

  /** Everything archived so far is on the disk (the service stops). */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * One batch: the new messages of every room in one write, then the tombstones of retracted ones in their place,
   * the trimmed ones in one write, and the rooms' heads.
   */
  private async write(batch: ArchiveOp[]): Promise<void> {
    const docs: ArchivedMessage[] = [];
    const trimmed: Trimmed[] = [];
    const replaces: { id: string; stanza: Element }[] = [];
    for (const op of batch) {
      if (op.kind === 'trim') {
        trimmed.push(op.trimmed);
        continue;
      }
      if (op.kind === 'replace') {
        replaces.push(op);
        continue;
      }
      const e = op.entry;
      const room = op.index.room;
      docs.push({ _id: e.id, bucket: bucketOf(room, e.seq), room, epoch: op.index.epoch, seq: e.seq, at: e.at, nick: e.nick, jid: e.jid, xml: clientMessage(op.stanza).toString() });
    }
    let added = docs;
    try {
      await this.store.add(docs);
    } catch (err) {
      // Not on the disk, so not in the archive: queries must not offer what a restart would not have.
      const failed = new Set(docs.map((d) => d._id));
      for (const op of batch) if (op.kind === 'add') op.index.forget(failed);
      this.log.warn(`${docs.length} archived room messages could not be stored: ${String(err)}`);
      added = [];
    } finally {
      for (const d of docs) this.unwritten.delete(d._id);
    }
    try {
      await Promise.all(replaces.map((r) => this.store.replace(r.id, clientMessage(r.stanza).toString())));
    } finally {
      for (const r of replaces) if (this.replaced.get(r.id) === r.stanza) this.replaced.delete(r.id);
    }
    // A trim that fails is done again when the room's archive is next read (the head still covers it).
    await this.store.settle(added, trimmed);
  }
}
