// A privacy list compiled once per change into lookup tables (XEP-0016 §2.2 semantics), so that filtering a stanza
// costs a few Map lookups rather than a walk over the list's items. First match in ascending `order` decides, no
// match allows: each table keeps its rules sorted by order, and a lookup keeps the lowest-ordered rule that matches
// the stanza's kind among the tables that apply to the peer (its JID keys, its roster groups, its subscription, the
// fall-through items).
import { tryParseJid, type Jid } from '../../core/jid.js';
import { isBlockItem, type ItemKind, type PrivacyList, type SubscriptionValue } from './model.js';

/** Stanza kinds as bits. OTHER: what only an item naming no kind covers (outbound messages and iqs, subscriptions, probes). */
export const K_MESSAGE = 1;
export const K_IQ = 2;
export const K_PRESENCE_IN = 4;
export const K_PRESENCE_OUT = 8;
export const K_OTHER = 16;
const K_ALL = K_MESSAGE | K_IQ | K_PRESENCE_IN | K_PRESENCE_OUT | K_OTHER;
const KIND_BITS: Record<ItemKind, number> = { 'message': K_MESSAGE, 'iq': K_IQ, 'presence-in': K_PRESENCE_IN, 'presence-out': K_PRESENCE_OUT };

export interface Rule {
  readonly order: number;
  readonly allow: boolean;
  /** The kinds it covers, as bits. */
  readonly mask: number;
  /** A blocklist entry (jid, deny, every kind): a refusal carries XEP-0191's <blocked/>. */
  readonly block: boolean;
}

/** What the user's roster says of a peer; "not in the roster" is subscription none with no groups (XEP-0016 §2.1). */
export interface RosterFacts {
  subscription: SubscriptionValue;
  groups: readonly string[];
}

export const STRANGER: RosterFacts = { subscription: 'none', groups: [] };

type Table = Map<string, Rule[]>;

function add(t: Table, key: string, r: Rule): void {
  const l = t.get(key);
  if (l) l.push(r);   // items arrive sorted by order, so each table stays sorted
  else t.set(key, [r]);
}

/** The first rule of a sorted list that covers `kind`, if it comes before `best`. */
function first(rules: Rule[] | undefined, kind: number, best: Rule | null): Rule | null {
  if (rules === undefined) return best;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (best !== null && r.order >= best.order) return best;
    if ((r.mask & kind) !== 0) return r;
  }
  return best;
}

export class CompiledList {
  /** Kinds any item covers: a stanza of another kind is allowed without a lookup. */
  readonly mask: number;
  /** Kinds group or subscription items cover: only those need the roster. */
  readonly rosterMask: number;
  // One table per JID form, so that a lookup skips the forms a list does not use (no string is built or hashed for
  // them: this runs twice per message, and the benchmark's profile showed the lookups dominate it).
  private readonly byFull: Table = new Map();
  private readonly byBare: Table = new Map();
  private readonly byDomainResource: Table = new Map();
  /** Domains: the peer's domain and its parent domains are looked up (XEP-0191 §4: subdomains match too). */
  private readonly byDomain: Table = new Map();
  private readonly byGroup: Table = new Map();
  private readonly bySubscription: Table = new Map();
  private readonly fallThrough: Rule[] = [];

  constructor(list: PrivacyList) {
    let mask = 0;
    let rosterMask = 0;
    for (const item of list.items) {
      let m = 0;
      for (const k of item.kinds) m |= KIND_BITS[k];
      if (m === 0) m = K_ALL;
      const rule: Rule = { order: item.order, allow: item.action === 'allow', mask: m, block: isBlockItem(item) };
      mask |= m;
      switch (item.type) {
        case 'jid': {
          // Classified by its parts, not by its characters: a resource may contain '@' and '/'.
          const j = tryParseJid(item.value);
          if (!j) break;   // never stored: list-xml.ts refuses JIDs that do not parse
          const local = j.local !== '';
          const resource = j.resource !== '';
          add(local ? (resource ? this.byFull : this.byBare) : (resource ? this.byDomainResource : this.byDomain), j.toString(), rule);
          break;
        }
        case 'group':
          add(this.byGroup, item.value!, rule);
          rosterMask |= m;
          break;
        case 'subscription':
          add(this.bySubscription, item.value!, rule);
          rosterMask |= m;
          break;
        default:
          this.fallThrough.push(rule);
      }
    }
    this.mask = mask;
    this.rosterMask = rosterMask;
  }

  /** Deciding this kind may depend on the roster (the caller then looks the peer up and passes its facts). */
  needsRoster(kind: number): boolean {
    return (this.rosterMask & kind) !== 0;
  }

  /**
   * The rule that decides a stanza of `kind` exchanged with `peer` (null: none matches, so it is allowed). `roster`
   * is needed only when needsRoster(kind); without it group and subscription items are not consulted.
   */
  decide(peer: Jid, kind: number, roster: RosterFacts | null): Rule | null {
    if ((this.mask & kind) === 0) return null;
    let best: Rule | null = null;
    // XEP-0016 §2.1: user@domain/resource, user@domain, domain/resource, domain (and its parent domains).
    const hasLocal = peer.local !== '';
    const hasResource = peer.resource !== '';
    if (hasLocal && hasResource && this.byFull.size > 0) best = first(this.byFull.get(peer.toString()), kind, best);
    if (hasLocal && this.byBare.size > 0) best = first(this.byBare.get(peer.bareString()), kind, best);
    if (hasResource && this.byDomainResource.size > 0) best = first(this.byDomainResource.get(`${peer.domain}/${peer.resource}`), kind, best);
    if (this.byDomain.size > 0) {
      let d = peer.domain;
      best = first(this.byDomain.get(d), kind, best);
      for (let i = d.indexOf('.'); i > 0; i = d.indexOf('.')) {
        d = d.slice(i + 1);
        best = first(this.byDomain.get(d), kind, best);
      }
    }
    if (roster !== null && (this.rosterMask & kind) !== 0) {
      for (const g of roster.groups) best = first(this.byGroup.get(g), kind, best);
      best = first(this.bySubscription.get(roster.subscription), kind, best);
    }
    return first(this.fallThrough, kind, best);
  }
}
