// RFC 6121 §2: roster get, set and remove for the account's own resources, roster pushes to interested
// resources, and roster versioning (§2.6; a server MUST per the RFC's conformance table), advertised with the
// `urn:xmpp:features:rosterver` stream feature. Subscription state is never set here (§2.1.2.5, IM-04): it changes
// only through presence (subscription.ts).
import { el, childElements, type Element } from '../core/xml.js';
import { type Jid, tryParseJid, makeJid } from '../core/jid.js';
import { StanzaError } from '../core/errors.js';
import type { StanzaEvent } from '../core/router.js';
import { resourceState } from './resource-state.js';
import { rosterChanged } from './roster-events.js';
import type { ModuleContext, ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';
import { isOwnAccount } from './own-account.js';
import { emptyItem, itemSize, rosterStore, type RosterItem } from '../storage/roster.js';
import { ensureQuota } from './storage-quota.js';
import { processOutbound } from './subscription.js';
import {
  NS_ROSTER, NS_ROSTERVER_FEATURE, itemElement, pushRoster, versioningSessions, routePresence, availableSessions,
  forgetDirectedContact,
} from './presence-helpers.js';

/** Server-configured limits of §2.3.3 (characters). */
export const MAX_NAME_LENGTH = 1024;
export const MAX_GROUP_LENGTH = 1024;
export const MAX_GROUPS_PER_ITEM = 100;
/** Beyond this many changed items a versioned roster get is answered with the full roster instead of pushes. */
const MAX_INTERIM_PUSHES = 200;

/** The account's own resources only (IM-01); anyone else is refused the same way whether the account exists or not. */
function ownerOf(ev: StanzaEvent): Jid {
  if (!ev.origin || !isOwnAccount(ev)) {
    throw new StanzaError('forbidden', { text: 'a roster belongs to its account alone' });
  }
  return ev.from.bare;
}

function queryOf(ev: StanzaEvent): Element {
  return ev.stanza.getChild('query', NS_ROSTER)!;
}

/** §2.1.3, §2.6.3: the full roster, or (versioned, client up to date or nearly) an empty result plus pushes. */
async function rosterGet(ctx: ModuleContext, ev: StanzaEvent): Promise<true> {
  const user = ownerOf(ev);
  const s = ev.origin!;
  // Interested from now on (§2.2): a change written after this point is pushed, one before it is in the answer.
  resourceState(s).rosterRequested = true;
  const clientVer = queryOf(ev).attrs.ver as string | undefined;
  if (clientVer !== undefined) versioningSessions.add(s);
  const store = ctx.storage.get(rosterStore);
  const snapshot = await store.lock(user.local, async () => {
    const ver = await store.version(user.local);
    if (clientVer) {
      const changes = await store.changesSince(user.local, clientVer);
      if (changes && changes.length <= MAX_INTERIM_PUSHES) return { ver, changes, items: null };
    }
    return { ver, changes: null, items: await store.listed(user.local) };
  });
  if (snapshot.changes) {
    // "An empty IQ result", then one interim push per changed item, oldest first (§2.6.3).
    replyResult(ev);
    for (const c of snapshot.changes) pushRoster(ctx, user, 'removed' in c ? { removed: c.removed } : c.item, c.ver, s);
    return true;
  }
  return replyResult(ev, el('query', { xmlns: NS_ROSTER, ver: clientVer !== undefined ? snapshot.ver : undefined },
    snapshot.items!.map(itemElement)));
}

interface ParsedSet { contact: Jid; remove: boolean; name: string | undefined; groups: string[] }

/** §2.3.3 error cases (IM-05, BAD-41), §2.1.2 attribute rules (IM-04). */
function parseSet(user: Jid, query: Element): ParsedSet {
  const items = childElements(query).filter((c) => c.name === 'item');
  if (items.length !== 1 || childElements(query).length !== 1) {
    throw new StanzaError('bad-request', { text: 'a roster set carries exactly one <item/>' });
  }
  const item = items[0];
  const jidAttr = item.attrs.jid as string | undefined;
  if (jidAttr === undefined) throw new StanzaError('bad-request', { text: 'the <item/> needs a jid' });
  const contact = tryParseJid(jidAttr);
  if (!contact) throw new StanzaError('jid-malformed', { text: `"${jidAttr.slice(0, 100)}" is not a valid address` });
  if (contact.resource !== '') throw new StanzaError('bad-request', { text: 'roster items are bare JIDs' });
  if (contact.equals(user)) throw new StanzaError('not-allowed', { text: 'your own address cannot be in your roster' });
  // Only 'remove' means something in a set; other subscription values, ask and approved are ignored (§2.1.2).
  const remove = item.attrs.subscription === 'remove';
  const rawName = item.attrs.name as string | undefined;
  if (rawName !== undefined && [...rawName].length > MAX_NAME_LENGTH) {
    throw new StanzaError('not-acceptable', { text: `a name is at most ${MAX_NAME_LENGTH} characters` });
  }
  const groups: string[] = [];
  for (const g of childElements(item)) {
    if (g.name !== 'group') continue;
    const text = g.getText();
    if (text === '') throw new StanzaError('not-acceptable', { text: 'a <group/> cannot be empty' });
    if ([...text].length > MAX_GROUP_LENGTH) throw new StanzaError('not-acceptable', { text: `a group name is at most ${MAX_GROUP_LENGTH} characters` });
    if (groups.includes(text)) throw new StanzaError('bad-request', { text: `the group "${text.slice(0, 100)}" is listed twice` });
    groups.push(text);
  }
  if (groups.length > MAX_GROUPS_PER_ITEM) throw new StanzaError('not-acceptable', { text: `an item is in at most ${MAX_GROUPS_PER_ITEM} groups` });
  return { contact: contact.bare, remove, name: rawName === '' ? undefined : rawName, groups };
}

/** §2.3–2.4: add or update one item (groups replaced wholesale), push it everywhere, then answer. */
async function rosterSet(ctx: ModuleContext, ev: StanzaEvent): Promise<true> {
  const user = ownerOf(ev);
  const p = parseSet(user, queryOf(ev));
  if (p.remove) return rosterRemove(ctx, ev, user, p.contact);
  const store = ctx.storage.get(rosterStore);
  const contact = p.contact.toString();
  const written = await store.lock(user.local, async () => {
    const before = await store.get(user.local, contact);
    // A new contact past the roster size limit: not-allowed (RFC 6121 §2.3.3 answers a roster set the server will
    // not carry out with a stanza error; this one is the server's policy, not a fault of the item — not-acceptable is
    // for a bad item, resource-constraint for a lack of resources that waiting could cure).
    const max = ctx.config.limits.maxRosterItems;
    if (before === null && (await store.count(user.local)) >= max) {
      throw new StanzaError('not-allowed', { text: `your roster is full (${max} contacts); remove someone first` });
    }
    const after: RosterItem = { ...(before ?? emptyItem(contact)), groups: p.groups, listed: true };
    if (p.name === undefined) delete after.name;
    else after.name = p.name;
    await ensureQuota(ctx, user.local, itemSize(after), before ? itemSize(before) : 0);
    const ver = await store.put(user.local, after, true);
    return { before, item: after, ver };
  });
  pushRoster(ctx, user, written.item, written.ver);
  rosterChanged(ctx.router, { user, contact, before: written.before, after: written.item });
  return replyResult(ev);
}

/**
 * §2.5: delete the item, push the removal, answer; then end the subscriptions both ways: `unsubscribe` if the user
 * was subscribed or asking, `unavailable` from each resource and `unsubscribed` if the contact was subscribed or
 * asking (IM-06).
 */
async function rosterRemove(ctx: ModuleContext, ev: StanzaEvent, user: Jid, contact: Jid): Promise<true> {
  const store = ctx.storage.get(rosterStore);
  const removed = await store.lock(user.local, async () => {
    const before = await store.get(user.local, contact.toString());
    if (!before || !before.listed) return null;
    const ver = await store.remove(user.local, contact.toString());
    return { before, ver };
  });
  if (!removed) throw new StanzaError('item-not-found', { text: 'that contact is not in your roster' });
  pushRoster(ctx, user, { removed: contact.toString() }, removed.ver);
  rosterChanged(ctx.router, { user, contact: contact.toString(), before: removed.before, after: null });
  replyResult(ev);
  const b = removed.before;
  if (b.subscription === 'to' || b.subscription === 'both' || b.ask) {
    await routePresence(ctx, el('presence', { from: user.toString(), to: contact.toString(), type: 'unsubscribe' }));
  }
  if (b.subscription === 'from' || b.subscription === 'both') {
    for (const s of availableSessions(ctx, user)) {
      await routePresence(ctx, el('presence', { from: s.jid.toString(), to: contact.toString(), type: 'unavailable' }));
    }
    forgetDirectedContact(ctx, user, contact.toString());
  }
  if (b.subscription === 'from' || b.subscription === 'both' || b.pendingIn) {
    await routePresence(ctx, el('presence', { from: user.toString(), to: contact.toString(), type: 'unsubscribed' }));
  }
  return true;
}

/** Before the stores drop the user's data in the account-removed event (they run at PURGE_PRIORITY, 0). */
export const CANCEL_SUBSCRIPTIONS_PRIORITY = 100;

/**
 * The account-removed handler (live): cancel every subscription and pending request a user who is going away has
 * (XEP-0077 §3.2: "cancel all existing presence subscriptions"), as if the user had sent unsubscribed/unsubscribe
 * to each contact (RFC 6121 §3.2, §3.3): contacts get unavailable presence from the user's available resources,
 * the subscription stanzas and roster pushes, and their rosters lose the subscription, so an account registered
 * later under the same name inherits nobody's presence. Remote contacts are told over federation.
 */
export async function cancelSubscriptions(ctx: ModuleContext, user: string): Promise<void> {
  const userBare = makeJid(user, ctx.config.domain);
  for (const item of await ctx.storage.get(rosterStore).all(user)) {
    const contact = tryParseJid(item.jid);
    if (!contact || contact.resource !== '' || contact.equals(userBare)) continue;
    if (item.subscription === 'from' || item.subscription === 'both' || item.pendingIn) {
      await processOutbound(ctx, userBare, contact, 'unsubscribed', el('presence', { type: 'unsubscribed' }));
    }
    if (item.subscription === 'to' || item.subscription === 'both' || item.ask) {
      await processOutbound(ctx, userBare, contact, 'unsubscribe', el('presence', { type: 'unsubscribe' }));
    }
  }
}

export const rosterModule: ServerModule = {
  name: 'roster',
  spec: 'RFC 6121 §2: roster management and roster versioning',
  stores: [rosterStore],
  async load(ctx) {
    await ctx.storage.open(rosterStore);
    ctx.accounts.onAccountRemoved('roster-subscriptions', (user) => cancelSubscriptions(ctx, user), CANCEL_SUBSCRIPTIONS_PRIORITY);
    ctx.featureProviders.push({ postAuthFeatures: () => [el('ver', { xmlns: NS_ROSTERVER_FEATURE })] });
    ctx.router.hookIq('get', ['self', 'bare'], NS_ROSTER, 'query', (ev) => rosterGet(ctx, ev));
    ctx.router.hookIq('set', ['self', 'bare'], NS_ROSTER, 'query', (ev) => rosterSet(ctx, ev));
  },
};
