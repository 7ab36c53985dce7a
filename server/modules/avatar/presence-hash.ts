// XEP-0153 §3.2 via XEP-0398 §4 (VCARD-08): the server puts `<x xmlns='vcard-temp:x:update'><photo>hash</photo></x>`
// into every available presence a user's client sends — broadcasts and directed presence (MUC joins) alike — so
// XEP-0153 clients see the avatar without fetching vCards. A client's explicitly empty `<photo/>` is left as it is
// (§4: MUST NOT be touched); an `<x/>` without photo, or with another hash, is replaced (MUST / MAY).
//
// Where: on the outbound `pre-presence/*` events, above the presence module (priority 0). The stanza is rewritten
// once, before the presence module stores it as the resource's last presence and copies it to each contact, so
// every copy (broadcast, probe answers, directed presence) carries the same hash and the per-recipient path does
// no extra work. An inbound rewrite per recipient would repeat the work and miss the stored presence.
import { el } from '../../core/xml.js';
import type { StanzaEvent } from '../../core/router.js';
import type { ModuleContext } from '../module.js';
import { availableSessions, withAttrs } from '../presence-helpers.js';
import { peekResourceState } from '../resource-state.js';
import type { Jid } from '../../core/jid.js';
import type { AvatarHashes } from './hashes.js';
import { NS_VCARD_UPDATE } from './namespaces.js';

export const HASH_PRIORITY = 50;

export function hookPresenceHash(ctx: ModuleContext, hashes: AvatarHashes): void {
  const rewrite = (ev: StanzaEvent): false | Promise<false> => {
    if (!ev.origin || ev.type !== 'available' || ev.from.domain !== ctx.config.domain) return false;
    const stanza = ev.stanza;
    const own = stanza.getChild('x', NS_VCARD_UPDATE)?.getChild('photo');
    if (own && own.getText().trim() === '') return false;
    const put = (hash: string): false => {
      // Children are reassigned, never changed in place: copies of a presence share their children array.
      stanza.children = stanza.children.filter((c) => typeof c === 'string' || !(c.name === 'x' && c.getNS() === NS_VCARD_UPDATE));
      stanza.children.push(el('x', { xmlns: NS_VCARD_UPDATE }, el('photo', null, hash || null)));
      return false;
    };
    const known = hashes.peek(ev.from.local);
    return known !== undefined ? put(known) : hashes.get(ev.from.local).then(put);
  };
  for (const a of ['self', 'bare', 'full', 'host'] as const) ctx.router.hook(`pre-presence/${a}`, rewrite, HASH_PRIORITY);
}

/**
 * The avatar changed: each available resource's presence goes out again (as the resource's own, so the hash is
 * put in as above and contacts see the change), the way a client would resend it. The `<x/>` this server put in
 * before (its photo is the previous hash) is taken out first, so it is not mistaken for the client's own.
 */
export async function rebroadcast(ctx: ModuleContext, user: Jid, previous: string): Promise<void> {
  for (const s of availableSessions(ctx, user)) {
    const p = peekResourceState(s)?.presence;
    if (!p) continue;
    const copy = withAttrs(p, { from: undefined, to: undefined });
    copy.children = p.children.filter((c) => typeof c === 'string' || !(c.name === 'x' && c.getNS() === NS_VCARD_UPDATE
      && (c.getChildText('photo') ?? '').trim() === previous));
    await ctx.router.submit(copy, s);
  }
}
