// IM-19: the subscription state table of server/modules/subscription-states.ts checked against RFC 6121 Appendix A,
// transcribed here independently as the RFC prints it (Tables 2–9), plus the invariants that tie the "push"
// column to visible roster changes. IM-28/BAD-38: presence validation rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import {
  STATES, SUB_TYPES, OUTBOUND, INBOUND, INBOUND_SUBSCRIBE_PREAPPROVED, inboundRule, stateOf, partsOf, type SubState,
} from '../../server/modules/subscription-states.js';
import { checkPresence, priorityOf } from '../../server/modules/presence.js';

const RFC_NAMES: Record<string, SubState> = {
  'None': 'None',
  'None + Pending Out': 'None+PendingOut',
  'None + Pending In': 'None+PendingIn',
  'None + Pending Out+In': 'None+PendingOut+PendingIn',
  'To': 'To',
  'To + Pending In': 'To+PendingIn',
  'From': 'From',
  'From + Pending Out': 'From+PendingOut',
  'Both': 'Both',
};

/** "EXISTING | ROUTE/DELIVER | NEW" rows; "no state change" keeps the state. */
function parseTable(rows: string): Map<SubState, { yes: boolean; next: SubState }> {
  const m = new Map<SubState, { yes: boolean; next: SubState }>();
  for (const line of rows.trim().split('\n')) {
    const [a, b, c] = line.split('|').map((x) => x.trim().replace(/"/g, ''));
    const from = RFC_NAMES[a];
    assert.ok(from, `bad state ${a}`);
    m.set(from, { yes: b.startsWith('MUST'), next: c === 'no state change' ? from : RFC_NAMES[c] });
  }
  assert.equal(m.size, 9);
  return m;
}

// Table 2: Processing of outbound "subscribe" stanzas.
const T2 = parseTable(`
"None" | MUST | "None + Pending Out"
"None + Pending Out" | MUST | no state change
"None + Pending In" | MUST | "None + Pending Out+In"
"None + Pending Out+In" | MUST | no state change
"To" | MUST | no state change
"To + Pending In" | MUST | no state change
"From" | MUST | "From + Pending Out"
"From + Pending Out" | MUST | no state change
"Both" | MUST | no state change`);
// Table 3: outbound "unsubscribe".
const T3 = parseTable(`
"None" | MUST | no state change
"None + Pending Out" | MUST | "None"
"None + Pending In" | MUST | no state change
"None + Pending Out+In" | MUST | "None + Pending In"
"To" | MUST | "None"
"To + Pending In" | MUST | "None + Pending In"
"From" | MUST | no state change
"From + Pending Out" | MUST | "From"
"Both" | MUST | "From"`);
// Table 4: outbound "subscribed".
const T4 = parseTable(`
"None" | NO | no state change
"None + Pending Out" | NO | no state change
"None + Pending In" | MUST | "From"
"None + Pending Out+In" | MUST | "From + Pending Out"
"To" | NO | no state change
"To + Pending In" | MUST | "Both"
"From" | NO | no state change
"From + Pending Out" | NO | no state change
"Both" | NO | no state change`);
// Table 5: outbound "unsubscribed".
const T5 = parseTable(`
"None" | NO | no state change
"None + Pending Out" | NO | no state change
"None + Pending In" | MUST | "None"
"None + Pending Out+In" | MUST | "None + Pending Out"
"To" | NO | no state change
"To + Pending In" | MUST | "To"
"From" | MUST | "None"
"From + Pending Out" | MUST | "None + Pending Out"
"Both" | MUST | "To"`);
// Table 6: inbound "subscribe".
const T6 = parseTable(`
"None" | MUST | "None + Pending In"
"None + Pending Out" | MUST | "None + Pending Out+In"
"None + Pending In" | NO | no state change
"None + Pending Out+In" | NO | no state change
"To" | MUST | "To + Pending In"
"To + Pending In" | NO | no state change
"From" | NO | no state change
"From + Pending Out" | NO | no state change
"Both" | NO | no state change`);
// Table 7: inbound "unsubscribe".
const T7 = parseTable(`
"None" | NO | no state change
"None + Pending Out" | NO | no state change
"None + Pending In" | MUST | "None"
"None + Pending Out+In" | MUST | "None + Pending Out"
"To" | NO | no state change
"To + Pending In" | MUST | "To"
"From" | MUST | "None"
"From + Pending Out" | MUST | "None + Pending Out"
"Both" | MUST | "To"`);
// Table 8: inbound "subscribed".
const T8 = parseTable(`
"None" | NO | no state change
"None + Pending Out" | MUST | "To"
"None + Pending In" | NO | no state change
"None + Pending Out+In" | MUST | "To + Pending In"
"To" | NO | no state change
"To + Pending In" | NO | no state change
"From" | NO | no state change
"From + Pending Out" | MUST | "Both"
"Both" | NO | no state change`);
// Table 9: inbound "unsubscribed".
const T9 = parseTable(`
"None" | NO | no state change
"None + Pending Out" | MUST | "None"
"None + Pending In" | NO | no state change
"None + Pending Out+In" | MUST | "None + Pending In"
"To" | MUST | "None"
"To + Pending In" | MUST | "None + Pending In"
"From" | NO | no state change
"From + Pending Out" | MUST | "From"
"Both" | MUST | "From"`);

const RFC_OUT = { subscribe: T2, unsubscribe: T3, subscribed: T4, unsubscribed: T5 } as const;
const RFC_IN = { subscribe: T6, unsubscribe: T7, subscribed: T8, unsubscribed: T9 } as const;

/** What a client sees of a state: the subscription attribute and ask='subscribe' (pending in is never shown). */
function visible(s: SubState): string {
  const p = partsOf(s);
  return `${p.subscription}/${p.ask}`;
}

for (const type of SUB_TYPES) {
  for (const state of STATES) {
    test(`IM-19 outbound ${type} in ${state}: RFC 6121 Tables 2–5`, () => {
      const rule = OUTBOUND[type][state];
      const rfc = RFC_OUT[type].get(state)!;
      assert.equal(rule.route, rfc.yes, 'route');
      assert.equal(rule.next, rfc.next, 'new state');
      assert.equal(rule.push, visible(state) !== visible(rule.next), 'push exactly when the visible item changes');
    });
    test(`IM-19 inbound ${type} in ${state}: RFC 6121 Tables 6–9`, () => {
      const rule = INBOUND[type][state];
      const rfc = RFC_IN[type].get(state)!;
      assert.equal(rule.deliver, rfc.yes, 'deliver');
      assert.equal(rule.next, rfc.next, 'new state');
      assert.equal(rule.push, visible(state) !== visible(rule.next), 'push exactly when the visible item changes');
    });
  }
}

test('IM-11: inbound subscribe from an already subscribed contact (From, From+PendingOut, Both) is auto-answered `subscribed`', () => {
  for (const s of STATES) {
    const auto = INBOUND.subscribe[s].autoReply;
    assert.equal(auto, s === 'From' || s === 'From+PendingOut' || s === 'Both' ? 'subscribed' : undefined, s);
  }
  for (const t of ['subscribed', 'unsubscribe', 'unsubscribed'] as const) for (const s of STATES) assert.equal(INBOUND[t][s].autoReply, undefined);
});

test('IM-15/IM-18: ending a subscription the contact had sends unavailable (§3.2.2 before routing, §3.3.3 after delivery)', () => {
  for (const s of STATES) {
    const had = s === 'From' || s === 'From+PendingOut' || s === 'Both';
    assert.equal(OUTBOUND.unsubscribed[s].unavailableFirst === true, had, `outbound unsubscribed ${s}`);
    assert.equal(INBOUND.unsubscribe[s].unavailableAfter === true, had, `inbound unsubscribe ${s}`);
  }
});

test('IM-13: an approval that is routed is followed by the user\'s presence', () => {
  for (const s of STATES) assert.equal(OUTBOUND.subscribed[s].presenceAfter === true, OUTBOUND.subscribed[s].route, s);
});

test('IM-20: pre-approval (§3.4) is recorded in None, None+PendingOut and To, cleared by unsubscribed there, and consumed by an inbound subscribe', () => {
  const pre = ['None', 'None+PendingOut', 'To'];
  for (const s of STATES) {
    assert.equal(OUTBOUND.subscribed[s].approval, pre.includes(s) ? 'set' : undefined, `subscribed ${s}`);
    assert.equal(OUTBOUND.unsubscribed[s].approval, pre.includes(s) ? 'clear' : undefined, `unsubscribed ${s}`);
    const r = inboundRule('subscribe', s, true);
    if (pre.includes(s)) {
      assert.equal(r.deliver, false);
      assert.equal(r.autoReply, 'subscribed');
      assert.equal(r.consumesApproval, true);
      assert.equal(r.next, ({ None: "From", "None+PendingOut": "From+PendingOut", To: "Both" } as Record<string, string>)[s]);
    } else {
      assert.equal(r, INBOUND.subscribe[s], 'no pre-approval possible: the plain rule');
    }
  }
  assert.deepEqual(Object.keys(INBOUND_SUBSCRIBE_PREAPPROVED).sort(), [...pre].sort());
  assert.equal(inboundRule('subscribe', 'None', false), INBOUND.subscribe.None);
});

test('IM-19: the nine states map to and from roster item fields', () => {
  assert.equal(stateOf(null), 'None', 'not in the roster is None');
  for (const s of STATES) assert.equal(stateOf(partsOf(s)), s);
  assert.equal(new Set(STATES.map((s) => JSON.stringify(partsOf(s)))).size, 9);
});

const p = (xml: string): ltx.Element => ltx.parse(xml) as ltx.Element;

test('IM-28/BAD-38: presence validation (§4.7)', () => {
  assert.equal(checkPresence(p('<presence/>')), null);
  assert.equal(checkPresence(p('<presence><show>away</show><priority>-128</priority><status>x</status><status xml:lang="de">y</status></presence>')), null);
  assert.equal(checkPresence(p('<presence><priority>127</priority></presence>')), null);
  assert.match(checkPresence(p('<presence><priority>128</priority></presence>'))!, /between/);
  assert.match(checkPresence(p('<presence><priority>-129</priority></presence>'))!, /between/);
  assert.match(checkPresence(p('<presence><priority>1.5</priority></presence>'))!, /integer/);
  assert.match(checkPresence(p('<presence><priority></priority></presence>'))!, /integer/);
  assert.match(checkPresence(p('<presence><priority>1</priority><priority>2</priority></presence>'))!, /at most one/);
  assert.match(checkPresence(p('<presence><show>away</show><show>dnd</show></presence>'))!, /at most one/);
  assert.match(checkPresence(p('<presence><show>busy</show></presence>'))!, /away, chat, dnd or xa/);
  assert.match(checkPresence(p('<presence><status>a</status><status>b</status></presence>'))!, /xml:lang/);
  // Extension elements are not looked at.
  assert.equal(checkPresence(p('<presence><show>away</show><x xmlns="urn:example"><show>weird</show></x><show xmlns="urn:example">x</show></presence>')), null);
  assert.equal(priorityOf(p('<presence><priority> 5 </priority></presence>')), 5);
  assert.equal(priorityOf(p('<presence/>')), 0);
});
