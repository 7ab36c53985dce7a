// The `http://jabber.org/protocol/pubsub` requests on an account's bare JID (XEP-0060 §6, §7 as PEP uses them):
// publish, retract, create (owner only), items, subscribe, unsubscribe, subscriptions, affiliations (PEP-02).
import { el, childElements, type Element } from '../../core/xml.js';
import { tryParseJid, type Jid } from '../../core/jid.js';
import type { StanzaEvent } from '../../core/router.js';
import { replyResult } from '../iq-reply.js';
import type { RosterStore } from '../../storage/roster.js';
import { parseFragment } from '../stored-xml.js';
import type { PepService } from './service.js';
import { pubsubError } from './service.js';
import { accessError } from './access.js';
import { applyConfigForm, defaultConfig, findForm } from './node-config.js';
import { FORM_NODE_CONFIG, FORM_PUBLISH_OPTIONS, NS_PUBSUB } from './namespaces.js';
import type { NodeRec } from './store.js';

export interface PepRequest { ev: StanzaEvent; owner: Jid; requester: Jid; own: boolean; pubsub: Element }

function nodeAttr(e: Element): string {
  const node = e.attrs.node as string | undefined;
  if (!node) throw pubsubError('bad-request', 'nodeid-required', 'name the node');
  return node;
}

/** The node, readable by the requester, or the error a reader gets (item-not-found first: PEP-15). */
export async function readableNode(svc: PepService, roster: RosterStore, r: PepRequest, node: string): Promise<NodeRec> {
  const rec = await svc.store.node(r.owner.local, node);
  if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
  if (!r.own) {
    const requester = r.requester.bareString();
    const err = accessError(rec, requester, await roster.get(r.owner.local, requester));
    if (err) throw err;
  }
  return rec;
}

function ownerOnly(r: PepRequest, what: string): void {
  if (!r.own) throw pubsubError('forbidden', null, `only the account's owner may ${what}`);
}

export async function pubsubSet(svc: PepService, roster: RosterStore, r: PepRequest): Promise<true> {
  const [first] = childElements(r.pubsub).filter((c) => c.name !== 'publish-options' && c.name !== 'configure' && c.name !== 'options');
  if (!first) throw pubsubError('bad-request', null, 'an empty <pubsub/>');
  switch (first.name) {
    case 'publish': {
      ownerOnly(r, 'publish here');
      const node = nodeAttr(first);
      const items = first.getChildren('item').map((it) => {
        const payload = childElements(it);
        // Exactly one payload per item (§7.1.3.6 / PEP-15).
        if (payload.length !== 1) throw pubsubError('bad-request', 'invalid-payload', 'an item holds exactly one payload element');
        return { id: (it.attrs.id as string | undefined) || undefined, payload: payload[0] };
      });
      const options = findForm(r.pubsub.getChild('publish-options'), FORM_PUBLISH_OPTIONS);
      const ids = await svc.publish(r.owner, node, items, options);
      return replyResult(r.ev, el('pubsub', { xmlns: NS_PUBSUB }, el('publish', { node }, ids.map((id) => el('item', { id })))));
    }
    case 'retract': {
      ownerOnly(r, 'retract items');
      const node = nodeAttr(first);
      const item = first.getChild('item');
      const id = item?.attrs.id as string | undefined;
      if (!id) throw pubsubError('bad-request', 'item-required', 'name the item to retract');
      const n = first.attrs.notify as string | undefined;
      await svc.retract(r.owner, node, id, n === undefined ? null : n === 'true' || n === '1');
      return replyResult(r.ev);
    }
    case 'create': {
      ownerOnly(r, 'create nodes');
      const node = first.attrs.node as string | undefined;
      if (!node) throw pubsubError('not-acceptable', 'nodeid-required', 'PEP nodes have names; instant nodes are not supported');
      const form = findForm(r.pubsub.getChild('configure'), FORM_NODE_CONFIG);
      await svc.createNode(r.owner, node, form ? applyConfigForm(defaultConfig(), form) : defaultConfig());
      return replyResult(r.ev);
    }
    case 'subscribe': {
      const node = nodeAttr(first);
      const jid = tryParseJid(first.attrs.jid as string | undefined);
      if (!jid || !jid.bare.equals(r.requester.bare)) throw pubsubError('bad-request', 'invalid-jid', 'subscribe your own JID');
      const rec = await readableNode(svc, roster, r, node);
      const j = jid.toString();
      if (!rec.subscribers.includes(j)) await svc.store.saveNode(rec, { subscribers: [...rec.subscribers, j] });
      replyResult(r.ev, el('pubsub', { xmlns: NS_PUBSUB }, el('subscription', { node, jid: j, subscription: 'subscribed' })));
      // The last item follows the subscription's confirmation (§6.1.7, PEP-10).
      if (rec.config.send_last_published_item !== 'never') await svc.notifier.sendLast(r.owner, rec, j);
      return true;
    }
    case 'unsubscribe': {
      const node = nodeAttr(first);
      const rec = await svc.store.node(r.owner.local, node);
      if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
      const jid = tryParseJid(first.attrs.jid as string | undefined);
      if (!jid || !jid.bare.equals(r.requester.bare)) throw pubsubError('bad-request', 'invalid-jid', 'unsubscribe your own JID');
      if (!rec.subscribers.includes(jid.toString())) throw pubsubError('unexpected-request', 'not-subscribed', 'not subscribed');
      await svc.store.saveNode(rec, { subscribers: rec.subscribers.filter((s) => s !== jid.toString()) });
      return replyResult(r.ev);
    }
    default:
      throw pubsubError('feature-not-implemented', 'unsupported', `<${first.name}/> is not supported here`);
  }
}

const NS_RSM = 'http://jabber.org/protocol/rsm';
/** Room for the iq, <pubsub/>, <items/> and <set/> around the items. */
const RESULT_OVERHEAD = 2048;

/** The newest items (the list is oldest first) whose XML fits in `budget` bytes, oldest first. */
function newestWithin<T extends { id: string; xml: string }>(items: T[], budget: number): T[] {
  let used = 0;
  let i = items.length;
  while (i > 0) {
    const size = Buffer.byteLength(items[i - 1].xml) + Buffer.byteLength(items[i - 1].id) + 32;
    if (used + size > budget) break;
    used += size;
    i--;
  }
  return items.slice(i);
}

/** `maxResultBytes`: the largest answer this server sends (its stanza size limit). */
export async function pubsubGet(svc: PepService, roster: RosterStore, r: PepRequest, maxResultBytes: number): Promise<true> {
  const [first] = childElements(r.pubsub);
  if (!first) throw pubsubError('bad-request', null, 'an empty <pubsub/>');
  switch (first.name) {
    case 'items': {
      const node = nodeAttr(first);
      const rec = await readableNode(svc, roster, r, node);
      let items = await svc.store.items(rec);
      const wanted = first.getChildren('item').map((i) => i.attrs.id as string | undefined).filter((x): x is string => !!x);
      if (wanted.length > 0) items = items.filter((i) => wanted.includes(i.id));
      const max = Number(first.attrs.max_items);
      if (first.attrs.max_items !== undefined && Number.isInteger(max) && max >= 0) items = items.slice(Math.max(0, items.length - max));
      // The server sends no stanza larger than it would take (limits.maxStanzaBytes), which also keeps every answer
      // within a connection's output bound: past it, the newest items that fit are returned with an RSM <set/>
      // counting them all (XEP-0060 §6.5.4 "Returning Some Items"); the rest can be asked for by id.
      const total = items.length;
      items = newestWithin(items, maxResultBytes - RESULT_OVERHEAD);
      const set = items.length < total
        ? el('set', { xmlns: NS_RSM }, el('first', { index: String(total - items.length) }, items[0]?.id ?? ''), el('last', null, items[items.length - 1]?.id ?? ''), el('count', null, String(total)))
        : null;
      return replyResult(r.ev, el('pubsub', { xmlns: NS_PUBSUB }, el('items', { node }, items.map((i) => el('item', { id: i.id }, parseFragment(i.xml)))), set));
    }
    case 'subscriptions': {
      const nodes = await svc.store.nodes(r.owner.local);
      const mine = r.requester.bareString();
      const subs: Element[] = [];
      for (const rec of nodes.values()) {
        for (const s of rec.subscribers) if (tryParseJid(s)?.bareString() === mine) subs.push(el('subscription', { node: rec.node, jid: s, subscription: 'subscribed' }));
      }
      return replyResult(r.ev, el('pubsub', { xmlns: NS_PUBSUB }, el('subscriptions', null, subs)));
    }
    case 'affiliations': {
      const nodes = await svc.store.nodes(r.owner.local);
      const me = r.requester.bareString();
      const affs: Element[] = [];
      for (const rec of nodes.values()) {
        if (r.own) affs.push(el('affiliation', { node: rec.node, affiliation: 'owner' }));
        else if (rec.members.includes(me)) affs.push(el('affiliation', { node: rec.node, affiliation: 'member' }));
      }
      return replyResult(r.ev, el('pubsub', { xmlns: NS_PUBSUB }, el('affiliations', null, affs)));
    }
    default:
      throw pubsubError('feature-not-implemented', 'unsupported', `<${first.name}/> is not supported here`);
  }
}
