// RFC 6121 Appendix A: the presence subscription state machine, as one explicit table. Nine states, four
// subscription stanza types, and for each pair what the server does with an outbound stanza (sent by the user,
// Tables 2–5, §3.1.2/§3.1.5/§3.2.2/§3.3.2) and with an inbound one (addressed to the user, Tables 6–9,
// §3.1.3/§3.1.6/§3.2.3/§3.3.3), plus pre-approval (§3.4). Nothing else in the server decides subscription state.
// "None" includes "not in the roster at all" (A.1).
import type { RosterItem, Subscription } from '../storage/roster.js';

export const STATES = [
  'None',
  'None+PendingOut',
  'None+PendingIn',
  'None+PendingOut+PendingIn',
  'To',
  'To+PendingIn',
  'From',
  'From+PendingOut',
  'Both',
] as const;
export type SubState = (typeof STATES)[number];

export const SUB_TYPES = ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed'] as const;
export type SubType = (typeof SUB_TYPES)[number];

/** What the user's server does with a subscription stanza the user sends (Tables 2–5). */
export interface OutboundRule {
  /** Route the stanza to the contact (stamped with the user's bare JID). */
  route: boolean;
  next: SubState;
  /** The visible roster item changes: push it to the user's interested resources. */
  push: boolean;
  /**
   * Pre-approval (§3.4): 'set' records approved='true' (and adds the contact to the roster if needed) instead of
   * routing; 'clear' removes a pre-approval without routing. Either is pushed when the flag actually changes.
   */
  approval?: 'set' | 'clear';
  /** Before routing, send `unavailable` from each of the user's available resources to the contact (§3.2.2). */
  unavailableFirst?: boolean;
  /** After routing, send the current presence of each of the user's available resources to the contact (§3.1.5). */
  presenceAfter?: boolean;
}

/** What the user's server does with a subscription stanza addressed to the user (Tables 6–9). */
export interface InboundRule {
  /** Deliver to the user: `subscribe` to available resources (stored for later if none), the others to interested ones. */
  deliver: boolean;
  next: SubState;
  push: boolean;
  /** Answer on the user's behalf (§3.1.3: the contact is already subscribed, or pre-approved). */
  autoReply?: 'subscribed';
  /** Send the current presence of each of the user's available resources to the contact (with the auto-reply). */
  presenceAfter?: boolean;
  /** After delivery, send `unavailable` from each of the user's available resources to the contact (§3.3.3). */
  unavailableAfter?: boolean;
  /** Consumes a pre-approval (approved flag cleared). */
  consumesApproval?: boolean;
}

const o = (route: boolean, next: SubState, push: boolean, extra: Partial<OutboundRule> = {}): OutboundRule => ({ route, next, push, ...extra });
const i = (deliver: boolean, next: SubState, push: boolean, extra: Partial<InboundRule> = {}): InboundRule => ({ deliver, next, push, ...extra });

export const OUTBOUND: Readonly<Record<SubType, Readonly<Record<SubState, OutboundRule>>>> = {
  // Table 2: always routed; "pending out" is the ask='subscribe' flag.
  subscribe: {
    'None': o(true, 'None+PendingOut', true),
    'None+PendingOut': o(true, 'None+PendingOut', false),
    'None+PendingIn': o(true, 'None+PendingOut+PendingIn', true),
    'None+PendingOut+PendingIn': o(true, 'None+PendingOut+PendingIn', false),
    'To': o(true, 'To', false),
    'To+PendingIn': o(true, 'To+PendingIn', false),
    'From': o(true, 'From+PendingOut', true),
    'From+PendingOut': o(true, 'From+PendingOut', false),
    'Both': o(true, 'Both', false),
  },
  // Table 4: an approval is routed only when a request is pending in; without one it is a pre-approval (§3.4),
  // and when the contact is already subscribed it is ignored.
  subscribed: {
    'None': o(false, 'None', false, { approval: 'set' }),
    'None+PendingOut': o(false, 'None+PendingOut', false, { approval: 'set' }),
    'None+PendingIn': o(true, 'From', true, { presenceAfter: true }),
    'None+PendingOut+PendingIn': o(true, 'From+PendingOut', true, { presenceAfter: true }),
    'To': o(false, 'To', false, { approval: 'set' }),
    'To+PendingIn': o(true, 'Both', true, { presenceAfter: true }),
    'From': o(false, 'From', false),
    'From+PendingOut': o(false, 'From+PendingOut', false),
    'Both': o(false, 'Both', false),
  },
  // Table 3: always routed.
  unsubscribe: {
    'None': o(true, 'None', false),
    'None+PendingOut': o(true, 'None', true),
    'None+PendingIn': o(true, 'None+PendingIn', false),
    'None+PendingOut+PendingIn': o(true, 'None+PendingIn', true),
    'To': o(true, 'None', true),
    'To+PendingIn': o(true, 'None+PendingIn', true),
    'From': o(true, 'From', false),
    'From+PendingOut': o(true, 'From', true),
    'Both': o(true, 'From', true),
  },
  // Table 5 and §3.2.2: nothing to cancel → not routed (a pre-approval is cleared instead); denying a pending
  // request changes nothing visible; cancelling From/Both first sends unavailable from every available resource.
  unsubscribed: {
    'None': o(false, 'None', false, { approval: 'clear' }),
    'None+PendingOut': o(false, 'None+PendingOut', false, { approval: 'clear' }),
    'None+PendingIn': o(true, 'None', false),
    'None+PendingOut+PendingIn': o(true, 'None+PendingOut', false),
    'To': o(false, 'To', false, { approval: 'clear' }),
    'To+PendingIn': o(true, 'To', false),
    'From': o(true, 'None', true, { unavailableFirst: true }),
    'From+PendingOut': o(true, 'None+PendingOut', true, { unavailableFirst: true }),
    'Both': o(true, 'To', true, { unavailableFirst: true }),
  },
};

export const INBOUND: Readonly<Record<SubType, Readonly<Record<SubState, InboundRule>>>> = {
  // Table 6 and §3.1.3: a pending request is recorded (not a roster item, IM-12) and delivered; a repeated one is
  // not; from a contact that is already subscribed the server answers `subscribed` itself.
  subscribe: {
    'None': i(true, 'None+PendingIn', false),
    'None+PendingOut': i(true, 'None+PendingOut+PendingIn', false),
    'None+PendingIn': i(false, 'None+PendingIn', false),
    'None+PendingOut+PendingIn': i(false, 'None+PendingOut+PendingIn', false),
    'To': i(true, 'To+PendingIn', false),
    'To+PendingIn': i(false, 'To+PendingIn', false),
    'From': i(false, 'From', false, { autoReply: 'subscribed', presenceAfter: true }),
    'From+PendingOut': i(false, 'From+PendingOut', false, { autoReply: 'subscribed', presenceAfter: true }),
    'Both': i(false, 'Both', false, { autoReply: 'subscribed', presenceAfter: true }),
  },
  // Table 8 and §3.1.6: only an approval of our own pending request counts; delivered before the push.
  subscribed: {
    'None': i(false, 'None', false),
    'None+PendingOut': i(true, 'To', true),
    'None+PendingIn': i(false, 'None+PendingIn', false),
    'None+PendingOut+PendingIn': i(true, 'To+PendingIn', true),
    'To': i(false, 'To', false),
    'To+PendingIn': i(false, 'To+PendingIn', false),
    'From': i(false, 'From', false),
    'From+PendingOut': i(true, 'Both', true),
    'Both': i(false, 'Both', false),
  },
  // Table 7 and §3.3.3: acts on a subscription the contact has (From/Both) or a request it made (pending in);
  // ending a subscription also sends unavailable from each of the user's available resources to the contact.
  unsubscribe: {
    'None': i(false, 'None', false),
    'None+PendingOut': i(false, 'None+PendingOut', false),
    'None+PendingIn': i(true, 'None', false),
    'None+PendingOut+PendingIn': i(true, 'None+PendingOut', false),
    'To': i(false, 'To', false),
    'To+PendingIn': i(true, 'To', false),
    'From': i(true, 'None', true, { unavailableAfter: true }),
    'From+PendingOut': i(true, 'None+PendingOut', true, { unavailableAfter: true }),
    'Both': i(true, 'To', true, { unavailableAfter: true }),
  },
  // Table 9 and §3.2.3: acts only on a subscription the user has (To/Both) or a request it made (pending out).
  unsubscribed: {
    'None': i(false, 'None', false),
    'None+PendingOut': i(true, 'None', true),
    'None+PendingIn': i(false, 'None+PendingIn', false),
    'None+PendingOut+PendingIn': i(true, 'None+PendingIn', true),
    'To': i(true, 'None', true),
    'To+PendingIn': i(true, 'None+PendingIn', true),
    'From': i(false, 'From', false),
    'From+PendingOut': i(true, 'From', true),
    'Both': i(true, 'From', true),
  },
};

/**
 * §3.4.2 (pre-approval): an inbound `subscribe` for an item with approved='true' is answered `subscribed` by the
 * server, not delivered, and the subscription is granted. Applies in the states where a pre-approval can exist.
 */
export const INBOUND_SUBSCRIBE_PREAPPROVED: Readonly<Partial<Record<SubState, InboundRule>>> = {
  'None': i(false, 'From', true, { autoReply: 'subscribed', presenceAfter: true, consumesApproval: true }),
  'None+PendingOut': i(false, 'From+PendingOut', true, { autoReply: 'subscribed', presenceAfter: true, consumesApproval: true }),
  'To': i(false, 'Both', true, { autoReply: 'subscribed', presenceAfter: true, consumesApproval: true }),
};

/** The rule for an inbound stanza, taking a pre-approval into account. */
export function inboundRule(type: SubType, state: SubState, approved: boolean): InboundRule {
  if (type === 'subscribe' && approved) {
    const r = INBOUND_SUBSCRIBE_PREAPPROVED[state];
    if (r) return r;
  }
  return INBOUND[type][state];
}

// ---- states ⇄ roster items ------------------------------------------------------------------------------------

interface Parts { subscription: Subscription; ask: boolean; pendingIn: boolean }

const PARTS: Record<SubState, Parts> = {
  'None': { subscription: 'none', ask: false, pendingIn: false },
  'None+PendingOut': { subscription: 'none', ask: true, pendingIn: false },
  'None+PendingIn': { subscription: 'none', ask: false, pendingIn: true },
  'None+PendingOut+PendingIn': { subscription: 'none', ask: true, pendingIn: true },
  'To': { subscription: 'to', ask: false, pendingIn: false },
  'To+PendingIn': { subscription: 'to', ask: false, pendingIn: true },
  'From': { subscription: 'from', ask: false, pendingIn: false },
  'From+PendingOut': { subscription: 'from', ask: true, pendingIn: false },
  'Both': { subscription: 'both', ask: false, pendingIn: false },
};

/** The state of a roster item; no item is "None". Flags a state cannot have (ask with To) are ignored. */
export function stateOf(item: Pick<RosterItem, 'subscription' | 'ask' | 'pendingIn'> | null): SubState {
  if (!item) return 'None';
  switch (item.subscription) {
    case 'both': return 'Both';
    case 'to': return item.pendingIn ? 'To+PendingIn' : 'To';
    case 'from': return item.ask ? 'From+PendingOut' : 'From';
    default:
      if (item.ask) return item.pendingIn ? 'None+PendingOut+PendingIn' : 'None+PendingOut';
      return item.pendingIn ? 'None+PendingIn' : 'None';
  }
}

/** The subscription/ask/pendingIn fields that represent a state. */
export function partsOf(state: SubState): Parts {
  return { ...PARTS[state] };
}

/** Does the contact receive the user's presence (the user's item has From or Both, incl. From+PendingOut)? */
export function contactSeesUser(sub: Subscription | undefined): boolean {
  return sub === 'from' || sub === 'both';
}

/** Does the user receive the contact's presence (To or Both)? */
export function userSeesContact(sub: Subscription | undefined): boolean {
  return sub === 'to' || sub === 'both';
}
