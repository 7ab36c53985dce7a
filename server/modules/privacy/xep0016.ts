// XEP-0016 §2.3–2.8 (`jabber:iq:privacy`): list names with the active and default markers, one list, create and
// replace, remove, the session's active list and the account's default list, with the spec's errors (PRIV-02–11).
// Edits to a list in use by other resources take effect for them at once (§2.2, PRIV-25); removing a list another
// resource uses, or changing the default while another resource relies on it, is a <conflict/> (§2.5, §2.8).
import { el, childElements, type Element } from '../../core/xml.js';
import { StanzaError } from '../../core/errors.js';
import type { StanzaEvent } from '../../core/router.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { ModuleContext } from '../module.js';
import { replyResult } from '../iq-reply.js';
import { isOwnAccount } from '../own-account.js';
import { rosterStore } from '../../storage/roster.js';
import { NS_PRIVACY, listElement, listName, parseList } from './list-xml.js';
import { MAX_LISTS_PER_ACCOUNT, type PrivacyList } from './model.js';
import type { PrivacyEngine } from './engine.js';
import type { AccountLists } from './store.js';

/** Privacy lists belong to the account's own resources. */
function ownSession(ev: StanzaEvent): LocalSession {
  if (!ev.origin || !isOwnAccount(ev)) throw new StanzaError('forbidden', { text: 'privacy lists belong to their account alone' });
  return ev.origin;
}

function queryChildren(ev: StanzaEvent): Element[] {
  return childElements(ev.payload!);
}

export class PrivacyProtocol {
  constructor(private readonly ctx: ModuleContext, private readonly engine: PrivacyEngine) {}

  hook(): void {
    this.ctx.router.hookIq('get', ['self', 'bare'], NS_PRIVACY, 'query', (ev) => this.get(ev));
    this.ctx.router.hookIq('set', ['self', 'bare'], NS_PRIVACY, 'query', (ev) => this.set(ev));
  }

  /** Other resources of the account (connected), which the conflict rules protect. */
  private others(s: LocalSession): LocalSession[] {
    return this.ctx.sessions.ofAccount(s.jid.bare).filter((x) => x !== s);
  }

  // ---- get (§2.3) -------------------------------------------------------------------------------------------------

  private get(ev: StanzaEvent): true {
    const s = ownSession(ev);
    const user = s.jid.local;
    const children = queryChildren(ev);
    const current = this.engine.snapshot(user);
    if (children.length === 0) {
      // PRIV-02: names, with this session's active list and the account's default.
      const active = this.engine.activeOf(s)?.list.name;
      return replyResult(ev, el('query', { xmlns: NS_PRIVACY },
        active !== undefined ? el('active', { name: active }) : null,
        current.defaultName !== null ? el('default', { name: current.defaultName }) : null,
        current.lists.map((l) => el('list', { name: l.name }))));
    }
    if (children.length > 1) throw new StanzaError('bad-request', { text: 'ask for one list at a time' });   // PRIV-03
    const only = children[0];
    if (only.name !== 'list') throw new StanzaError('bad-request', { text: `<${only.name}/> is not something to get; ask for a <list name='…'/>` });
    const name = listName(only);
    const list = current.lists.find((l) => l.name === name);
    if (!list) throw new StanzaError('item-not-found', { text: `no list named "${name}"` });
    return replyResult(ev, el('query', { xmlns: NS_PRIVACY }, listElement(list)));
  }

  // ---- set (§2.4–2.8) ---------------------------------------------------------------------------------------------

  private async set(ev: StanzaEvent): Promise<true> {
    const s = ownSession(ev);
    const children = queryChildren(ev);
    // PRIV-04: exactly one of <active/>, <default/>, <list/>.
    if (children.length !== 1) throw new StanzaError('bad-request', { text: 'a privacy set carries exactly one <active/>, <default/> or <list/>' });
    const c = children[0];
    switch (c.name) {
      case 'active':
        await this.setActive(s, c);
        break;
      case 'default':
        await this.setDefault(s, c);
        break;
      case 'list':
        if (childElements(c).length === 0) await this.removeList(s, c);
        else await this.putList(s, c);
        break;
      default:
        throw new StanzaError('bad-request', { text: `<${c.name}/> is not a privacy action; use <active/>, <default/> or <list/>` });
    }
    return replyResult(ev);
  }

  /** PRIV-09: this session only, applied before the answer; no name declines. */
  private setActive(s: LocalSession, c: Element): Promise<void> {
    const name = c.attrs.name === undefined ? null : listName(c);
    return this.engine.change(s.jid.local, s, (cur) => {
      if (name !== null && !cur.lists.some((l) => l.name === name)) throw new StanzaError('item-not-found', { text: `no list named "${name}"` });
      return { active: name, pushNames: [] };
    });
  }

  /** PRIV-10/11: the account's default; conflict while another resource relies on the current one. */
  private setDefault(s: LocalSession, c: Element): Promise<void> {
    const name = c.attrs.name === undefined ? null : listName(c);
    return this.engine.change(s.jid.local, s, (cur) => {
      if (name !== null && !cur.lists.some((l) => l.name === name)) throw new StanzaError('item-not-found', { text: `no list named "${name}"` });
      if (name === cur.defaultName) return { pushNames: [] };
      if (cur.defaultName !== null && this.others(s).some((x) => this.engine.activeOf(x) === undefined)) {
        throw new StanzaError('conflict', { text: `the default list "${cur.defaultName}" is in use by another of your resources` });
      }
      return { lists: { ...cur, defaultName: name }, pushNames: [] };
    });
  }

  /** PRIV-07: remove; conflict while another resource has it active or follows it as the default. */
  private removeList(s: LocalSession, c: Element): Promise<void> {
    const name = listName(c);
    return this.engine.change(s.jid.local, s, (cur) => {
      if (!cur.lists.some((l) => l.name === name)) throw new StanzaError('item-not-found', { text: `no list named "${name}"` });
      const inUse = this.others(s).some((x) => {
        const a = this.engine.activeOf(x);
        return a ? a.list.name === name : cur.defaultName === name;
      });
      if (inUse) throw new StanzaError('conflict', { text: `the list "${name}" is in use by another of your resources` });
      const next: AccountLists = {
        user: cur.user,
        lists: cur.lists.filter((l) => l.name !== name),
        defaultName: cur.defaultName === name ? null : cur.defaultName,
      };
      return { lists: next, pushNames: [name] };
    });
  }

  /** PRIV-01/05/06: create or replace the whole list (no deltas). */
  private async putList(s: LocalSession, c: Element): Promise<void> {
    const list = parseList(c);
    await this.checkGroups(s, list);
    return this.engine.change(s.jid.local, s, (cur) => {
      const exists = cur.lists.some((l) => l.name === list.name);
      if (!exists && cur.lists.length >= MAX_LISTS_PER_ACCOUNT) {
        throw new StanzaError('policy-violation', { text: `an account keeps at most ${MAX_LISTS_PER_ACCOUNT} privacy lists` });
      }
      const lists = exists ? cur.lists.map((l) => (l.name === list.name ? list : l)) : [...cur.lists, list];
      return { lists: { ...cur, lists }, pushNames: [list.name] };
    });
  }

  /** PRIV-06: a group item must name a group of the roster (XEP-0016 §2.1 SHOULD): <item-not-found/>. */
  private async checkGroups(s: LocalSession, list: PrivacyList): Promise<void> {
    const wanted = list.items.filter((i) => i.type === 'group').map((i) => i.value!);
    if (wanted.length === 0) return;
    const groups = new Set<string>();
    for (const item of await this.ctx.storage.get(rosterStore).listed(s.jid.local)) for (const g of item.groups) groups.add(g);
    const missing = wanted.find((g) => !groups.has(g));
    if (missing !== undefined) throw new StanzaError('item-not-found', { text: `your roster has no group "${missing}"` });
  }
}
