// Federation interop with a real peer: Debian's Prosody (0.12) as a child process (helpers/prosody.ts says how each
// side finds the other), parley.test ⇄ prosody.test on loopback, messages both ways between a Parley user and a
// Prosody user over dialback (STARTTLS on both streams, certificates that neither side trusts: s2s_secure_auth =
// false, as XEP-0220 allows).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, loginTo, isStanza, type DomainServer } from '../helpers/s2s.js';
import { Prosody, prosodySkip } from '../helpers/prosody.js';
import type { RawClient, Element } from '../helpers/raw-client.js';

const skip = prosodySkip;

let parley: DomainServer;
let prosody: Prosody | null = null;
const clients: RawClient[] = [];
let pat: (RawClient & { jid: string }) | null = null;

before(async () => {
  if (skip) return;
  parley = await startDomain('parley.test');
  await parley.addUser('pam');
  prosody = await Prosody.start({ peers: { 'parley.test': parley.s2sPort }, users: { pat: 'pat-secret' } });
  parley.server.config.s2sHosts = { 'prosody.test': `127.0.0.1:${prosody.s2sPort}` };
});

after(async () => {
  for (const c of clients) c.destroy();
  await prosody?.dispose();
  await parley?.stop();
});

test('a Parley user and a Prosody user exchange messages both ways over dialback', { skip, timeout: 20_000 }, async () => {
  const p = prosody!;
  const pam = await loginTo(parley, 'pam', 'desk');
  clients.push(pam);
  pat = await p.login('pat', 'pat-secret', 'interop');

  pam.send(`<message to='pat@prosody.test' type='chat' id='p1'><body>hello Prosody</body></message>`);
  const got: Element = await p.explain(pat.nextElement(isStanza('message', (e) => e.attrs.id === 'p1'), 'Parley\'s message at pat', 10_000));
  assert.equal(got.attrs.from, 'pam@parley.test/desk');
  assert.equal(got.getChildText('body'), 'hello Prosody');

  pat.send(`<message to='pam@parley.test' type='chat' id='p2'><body>hello Parley</body></message>`);
  const back = await p.explain(pam.nextElement(isStanza('message', (e) => e.attrs.id === 'p2'), 'Prosody\'s message at pam', 10_000));
  assert.equal(back.attrs.from, 'pat@prosody.test/interop');
  assert.equal(back.getChildText('body'), 'hello Parley');

  // Both directions were authenticated by dialback, and Prosody's log says so too.
  assert.deepEqual(parley.s2s.status(), { inbound: ['prosody.test'], outbound: ['prosody.test'] });
  assert.ok(p.log.some((l) => /s2s.*(authenticated|established)/i.test(l) && l.includes('parley.test')), 'Prosody logged the s2s session');
});

test('a ping from the Prosody user to the Parley server is answered', { skip, timeout: 20_000 }, async () => {
  const client = pat ?? await prosody!.login('pat', 'pat-secret', 'interop');
  const pong = await client.ping({ to: 'parley.test', strict: false });
  assert.equal(pong.attrs.from, 'parley.test');
});
