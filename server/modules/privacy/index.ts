// XEP-0016 Privacy Lists and XEP-0191 Blocking Command on one engine and one store. Files: model.ts (the typed
// list), store.ts (persistence), list-xml.ts (XEP-0016 syntax), matcher.ts (a list compiled to lookup tables),
// blocklist.ts (XEP-0191 as the default list's jid/deny items), engine.ts (lists in memory, active and default,
// changes), enforcement.ts (the router hooks), effects.ts (pushes and presence after a change), xep0016.ts and
// xep0191.ts (the two protocols).
import type { ServerModule } from '../module.js';
import { rosterStore } from '../../storage/roster.js';
import { privacyStore, listsSize } from './store.js';
import { ensureQuota } from '../storage-quota.js';
import { PrivacyEngine } from './engine.js';
import { Enforcement } from './enforcement.js';
import { Effects, NS_BLOCKING } from './effects.js';
import { PrivacyProtocol } from './xep0016.js';
import { BlockingProtocol } from './xep0191.js';
import { NS_PRIVACY } from './list-xml.js';
import { makeJid } from '../../core/jid.js';
import { onRosterChange } from '../roster-events.js';

/** After store purges (0): the account's lists leave memory once they left the disk. */
const FORGET_PRIORITY = -10;

export const privacyModule: ServerModule = {
  name: 'privacy',
  spec: 'XEP-0016: Privacy Lists; XEP-0191: Blocking Command (one store, one enforcement engine)',
  stores: [privacyStore, rosterStore],
  async load(ctx) {
    const store = await ctx.storage.open(privacyStore);
    const roster = await ctx.storage.open(rosterStore);
    const engine = new PrivacyEngine(store, roster, (user) => ctx.sessions.ofAccount(makeJid(user, ctx.config.domain)));
    await engine.load();
    engine.beforeStore = (next, current) => ensureQuota(ctx, next.user, listsSize(next), listsSize(current));
    const effects = new Effects(ctx, engine);
    // The change is stored and in force once effects run: a failing push or presence is logged, and the request
    // is still answered with its result (answering an error would tell the client nothing changed).
    engine.onChange = (r) => effects.afterChange(r).catch((err: unknown) => {
      ctx.log.error('privacy', `after a change of ${r.user}'s lists: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    });
    new Enforcement(ctx, engine).hook();
    new PrivacyProtocol(ctx, engine).hook();
    new BlockingProtocol(ctx, engine, effects).hook();
    ctx.router.events.on('session-ended', (s) => engine.sessionEnded(s));
    onRosterChange(ctx.router, (c) => void effects.rosterChanged(c).catch((err: unknown) => {
      ctx.log.error('privacy', `after a roster change of ${c.user.toString()}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    }));
    ctx.accounts.onAccountRemoved('privacy-lists', async (user) => engine.forget(user), FORGET_PRIORITY);
    ctx.disco.addFeature('host', NS_PRIVACY);
    ctx.disco.addFeature('host', NS_BLOCKING);
  },
};
