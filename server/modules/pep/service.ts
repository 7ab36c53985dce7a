// The PEP service's operations on one account's nodes (XEP-0060 §7, §8 as XEP-0163 uses them): create, publish
// with auto-create and publish-options, retract, delete, purge, configure. The iq handlers and the converters
// (avatars, bookmarks) both call these, so every change is stored first, then notified, then heard by listeners.
import { randomUUID } from 'node:crypto';
import { el, type Element } from '../../core/xml.js';
import type { Jid } from '../../core/jid.js';
import { StanzaError, type StanzaErrorCondition } from '../../core/errors.js';
import { serializeFragment, byteLength } from '../stored-xml.js';
import type { NodeRec, PepStore, StoredItem } from './store.js';
import type { Notifier } from './notify.js';
import { eventItem } from './notify.js';
import { checkPreconditions, configFromOptions, type NodeConfig } from './node-config.js';
import { NS_PUBSUB_ERRORS } from './namespaces.js';

/** Largest item payload kept, in bytes of serialised XML (PEP-15: bigger → payload-too-big). */
export const MAX_ITEM_BYTES = 128 * 1024;
/** Most nodes one account may have: a bound on what one account can make the server keep. */
export const MAX_NODES = 1000;
/** Most bytes of items one account keeps on disk (avatars, OMEMO bundles and bookmarks fit many times over). */
export const MAX_ACCOUNT_BYTES = 4 * 1024 * 1024;
/** Longest node name and item id, in characters. */
export const MAX_NAME_LENGTH = 1024;

export function pubsubError(condition: StanzaErrorCondition, app: string | null, text: string): StanzaError {
  return new StanzaError(condition, { text, appCondition: app ? el(app, { xmlns: NS_PUBSUB_ERRORS }) : undefined });
}

/** What a listener hears: the change and who made it (`source` names a converter, so it does not echo itself). */
export interface PublishedEvent { owner: Jid; rec: NodeRec; item: StoredItem; payload: Element; source: string | null }
export interface RetractedEvent { owner: Jid; rec: NodeRec; id: string; source: string | null }

export interface NewItem { id?: string; payload: Element }

export class PepService {
  readonly onPublished: ((e: PublishedEvent) => Promise<void>)[] = [];
  readonly onRetracted: ((e: RetractedEvent) => Promise<void>)[] = [];

  /**
   * `quota`: the account-wide storage quota (modules/storage-quota.ts: vCard, private XML, offline, privacy lists,
   * roster and these items together); rejects with resource-constraint when a publish would pass it.
   */
  constructor(readonly store: PepStore, readonly notifier: Notifier, private readonly quota: (user: string, adding: number) => Promise<void> = async () => undefined) {}

  async createNode(owner: Jid, node: string, config: NodeConfig): Promise<NodeRec> {
    if (node.length > MAX_NAME_LENGTH) throw pubsubError('not-acceptable', null, `node names are at most ${MAX_NAME_LENGTH} characters`);
    const nodes = await this.store.nodes(owner.local);
    if (nodes.has(node)) throw pubsubError('conflict', null, `the node ${node} exists already`);
    if (nodes.size >= MAX_NODES) throw pubsubError('not-allowed', 'max-nodes-exceeded', `an account may have at most ${MAX_NODES} nodes`);
    return this.store.createNode(owner.local, node, config);
  }

  /**
   * Publish items (§7.1): each must hold exactly one payload of at most MAX_ITEM_BYTES; a missing node is created
   * with the publish-options as its configuration (auto-create, §7.1.4), an existing one must match them
   * (preconditions, §7.1.5). Nothing is stored unless every item is acceptable. Returns the item ids.
   */
  async publish(owner: Jid, node: string, items: NewItem[], options: Map<string, string[]> | null, source: string | null = null): Promise<string[]> {
    if (items.length === 0) throw pubsubError('bad-request', 'item-required', 'publish at least one <item/>');
    if (node.length > MAX_NAME_LENGTH) throw pubsubError('not-acceptable', null, `node names are at most ${MAX_NAME_LENGTH} characters`);
    const prepared = items.map((it) => {
      if (it.id !== undefined && it.id.length > MAX_NAME_LENGTH) throw pubsubError('not-acceptable', null, `item ids are at most ${MAX_NAME_LENGTH} characters`);
      const xml = serializeFragment(it.payload);
      if (byteLength(xml) > MAX_ITEM_BYTES) throw pubsubError('not-acceptable', 'payload-too-big', `an item may hold at most ${MAX_ITEM_BYTES} bytes`);
      return { item: { id: it.id ?? randomUUID(), xml }, payload: it.payload };
    });
    const adding = prepared.reduce((n, p) => n + byteLength(p.item.xml), 0);
    return this.store.lock(owner.local, async () => {
      // The quota is checked on the cheap upper bound first and counted exactly only when that says no.
      if ((await this.store.bytesUsed(owner.local)) + adding > MAX_ACCOUNT_BYTES
        && (await this.store.bytesUsed(owner.local, true)) + adding > MAX_ACCOUNT_BYTES) {
        throw pubsubError('not-acceptable', 'payload-too-big', `an account keeps at most ${MAX_ACCOUNT_BYTES} bytes of PEP items`);
      }
      await this.quota(owner.local, adding);
      let rec = await this.store.node(owner.local, node);
      if (rec) {
        if (options) checkPreconditions(rec.config, options);
      } else {
        rec = await this.createNode(owner, node, configFromOptions(options));
      }
      for (const p of prepared) await this.store.publish(rec, p.item);
      // Stored: now tell the subscribers, then the converters.
      const r = rec;
      await this.notifier.broadcast(owner, r, el('items', { node }, prepared.map((p) => eventItem(r, p.item))));
      for (const p of prepared) for (const l of this.onPublished) await l({ owner, rec: r, item: p.item, payload: p.payload, source });
      return prepared.map((p) => p.item.id);
    });
  }

  /** Retract one item (§7.2); notifies when asked to or when the node is configured to. */
  async retract(owner: Jid, node: string, id: string, notify: boolean | null, source: string | null = null): Promise<void> {
    await this.store.lock(owner.local, async () => {
      const rec = await this.store.node(owner.local, node);
      if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
      if (!(await this.store.retract(rec, id))) throw pubsubError('item-not-found', null, `no item ${id} in ${node}`);
      if (notify ?? rec.config.notify_retract) await this.notifier.broadcast(owner, rec, el('items', { node }, el('retract', { id })));
      for (const l of this.onRetracted) await l({ owner, rec, id, source });
    });
  }

  /** Delete a node and its items (§8.4), telling subscribers when the node says so. */
  async deleteNode(owner: Jid, node: string): Promise<void> {
    await this.store.lock(owner.local, async () => {
      const rec = await this.store.node(owner.local, node);
      if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
      // Recipients are worked out while the node still exists (its access model decides them).
      const to = rec.config.notify_delete ? await this.notifier.recipients(owner, rec) : [];
      await this.store.deleteNode(rec);
      for (const j of to) await this.notifier.send(owner, j, el('delete', { node }));
    });
  }

  /** Remove every item of a node (§8.5). */
  async purge(owner: Jid, node: string): Promise<void> {
    await this.store.lock(owner.local, async () => {
      const rec = await this.store.node(owner.local, node);
      if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
      await this.store.purge(rec);
      if (rec.config.notify_retract) await this.notifier.broadcast(owner, rec, el('purge', { node }));
    });
  }

  async configure(owner: Jid, node: string, config: NodeConfig): Promise<void> {
    await this.store.lock(owner.local, async () => {
      const rec = await this.store.node(owner.local, node);
      if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
      await this.store.saveNode(rec, { config });
      await this.store.trim(rec);   // a lowered max_items applies at once (PEP-14)
    });
  }
}
