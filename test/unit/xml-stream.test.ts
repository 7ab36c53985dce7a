// The stream base (core/xml-stream.ts) over a SocketTransport on real loopback sockets, with a minimal subclass:
// the header goes before a stream error when none was sent (CORE-62), error → closing tag → close (CORE-61), the
// close timeout for a peer that never closes (CORE-10), in-order handling around an asynchronous element (CORE-55),
// per-tick corking (one chunk for what one tick wrote), and nothing handled after our closing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { XmlStream } from '../../server/core/xml-stream.js';
import { SocketTransport } from '../../server/core/socket-transport.js';
import { XML_STREAM } from '../../server/core/stream-framing.js';
import type { StreamOpening } from '../../server/core/stream-header.js';
import type { StreamHeader } from '../../server/core/framing.js';
import type { ServerContext } from '../../server/core/context.js';
import { DEFAULT_LIMITS } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { el, type Element } from '../../server/core/xml.js';
import { RawClient, withTimeout } from '../helpers/raw-client.js';

const ctx = {
  config: { limits: { ...DEFAULT_LIMITS }, closeTimeoutSeconds: 0.2 },
  log: new Logger('debug', null),
} as unknown as ServerContext;

const OPENING: StreamOpening = { ns: 'jabber:client', from: 'example.org', id: 'stream-1', version: '1.0', lang: 'en' };

class TestStream extends XmlStream {
  readonly handled: string[] = [];
  readonly gone: Promise<void>;
  private resolveGone!: () => void;
  release: (() => void) | null = null;

  constructor(socket: net.Socket) {
    super(ctx, 'test', XML_STREAM);
    this.gone = new Promise((r) => (this.resolveGone = r));
    this.attachTransport(new SocketTransport(socket));
  }

  protected get logTag(): string {
    return 'test';
  }

  protected header(_h: StreamHeader): void {
    this.sendOpening(OPENING);
    this.writeElement(el('stream:features'));
  }

  protected element(e: Element): void | Promise<void> {
    this.handled.push(e.name);
    if (e.name === 'slow') return new Promise<void>((resolve) => (this.release = resolve));
    if (e.name === 'three') {
      // Three writes in one tick: corked, they leave together.
      for (const n of ['a', 'b', 'c']) this.writeElement(el(n));
    }
    if (e.name === 'bye') this.closeStream();
  }

  protected errorOpening(): StreamOpening {
    return OPENING;
  }

  protected ended(): void {
    this.resolveGone();
  }
}

const streams: TestStream[] = [];
const server = net.createServer((socket) => streams.push(new TestStream(socket)));
const listening = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
after(() => server.close());

async function connect(opts: { allowHalfOpen?: boolean } = {}): Promise<{ c: RawClient; s: TestStream }> {
  const n = streams.length;
  const c = await RawClient.connect(await listening, { allowHalfOpen: opts.allowHalfOpen, timeoutMs: 3000 });
  while (streams.length === n) await new Promise((r) => setImmediate(r));
  return { c, s: streams[streams.length - 1] };
}

test('CORE-62/CORE-61: a stream error before any header is preceded by our header and followed by the closing tag and the close', async () => {
  const { c, s } = await connect();
  s.closeWithError('host-unknown', 'no such host');
  await c.expectHeader();
  await c.expectStreamError('host-unknown');
  assert.equal(c.received, `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='stream-1' from='example.org' version='1.0' xml:lang='en'>`
    + `<stream:error><host-unknown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/><text xmlns="urn:ietf:params:xml:ns:xmpp-streams" xml:lang="en">no such host</text></stream:error></stream:stream>`);
  await s.gone;
  assert.equal(s.closed, true);
});

test('CORE-55: elements after an asynchronous one wait for it, in order; after our closing nothing more is handled', async () => {
  const { c, s } = await connect();
  await c.open();
  c.send('<slow/><one/><two/>');
  await withTimeout((async () => {
    while (s.release === null) await new Promise((r) => setImmediate(r));
  })(), 3000, 'the slow element');
  // Let the rest of the chunk be parsed: it must wait.
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.handled, ['slow']);
  s.release!();
  await withTimeout((async () => {
    while (s.handled.length < 3) await new Promise((r) => setImmediate(r));
  })(), 3000, 'the queued elements');
  assert.deepEqual(s.handled, ['slow', 'one', 'two']);
  c.send('<bye/><ignored/>');
  await c.expectCloseTag();
  await c.expectClosed();
  assert.deepEqual(s.handled, ['slow', 'one', 'two', 'bye']);
});

test('per-tick cork: what one tick writes reaches the peer as one chunk', async () => {
  const { c } = await connect();
  await c.open();
  c.rawBytes = [];
  c.send('<three/>');
  for (const n of ['a', 'b', 'c']) assert.equal((await c.nextElement(undefined, `<${n}/>`)).name, n);
  assert.deepEqual(c.rawBytes.map((b) => b.toString()), ['<a/><b/><c/>']);
  await c.close();
});

test('CORE-10: a peer that never answers our closing is dropped after closeTimeoutSeconds', async () => {
  const { c, s } = await connect({ allowHalfOpen: true });
  await c.open();
  const started = Date.now();
  s.closeStream();
  await c.expectCloseTag();
  await s.gone;
  const took = Date.now() - started;
  assert.ok(took >= 150 && took < 2000, `closed after ${took} ms`);
  c.destroy();
});

test('BAD-23: on the stream base (client and server streams alike) a peer that does not read is closed with <policy-violation/> at maxOutputBytes', async () => {
  const { c, s } = await connect();
  await c.open();
  c.socket.pause();
  const big = el('big', null, 'x'.repeat(64 * 1024));
  // Written a tick apart, as traffic from elsewhere would be, until the bound closes the stream; at most 64 MB.
  for (let i = 0; i < 1000 && s.usable; i++) {
    s.writeElement(big);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(s.usable, false, 'the stream was closed');
  const bound = DEFAULT_LIMITS.maxOutputBytes;
  assert.ok(s.outputPeak <= bound, `at most ${bound} bytes queued, saw ${s.outputPeak}`);
  assert.ok(s.outputBackedUp, 'reading stopped while the output was backed up');
  c.socket.resume();
  await c.expectStreamErrorLast('policy-violation');
  await s.gone;
});
