// Raw-socket tests of RFC 6120 §11 restricted XML and well-formedness (BAD-01…BAD-10), unknown top-level elements
// (BAD-17) and whitespace keepalives (CORE-11): each fault gets its exact stream error, nothing partial is routed,
// and the server keeps serving.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertServes, NS } from '../helpers/raw-client.js';

let t: TestServer;
let bob: RawClient & { jid: string };
let fetches = 0;
let trap: http.Server;
let trapUrl = '';

before(async () => {
  t = await startWithUsers({ alice: 'alice-password', bob: 'bob-password' });
  bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-password', { resource: 'watch' });
  // An HTTP server that counts requests: an XXE-prone parser would fetch the external DTD from it (BAD-03).
  trap = http.createServer((_req, res) => {
    fetches++;
    res.end('<!ENTITY x "boom">');
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  trapUrl = `http://127.0.0.1:${(trap.address() as { port: number }).port}/evil.dtd`;
});
after(async () => {
  trap.close();
  try {
    await bob.close();
  } finally {
    await t.stop();
  }
});

const serves = (): Promise<void> => assertServes(t.c2sPort, t.caPem, 'alice', 'alice-password');
const HEADER_TAIL = `<stream:stream xmlns='${NS.client}' xmlns:stream='${NS.streams}' to='${DOMAIN}' version='1.0'>`;

/** Raw bytes/text instead of the initial header: the server answers with a header of its own, then the error. */
async function headerCase(data: string | Buffer, condition: string): Promise<void> {
  const c = await RawClient.connect(t.c2sPort);
  c.send(data);
  const h = await c.expectHeader();
  assert.equal(h.from, DOMAIN, 'CORE-62: a response header from our domain comes first');
  await c.expectStreamError(condition);
  await serves();
}

/** After the header and features, before TLS. */
async function preAuthCase(data: string | Buffer, condition: string): Promise<void> {
  const c = await RawClient.connect(t.c2sPort);
  await c.open();
  c.send(data);
  await c.expectStreamError(condition);
  await serves();
}

/** Logged in and bound: the fault sits in a stanza for bob, who must receive nothing of it. */
async function boundCase(data: string | Buffer, condition: string): Promise<void> {
  const c = await login(t.c2sPort, t.caPem, 'alice', 'alice-password');
  c.send(data);
  await c.expectStreamError(condition);
  await bob.ping();   // strict: nothing reached bob before the pong
  await serves();
}

const toBob = (inner: string): string => `<message to='bob@${DOMAIN}/watch' type='chat' id='bad'>${inner}</message>`;

// ---- BAD-01 comments -------------------------------------------------------------------------------------------

test('BAD-01: a comment before the stream header → <restricted-xml/>', () => headerCase(`<?xml version='1.0'?><!-- hello -->${HEADER_TAIL}`, 'restricted-xml'));
test('BAD-01: a comment between stanzas → <restricted-xml/>', () => preAuthCase('<!-- between -->', 'restricted-xml'));
test('BAD-01: a comment inside a stanza → <restricted-xml/>, not delivered', () => boundCase(toBob('<!--x--><body>hi</body>'), 'restricted-xml'));

// ---- BAD-02 processing instructions ----------------------------------------------------------------------------

test('BAD-02: a processing instruction before the header → <restricted-xml/>', () => headerCase(`<?xml version='1.0'?><?foo bar?>${HEADER_TAIL}`, 'restricted-xml'));
test('BAD-02: <?php ?> after the header → <restricted-xml/>', () => preAuthCase('<?php echo 1; ?>', 'restricted-xml'));
test('BAD-02: a processing instruction inside a stanza → <restricted-xml/>, not delivered', () => boundCase(toBob('<body>a<?pi x?>b</body>'), 'restricted-xml'));

// ---- BAD-03 DTDs ---------------------------------------------------------------------------------------------------

test('BAD-03: a DOCTYPE with an external SYSTEM DTD → <restricted-xml/>, and nothing is fetched', async () => {
  await headerCase(`<?xml version='1.0'?><!DOCTYPE stream:stream SYSTEM '${trapUrl}'>${HEADER_TAIL}`, 'restricted-xml');
  assert.equal(fetches, 0, 'the external DTD was never requested');
});

test('BAD-03: a DOCTYPE with an internal subset of entities ("billion laughs") → <restricted-xml/>', () =>
  headerCase(`<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;'><!ENTITY lol3 '&lol2;&lol2;&lol2;'>]>${HEADER_TAIL}`, 'restricted-xml'));

test('BAD-03: a DOCTYPE after the stream header is refused (restricted-xml or not-well-formed) and nothing is fetched', async () => {
  const c = await RawClient.connect(t.c2sPort);
  await c.open();
  c.send(`<!DOCTYPE message SYSTEM '${trapUrl}'>`);
  const e = await c.nextElement();
  assert.equal(e.name, 'stream:error');
  const cond = e.getChildElements()[0].name;
  assert.ok(['restricted-xml', 'not-well-formed'].includes(cond), cond);
  await c.expectCloseTag();
  await c.expectClosed();
  assert.equal(fetches, 0);
  await serves();
});

// ---- BAD-04 entities ---------------------------------------------------------------------------------------------

test('BAD-04: &nbsp; in a stanza → <restricted-xml/>, not delivered', () => boundCase(toBob('<body>&nbsp;</body>'), 'restricted-xml'));
test('BAD-04: an undefined entity &foo; before login → <restricted-xml/>', () => preAuthCase(`<message><body>&foo;</body></message>`, 'restricted-xml'));
test('BAD-04: an entity in a header attribute → <restricted-xml/>', () => headerCase(`<?xml version='1.0'?><stream:stream xmlns='${NS.client}' xmlns:stream='${NS.streams}' to='test&nbsp;local' version='1.0'>`, 'restricted-xml'));

test('BAD-04: numeric character references and the five predefined entities are accepted and delivered decoded', async () => {
  const c = await login(t.c2sPort, t.caPem, 'alice', 'alice-password');
  c.send(`<message to='bob@${DOMAIN}/watch' id='ent'><body>&#233;&#x1F600; &lt;&gt;&amp;&quot;&apos;</body></message>`);
  const m = await bob.nextElement((e) => e.attrs.id === 'ent');
  assert.equal(m.getChildText('body'), 'é\u{1F600} <>&"\'');
  await c.close();
});

// ---- BAD-05 standalone -------------------------------------------------------------------------------------------

test("BAD-05: standalone='no' in the XML declaration is ignored (the stream proceeds)", async () => {
  const c = await RawClient.connect(t.c2sPort);
  c.send(`<?xml version='1.0' encoding='UTF-8' standalone='no'?>${HEADER_TAIL}`);
  const { features } = await c.expectStreamStart();
  assert.ok(features.getChild('starttls', NS.tls));
  await c.close();
});

// ---- BAD-06 encodings --------------------------------------------------------------------------------------------

test('BAD-06: a declaration naming UTF-16 → <unsupported-encoding/>', () => headerCase(`<?xml version='1.0' encoding='UTF-16'?>${HEADER_TAIL}`, 'unsupported-encoding'));
test('BAD-06: a declaration naming ISO-8859-1 → <unsupported-encoding/>', () => headerCase(`<?xml version='1.0' encoding='ISO-8859-1'?>${HEADER_TAIL}`, 'unsupported-encoding'));

for (const [label, bytes] of [
  ['an overlong NUL (C0 80)', [0xc0, 0x80]],
  ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
  ['a byte that never occurs in UTF-8 (FF)', [0xff]],
  ['a five-byte sequence (F8 88 80 80 80)', [0xf8, 0x88, 0x80, 0x80, 0x80]],
] as const) {
  test(`BAD-06: ${label} between stanzas → <unsupported-encoding/>`, () => preAuthCase(Buffer.from(bytes), 'unsupported-encoding'));
}

test('BAD-06: invalid UTF-8 inside a message body → <unsupported-encoding/>, not delivered', () =>
  boundCase(Buffer.concat([Buffer.from(`<message to='bob@${DOMAIN}/watch' id='utf'><body>a`), Buffer.from([0xc3, 0x28]), Buffer.from('</body></message>')]), 'unsupported-encoding'));

// ---- BAD-07 U+FEFF -------------------------------------------------------------------------------------------------

test('BAD-07: the server never emits a BOM; U+FEFF inside a stanza is an ordinary character and delivered intact', async () => {
  const c = await login(t.c2sPort, t.caPem, 'alice', 'alice-password');
  assert.notDeepEqual([...c.rawBytes[0].subarray(0, 3)], [0xef, 0xbb, 0xbf]);
  c.send(`<message to='bob@${DOMAIN}/watch' id='zw'><body>a\uFEFFb</body></message>`);
  const m = await bob.nextElement((e) => e.attrs.id === 'zw');
  assert.equal(m.getChildText('body'), 'a\uFEFFb');
  await c.close();
  const raw = await RawClient.connect(t.c2sPort);
  await raw.open();
  assert.equal(raw.rawBytes[0][0], 0x3c, 'first byte is "<"');
  await raw.close();
});

// ---- BAD-08 well-formedness --------------------------------------------------------------------------------------

for (const [label, data] of [
  ['a mismatched end tag', toBob('<body>a</message>')],
  ["'<' in text", toBob('<body>a < b</body>')],
  ['an unquoted attribute', `<message to=bob@${DOMAIN}/watch><body>x</body></message>`],
  ['a duplicate attribute', `<message id='a' id='b' to='bob@${DOMAIN}/watch'><body>x</body></message>`],
  ['a forbidden character U+0001 in text', toBob('<body>a\u0001b</body>')],
  ['a character reference to a forbidden character (&#x0;)', toBob('<body>&#x0;</body>')],
  ['U+FFFE in text', toBob('<body>\uFFFE</body>')],
  ['a character reference to U+FFFF', toBob('<body>&#xFFFF;</body>')],
  ['non-whitespace text between stanzas', 'hello<message/>'],
  ['an end tag with no start tag', '</message>'],
] as const) {
  test(`BAD-08: ${label} → <not-well-formed/>, nothing delivered`, () => boundCase(data, 'not-well-formed'));
}

test('BAD-08: a broken stanza before login → <not-well-formed/>', () => preAuthCase(`<message><body>a</message>`, 'not-well-formed'));
test('BAD-08: an unclosed stanza followed by the closing stream tag → <not-well-formed/>', () => boundCase(`${toBob('<body>x').replace('</message>', '')}</stream:stream>`, 'not-well-formed'));

// ---- BAD-09 namespace well-formedness ---------------------------------------------------------------------------

for (const [label, data] of [
  ['an undeclared element prefix', toBob('<foo:bar/>')],
  ['an undeclared attribute prefix', toBob("<body foo:x='1'>x</body>")],
  ['rebinding the xml prefix', toBob("<x xmlns:xml='urn:not-xml'/>")],
  ['binding the xmlns prefix', toBob("<x xmlns:xmlns='urn:x'/>")],
  ['duplicate expanded attribute names', toBob("<x xmlns:a='urn:same' xmlns:b='urn:same' a:y='1' b:y='2'/>")],
] as const) {
  test(`BAD-09: ${label} → <not-well-formed/>, never routed`, () => boundCase(data, 'not-well-formed'));
}

// ---- BAD-17 unknown top-level elements --------------------------------------------------------------------------

for (const [label, data] of [
  ['<foo/> in jabber:client', '<foo/>'],
  ['XEP-0138 <compress/> (not offered)', "<compress xmlns='http://jabber.org/protocol/compress'><method>zlib</method></compress>"],
  ['<pubsub/> at top level', "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='x'/></pubsub>"],
] as const) {
  test(`BAD-17: ${label} after bind → <unsupported-stanza-type/>, never routed`, () => boundCase(data, 'unsupported-stanza-type'));
}
test('BAD-17: an unknown top-level element before login → <unsupported-stanza-type/>', () => preAuthCase("<compress xmlns='http://jabber.org/protocol/compress'><method>zlib</method></compress>", 'unsupported-stanza-type'));

// ---- CORE-11 whitespace ------------------------------------------------------------------------------------------

test('CORE-11: whitespace before the header, between stanzas and as keepalives is accepted', async () => {
  const c = await RawClient.connect(t.c2sPort);
  c.send('  \n');
  await c.open({ xmlDecl: false });   // (before an XML declaration, whitespace would be not-well-formed XML)
  await c.close();
  const a = await login(t.c2sPort, t.caPem, 'alice', 'alice-password');
  for (const ws of [' ', '\n', '\r\n', '\t', '   \n\n  ']) a.send(ws);
  await a.ping();
  a.send(` \n<message to='bob@${DOMAIN}/watch' id='ws'><body> x </body></message>\n \n`);
  assert.equal((await bob.nextElement((e) => e.attrs.id === 'ws')).getChildText('body'), ' x ');
  await a.ping();
  await a.close();
});
