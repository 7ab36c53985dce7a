// The `http://jabber.org/protocol/pubsub#owner` requests (XEP-0060 §8), for the account's owner only: node
// configuration get/set (PEP-17), default configuration, delete, purge, subscriptions and affiliations of a node.
import { el, childElements } from '../../core/xml.js';
import { tryParseJid } from '../../core/jid.js';
import { replyResult } from '../iq-reply.js';
import type { PepService } from './service.js';
import { pubsubError } from './service.js';
import type { PepRequest } from './iq-pubsub.js';
import { applyConfigForm, configForm, defaultConfig, findForm } from './node-config.js';
import { FORM_NODE_CONFIG, NS_DATA, NS_PUBSUB_OWNER } from './namespaces.js';

function nodeOf(e: { attrs: Record<string, unknown> }): string {
  const node = e.attrs.node as string | undefined;
  if (!node) throw pubsubError('bad-request', 'nodeid-required', 'name the node');
  return node;
}

export async function ownerRequest(svc: PepService, r: PepRequest, type: 'get' | 'set'): Promise<true> {
  if (!r.own) throw pubsubError('forbidden', null, "only the account's owner may manage its nodes");
  const [first] = childElements(r.pubsub);
  if (!first) throw pubsubError('bad-request', null, 'an empty <pubsub/>');
  const reply = (...c: ReturnType<typeof el>[]) => replyResult(r.ev, c.length ? el('pubsub', { xmlns: NS_PUBSUB_OWNER }, c) : undefined);
  const existing = async (node: string) => {
    const rec = await svc.store.node(r.owner.local, node);
    if (!rec) throw pubsubError('item-not-found', null, `no node ${node}`);
    return rec;
  };
  switch (`${type} ${first.name}`) {
    case 'get configure': {
      const node = nodeOf(first);
      return reply(el('configure', { node }, configForm((await existing(node)).config)));
    }
    case 'set configure': {
      const node = nodeOf(first);
      const rec = await existing(node);
      const x = first.getChild('x', NS_DATA);
      if (x?.attrs.type === 'cancel') return reply();
      const fields = findForm(first, FORM_NODE_CONFIG);
      if (!fields) throw pubsubError('bad-request', null, 'a configuration form is required');
      await svc.configure(r.owner, node, applyConfigForm(rec.config, fields));
      return reply();
    }
    case 'get default':
      return reply(el('default', null, configForm(defaultConfig())));
    case 'set delete':
      await svc.deleteNode(r.owner, nodeOf(first));
      return reply();
    case 'set purge':
      await svc.purge(r.owner, nodeOf(first));
      return reply();
    case 'get subscriptions': {
      const rec = await existing(nodeOf(first));
      return reply(el('subscriptions', { node: rec.node }, rec.subscribers.map((jid) => el('subscription', { jid, subscription: 'subscribed' }))));
    }
    case 'set subscriptions': {
      const rec = await existing(nodeOf(first));
      const subs = new Set(rec.subscribers);
      for (const s of first.getChildren('subscription')) {
        const j = tryParseJid(s.attrs.jid as string | undefined);
        if (!j) throw pubsubError('bad-request', 'invalid-jid', 'a subscription needs a valid jid');
        if (s.attrs.subscription === 'none') subs.delete(j.toString());
        else if (s.attrs.subscription === 'subscribed') subs.add(j.toString());
        else throw pubsubError('not-acceptable', null, 'subscription is "subscribed" or "none"');
      }
      await svc.store.saveNode(rec, { subscribers: [...subs] });
      return reply();
    }
    case 'get affiliations': {
      const rec = await existing(nodeOf(first));
      return reply(el('affiliations', { node: rec.node },
        el('affiliation', { jid: r.owner.toString(), affiliation: 'owner' }),
        rec.members.map((jid) => el('affiliation', { jid, affiliation: 'member' }))));
    }
    case 'set affiliations': {
      // Members may read a whitelist node besides the owner; nobody else publishes on a PEP node.
      const rec = await existing(nodeOf(first));
      const members = new Set(rec.members);
      for (const a of first.getChildren('affiliation')) {
        const j = tryParseJid(a.attrs.jid as string | undefined)?.bare;
        if (!j || j.equals(r.owner)) throw pubsubError('bad-request', 'invalid-jid', 'an affiliation needs a valid jid other than the owner');
        if (a.attrs.affiliation === 'member') members.add(j.toString());
        else if (a.attrs.affiliation === 'none') members.delete(j.toString());
        else throw pubsubError('not-acceptable', null, 'a PEP node has members only ("member" or "none")');
      }
      await svc.store.saveNode(rec, { members: [...members] });
      return reply();
    }
    default:
      throw pubsubError('feature-not-implemented', 'unsupported', `<${first.name}/> is not supported here`);
  }
}
