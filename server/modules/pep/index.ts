// XEP-0163: Personal Eventing Protocol — every account's bare JID is a virtual pubsub service (the XEP-0060 subset
// PEP needs) with its own store. Notifications are filtered by XEP-0115 caps (caps/), routed as the owner's own
// stanzas, and worked out from the roster at each event. Other modules (avatars, bookmarks) reach the service
// through pepService().
import type { Router, StanzaEvent } from '../../core/router.js';
import type { ModuleContext, ServerModule } from '../module.js';
import { ensureQuota } from '../storage-quota.js';
import { rosterStore } from '../../storage/roster.js';
import { isAccountJid } from '../presence-helpers.js';
import { isOwnAccount } from '../own-account.js';
import { capsOf, capsService } from '../caps/service.js';
import { pepStore } from './store.js';
import { Notifier } from './notify.js';
import { PepService, pubsubError } from './service.js';
import { RemoteContacts } from './remote-contacts.js';
import { LastItems } from './last-items.js';
import { pubsubGet, pubsubSet, type PepRequest } from './iq-pubsub.js';
import { ownerRequest } from './iq-owner.js';
import { hookDisco } from './disco.js';
import { seesOwner } from './access.js';
import { NS_PUBSUB, NS_PUBSUB_OWNER } from './namespaces.js';

const services = new WeakMap<Router, PepService>();

/** The PEP service of a server; the pep module must be loaded before the modules that use it. */
export function pepService(ctx: ModuleContext): PepService {
  const s = services.get(ctx.router);
  if (!s) throw new Error('the pep module is not loaded (list it before the modules that use PEP)');
  return s;
}

function request(ev: StanzaEvent): PepRequest {
  return { ev, owner: ev.to.bare, requester: ev.from, own: isOwnAccount(ev), pubsub: ev.payload! };
}

function logFailure(ctx: ModuleContext, what: string) {
  return (err: unknown) => ctx.log.error('pep', `${what}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
}

export const pepModule: ServerModule = {
  name: 'pep',
  spec: 'XEP-0163: Personal Eventing Protocol (XEP-0060 subset), with XEP-0115 filtering',
  stores: [pepStore, rosterStore],
  async load(ctx) {
    const store = await ctx.storage.open(pepStore);
    const roster = await ctx.storage.open(rosterStore);
    const caps = capsService(ctx.router, ctx.config.domain, ctx.log);
    const remote = new RemoteContacts();
    const last = new LastItems(ctx, store, roster, caps);
    const notifier = new Notifier(ctx, store, roster, caps, remote, last);
    last.useNotifier(notifier);
    const svc = new PepService(store, notifier, (user, adding) => ensureQuota(ctx, user, adding));
    services.set(ctx.router, svc);
    const mine = (ev: StanzaEvent) => ev.to.domain === ctx.config.domain && ev.to.local !== '';
    // Someone else's request about an account that does not exist gets what a missing node gets, and touches no
    // per-account cache (strangers cannot make the server remember names).
    const exists = async (ev: StanzaEvent): Promise<void> => {
      if (!isOwnAccount(ev) && !(await ctx.accounts.exists(ev.to.local))) throw pubsubError('item-not-found', null, 'no such node');
    };

    for (const a of ['self', 'bare'] as const) {
      ctx.router.hookIq('set', [a], NS_PUBSUB, 'pubsub', (ev) => mine(ev) && exists(ev).then(() => pubsubSet(svc, roster, request(ev))));
      ctx.router.hookIq('get', [a], NS_PUBSUB, 'pubsub', (ev) => mine(ev) && exists(ev).then(() => pubsubGet(svc, roster, request(ev), ctx.config.limits.maxStanzaBytes)));
      ctx.router.hookIq('set', [a], NS_PUBSUB_OWNER, 'pubsub', (ev) => mine(ev) && ownerRequest(svc, request(ev), 'set'));
      ctx.router.hookIq('get', [a], NS_PUBSUB_OWNER, 'pubsub', (ev) => mine(ev) && ownerRequest(svc, request(ev), 'get'));
    }
    hookDisco(ctx, store, roster);

    // Local resources: last items once their caps are known (PEP-10).
    caps.events.on('session-caps', (s, features) => {
      last.forSession(s, features).catch(logFailure(ctx, `last items for ${s.jid.toString()}`));
    });

    // Contacts on other servers: their resources and caps come with the presence they send the owner (below the
    // privacy filter, so a blocked contact's presence teaches nothing; above delivery, which ends the event).
    const remotePresence = (ev: StanzaEvent): false => {
      if (!isAccountJid(ctx, ev.to) || ev.from.domain === ctx.config.domain || ev.from.resource === '') return false;
      const owner = ev.to.bare;
      if (ev.type === 'unavailable') remote.remove(owner.local, ev.from);
      else if (ev.type === 'available') {
        const ref = capsOf(ev.stanza);
        if (ref) {
          const from = ev.from;
          // Only contacts the owner gives presence to are ever notified: nobody else is remembered.
          roster.get(owner.local, from.bareString()).then(async (item) => {
            if (!seesOwner(item)) return;
            const features = await caps.resolve(ref, from.toString());
            if (!features) return;
            const before = remote.set(owner.local, from, features);
            await last.fromOwner(owner, from.toString(), features, null, item, before);
          }).catch(logFailure(ctx, `caps of ${ev.from.toString()}`));
        }
      }
      return false;
    };
    // A local owner's available presence reaching a local contact (a broadcast, or the presence sent once a
    // subscription is approved): last items the contact's resources have not had (PEP-10 "on subscription").
    const localPresence = (ev: StanzaEvent): false => {
      if (ev.type !== 'available' || !isAccountJid(ctx, ev.to) || !isAccountJid(ctx, ev.from) || ev.from.resource === '' || ev.from.local === ev.to.local) return false;
      last.onOwnerPresence(ev.from.bare, ev.to.bare).catch(logFailure(ctx, `last items of ${ev.from.bareString()} for ${ev.to.bareString()}`));
      return false;
    };
    for (const key of ['presence/bare', 'presence/full']) {
      ctx.router.hook(key, remotePresence, 1);
      ctx.router.hook(key, localPresence, 1);
    }

    // Errors bouncing from a notification come back to the owner's bare JID: the service takes them (PEP-08) and
    // stops sending to a remote resource that refused.
    ctx.router.hook('message/bare', (ev) => {
      if (ev.type !== 'error' || !isAccountJid(ctx, ev.to) || !String(ev.stanza.attrs.id ?? '').startsWith('pep-')) return false;
      if (ev.from.domain !== ctx.config.domain) remote.remove(ev.to.local, ev.from);
      return true;
    }, 600);
  },
};
