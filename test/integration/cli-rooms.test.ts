// `parley room list|show|create|destroy` as people run them (child processes): with no server running on the
// stored rooms of the data folder, then through the admin socket of a `parley serve` whose MUC service loads the
// room made offline and lets a real client (raw XMPP over TLS) enter it; a destroy from the CLI reaches that client.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { login as rawLogin, type RawClient, type Element } from '../helpers/raw-client.js';
import { assertOk, assertOneLineError, newDataDir, parley, serve, type Serving } from '../helpers/cli-process.js';

const DOMAIN = 'test.local';
const SERVICE = `conference.${DOMAIN}`;
const TIMEOUT = { timeout: 60_000 };
const MUC = 'http://jabber.org/protocol/muc';
const MUC_USER = 'http://jabber.org/protocol/muc#user';

/** Enter `room` as `nick`: resolves with the self-presence (status 110). */
async function enter(c: RawClient, room: string, nick: string): Promise<Element> {
  c.send(`<presence to='${room}@${SERVICE}/${nick}'><x xmlns='${MUC}'/></presence>`);
  return c.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}@${SERVICE}/${nick}`, `${nick} entering ${room}`);
}

describe('parley room', () => {
  let dataDir = '';
  let server: Serving | undefined;
  let alice: (RawClient & { jid: string }) | undefined;
  const data = (): string[] => ['--data', dataDir, '--domain', DOMAIN];

  before(async () => {
    dataDir = await newDataDir('parley-cli-rooms-');
    assertOk(await parley(['user', 'add', 'alice', '--password', 'alice-pw', ...data()]));
  });

  after(async () => {
    alice?.destroy();
    await server?.stop();
  });

  test('with no server running: rooms are created, listed, shown and destroyed in the data folder', TIMEOUT, async () => {
    const none = await parley(['room', 'list', ...data()]);
    assertOk(none);
    assert.equal(none.stdout, '');
    assert.equal(none.stderr, 'There are no rooms yet. Create one with: parley room create NAME\n');

    const made = await parley(['room', 'create', 'Hall', '--owner', 'alice', '--title', 'The hall', '--moderated', ...data()]);
    assertOk(made);
    assert.equal(made.stdout, `Created hall@${SERVICE}, owned by alice@${DOMAIN}.\n`);
    assertOk(await parley(['room', 'create', 'attic', '--hidden', ...data()]));
    const list = await parley(['room', 'list', ...data()]);
    assertOk(list);
    assert.equal(list.stdout, `attic@${SERVICE}  0 people  hidden\nhall@${SERVICE}  “The hall”  0 people  moderated\n`);

    const show = await parley(['room', 'show', `hall@${SERVICE}`, ...data()]);
    assertOk(show);
    assert.match(show.stdout, new RegExp(`^hall@${SERVICE.replace(/\./g, '\\.')} — The hall\n`));
    assert.match(show.stdout, /\n {2}Moderated: yes\n/);
    assert.match(show.stdout, /\n {2}Nobody is in the room\.\n {2}Affiliations:\n {4}alice@test\.local {2}owner\n$/);

    assertOneLineError(await parley(['room', 'create', 'hall', ...data()]), `parley: The room hall@${SERVICE} already exists.`);
    assertOneLineError(await parley(['room', 'create', 'tmp', '--temporary', ...data()]), /^parley: A temporary room ends when its last occupant leaves, so it cannot be made while Parley is stopped\./);
    assertOneLineError(await parley(['room', 'create', 'a b', ...data()]), /^parley: "a b" cannot be a room name: it contains U\+0020/);
    assertOneLineError(await parley(['room', 'create', 'x', '--owner', 'nobody', ...data()]), `parley: There is no account nobody@${DOMAIN} to own the room. Add it first, or choose another owner.`);
    assertOneLineError(await parley(['room', 'show', 'nope', ...data()]), `parley: There is no room nope@${SERVICE}.`);

    const gone = await parley(['room', 'destroy', 'attic', ...data()]);
    assertOk(gone);
    assert.equal(gone.stdout, `Destroyed attic@${SERVICE}.\n`);
    assertOneLineError(await parley(['room', 'destroy', 'attic', ...data()]), `parley: There is no room attic@${SERVICE}.`);
  });

  test('with a server running: the room made offline is served; list and show count a real occupant; create and destroy go through the admin socket', TIMEOUT, async () => {
    server = await serve(dataDir, DOMAIN);
    alice = await rawLogin(server.c2sPort, server.caPem, 'alice', 'alice-pw', { resource: 'laptop' });
    const self = await enter(alice, 'hall', 'Alice');
    assert.equal(self.attrs.type, undefined, self.toString());
    const item = self.getChild('x', MUC_USER)?.getChild('item');
    assert.equal(item?.attrs.affiliation, 'owner', 'the owner stored offline');
    assert.equal(item?.attrs.role, 'moderator');

    const list = await parley(['room', 'list', '--data', dataDir]);
    assertOk(list);
    assert.equal(list.stdout, `hall@${SERVICE}  “The hall”  1 person  moderated\n`);
    const show = await parley(['room', 'show', 'hall', '--data', dataDir]);
    assertOk(show);
    assert.match(show.stdout, /\n {2}In the room \(1\):\n {4}Alice {2}alice@test\.local {2}moderator, owner\n/);

    const made = await parley(['room', 'create', 'team', '--title', 'Team', '--members-only', '--temporary', '--data', dataDir]);
    assertOk(made);
    assert.equal(made.stdout, `Created team@${SERVICE}.\n`);
    assertOneLineError(await parley(['room', 'create', 'team', '--data', dataDir]), `parley: The room team@${SERVICE} already exists.`);

    const gone = await parley(['room', 'destroy', 'hall', '--reason', 'Closing for the day', '--data', dataDir]);
    assertOk(gone);
    assert.equal(gone.stdout, `Destroyed hall@${SERVICE}.\n`);
    const told = await alice.nextElement((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `hall@${SERVICE}/Alice`, 'the destroy presence');
    assert.equal(told.getChild('x', MUC_USER)?.getChild('destroy')?.getChildText('reason'), 'Closing for the day');
    const after = await parley(['room', 'list', '--data', dataDir]);
    assertOk(after);
    assert.equal(after.stdout, `team@${SERVICE}  “Team”  0 people  temporary, members only\n`);
  });

  test('usage mistakes are one line each', TIMEOUT, async () => {
    assertOneLineError(await parley(['room']), 'parley: Usage: parley room create|show|destroy NAME, or parley room list.');
    assertOneLineError(await parley(['room', 'create', 'x', '--open', '--members-only', '--data', dataDir]), 'parley: --members-only and --open contradict each other; give one of them.');
    assertOneLineError(await parley(['room', 'destroy', '--data', dataDir]), /^parley: Which room\? Usage: parley room destroy NAME/);
  });
});
