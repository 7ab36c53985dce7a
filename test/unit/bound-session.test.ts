// BoundSession on its own (core/bound-session.ts), with a fake connection: the output filter chain (order,
// rewriting, holding and releasing with sendPast), what send() does while detached, attach/detach/end and the
// registry and session-ended event that go with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { BoundSession } from '../../server/core/bound-session.js';
import { SessionRegistry } from '../../server/core/session-registry.js';
import type { ServerContext } from '../../server/core/context.js';
import type { OutputFilter, SessionConnection, SessionHandle } from '../../server/core/client-stream.js';
import { el, type Element } from '../../server/core/xml.js';
import { parseJid } from '../../server/core/jid.js';

class FakeConnection implements SessionConnection {
  readonly written: string[] = [];
  readonly events: string[] = [];
  secure = true;
  remoteAddress = '192.0.2.1';
  constructor(readonly id: string, readonly username: string | null = 'alice', readonly lang = 'en') {}
  writeStanza(stanza: Element, written?: (ok: boolean) => void): void {
    this.written.push(stanza.toString());
    written?.(true);
  }
  closeWithError(condition: string): void {
    this.events.push(`error ${condition}`);
  }
  sessionAttached(): void {
    this.events.push('attached');
  }
  sessionDetached(_s: SessionHandle, movedTo: SessionConnection | null): void {
    this.events.push(movedTo ? `moved to ${movedTo.id}` : 'detached');
  }
}

function setup(): { ctx: ServerContext; ended: string[]; session: BoundSession; conn: FakeConnection } {
  const sessions = new SessionRegistry();
  const events = new EventEmitter();
  const ended: string[] = [];
  events.on('session-ended', (s: SessionHandle) => ended.push(s.id));
  const ctx = { sessions, router: { events }, stats: { stanzasIn: 0, stanzasOut: 0 } } as unknown as ServerContext;
  const conn = new FakeConnection('c1');
  const session = new BoundSession(ctx, 'c1', parseJid('alice@example.org/phone'), conn);
  sessions.add(session);
  return { ctx, ended, session, conn };
}

const msg = (id: string): Element => el('message', { id }, el('body', null, id));

test('without filters a stanza goes straight to the connection, with its written callback', () => {
  const { session, conn } = setup();
  const oks: boolean[] = [];
  session.send(msg('m1'), (ok) => oks.push(ok));
  assert.deepEqual(conn.written, ['<message id="m1"><body>m1</body></message>']);
  assert.deepEqual(oks, [true]);
  assert.deepEqual(conn.events, ['attached']);
});

test('filters run by ascending order (ties in the order added), each seeing what the one before passed on', () => {
  const { session, conn } = setup();
  const seen: string[] = [];
  const tag = (name: string): OutputFilter => (s) => {
    seen.push(`${name}:${String(s.attrs.id)}`);
    return el('message', { id: `${String(s.attrs.id)}+${name}` });
  };
  session.addOutputFilter(tag('late'), 100);
  session.addOutputFilter(tag('a'));
  session.addOutputFilter(tag('early'), -5);
  session.addOutputFilter(tag('b'));
  session.send(msg('x'));
  assert.deepEqual(seen, ['early:x', 'a:x+early', 'b:x+early+a', 'late:x+early+a+b']);
  assert.deepEqual(conn.written, ['<message id="x+early+a+b+late"/>']);
});

test('a filter that returns null drops (and answers written) or holds a stanza and releases it past itself with sendPast', () => {
  const { session, conn } = setup();
  const held: [Element, ((ok: boolean) => void) | undefined][] = [];
  const counted: string[] = [];
  const hold: OutputFilter = (s, _session, written) => {
    held.push([s, written]);
    return null;
  };
  const count: OutputFilter = (s) => {
    counted.push(String(s.attrs.id));
    return s;
  };
  session.addOutputFilter(count, 100);   // like XEP-0198: last, counts what reaches the wire
  session.addOutputFilter(hold, 10);     // like XEP-0352: holds while inactive
  const oks: string[] = [];
  session.send(msg('h1'), (ok) => oks.push(`h1 ${ok}`));
  session.send(msg('h2'));
  assert.deepEqual(conn.written, []);
  assert.deepEqual(counted, []);
  // Released after the holding filter is gone: the filters after its order still run.
  assert.equal(session.removeOutputFilter(hold), true);
  assert.equal(session.removeOutputFilter(hold), false);
  for (const [s, w] of held) session.sendPast(10, s, w);
  assert.deepEqual(counted, ['h1', 'h2']);
  assert.deepEqual(conn.written, ['<message id="h1"><body>h1</body></message>', '<message id="h2"><body>h2</body></message>']);
  assert.deepEqual(oks, ['h1 true']);
  // A dropping filter owns written and says false.
  session.addOutputFilter((_s, _session, written) => {
    written?.(false);
    return null;
  });
  session.send(msg('d1'), (ok) => oks.push(`d1 ${ok}`));
  assert.deepEqual(oks, ['h1 true', 'd1 false']);
  assert.equal(conn.written.length, 2);
});

test('detached: the session stays registered, filters still run, and what passes them is dropped with written(false)', () => {
  const { ctx, session, conn, ended } = setup();
  const counted: string[] = [];
  session.addOutputFilter((s) => {
    counted.push(String(s.attrs.id));
    return s;
  });
  session.detach();
  assert.equal(session.connection, null);
  assert.deepEqual(conn.events, ['attached', 'detached']);
  const oks: boolean[] = [];
  session.send(msg('lost'), (ok) => oks.push(ok));
  assert.deepEqual(counted, ['lost']);
  assert.deepEqual(oks, [false]);
  assert.deepEqual(conn.written, []);
  assert.equal(ctx.sessions.get(session.jid), session);
  assert.deepEqual(ended, []);
  // A new connection of the same account takes it over.
  const next = new FakeConnection('c2', 'alice', 'de');
  session.attach(next);
  assert.equal(session.lang, 'de');
  session.send(msg('found'));
  assert.deepEqual(next.written, ['<message id="found"><body>found</body></message>']);
  assert.equal(ctx.sessions.get(session.jid), session);
});

test('attach to another connection moves the session (the old one is told where); another account is refused', () => {
  const { session, conn } = setup();
  const next = new FakeConnection('c2');
  session.attach(next);
  assert.deepEqual(conn.events, ['attached', 'moved to c2']);
  assert.deepEqual(next.events, ['attached']);
  session.send(msg('m'));
  assert.deepEqual(conn.written, []);
  assert.equal(next.written.length, 1);
  assert.throws(() => session.attach(new FakeConnection('c3', 'mallory')), /not authenticated as alice@example\.org/);
  assert.equal(session.connection, next);
  // A connection that refuses (closing, or carrying another session) leaves everything as it was.
  const refusing = new FakeConnection('c4');
  refusing.sessionAttached = () => {
    throw new Error('connection c4 is closing');
  };
  assert.throws(() => session.attach(refusing), /c4 is closing/);
  assert.equal(session.connection, next);
  assert.deepEqual(next.events, ['attached']);
});

test('connection lost ends the session (registry, session-ended once) unless a module keeps it (not after a clean close); closeWithError while detached ends it', () => {
  const a = setup();
  a.session.connectionLost(a.conn, false);
  assert.equal(a.session.ended, true);
  assert.equal(a.ctx.sessions.get(a.session.jid), undefined);
  assert.deepEqual(a.ended, ['c1']);
  a.session.end();
  assert.deepEqual(a.ended, ['c1']);
  assert.throws(() => a.session.attach(new FakeConnection('c9')), /has ended/);

  const b = setup();
  const kept: SessionHandle[] = [];
  b.session.onConnectionLost = (s) => kept.push(s);
  b.session.connectionLost(new FakeConnection('other'), false);   // not its connection: nothing happens
  assert.equal(b.session.connection, b.conn);
  b.session.connectionLost(b.conn, false);
  assert.deepEqual(kept, [b.session]);
  assert.equal(b.session.ended, false);
  assert.equal(b.ctx.sessions.get(b.session.jid), b.session);
  b.session.closeWithError('system-shutdown');
  assert.equal(b.session.ended, true);
  assert.deepEqual(b.ended, ['c1']);

  // The client closed its stream itself: a clean end, which no resumption module keeps (MOD-07).
  const d = setup();
  let keptClean = 0;
  d.session.onConnectionLost = () => keptClean++;
  d.session.connectionLost(d.conn, true);
  assert.equal(d.session.ended, true);
  assert.equal(keptClean, 0);

  const c = setup();
  let keptClosed = 0;
  c.session.onConnectionLost = () => keptClosed++;
  c.session.closeWithError('conflict');
  assert.deepEqual(c.conn.events, ['attached', 'error conflict']);
  assert.equal(c.session.ended, false, 'attached: the connection closes, and the session ends when it is gone');
  // Closed by the server (kick, conflict, shutdown): ended even when the peer then just drops the connection.
  c.session.connectionLost(c.conn, false);
  assert.equal(keptClosed, 0);
  assert.equal(c.session.ended, true);
});
