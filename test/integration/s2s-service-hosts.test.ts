// Federation for service hosts (a module's Router.addHost: conference.<domain> and the like), between two Parley
// servers on loopback: a.test serves two test-only echo hosts, conference.a.test (a name its certificate covers) and
// echo.a.test (one it does not); b.test trusts a.test's CA. A user of b.test reaches each host over federation: b.test
// opens a stream addressed to the host and a.test dials back b.test as that host; the answer goes out *from* the host
// on a.test's one stream to b.test (S2S-10), authenticated for the host itself — by SASL EXTERNAL when the stream was
// opened for a host the certificate names (S2S-03, S2S-13), by dialback otherwise (S2S-04, multiplexed). A service
// host's presence to a domain that cannot be reached comes back as an error (a room removes such ghosts, MUC-25),
// a user's does not (CORE-58).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { DEFAULT_MODULES } from '../../server/modules/index.js';
import { startDomain, link, isStanza, closedPort, untilPong, clientsOf, type DomainServer } from '../helpers/s2s.js';
import { stanzaError, withTimeout } from '../helpers/raw-client.js';
import { EchoHostModule } from '../modules/echo-host.js';

let a: DomainServer;
let b: DomainServer;
const conference = new EchoHostModule('conference');
const echo = new EchoHostModule('echo');
const clients = clientsOf();
const { login } = clients;
const auth: string[] = [];

before(async () => {
  [a, b] = await Promise.all([
    // The group chat service is off so that the test host can have its name (the certificate names conference.a.test).
    startDomain('a.test', { s2sTimeoutSeconds: 3, muc: { enabled: false } }, [...DEFAULT_MODULES, conference, echo]),
    startDomain('b.test'),
  ]);
  link(a, b);
  // Each service host is a domain of its own to the other server (its own SRV records on the Internet).
  b.server.config.s2sHosts = { ...b.server.config.s2sHosts, 'conference.a.test': a.route, 'echo.a.test': a.route };
  a.server.config.s2sHosts = { ...a.server.config.s2sHosts, 'gone.test': `127.0.0.1:${await closedPort()}` };
  b.server.config.s2sTrustedCas = [a.caPem];
  await Promise.all([a.addUser('alice'), b.addUser('bob')]);
  for (const [t, name] of [[a, 'a'], [b, 'b']] as const) {
    t.s2s.events.on('inbound-authenticated', (remote, local, method) => auth.push(`${name} in ${remote}→${local} ${method}`));
    t.s2s.events.on('outbound-authenticated', (local, remote, method) => auth.push(`${name} out ${local}→${remote} ${method}`));
  }
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});

test('a remote user reaches conference.a.test; its answer opens a.test\'s stream to b.test as conference.a.test, authenticated by SASL EXTERNAL', async () => {
  const bob = await login(b, 'bob', 'phone');
  bob.send(`<message to='conference.a.test' type='chat' id='c1'><body>hello conference</body></message>`);
  const back = await bob.nextElement(isStanza('message', (e) => e.attrs.id === 'c1'), 'the answer of conference.a.test');
  assert.equal(back.attrs.from, 'conference.a.test');
  assert.equal(back.attrs.to, bob.jid);
  assert.equal(back.getChildText('body'), 'echo: hello conference');
  // b.test → conference.a.test: dialback (a.test does not trust b.test's CA), verified by a.test with b.test over a
  // stream whose header names conference.a.test; on that stream, the answer's sender authenticates by its
  // certificate (b.test trusts a.test's CA; the certificate names conference.a.test).
  assert.deepEqual(auth.filter((x) => x.includes('conference.a.test')).sort(), [
    'a in b.test→conference.a.test dialback',
    'a out conference.a.test→b.test external',
    'b in conference.a.test→b.test external',
    'b out b.test→conference.a.test dialback',
  ]);
});

test('echo.a.test and a.test itself send to b.test on the same stream, each authenticated by dialback (multiplexed)', async () => {
  const bob = await login(b, 'bob', 'tablet');
  bob.send(`<message to='echo.a.test' type='chat' id='e1'><body>hello echo</body></message>`);
  const back = await bob.nextElement(isStanza('message', (e) => e.attrs.id === 'e1'), 'the answer of echo.a.test');
  assert.equal(back.attrs.from, 'echo.a.test');
  assert.equal(back.getChildText('body'), 'echo: hello echo');
  const alice = await login(a, 'alice', 'laptop');
  alice.send(`<message to='${bob.jid}' type='chat' id='e2'><body>hello bob</body></message>`);
  const got = await bob.nextElement(isStanza('message', (e) => e.attrs.id === 'e2'), 'alice\'s message');
  assert.equal(got.attrs.from, alice.jid);
  // SASL EXTERNAL is once per stream (it was conference.a.test's): the other senders use dialback on it.
  assert.ok(auth.includes('a out echo.a.test→b.test dialback'), auth.join('\n'));
  assert.ok(auth.includes('a out a.test→b.test dialback'), auth.join('\n'));
  assert.deepEqual(a.s2s.status().outbound, ['b.test'], 'one outbound stream to b.test for every local sender (S2S-10)');
});

test('a service host\'s presence to an unreachable domain comes back as an error; a user\'s does not', async () => {
  const alice = await login(a, 'alice', 'presence');
  // Both wait on the same stream to gone.test, the user's first; the bounces go in that order.
  alice.send(`<presence to='someone@gone.test/r'/>`);
  await untilPong(alice);
  const error = withTimeout(once(echo.events, 'presence-error'), 8000, 'the presence error at echo.a.test');
  echo.sendPresence('someone@gone.test/r');
  const [e] = await error;
  assert.equal(e.attrs.from, 'someone@gone.test/r');
  assert.equal(e.attrs.to, 'echo.a.test');
  assert.equal(stanzaError(e).condition, 'remote-server-timeout');
  // Bounced after the user's presence was dropped: nothing came back to alice.
  const rest = await untilPong(alice);
  assert.deepEqual(rest.filter((x) => x.name === 'presence' && x.attrs.type === 'error').map((x) => x.toString()), []);
});
