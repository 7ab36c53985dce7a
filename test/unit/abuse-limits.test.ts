// The counting primitives behind the abuse limits (server/core/limits.ts; issue 13): address groups (IPv6 by /64)
// and atomic reservations in a sliding window.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressGroup, WindowReservations } from '../../server/core/limits.js';

test('SVC-13: IPv6 addresses count per /64, IPv4 (also IPv4-mapped) per address', () => {
  assert.equal(addressGroup('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressGroup('2001:db8:1:2:ffff:ffff:ffff:fffe'), '2001:db8:1:2::/64');
  assert.equal(addressGroup('2001:0DB8:0001:0002::7%eth0'), '2001:db8:1:2::/64');
  assert.notEqual(addressGroup('2001:db8:1:3::1'), addressGroup('2001:db8:1:2::1'));
  assert.equal(addressGroup('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressGroup('::1'), '0:0:0:0::/64');
  assert.equal(addressGroup('192.0.2.7'), '192.0.2.7');
  assert.equal(addressGroup('::ffff:192.0.2.7'), '192.0.2.7');
});

test('SVC-13: reservations are counted when taken, given back on release, and expire with the window', () => {
  let now = 0;
  const r = new WindowReservations(1000, () => 2, () => now);
  const a = r.reserve('k');
  const b = r.reserve('k');
  assert.ok(a && b);
  assert.equal(r.reserve('k'), null);
  assert.ok(r.reserve('other'));
  a.release();
  a.release();   // twice is once
  const c = r.reserve('k');
  assert.ok(c);
  assert.equal(r.reserve('k'), null);
  now = 1000;
  assert.ok(r.reserve('k'));
});
