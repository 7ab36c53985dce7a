// Federation with certificates (XEP-0178, S2S-03, S2S-13): d.test trusts c.test's CA, so c.test authenticates to
// d.test by SASL EXTERNAL; c.test does not trust d.test's CA, so d.test falls back to dialback. Then idle streams
// are closed (s2sIdleSeconds) and reopened on demand.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import { startDomain, link, loginTo, isStanza, s2sStreamHeader, type DomainServer } from '../helpers/s2s.js';
import { withTimeout, type RawClient } from '../helpers/raw-client.js';

let c: DomainServer;
let d: DomainServer;
const clients: RawClient[] = [];
const methods: string[] = [];

before(async () => {
  [c, d] = await Promise.all([startDomain('c.test', { s2sIdleSeconds: 1 }), startDomain('d.test', { s2sIdleSeconds: 1 })]);
  link(c, d);
  d.server.config.s2sTrustedCas = [c.caPem];
  await Promise.all([c.addUser('carl'), d.addUser('dora')]);
  for (const [t, name] of [[c, 'c'], [d, 'd']] as const) {
    t.s2s.events.on('inbound-authenticated', (remote, local, method) => methods.push(`${name} in ${remote}→${local} ${method}`));
    t.s2s.events.on('outbound-authenticated', (local, remote, method) => methods.push(`${name} out ${local}→${remote} ${method}`));
  }
});

after(async () => {
  for (const x of clients) x.destroy();
  await Promise.all([c?.stop(), d?.stop()]);
});

test('c.test → d.test by SASL EXTERNAL (d.test trusts c.test\'s CA), d.test → c.test by dialback', async () => {
  const carl = await loginTo(c, 'carl', 'x');
  const dora = await loginTo(d, 'dora', 'y');
  clients.push(carl, dora);
  carl.send(`<message to='dora@d.test' type='chat' id='e1'><body>certified</body></message>`);
  const got = await dora.nextElement(isStanza('message'), 'carl\'s message');
  assert.equal(got.attrs.from, 'carl@c.test/x');
  dora.send(`<message to='carl@c.test/x' type='chat' id='e2'><body>dialed back</body></message>`);
  const back = await carl.nextElement(isStanza('message'), 'dora\'s answer');
  assert.equal(back.attrs.from, 'dora@d.test/y');
  assert.deepEqual(methods.filter((m) => m.startsWith('d in') || m.startsWith('c out')).sort(), ['c out c.test→d.test external', 'd in c.test→d.test external']);
  assert.deepEqual(methods.filter((m) => m.startsWith('c in') || m.startsWith('d out')).sort(), ['c in d.test→c.test dialback', 'd out d.test→c.test dialback']);
});

test('idle streams are closed after s2sIdleSeconds and reopened for the next stanza', async () => {
  // Wait (at most 8 s; the sweep runs every second) until c.test has no stream with d.test in either direction.
  await withTimeout((async () => {
    while (c.s2s.status().outbound.length > 0 || c.s2s.status().inbound.length > 0) await once(c.s2s.events, 'stream-closed');
  })(), 8000, () => `idle streams to close: ${JSON.stringify(c.s2s.status())}`);
  const carl = clients[0];
  const dora = clients[1];
  carl.send(`<message to='dora@d.test' type='chat' id='e3'><body>again</body></message>`);
  const got = await dora.nextElement(isStanza('message', (e) => e.attrs.id === 'e3'), 'the message on a new stream');
  assert.equal(got.getChildText('body'), 'again');
});

/** A hand-made peer with c.test's certificate as client certificate: STARTTLS, header, then SASL EXTERNAL. */
async function externalWith(authzid: string | null): Promise<{ features: string; answer: string }> {
  const raw = net.connect(d.s2sPort, '127.0.0.1');
  let text = '';
  const until = (s: net.Socket, marker: string): Promise<void> => withTimeout(new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (text.includes(marker)) {
        s.removeListener('data', onData);
        resolve();
      }
    };
    const onData = (d: Buffer): void => {
      text += d.toString();
      check();
    };
    s.on('data', onData);
    s.once('close', () => reject(new Error(`closed before ${marker}: ${text}`)));
    check();
  }), 5000, () => `${marker} in ${text}`);
  try {
    raw.write(s2sStreamHeader({ from: 'c.test', to: 'd.test' }));
    await until(raw, '</stream:features>');
    raw.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await until(raw, '<proceed');
    text = '';
    const cert = c.server.certificate!;
    const secure = tls.connect({ socket: raw, servername: 'd.test', ca: d.caPem, key: cert.keyPem, cert: `${cert.certPem}\n${cert.caCertPem}` });
    await once(secure, 'secureConnect');
    secure.write(s2sStreamHeader({ from: 'c.test', to: 'd.test' }));
    await until(secure, '</stream:features>');
    const features = text;
    text = '';
    const data = authzid === null ? '=' : Buffer.from(authzid).toString('base64');
    secure.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='EXTERNAL'>${data}</auth>`);
    await Promise.race([until(secure, '<success'), until(secure, '<failure')]);
    const answer = text;
    secure.destroy();
    return { features, answer };
  } finally {
    raw.destroy();
  }
}

test('SASL EXTERNAL: offered for a certificate valid for the header\'s from; authzid must be that domain (S2S-13)', async () => {
  const ok = await externalWith(null);
  assert.match(ok.features, /<mechanism>EXTERNAL<\/mechanism>/);
  assert.match(ok.answer, /<success/);
  const same = await externalWith('c.test');
  assert.match(same.answer, /<success/);
  const other = await externalWith('d.test');
  assert.match(other.answer, /<failure[^>]*><invalid-authzid\/>/);
});
