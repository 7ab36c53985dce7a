// The seams between a client connection and its bound session, seen from real sockets through test-only modules
// (registered with the server's `modules` option, as a feature module would be):
//   - top-level non-stanza elements reach modules at the stages they accept, before bind too (what XEP-0198
//     <resume/> needs); anything else is still <unsupported-stanza-type/> (BAD-17);
//   - an output filter on one bound session rewrites and drops what goes to that session only (what XEP-0198
//     counting and XEP-0352 holding will hook);
//   - a bound session moves from one connection to another (XEP-0198 resumption, MOD-05): stanzas for its JID then
//     arrive on the new socket only, the old one ends with <conflict/>, and the registry holds the JID once.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, until } from '../helpers/raw-client.js';
import { DEFAULT_MODULES } from '../../server/modules/index.js';
import type { ServerModule } from '../../server/modules/module.js';
import type { OutputFilter, SessionHandle } from '../../server/core/context.js';
import { el, type Element } from '../../server/core/xml.js';
import { makeJid, parseJid } from '../../server/core/jid.js';

const NS_EARLY = 'urn:test:early';
const NS_FILTER = 'urn:test:filter';
const NS_MOVE = 'urn:test:move';

/** Answers <hello/> at every stage before bind with the stage it saw; <bound-only/> is accepted once bound. */
const earlyModule: ServerModule = {
  name: 'test-early',
  spec: 'test: top-level elements before bind',
  load(ctx) {
    ctx.streamElements.set(`${NS_EARLY}|hello`, {
      stages: ['pre-tls', 'pre-auth', 'pre-bind'],
      handle(stream, e) {
        stream.send(el('hello-back', { xmlns: NS_EARLY, stage: stream.stage, secure: String(stream.secure), user: stream.username ?? '', n: e.attrs.n }));
      },
    });
    ctx.streamElements.set(`${NS_EARLY}|bound-only`, {
      stages: ['bound'],
      handle(stream) {
        stream.send(el('bound-back', { xmlns: NS_EARLY, jid: stream.session?.jid.toString() }));
      },
    });
  },
};

/**
 * <filter/> after bind puts an output filter on the sender's session: messages whose body is "drop" are dropped,
 * others get their body in upper case and a <filtered/> mark. <unfilter/> removes it again.
 */
const filterModule: ServerModule = {
  name: 'test-filter',
  spec: 'test: an output filter on one session',
  load(ctx) {
    const filters = new WeakMap<SessionHandle, OutputFilter>();
    const filter: OutputFilter = (stanza, _session, written) => {
      if (stanza.name !== 'message') return stanza;
      const body = stanza.getChildText('body');
      if (body === 'drop') {
        written?.(false);
        return null;
      }
      // A copy: the same element may be on its way to other sessions.
      const copy = el('message', { ...stanza.attrs }, el('body', null, (body ?? '').toUpperCase()), el('filtered', { xmlns: NS_FILTER }));
      return copy;
    };
    ctx.streamElements.set(`${NS_FILTER}|filter`, {
      stages: ['bound'],
      handle(stream) {
        const s = stream.session!;
        s.addOutputFilter(filter);
        filters.set(s, filter);
        stream.send(el('filtering', { xmlns: NS_FILTER }));
      },
    });
    ctx.streamElements.set(`${NS_FILTER}|unfilter`, {
      stages: ['bound'],
      handle(stream) {
        const s = stream.session!;
        const f = filters.get(s);
        stream.send(el('unfiltered', { xmlns: NS_FILTER, removed: String(f !== undefined && s.removeOutputFilter(f)) }));
      },
    });
  },
};

/**
 * Like XEP-0198 without the counting: <remember keep='true|false'/> after bind makes the session known (and, with
 * keep, kept detached when its connection is lost); <take-over jid='…'/> from another connection of the same
 * account, after SASL and before bind, moves that session to it.
 */
const remembered = new Map<string, SessionHandle>();
const moveModule: ServerModule = {
  name: 'test-move',
  spec: 'test: moving a bound session to another connection',
  load(ctx) {
    ctx.streamElements.set(`${NS_MOVE}|remember`, {
      stages: ['bound'],
      handle(stream, e) {
        const s = stream.session!;
        remembered.set(s.jid.toString(), s);
        if (e.attrs.keep === 'true') s.onConnectionLost = () => undefined;   // stays registered, detached
        stream.send(el('remembered', { xmlns: NS_MOVE }));
      },
    });
    ctx.streamElements.set(`${NS_MOVE}|take-over`, {
      stages: ['pre-bind'],
      handle(stream, e) {
        const s = remembered.get(String(e.attrs.jid));
        if (!s || s.ended || s.jid.local !== stream.username) {
          stream.send(el('failed', { xmlns: NS_MOVE }));
          return;
        }
        s.attach(stream);
        stream.send(el('taken-over', { xmlns: NS_MOVE, jid: s.jid.toString(), stage: stream.stage }));
      },
    });
  },
};

let t: TestServer;
before(async () => {
  t = await startWithUsers({ alice: 'alice-pw', bob: 'bob-pw' }, {}, { modules: [...DEFAULT_MODULES, earlyModule, filterModule, moveModule] });
});
after(() => t.stop());

const isMessage = (id: string) => (e: Element): boolean => e.name === 'message' && e.attrs.id === id;

describe('top-level elements before bind', () => {
  test('a module answers its element before TLS, before SASL and before bind, with the stage it was handled in', async () => {
    const c = await RawClient.connect(t.c2sPort);
    await c.open();
    c.send(`<hello xmlns='${NS_EARLY}' n='1'/>`);
    let back = await c.nextElement(undefined, '<hello-back/> before TLS');
    assert.deepEqual(back.attrs, { xmlns: NS_EARLY, stage: 'pre-tls', secure: 'false', user: '', n: '1' });
    await c.startTls(t.caPem);
    await c.open();
    c.send(`<hello xmlns='${NS_EARLY}' n='2'/>`);
    back = await c.nextElement(undefined, '<hello-back/> before SASL');
    assert.deepEqual(back.attrs, { xmlns: NS_EARLY, stage: 'pre-auth', secure: 'true', user: '', n: '2' });
    assert.equal((await c.authPlain('alice', 'alice-pw')).name, 'success');
    await c.restart();
    c.send(`<hello xmlns='${NS_EARLY}' n='3'/>`);
    back = await c.nextElement(undefined, '<hello-back/> before bind');
    assert.deepEqual(back.attrs, { xmlns: NS_EARLY, stage: 'pre-bind', secure: 'true', user: 'alice', n: '3' });
    const jid = await c.bind('early');
    c.send(`<bound-only xmlns='${NS_EARLY}'/>`);
    back = await c.nextElement(undefined, '<bound-back/>');
    assert.deepEqual(back.attrs, { xmlns: NS_EARLY, jid });
    // Accepted before bind only: once bound it is an unknown element again.
    c.send(`<hello xmlns='${NS_EARLY}' n='4'/>`);
    await c.expectStreamError('unsupported-stanza-type');
  });

  test('BAD-17: an element no module handles still gets <unsupported-stanza-type/> before auth', async () => {
    const c = await RawClient.connect(t.c2sPort);
    await c.open();
    await c.startTls(t.caPem);
    await c.open();
    c.send(`<nobody-handles-this xmlns='urn:test:none'/>`);
    await c.expectStreamError('unsupported-stanza-type');
  });

  test('BAD-17: an element accepted only once bound gets <unsupported-stanza-type/> before bind', async () => {
    const c = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: null });
    c.send(`<bound-only xmlns='${NS_EARLY}'/>`);
    await c.expectStreamError('unsupported-stanza-type');
  });
});

describe('output filters', () => {
  test('a filter on one session rewrites and drops what goes to that session only, and can be removed', async () => {
    const filtered = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: 'filtered' });
    const plain = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: 'plain' });
    const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-pw', { resource: 'b' });
    filtered.send(`<filter xmlns='${NS_FILTER}'/>`);
    assert.equal((await filtered.nextElement(undefined, '<filtering/>')).name, 'filtering');
    const to = (res: string, id: string, body: string): string => `<message type='chat' to='alice@${DOMAIN}/${res}' id='${id}'><body>${body}</body></message>`;
    bob.send(to('filtered', 'f1', 'hello') + to('filtered', 'f2', 'drop') + to('filtered', 'f3', 'after') + to('plain', 'p1', 'hello') + to('plain', 'p2', 'drop'));
    // In order on the raw socket: f1 rewritten, f2 gone, f3 rewritten.
    const f1 = await filtered.nextElement(undefined, 'f1');
    assert.equal(f1.toString(), `<message type="chat" to="alice@${DOMAIN}/filtered" id="f1" from="bob@${DOMAIN}/b"><body>HELLO</body><filtered xmlns="${NS_FILTER}"/></message>`);
    const f3 = await filtered.nextElement(undefined, 'f3');
    assert.equal(f3.attrs.id, 'f3');
    assert.equal(f3.getChildText('body'), 'AFTER');
    // The other session of the same account gets both, unchanged.
    const p1 = await plain.nextElement(undefined, 'p1');
    assert.equal(p1.toString(), `<message type="chat" to="alice@${DOMAIN}/plain" id="p1" from="bob@${DOMAIN}/b"><body>hello</body></message>`);
    assert.equal((await plain.nextElement(undefined, 'p2')).getChildText('body'), 'drop');
    // Nothing else reached the filtered session (the strict pong is its next element).
    await filtered.ping();
    assert.deepEqual(filtered.pending(), []);
    // Removed: stanzas pass unchanged again.
    filtered.send(`<unfilter xmlns='${NS_FILTER}'/>`);
    assert.deepEqual((await filtered.nextElement(undefined, '<unfiltered/>')).attrs, { xmlns: NS_FILTER, removed: 'true' });
    bob.send(to('filtered', 'f4', 'drop'));
    assert.equal((await filtered.nextElement(undefined, 'f4')).toString(), `<message type="chat" to="alice@${DOMAIN}/filtered" id="f4" from="bob@${DOMAIN}/b"><body>drop</body></message>`);
    await Promise.all([filtered.close(), plain.close(), bob.close()]);
  });
});

describe('moving a bound session to another connection', () => {
  test('MOD-05 (seam): after take-over, stanzas for the JID arrive on the second socket only; the first ends with <conflict/>; the JID is registered once', async () => {
    const first = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: 'mobile' });
    const full = `alice@${DOMAIN}/mobile`;
    first.send(`<remember xmlns='${NS_MOVE}'/>`);
    assert.equal((await first.nextElement(undefined, '<remembered/>')).name, 'remembered');
    const sessions = t.server.context_.sessions;
    const session = sessions.get(parseJid(full));
    assert.ok(session);

    const second = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: null });
    second.send(`<take-over xmlns='${NS_MOVE}' jid='${full}'/>`);
    assert.deepEqual((await second.nextElement(undefined, '<taken-over/>')).attrs, { xmlns: NS_MOVE, jid: full, stage: 'bound' });
    await first.expectStreamError('conflict');

    assert.equal(sessions.get(parseJid(full)), session, 'the same session object stays registered');
    assert.equal(sessions.countOf(makeJid('alice', DOMAIN)), 1);
    assert.equal([...sessions.all()].filter((s) => s.jid.toString() === full).length, 1);

    const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-pw', { resource: 'b' });
    bob.send(`<message type='chat' to='${full}' id='moved1'><body>where are you?</body></message>`);
    const got = await second.nextElement(undefined, 'moved1');
    assert.equal(got.toString(), `<message type="chat" to="${full}" id="moved1" from="bob@${DOMAIN}/b"><body>where are you?</body></message>`);
    // The second connection now speaks as the moved session, which goes on counting what it receives (XEP-0198 h).
    const received = (session as SessionHandle).stanzasReceived;
    second.send(`<message type='chat' to='bob@${DOMAIN}/b' id='back1'><body>here</body></message>`);
    assert.equal((await bob.nextElement(isMessage('back1'), 'back1')).attrs.from, full);
    await second.ping();
    assert.equal((session as SessionHandle).stanzasReceived, received + 2);
    assert.equal(first.pending().filter((e) => e.kind === 'element').length, 0, 'nothing more on the first socket');
    await Promise.all([second.close(), bob.close()]);
    await until('the moved session to end with its connection', () => sessions.get(parseJid(full)) === undefined, 5000);
  });

  test('a kept session survives losing its connection (detached: stanzas are dropped, not delivered) and a new connection takes it over', async () => {
    const first = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: 'tablet' });
    const full = `alice@${DOMAIN}/tablet`;
    first.send(`<remember xmlns='${NS_MOVE}' keep='true'/>`);
    assert.equal((await first.nextElement(undefined, '<remembered/>')).name, 'remembered');
    const sessions = t.server.context_.sessions;
    const session = sessions.get(parseJid(full)) as SessionHandle;
    first.destroy();
    await until('the first connection to be gone', () => session.connection === null, 5000);
    assert.equal(sessions.get(parseJid(full)), session, 'still registered while detached');
    assert.equal(session.ended, false);

    const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-pw', { resource: 'b' });
    bob.send(`<message type='chat' to='${full}' id='lost1'><body>nobody hears this</body></message>`);
    await bob.ping({ strict: false });
    const second = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: null });
    second.send(`<take-over xmlns='${NS_MOVE}' jid='${full}'/>`);
    assert.equal((await second.nextElement(undefined, '<taken-over/>')).name, 'taken-over');
    bob.send(`<message type='chat' to='${full}' id='found1'><body>there you are</body></message>`);
    // The next stanza on the new socket is the one sent after the take-over: the one sent while detached is gone.
    assert.equal((await second.nextElement(undefined, 'found1')).attrs.id, 'found1');
    assert.equal(sessions.countOf(makeJid('alice', DOMAIN)), 1);
    // The client closes its stream itself this time: a clean end, which ends even a kept session (MOD-07).
    await Promise.all([second.close(), bob.close()]);
    await until('the session to end with the clean close', () => session.ended, 5000);
    assert.equal(sessions.get(parseJid(full)), undefined);
  });

  test('a take-over of a session of another account is refused by the module (attach checks the account too)', async () => {
    const alice = await login(t.c2sPort, t.caPem, 'alice', 'alice-pw', { resource: 'desk' });
    alice.send(`<remember xmlns='${NS_MOVE}'/>`);
    await alice.nextElement(undefined, '<remembered/>');
    const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-pw', { resource: null });
    bob.send(`<take-over xmlns='${NS_MOVE}' jid='alice@${DOMAIN}/desk'/>`);
    assert.equal((await bob.nextElement(undefined, '<failed/>')).name, 'failed');
    assert.throws(() => remembered.get(`alice@${DOMAIN}/desk`)!.attach({ username: 'bob' } as never), /not authenticated as alice@/);
    await alice.ping();
    await Promise.all([alice.close(), bob.close()]);
  });
});
