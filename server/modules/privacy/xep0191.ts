// XEP-0191 (`urn:xmpp:blocking`): blocklist retrieval, block, unblock and unblock-all for the account's own
// resources, all mapped onto the default privacy list (blocklist.ts), so the engine, the store and the pushes are
// the ones XEP-0016 uses (MOD-26, MOD-27, MOD-30, MOD-31).
import { el, childElements, type Element } from '../../core/xml.js';
import { StanzaError } from '../../core/errors.js';
import type { StanzaEvent } from '../../core/router.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { ModuleContext } from '../module.js';
import { replyResult } from '../iq-reply.js';
import { isOwnAccount } from '../own-account.js';
import { normaliseJidValue } from './list-xml.js';
import { blockedJids, withBlocked, withoutBlocked } from './blocklist.js';
import { MAX_ITEMS_PER_LIST } from './model.js';
import type { PrivacyEngine } from './engine.js';
import { NS_BLOCKING, type Effects } from './effects.js';

function ownSession(ev: StanzaEvent): LocalSession {
  if (!ev.origin || !isOwnAccount(ev)) throw new StanzaError('forbidden', { text: 'a blocklist belongs to its account alone' });
  return ev.origin;
}

/** The JIDs of a <block/> or <unblock/>, normalised; every child must be an <item jid/> that parses. */
function itemJids(e: Element): string[] {
  const children = childElements(e);
  if (children.length > MAX_ITEMS_PER_LIST) throw new StanzaError('policy-violation', { text: `a blocklist holds at most ${MAX_ITEMS_PER_LIST} entries` });
  const out: string[] = [];
  for (const c of children) {
    const jid = c.attrs.jid as string | undefined;
    if (c.name !== 'item' || jid === undefined) throw new StanzaError('bad-request', { text: `<${e.name}/> holds <item jid='…'/> elements` });
    const n = normaliseJidValue(jid);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

export class BlockingProtocol {
  constructor(private readonly ctx: ModuleContext, private readonly engine: PrivacyEngine, private readonly effects: Effects) {}

  hook(): void {
    const r = this.ctx.router;
    r.hookIq('get', ['self', 'bare'], NS_BLOCKING, 'blocklist', (ev) => this.blocklist(ev));
    r.hookIq('set', ['self', 'bare'], NS_BLOCKING, 'block', (ev) => this.block(ev));
    r.hookIq('set', ['self', 'bare'], NS_BLOCKING, 'unblock', (ev) => this.unblock(ev));
  }

  /** MOD-26: the blocked JIDs; the resource gets pushes from now on. */
  private blocklist(ev: StanzaEvent): true {
    const s = ownSession(ev);
    this.effects.blocklistInterest.add(s);
    const jids = blockedJids(this.engine.snapshot(s.jid.local));
    return replyResult(ev, el('blocklist', { xmlns: NS_BLOCKING }, jids.map((jid) => el('item', { jid }))));
  }

  /** MOD-27: at least one item (else bad-request); stored in the default list before the answer and the pushes. */
  private async block(ev: StanzaEvent): Promise<true> {
    const s = ownSession(ev);
    const jids = itemJids(ev.payload!);
    if (jids.length === 0) throw new StanzaError('bad-request', { text: 'say whom to block: <item jid=\'…\'/>' });
    await this.engine.change(s.jid.local, s, (cur) => {
      const next = withBlocked(cur, jids);
      return { lists: next, pushNames: [next.defaultName!] };
    });
    return replyResult(ev);
  }

  /** MOD-30: the items named, or all of them when none is. */
  private async unblock(ev: StanzaEvent): Promise<true> {
    const s = ownSession(ev);
    const jids = itemJids(ev.payload!);
    await this.engine.change(s.jid.local, s, (cur) => {
      const next = withoutBlocked(cur, jids.length === 0 ? null : jids);
      if (next === cur) return { pushNames: [] };
      return { lists: next, pushNames: [cur.defaultName!], unblockAll: jids.length === 0 };
    });
    return replyResult(ev);
  }
}
