// muc#admin with occupants on another server (a second Parley as the peer, XEP-0045 §8–§10): a remote user is made
// admin by its bare JID and acts over the federation link (its answers travel back the same way), a remote occupant
// is kicked and banned with the same presences and codes as a local one, and the ban keeps it out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, link, clientsOf, type DomainServer } from '../helpers/s2s.js';
import { nextId, type Element, type RawClient } from '../helpers/raw-client.js';
import { MUC, MUC_ADMIN, MUC_OWNER, MUC_USER, errorCondition } from '../helpers/muc-client.js';

let a: DomainServer;
let b: DomainServer;
const clients = clientsOf();
const SERVICE = 'conference.a.test';
const ROOM = `fed@${SERVICE}`;

before(async () => {
  [a, b] = await Promise.all([startDomain('a.test'), startDomain('b.test')]);
  link(a, b);
  // b.test reaches the group chat service of a.test at a.test's s2s port.
  b.server.config.s2sHosts = { ...b.server.config.s2sHosts, [SERVICE]: a.route };
  await Promise.all([a.addUser('olga'), a.addUser('paul'), b.addUser('finn'), b.addUser('gina')]);
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});

type Client = RawClient & { jid: string };

const fromNick = (nick: string, type?: string) => (e: Element): boolean =>
  e.name === 'presence' && e.attrs.from === `${ROOM}/${nick}` && (type === undefined ? e.attrs.type === undefined : e.attrs.type === type);

function codes(e: Element): number[] {
  return (e.getChild('x', MUC_USER)?.getChildren('status') ?? []).map((s) => Number(s.attrs.code));
}

function itemOf(e: Element): Record<string, string> {
  return { ...(e.getChild('x', MUC_USER)?.getChild('item')?.attrs as Record<string, string>) };
}

async function enter(c: Client, nick: string): Promise<void> {
  c.send(`<presence to='${ROOM}/${nick}'><x xmlns='${MUC}'/></presence>`);
  await c.nextElement((e) => e.name === 'message' && e.attrs.from !== undefined && String(e.attrs.from).startsWith(ROOM) && e.getChild('subject') !== undefined, `the subject, entering as ${nick}`, 15_000);
}

function admin(c: Client, items: string, type: 'get' | 'set' = 'set'): Promise<Element> {
  const id = nextId('fadm');
  return c.iq(`<iq type='${type}' id='${id}' to='${ROOM}'><query xmlns='${MUC_ADMIN}'>${items}</query></iq>`, id);
}

test('MUC-38, MUC-40, MUC-41, MUC-44: a federated user is made admin by bare JID and kicks and lists over the link; a federated occupant is kicked (307) and banned (301) like a local one and kept out', async () => {
  const olga = await clients.login(a, 'olga');
  const paul = await clients.login(a, 'paul');
  const finn = await clients.login(b, 'finn');
  const gina = await clients.login(b, 'gina');
  await enter(olga, 'olga');
  const open = `<iq type='set' id='open' to='${ROOM}'><query xmlns='${MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'/></query></iq>`;
  assert.equal((await olga.iq(open, 'open')).attrs.type, 'result');
  await enter(paul, 'paul');
  await enter(finn, 'finn');
  await enter(gina, 'gina');

  // finn@b.test becomes admin: his own presence says so (110), and he is a moderator now.
  const grant = await admin(olga, `<item affiliation='admin' jid='finn@b.test'/>`);
  assert.equal(grant.attrs.type, 'result', grant.toString());
  const own = await finn.nextElement((e) => fromNick('finn')(e) && itemOf(e).affiliation === 'admin', 'finn\'s own admin presence', 15_000);
  assert.deepEqual(codes(own), [110]);
  assert.equal(itemOf(own).role, 'moderator');

  // finn, from his server, kicks paul (a local participant): result over the link, 307 at paul and at olga.
  const kick = await admin(finn, `<item nick='paul' role='none'><reason>off topic</reason></item>`);
  assert.equal(kick.attrs.type, 'result', kick.toString());
  assert.equal(kick.attrs.from, ROOM);
  const paulOut = await paul.nextElement(fromNick('paul', 'unavailable'), 'paul kicked');
  assert.deepEqual(codes(paulOut), [110, 307]);
  assert.equal(paulOut.getChild('x', MUC_USER)?.getChild('item')?.getChild('actor')?.attrs.nick, 'finn');
  assert.deepEqual(codes(await olga.nextElement(fromNick('paul', 'unavailable'), 'paul kicked, at olga')), [307]);
  // He may read the member list (admin) but not change the admin list (forbidden), both answered across the link.
  const members = await admin(finn, `<item affiliation='member'/>`, 'get');
  assert.equal(members.attrs.type, 'result', members.toString());
  const refused = await admin(finn, `<item affiliation='admin' jid='gina@b.test'/>`);
  assert.equal(errorCondition(refused), 'forbidden');

  // gina (remote) is kicked by olga: 110+307 at gina, 307 with her real JID at finn (a moderator).
  assert.equal((await admin(olga, `<item nick='gina' role='none'/>`)).attrs.type, 'result');
  assert.deepEqual(codes(await gina.nextElement(fromNick('gina', 'unavailable'), 'gina kicked', 15_000)), [110, 307]);
  const seen = await finn.nextElement(fromNick('gina', 'unavailable'), 'gina kicked, at finn', 15_000);
  assert.deepEqual(codes(seen), [307]);
  assert.equal(itemOf(seen).jid, gina.jid);

  // Back in, then banned by bare JID: 301 at her, listed, kept out.
  await enter(gina, 'gina');
  assert.equal((await admin(finn, `<item affiliation='outcast' jid='gina@b.test'><reason>spam</reason></item>`)).attrs.type, 'result');
  const banned = await gina.nextElement(fromNick('gina', 'unavailable'), 'gina banned', 15_000);
  assert.deepEqual(codes(banned), [110, 301]);
  assert.equal(itemOf(banned).affiliation, 'outcast');
  const bans = await admin(olga, `<item affiliation='outcast'/>`, 'get');
  assert.deepEqual(bans.getChild('query', MUC_ADMIN)!.getChildren('item').map((i) => i.attrs.jid), ['gina@b.test']);
  gina.send(`<presence to='${ROOM}/gina'><x xmlns='${MUC}'/></presence>`);
  const refusedJoin = await gina.nextElement((e) => e.name === 'presence' && e.attrs.type === 'error', 'the refusal', 15_000);
  assert.equal(errorCondition(refusedJoin), 'forbidden');
});
