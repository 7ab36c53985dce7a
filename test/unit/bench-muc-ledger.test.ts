// The muc benchmark's delivery accounting (test/bench/scenarios/muc-ledger.ts): what it counts as a delivery, a
// loss, a duplicate or a misrouted message, and that latency is taken per delivery. A benchmark that miscounts
// these would report a fan-out that loses messages as a fast one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MucLedger } from '../../test/bench/scenarios/muc-ledger.js';

const ROOM = 'r@conference.bench.local';
const JIDS = [`${ROOM}/u1`, `${ROOM}/u2`];

function msg(s: number, seq: number, sentAt: number, from = JIDS[s]!, type = 'groupchat'): string {
  return `<message type='${type}' to='x@bench.local/bench' id='g${seq}' from='${from}'><body>${MucLedger.body(s, seq, sentAt, 'pad pad')}</body></message>`;
}

test('every (occupant, message) pair counts once; latency per delivery; the warm-up is checked but not measured', () => {
  // 3 occupants, 2 senders, 1 warm-up message and 2 measured messages per sender.
  const l = new MucLedger(3, 2, 1, 2, JIDS);
  assert.equal(l.goal, 3 * 2 * 2);
  assert.equal(l.warmGoal, 3 * 2 * 1);
  assert.equal(l.lost, 18);
  for (let q = 0; q < 3; q++) for (let s = 0; s < 2; s++) l.receive(q, msg(s, 0, 0), 5);
  assert.equal(l.warmDeliveries, 6);
  assert.equal(l.deliveries, 0);
  for (let q = 0; q < 3; q++) {
    for (let s = 0; s < 2; s++) {
      for (let seq = 1; seq <= 2; seq++) {
        const back = l.receive(q, msg(s, seq, 100), 100 + 10 * q + seq);
        assert.equal(back, q === s ? s : -1, 'only the first copy of a sender\'s own message opens its window');
      }
    }
  }
  assert.equal(l.deliveries, 12);
  assert.equal(l.lost, 0);
  assert.equal(l.faults, 0);
  assert.equal(l.doneAt, 100 + 10 * 2 + 2);
  assert.deepEqual([...l.latency].sort((a, b) => a - b), [1, 1, 2, 2, 11, 11, 12, 12, 21, 21, 22, 22]);
});

test('duplicates, misrouted messages and losses all count as faults; bounces and other messages are apart', () => {
  const l = new MucLedger(2, 2, 0, 2, JIDS);
  assert.equal(l.receive(0, msg(0, 0, 0), 1), 0);
  assert.equal(l.receive(0, msg(0, 0, 0), 1), -1, 'a duplicate of the sender\'s own message does not open its window twice');
  assert.equal(l.duplicates, 1);
  l.receive(1, msg(0, 1, 0, JIDS[1]), 1);            // sender 0's message, from sender 1's occupant JID
  l.receive(1, msg(0, 1, 0, 'r@conference.bench.local'), 1);   // from the room itself
  l.receive(1, msg(5, 0, 0, JIDS[0]), 1);             // a sender that does not exist
  l.receive(1, msg(0, 9, 0), 1);                      // a sequence number never sent
  l.receive(1, `<message type='groupchat' from='${JIDS[0]}'><body>hello</body></message>`, 1);
  assert.equal(l.misrouted, 5);
  assert.match(l.firstMisrouted, /from='r@conference.bench.local\/u2'/);
  l.receive(1, `<message type='error' from='${ROOM}'><error type='cancel'/></message>`, 1);
  assert.equal(l.bounced, 1);
  l.receive(1, `<message type='groupchat' from='${ROOM}'><subject/></message>`, 1);   // the subject: no body, ignored
  l.receive(1, msg(1, 0, 0, JIDS[1], 'chat'), 1);      // not groupchat: not a delivery
  assert.equal(l.deliveries, 1);
  assert.equal(l.lost, 2 * 2 * 2 - 1);
  assert.equal(l.faults, 7 + 1 + 5);
  assert.equal(l.doneAt, 0);
});
