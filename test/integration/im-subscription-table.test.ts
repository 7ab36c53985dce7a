// IM-19 (with IM-10/11/13/14/15/16/17/18/20): RFC 6121 Appendix A exhaustively over real sockets — 9 states × 4
// subscription stanza types, outbound (36) and inbound (36), plus the 3 pre-approved inbound `subscribe` rows.
// Each case sets the roster state directly in the RosterStore, sends the stanza from alice's client to bob, and
// asserts the roster push (or its absence), the routed/delivered stanza (or its silent drop, proven with a marker
// sent after it) and the final stored state. One server and one connection per user for the whole file.
//
// alice/A is interested (roster fetched) but not available; bob/B is interested and available, so a subscription
// request to bob is delivered at once and nothing else (presence) reaches either client unasked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.js';
import { ImClient, addUsers, bareOf, describe, pushedItem, isPush } from '../helpers/im-client.js';
import type { Element } from '../helpers/raw-client.js';
import {
  STATES, SUB_TYPES, OUTBOUND, INBOUND_SUBSCRIBE_PREAPPROVED, inboundRule, partsOf, stateOf, type SubState, type SubType,
} from '../../server/modules/subscription-states.js';
import type { RosterItem } from '../../server/storage/roster.js';
import { rosterStore } from '../../server/storage/roster.js';

let t: TestServer;
let A: ImClient;
let B: ImClient;
const alice = bareOf('alice');
const bob = bareOf('bob');

before(async () => {
  t = await startServer();
  await addUsers(t, 'alice', 'bob');
  A = await ImClient.login(t, 'alice', 'a');
  B = await ImClient.login(t, 'bob', 'b');
  assert.equal((await A.rosterGet()).attrs.type, 'result');
  assert.equal((await B.rosterGet()).attrs.type, 'result');
  B.presence();
  const echo = await B.untilPong();
  assert.ok(echo.some((e) => e.name === 'presence' && e.attrs.from === B.jid), `bob's echo: ${describe(echo)}`);
});

after(async () => {
  await A?.quit();
  await B?.quit();
  await t?.stop();
});

const store = () => t.server.storage!.get(rosterStore);

/** Put `user`'s item for `contact` into `state` ("None" = not in the roster; a lone pending-in is unlisted). */
async function setState(user: string, contact: string, state: SubState, approved = false): Promise<void> {
  if (state === 'None' && !approved) {
    await store().remove(user, contact);
    // A tombstone is fine: get() treats it as absent.
    return;
  }
  const item: RosterItem = { jid: contact, groups: [], approved, listed: state !== 'None+PendingIn', ...partsOf(state) };
  await store().put(user, item);
}

async function stateNow(user: string, contact: string): Promise<{ state: SubState; item: RosterItem | null }> {
  const item = await store().get(user, contact);
  return { state: stateOf(item), item };
}

/** The item a push should carry for this state. */
function assertItem(e: Element, contact: string, state: SubState, approved = false): void {
  const item = pushedItem(e);
  const p = partsOf(state);
  assert.equal(item.attrs.jid, contact);
  assert.equal(item.attrs.subscription, p.subscription, `subscription in ${e.toString()}`);
  assert.equal(item.attrs.ask, p.ask ? 'subscribe' : undefined, `ask in ${e.toString()}`);
  assert.equal(item.attrs.approved, approved ? 'true' : undefined, `approved in ${e.toString()}`);
}

const isSub = (type: string, from: string, to: string) => (e: Element): boolean =>
  e.name === 'presence' && e.attrs.type === type && e.attrs.from === from && e.attrs.to === to;

/**
 * For outbound cases, bob's side is put in a state whose inbound rule for that type always delivers (so "routed"
 * is visible at bob) and never answers back to alice.
 */
const WITNESS: Record<SubType, SubState> = {
  subscribe: 'None',
  subscribed: 'None+PendingOut',
  unsubscribe: 'From',
  unsubscribed: 'To',
};
/** For inbound cases, alice's side is put in a state whose outbound rule routes the stanza without side effects. */
const ROUTER: Record<SubType, SubState> = {
  subscribe: 'None',
  subscribed: 'None+PendingIn',
  unsubscribe: 'None',
  unsubscribed: 'None+PendingIn',
};

for (const type of SUB_TYPES) {
  for (const state of STATES) {
    const rule = OUTBOUND[type][state];
    const desc = `${rule.route ? 'routed' : 'not routed'}, → ${rule.next}${rule.push ? ', pushed' : ''}${rule.approval ? `, pre-approval ${rule.approval}` : ''}`;
    test(`IM-19 outbound ${type} in ${state}: ${desc}`, async () => {
      await setState('alice', bob, state);
      const witness = WITNESS[type];
      await setState('bob', alice, witness);
      A.send(`<presence to='${bob}' type='${type}'/>`);
      const mark = A.mark(B);
      // alice: the push, if any, comes before the pong.
      const atA = await A.untilPong();
      const preApproval = rule.approval === 'set';
      if (rule.push || preApproval) {
        assert.equal(atA.length, 1, `exactly one push to alice: ${describe(atA)}`);
        assertItem(atA[0], bob, rule.next, preApproval);
      } else {
        assert.equal(atA.length, 0, `nothing for alice: ${describe(atA)}`);
      }
      // bob: the routed stanza (stamped with alice's bare JID, IM-09) and bob's own push, or nothing at all.
      const atB = await B.untilMark(mark);
      if (rule.route) {
        const wRule = inboundRule(type, witness, false);
        assert.ok(atB.length > 0 && isSub(type, alice, bob)(atB[0]), `bob gets the ${type} first: ${describe(atB)}`);
        assert.equal(atB.length, wRule.push ? 2 : 1, `bob: ${describe(atB)}`);
        if (wRule.push) assertItem(atB[1], alice, wRule.next);
        assert.equal((await stateNow('bob', alice)).state, wRule.next, 'bob stored state');
      } else {
        assert.equal(atB.length, 0, `not routed: bob gets nothing: ${describe(atB)}`);
        assert.equal((await stateNow('bob', alice)).state, witness, 'bob unchanged');
      }
      const now = await stateNow('alice', bob);
      assert.equal(now.state, rule.next, 'alice stored state');
      if (preApproval) assert.equal(now.item?.approved, true, 'pre-approval stored');
    });
  }
}

for (const type of SUB_TYPES) {
  for (const state of STATES) {
    const rule = inboundRule(type, state, false);
    const desc = `${rule.deliver ? 'delivered' : 'dropped'}, → ${rule.next}${rule.push ? ', pushed' : ''}${rule.autoReply ? `, auto-reply ${rule.autoReply}` : ''}`;
    test(`IM-19 inbound ${type} in ${state}: ${desc}`, async () => {
      await setState('bob', alice, state);
      await setState('alice', bob, ROUTER[type]);
      A.send(`<presence to='${bob}' type='${type}'/>`);
      const mark = A.mark(B);
      const atB = await B.untilMark(mark);
      const expected: ((e: Element) => void)[] = [];
      if (rule.deliver) expected.push((e) => assert.ok(isSub(type, alice, bob)(e), `delivered ${type}: ${e.toString()}`));
      if (rule.push) expected.push((e) => assertItem(e, alice, rule.next));
      assert.equal(atB.length, expected.length, `bob receives exactly ${expected.length}: ${describe(atB)}`);
      expected.forEach((check, k) => check(atB[k]));
      assert.equal((await stateNow('bob', alice)).state, rule.next, 'bob stored state');
      // alice: her own push for the outbound side, and the auto-reply when bob's server answers for him.
      const atA = await A.untilPong();
      const replies = atA.filter(isSub('subscribed', bob, alice));
      assert.equal(replies.length, rule.autoReply ? 1 : 0, `auto-reply to alice: ${describe(atA)}`);
      for (const e of atA) assert.ok(isPush()(e) || replies.includes(e), `alice gets only pushes and the auto-reply: ${describe(atA)}`);
    });
  }
}

for (const state of Object.keys(INBOUND_SUBSCRIBE_PREAPPROVED) as SubState[]) {
  const rule = inboundRule('subscribe', state, true);
  test(`IM-20 inbound subscribe in ${state} with approved='true': auto-approved → ${rule.next}, not delivered`, async () => {
    await setState('bob', alice, state, true);
    await setState('alice', bob, 'None');
    A.send(`<presence to='${bob}' type='subscribe'/>`);
    const mark = A.mark(B);
    const atB = await B.untilMark(mark);
    // bob is not asked: only the push of the granted subscription (approval consumed).
    assert.equal(atB.length, 1, `bob: ${describe(atB)}`);
    assertItem(atB[0], alice, rule.next, false);
    const now = await stateNow('bob', alice);
    assert.equal(now.state, rule.next);
    assert.equal(now.item?.approved, false, 'the pre-approval is used up');
    // alice: push (ask), then bob's `subscribed`, then push (To), then bob's presence (bob is available).
    const atA = await A.untilPong();
    const sub = atA.findIndex(isSub('subscribed', bob, alice));
    assert.ok(sub > 0, `alice gets subscribed from bob: ${describe(atA)}`);
    const pushes = atA.filter(isPush(bob));
    assert.equal(pushes.length, 2, describe(atA));
    assertItem(pushes[1], bob, 'To');
    assert.equal((await stateNow('alice', bob)).state, 'To');
  });
}
