// XEP-0012: Last Activity — the server's uptime; for an account, the seconds since its last session ended and
// the status of its last unavailable presence, told only to those the account shares its presence with (SVC-09).
import { el } from '../core/xml.js';
import { StanzaError } from '../core/errors.js';
import type { StanzaEvent } from '../core/router.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';
import { isOwnAccount } from './own-account.js';
import { lastActivityStore } from '../storage/last-activity.js';
import { rosterStore } from '../storage/roster.js';

export const NS_LAST = 'jabber:iq:last';

const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

export const lastActivityModule: ServerModule = {
  name: 'last-activity',
  spec: 'XEP-0012: Last Activity',
  stores: [lastActivityStore, rosterStore],
  async load(ctx) {
    const startedAt = Date.now();
    ctx.disco.addFeature('host', NS_LAST);
    const store = await ctx.storage.open(lastActivityStore);
    const roster = await ctx.storage.open(rosterStore);
    /** Status text of each session's latest unavailable presence, by session id, until that session ends. */
    const leaving = new Map<string, string>();

    // Remember the status of a broadcast unavailable presence; return false so the presence module handles the
    // stanza as usual. Runs before its handler (priority 0; the first handler that returns true ends a key) and
    // after its checks (priority 100), so only valid presence counts.
    ctx.router.hook('pre-presence/self', (ev) => {
      if (!ev.origin) return false;
      if (ev.type === 'unavailable') leaving.set(ev.origin.id, ev.stanza.getChildText('status') ?? '');
      else if (ev.type === 'available') leaving.delete(ev.origin.id);
      return false;
    }, 50);

    ctx.router.events.on('session-ended', (s) => {
      const status = leaving.get(s.id) ?? '';
      leaving.delete(s.id);
      const bare = s.jid.bare;
      if (bare.domain !== ctx.config.domain || ctx.sessions.countOf(bare) > 0) return;
      const user = bare.local;
      const at = Date.now();
      void (async () => {
        // A removed account's streams end after its data is gone: don't write a record for it again.
        if (!(await ctx.accounts.exists(user))) return;
        await store.set(user, { at, status });
      })().catch((err: unknown) => ctx.log.error('last-activity', `cannot store the last activity of ${user}: ${(err as Error).message}`));
    });

    // §4 server query: uptime in seconds, no text.
    ctx.router.hookIq('get', ['host'], NS_LAST, 'query', (ev) => {
      if (ev.to.domain !== ctx.config.domain) return false;
      return replyResult(ev, el('query', { xmlns: NS_LAST, seconds: seconds(Date.now() - startedAt) }));
    });

    // §2 offline user query: only for requesters the user shares presence with (subscription from/both), else
    // forbidden, which is also what any non-existent account answers (BAD-33).
    ctx.router.hookIq('get', ['self', 'bare'], NS_LAST, 'query', async (ev: StanzaEvent) => {
      if (ev.to.domain !== ctx.config.domain) return false;
      const user = ev.to.local;
      if (!isOwnAccount(ev)) {
        const item = await roster.get(user, ev.from.bare.toString());
        if (!item || (item.subscription !== 'from' && item.subscription !== 'both')) {
          throw new StanzaError('forbidden', { text: 'only contacts who see this user\'s presence may ask' });
        }
      }
      // Online (at least one session): 0 seconds and no text (§2).
      if (ctx.sessions.countOf(ev.to.bare) > 0) return replyResult(ev, el('query', { xmlns: NS_LAST, seconds: 0 }));
      const last = await store.get(user);
      // Never logged out since the record began: nothing to tell.
      if (!last) throw new StanzaError('service-unavailable');
      return replyResult(ev, el('query', { xmlns: NS_LAST, seconds: seconds(Date.now() - last.at) }, last.status || null));
    });
  },
};
