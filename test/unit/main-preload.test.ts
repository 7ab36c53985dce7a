// The compiled preload (dist/main/preload.cjs), run the way Electron runs a sandboxed preload (a plain script
// wrapped in a function that gets require, process, exports…), with a stand-in contextBridge and ipcRenderer:
// window.parley is exactly the allow-list, and nothing else gets through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { promises as fs } from 'node:fs';
import { CHANNELS, IPC_METHOD_NAMES } from '../../main/ipc.js';
import { PRELOAD_PATH } from '../../main/window.js';

interface Bridge {
  methods: readonly string[];
  call(method: unknown, params?: unknown): Promise<unknown>;
  onEvent(listener: unknown): () => void;
  setupNeeded: boolean;
}

type Listener = (event: object, ...args: unknown[]) => void;

class FakeIpcRenderer {
  invoked: { channel: string; args: unknown[] }[] = [];
  sent: { channel: string; args: unknown[] }[] = [];
  syncSent: string[] = [];
  listeners = new Map<string, Set<Listener>>();
  answer: (method: string, params: unknown) => unknown = (method) => ({ ok: true, value: `result of ${method}` });
  constructor(private readonly setupNeeded: unknown) {}

  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer(args[0] as string, args[1]);
  }
  sendSync(channel: string): unknown {
    this.syncSent.push(channel);
    return this.setupNeeded;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  on(channel: string, l: Listener): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(l);
    return this;
  }
  removeListener(channel: string, l: Listener): this {
    this.listeners.get(channel)?.delete(l);
    return this;
  }
  deliver(channel: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(channel) ?? []) l({}, ...args);
  }
}

async function loadPreload(setupNeeded: unknown = false): Promise<{ exposed: Map<string, unknown>; ipc: FakeIpcRenderer; required: string[] }> {
  const code = await fs.readFile(PRELOAD_PATH, 'utf8');
  const exposed = new Map<string, unknown>();
  const ipc = new FakeIpcRenderer(setupNeeded);
  const required: string[] = [];
  const electron = { contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) }, ipcRenderer: ipc };
  const sandboxRequire = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`module not found: ${name} (a sandboxed preload can only require electron and a few built-ins)`);
  };
  const module = { exports: {} };
  const wrapper = vm.compileFunction(code, ['require', 'process', 'Buffer', 'global', 'setImmediate', 'clearImmediate', 'exports', 'module'], { filename: PRELOAD_PATH });
  wrapper(sandboxRequire, { platform: process.platform }, Buffer, globalThis, setImmediate, clearImmediate, module.exports, module);
  return { exposed, ipc, required };
}

test('the preload exposes window.parley only, with exactly call, onEvent, methods and setupNeeded', async () => {
  const { exposed, required } = await loadPreload();
  assert.deepEqual([...exposed.keys()], ['parley']);
  const bridge = exposed.get('parley') as Bridge;
  assert.deepEqual(Object.keys(bridge).sort(), ['call', 'methods', 'onEvent', 'setupNeeded']);
  assert.deepEqual(required, ['electron']);
});

test('the preload’s allow-list is the main process’s, exactly', async () => {
  const { exposed } = await loadPreload();
  const bridge = exposed.get('parley') as Bridge;
  assert.deepEqual([...bridge.methods], [...IPC_METHOD_NAMES]);
  assert.ok(Object.isFrozen(bridge.methods));
});

test('allowed calls go to the main process with their named parameters; refusals come back as errors with the sentence', async () => {
  const { exposed, ipc } = await loadPreload();
  const bridge = exposed.get('parley') as Bridge;
  for (const m of IPC_METHOD_NAMES) {
    assert.equal(await bridge.call(m, { user: 'bob' }), `result of ${m}`);
  }
  assert.deepEqual(ipc.invoked.map((c) => c.channel), IPC_METHOD_NAMES.map(() => CHANNELS.call));
  assert.deepEqual(ipc.invoked.map((c) => c.args), IPC_METHOD_NAMES.map((m) => [m, { user: 'bob' }]));
  await bridge.call('status');
  assert.deepEqual(ipc.invoked.at(-1)!.args, ['status', {}]);
  ipc.answer = () => ({ ok: false, error: 'There is no account bob@office.local.' });
  await assert.rejects(bridge.call('removeUser', { user: 'bob' }), { message: 'There is no account bob@office.local.' });
  ipc.answer = () => undefined;
  await assert.rejects(bridge.call('status'), { message: 'Parley did not answer.' });
});

test('anything else is refused in the preload, before any IPC', async () => {
  const { exposed, ipc } = await loadPreload();
  const bridge = exposed.get('parley') as Bridge;
  for (const m of ['verifyAdmin', 'subscribe', 'setupNeeded', 'constructor', '__proto__', 'toString', 'STATUS', '', 1, null, undefined, ['status']]) {
    await assert.rejects(bridge.call(m), /not something Parley offers/, String(m));
  }
  assert.deepEqual(ipc.invoked, []);
});

test('setupNeeded is the main process’s answer when the page loads', async () => {
  for (const [answer, expected] of [[true, true], [false, false], [undefined, false], ['yes', false]] as const) {
    const { exposed, ipc } = await loadPreload(answer);
    assert.equal((exposed.get('parley') as Bridge).setupNeeded, expected);
    assert.deepEqual(ipc.syncSent, [CHANNELS.setupNeeded]);
  }
});

test('onEvent subscribes while someone listens, delivers events, and unsubscribes after the last listener', async () => {
  const { exposed, ipc } = await loadPreload();
  const bridge = exposed.get('parley') as Bridge;
  const a: unknown[] = [];
  const b: unknown[] = [];
  const offA = bridge.onEvent((e: unknown) => a.push(e));
  const offB = bridge.onEvent((e: unknown) => {
    b.push(e);
    throw new Error('a page’s own bug');
  });
  assert.deepEqual(ipc.sent, [{ channel: CHANNELS.subscribe, args: [] }], 'subscribed once');
  const e = { type: 'sessions', onlineSessions: 2 };
  ipc.deliver(CHANNELS.event, e);
  assert.deepEqual(a, [e]);
  assert.deepEqual(b, [e]);
  offA();
  offA();
  assert.equal(ipc.sent.length, 1, 'still one listener');
  offB();
  assert.deepEqual(ipc.sent.at(-1), { channel: CHANNELS.unsubscribe, args: [] });
  assert.equal(ipc.listeners.get(CHANNELS.event)?.size, 0);
  assert.throws(() => bridge.onEvent('not a function'), /needs a function/);
});
