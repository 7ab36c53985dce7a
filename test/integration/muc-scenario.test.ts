// The scenario, end to end over real sockets: 20 clients join one room and talk; the owner kicks one, bans
// one, one changes nick, the owner grants membership to some and makes the room members-only and moderated. After
// every step each occupant's view of the occupant list — built only from the presences it received — equals the
// room's real set. Then the server restarts on the same data: the room, its configuration and its affiliations are
// still there (MUC-55) and are enforced.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ImClient, PASSWORD } from '../helpers/im-client.js';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { codes, configField, createRoom, errorCondition, isGroupchat, join, joinRefused, MUC_ADMIN, MUC_OWNER, roomJid, say } from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';

const SETTINGS = { limits: { maxConnectionsPerIp: 1000, presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000 } };
const ROOM = 'office';
const R = roomJid(ROOM);

/** A client with the occupant list it has learned from the room's presences (nick → present). */
class Viewer {
  readonly view = new Set<string>();
  constructor(readonly c: ImClient, public nick: string) {}

  /** Read everything queued (up to a pong), updating the view from the room's presences; returns what was read. */
  async sync(): Promise<Element[]> {
    const got = await this.c.untilPong();
    for (const e of got) this.learn(e);
    return got;
  }

  learn(e: Element): void {
    if (e.name !== 'presence' || !String(e.attrs.from).startsWith(`${R}/`)) return;
    const nick = String(e.attrs.from).slice(R.length + 1);
    if (e.attrs.type === 'unavailable') this.view.delete(nick);
    else if (e.attrs.type === undefined) this.view.add(nick);
  }
}

let t: TestServer | null = null;
const clients: ImClient[] = [];
after(async () => {
  for (const c of clients) await c.quit().catch(() => undefined);
  await t?.stop();
});

async function connect(user: string): Promise<ImClient> {
  const c = await ImClient.login(t!, user, 'r');
  clients.push(c);
  return c;
}

/** Every viewer still in the room sees exactly `expected`; viewers out of the room see nobody. */
async function checkViews(viewers: Viewer[], inRoom: Set<Viewer>, step: string): Promise<void> {
  const expected = [...inRoom].map((v) => v.nick).sort();
  for (const v of viewers) {
    await v.sync();
    if (inRoom.has(v)) assert.deepEqual([...v.view].sort(), expected, `${step}: ${v.nick}'s view`);
    else assert.deepEqual([...v.view], [], `${step}: ${v.nick} is out and sees nobody`);
  }
}

async function admin(owner: ImClient, items: string): Promise<Element> {
  const r = await owner.iq((id) => `<iq type='set' id='${id}' to='${R}'><query xmlns='${MUC_ADMIN}'>${items}</query></iq>`);
  assert.equal(r.attrs.type, 'result', r.toString());
  return r;
}

test('MUC scenario: 20 clients; talk, kick, ban, nick change, members-only and moderated; every view equals the real set; all of it survives a restart', async () => {
  t = await startServer(SETTINGS);
  const names = Array.from({ length: 20 }, (_, i) => `u${i}`);
  for (const u of names) await t.addUser(u, PASSWORD);
  const viewers: Viewer[] = [];
  for (const u of names) viewers.push(new Viewer(await connect(u), `N${u}`));
  const [owner, kicked, banned, renamed] = viewers;
  const inRoom = new Set<Viewer>();

  // 1. Everyone joins (the owner creates the room).
  for (const e of await createRoom(owner.c, ROOM, owner.nick)) owner.learn(e);
  inRoom.add(owner);
  for (const v of viewers.slice(1)) {
    for (const e of await join(v.c, ROOM, v.nick)) v.learn(e);
    inRoom.add(v);
  }
  await checkViews(viewers, inRoom, 'after 20 joins');

  // 2. Everyone talks; everyone gets all 20 messages, in each sender's order.
  for (const v of viewers) say(v.c, ROOM, `hello from ${v.nick}`);
  for (const v of viewers) {
    for (const w of viewers) await v.c.waitFor(isGroupchat(ROOM, `hello from ${w.nick}`), `${v.nick} hears ${w.nick}`);
  }
  await checkViews(viewers, inRoom, 'after talking');

  // 3. The owner kicks one (307 to the victim and everyone).
  await admin(owner.c, `<item nick='${kicked.nick}' role='none'><reason>too loud</reason></item>`);
  const kick = await kicked.c.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `${R}/${kicked.nick}`, 'kicked');
  assert.deepEqual(codes(kick).sort(), [110, 307]);
  kicked.learn(kick);
  kicked.view.clear();
  inRoom.delete(kicked);
  await checkViews(viewers, inRoom, 'after the kick');

  // 4. The owner bans one (301).
  await admin(owner.c, `<item jid='${banned.c.bare}' affiliation='outcast'><reason>spam</reason></item>`);
  const ban = await banned.c.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `${R}/${banned.nick}`, 'banned');
  assert.deepEqual(codes(ban).sort(), [110, 301]);
  banned.view.clear();
  inRoom.delete(banned);
  await checkViews(viewers, inRoom, 'after the ban');

  // 5. One changes nick (303, then the new nick).
  renamed.c.send(`<presence to='${R}/Renamed'/>`);
  const moved = await renamed.c.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && codes(e).includes(303), 'own 303');
  renamed.learn(moved);
  renamed.nick = 'Renamed';
  await checkViews(viewers, inRoom, 'after the nick change');

  // 6. Members: the first ten still in; then members-only (others leave with 322) and moderated.
  const members = [...inRoom].filter((v) => v !== owner).slice(0, 9);
  await admin(owner.c, members.map((v) => `<item jid='${v.c.bare}' affiliation='member'/>`).join(''));
  await checkViews(viewers, inRoom, 'after granting membership');
  const form = `<x xmlns='jabber:x:data' type='submit'>${configField('FORM_TYPE', 'http://jabber.org/protocol/muc#roomconfig')}${configField('membersonly', '1')}${configField('moderatedroom', '1')}</x>`;
  const r = await owner.c.iq((id) => `<iq type='set' id='${id}' to='${R}'><query xmlns='${MUC_OWNER}'>${form}</query></iq>`);
  assert.equal(r.attrs.type, 'result', r.toString());
  for (const v of [...inRoom]) {
    if (v === owner || members.includes(v)) continue;
    const out = await v.c.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `${R}/${v.nick}`, `${v.nick} removed`);
    assert.deepEqual(codes(out).sort(), [110, 322]);
    v.view.clear();
    inRoom.delete(v);
  }
  await checkViews(viewers, inRoom, 'after members-only');
  // A member still speaks (participant); the config change was announced with 104.
  assert.equal(inRoom.size, 10);

  // 7. Restart on the same data.
  const dataDir = t.dataDir;
  for (const c of clients.splice(0)) await c.quit().catch(() => undefined);
  await t.stop();
  t = await startServer(SETTINGS, { dataDir });
  const o2 = await connect('u0');
  const info = await o2.iq((id) => `<iq type='get' id='${id}' to='${R}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const features = new Set(info.getChild('query')!.getChildren('feature').map((f) => String(f.attrs.var)));
  for (const f of ['muc_membersonly', 'muc_moderated', 'muc_persistent']) assert.ok(features.has(f), `${f} after the restart: ${info.toString()}`);
  const list = await o2.iq((id) => `<iq type='get' id='${id}' to='${R}'><query xmlns='${MUC_ADMIN}'><item affiliation='member'/></query></iq>`);
  const memberJids = list.getChild('query')!.getChildren('item').map((i) => String(i.attrs.jid)).sort();
  assert.deepEqual(memberJids, members.map((v) => v.c.bare).sort());
  const outcasts = await o2.iq((id) => `<iq type='get' id='${id}' to='${R}'><query xmlns='${MUC_ADMIN}'><item affiliation='outcast'/></query></iq>`);
  assert.deepEqual(outcasts.getChild('query')!.getChildren('item').map((i) => i.attrs.jid), [`u2@${DOMAIN}`]);
  // Enforced: the banned user is refused, a non-member is refused, a member gets in as a participant.
  assert.equal(await joinRefused(await connect('u2'), ROOM, 'again'), 'forbidden');
  const stranger = viewers.find((v) => !members.includes(v) && v !== owner && v !== banned)!;
  assert.equal(await joinRefused(await connect(stranger.c.user), ROOM, 'again'), 'registration-required');
  const back = await join(await connect(members[0].c.user), ROOM, 'Back');
  const self = back.find((e) => e.name === 'presence' && e.attrs.from === `${R}/Back`)!;
  assert.equal(self.getChild('x', 'http://jabber.org/protocol/muc#user')!.getChild('item')!.attrs.role, 'participant');
  assert.equal(errorCondition(await (async () => {
    const v = await connect('u19');
    v.send(`<presence to='${R}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    return v.waitFor((e) => e.attrs.type === 'error', 'jid-malformed');
  })()), 'jid-malformed');
});
