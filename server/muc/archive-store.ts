// The room archive's storage (XEP-0313 §3 for rooms, MUC-58, MOD-20): one document per archived message, keyed by
// its archive UID (the XEP-0359 stanza-id the room gave it); `seq` orders a room's messages (§3.1: the order
// occupants received them in, not timestamps). Messages are indexed by bucket (room + seq / ARCHIVE_BUCKET), not by
// room: NeDB drops a document from an index entry by filtering that entry's list, so with a room index every
// trimmed message would cost a pass over the whole room's archive; with buckets it is a pass over 128. A small head
// document per room says which seqs it holds (first…last) and for which room of that name (epoch = its creation
// time), so a room's archive is read bucket by bucket, and a room made later under the name of one whose archive
// a crash left behind does not inherit it.
import { collection, type DocumentCollection } from '../storage/backend.js';
import { defineStore } from '../storage/storage.js';

/** Messages per bucket (see the header). */
export const ARCHIVE_BUCKET = 128;

export interface ArchivedMessage {
  /** Archive UID = the message's XEP-0359 stanza-id (random, never reused). */
  _id: string;
  /** `${room}#${Math.floor(seq / ARCHIVE_BUCKET)}`: the indexed field. */
  bucket: string;
  /** The room's localpart. */
  room: string;
  /** The room's creation time (RoomDoc.createdAt) when the message was archived. */
  epoch: number;
  /** Order within the room's archive, from 1 up. */
  seq: number;
  /** When the room reflected it, ms since the epoch. */
  at: number;
  /** The sender's nick then (the result's from is room@service/nick). */
  nick: string;
  /** The sender's real full JID (shown only to who may see it). */
  jid: string;
  /** The message as reflected, without `to`, qualified by jabber:client. */
  xml: string;
}

/** Which seqs a room's archive holds. */
export interface ArchiveHead {
  /** The room's localpart. */
  _id: string;
  epoch: number;
  /** Lowest seq kept (those below were trimmed). */
  first: number;
  /** Highest seq written. */
  last: number;
}

/** Messages trimmed from one room: their UIDs, and the lowest seq the room keeps after them. */
export interface Trimmed {
  room: string;
  ids: readonly string[];
  firstKept: number;
}

export const bucketOf = (room: string, seq: number): string => `${room}#${Math.floor(seq / ARCHIVE_BUCKET)}`;

export class RoomArchiveStore {
  /** Heads read or written so far (a room's head is read once, with its archive). */
  private readonly heads = new Map<string, ArchiveHead>();

  constructor(private readonly messages: DocumentCollection<ArchivedMessage>, private readonly headCol: DocumentCollection<ArchiveHead>) {}

  private async head(room: string): Promise<ArchiveHead | null> {
    const known = this.heads.get(room);
    if (known) return known;
    const h = await this.headCol.get(room);
    if (h) this.heads.set(room, h);
    return h;
  }

  /** Every bucket from the head's first to its last, and on while there are more (a head a crash left behind). */
  private async buckets(room: string, h: ArchiveHead): Promise<ArchivedMessage[]> {
    const out: ArchivedMessage[] = [];
    let b = Math.floor(h.first / ARCHIVE_BUCKET);
    const lastBucket = Math.floor(h.last / ARCHIVE_BUCKET);
    for (;; b++) {
      const docs = await this.messages.find({ bucket: `${room}#${b}` });
      if (docs.length === 0 && b > lastBucket) break;
      out.push(...docs);
    }
    return out;
  }

  /** The archive of the room `room` made at `epoch`, in archive order; an older room's of that name is dropped. */
  async room(room: string, epoch: number): Promise<ArchivedMessage[]> {
    const h = await this.head(room);
    if (!h) return [];
    if (h.epoch !== epoch) {
      await this.removeRoom(room);
      return [];
    }
    const docs = (await this.buckets(room, h)).filter((d) => d.epoch === epoch);
    return docs.sort((x, y) => x.seq - y.seq);
  }

  get(id: string): Promise<ArchivedMessage | null> {
    return this.messages.get(id);
  }

  /** A batch of the group commit: its new messages, in one write (all or none). */
  add(docs: readonly ArchivedMessage[]): Promise<void> {
    return this.messages.insertMany(docs);
  }

  /** A retracted message's tombstone in its place (XEP-0425); false when it is no longer kept. */
  replace(id: string, xml: string): Promise<boolean> {
    return this.messages.patch(id, { xml });
  }

  /** The rest of the batch, once its messages are stored (`added`: those that were): trims, then the rooms' heads. */
  async settle(added: readonly ArchivedMessage[], trimmed: readonly Trimmed[]): Promise<void> {
    const ids = trimmed.flatMap((t) => t.ids);
    if (ids.length > 0) await this.messages.removeIds(ids);
    const changed = new Map<string, ArchiveHead>();
    for (const d of added) {
      let h = changed.get(d.room) ?? this.heads.get(d.room);
      if (!h || h.epoch !== d.epoch) h = { _id: d.room, epoch: d.epoch, first: d.seq, last: d.seq };
      changed.set(d.room, { ...h, last: Math.max(h.last, d.seq) });
    }
    for (const t of trimmed) {
      const h = changed.get(t.room) ?? this.heads.get(t.room);
      if (h) changed.set(t.room, { ...h, first: Math.max(h.first, t.firstKept) });
    }
    for (const h of changed.values()) this.heads.set(h._id, h);
    await Promise.all([...changed.values()].map((h) => this.headCol.put(h)));
  }

  /** Every room that has an archive, with the epoch it was kept for (one small document each). */
  allHeads(): Promise<ArchiveHead[]> {
    return this.headCol.find({});
  }

  /** The room is gone: so is its archive (`onlyEpoch`: only if it is still that room's). */
  async removeRoom(room: string, onlyEpoch?: number): Promise<void> {
    const h = await this.head(room);
    if (!h || (onlyEpoch !== undefined && h.epoch !== onlyEpoch)) return;
    this.heads.delete(room);
    const docs = await this.buckets(room, h);
    await this.messages.removeIds(docs.map((d) => d._id));
    await this.headCol.remove(room);
  }
}

/** Opened by the room archive (a room feature of the MUC module). No account data: nothing to drop on removal. */
export const roomArchiveStore = defineStore<RoomArchiveStore>({
  name: 'muc-archive',
  async open(backend) {
    return new RoomArchiveStore(
      await backend.collection(collection<ArchivedMessage>('muc-archive', ['bucket'])),
      await backend.collection(collection<ArchiveHead>('muc-archive-heads')),
    );
  },
});
