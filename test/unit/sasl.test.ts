import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, generateKeyPairSync, pbkdf2Sync } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import {
  channelBindingData,
  createMechanism,
  decodeSaslBase64,
  deriveScramCredential,
  mechanismNames,
  saslPrep,
  SaslPrepError,
  serverEndPointHash,
  type ChannelBindingType,
  type SaslContext,
  type SaslMechanism,
  type SaslStep,
  type ScramHash,
  type StoredCredentials,
} from '../../server/core/sasl/index.js';

// ---------------------------------------------------------------------------
// helpers

interface CtxOptions {
  plusOffered?: boolean;
  secure?: boolean;
  cb?: Partial<Record<ChannelBindingType, Buffer>>;
  lookupError?: boolean;
}

function makeCtx(users: Record<string, StoredCredentials>, opts: CtxOptions = {}): SaslContext & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    async lookup(username: string) {
      lookups.push(username);
      if (opts.lookupError) throw new Error('db down');
      return Object.prototype.hasOwnProperty.call(users, username) ? users[username]! : null;
    },
    channelBinding(type: ChannelBindingType) {
      return opts.cb?.[type] ?? null;
    },
    plusOffered: opts.plusOffered ?? false,
    secure: opts.secure ?? true,
  };
}

function mech(name: string, ctx: SaslContext, serverNonce?: string): SaslMechanism {
  const m = createMechanism(name, ctx, serverNonce === undefined ? {} : { serverNonce: () => serverNonce });
  assert.ok(m, `mechanism ${name}`);
  return m;
}

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

function assertChallenge(step: SaslStep): string {
  assert.equal(step.kind, 'challenge', `expected challenge, got ${JSON.stringify(step)}`);
  return (step as { data: Buffer }).data.toString('utf8');
}

function assertFailure(step: SaslStep, condition: string): void {
  assert.equal(step.kind, 'failure', `expected failure, got ${JSON.stringify(step)}`);
  assert.equal((step as { condition: string }).condition, condition, JSON.stringify(step));
}

const NODE_HASH: Record<ScramHash, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256' };
const HASH_LEN: Record<ScramHash, number> = { 'SHA-1': 20, 'SHA-256': 32 };

/** Client-final-message for a given server-first (independent client implementation). */
function clientFinal(
  hash: ScramHash,
  password: string,
  clientFirstBare: string,
  serverFirst: string,
  cbInput: Buffer,
  nonceOverride?: string,
): { message: string; serverSignature: string } {
  const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
  const alg = NODE_HASH[hash];
  const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), HASH_LEN[hash], alg);
  const clientKey = createHmac(alg, salted).update('Client Key').digest();
  const storedKey = createHash(alg).update(clientKey).digest();
  const withoutProof = `c=${cbInput.toString('base64')},r=${nonceOverride ?? attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const sig = createHmac(alg, storedKey).update(authMessage).digest();
  const proof = Buffer.from(clientKey.map((x, i) => x ^ sig[i]!));
  const serverKey = createHmac(alg, salted).update('Server Key').digest();
  return {
    message: `${withoutProof},p=${proof.toString('base64')}`,
    serverSignature: createHmac(alg, serverKey).update(authMessage).digest('base64'),
  };
}

/** Runs a full SCRAM exchange with the test client. */
async function scram(
  m: SaslMechanism,
  hash: ScramHash,
  opts: { user: string; password: string; gs2?: string; cb?: Buffer; cnonce?: string },
): Promise<{ serverFirst: string; result: SaslStep; expectedServerFinal: string }> {
  const gs2 = opts.gs2 ?? 'n,,';
  const bare = `n=${opts.user},r=${opts.cnonce ?? 'clientnonce123'}`;
  const serverFirst = assertChallenge(await m.step(b(gs2 + bare)));
  const cbInput = Buffer.concat([b(gs2), opts.cb ?? Buffer.alloc(0)]);
  const fin = clientFinal(hash, opts.password, bare, serverFirst, cbInput);
  const result = await m.step(b(fin.message));
  return { serverFirst, result, expectedServerFinal: `v=${fin.serverSignature}` };
}

function usersWith(password: string, extra: Partial<StoredCredentials> = {}): Record<string, StoredCredentials> {
  return {
    user: {
      'SHA-1': deriveScramCredential('SHA-1', password),
      'SHA-256': deriveScramCredential('SHA-256', password),
      ...extra,
    },
  };
}

// ---------------------------------------------------------------------------
// SCRAM test vectors

describe('SCRAM RFC test vectors', () => {
  test('RFC 5802 §5 SCRAM-SHA-1 example', async () => {
    const cred = deriveScramCredential('SHA-1', 'pencil', 4096, Buffer.from('QSXCR+Q6sek8bf92', 'base64'));
    assert.equal(cred.salt, 'QSXCR+Q6sek8bf92');
    assert.equal(cred.iterations, 4096);
    const ctx = makeCtx({ user: { 'SHA-1': cred } });
    const m = mech('SCRAM-SHA-1', ctx, '3rfcNHYJY1ZVvWVs7j');
    assert.equal(m.name, 'SCRAM-SHA-1');
    const first = await m.step(b('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL'));
    assert.equal(assertChallenge(first), 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096');
    assert.deepEqual(ctx.lookups, ['user']);
    const fin = await m.step(
      b('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts='),
    );
    assert.equal(fin.kind, 'success');
    assert.equal(fin.kind === 'success' && fin.username, 'user');
    assert.equal(fin.kind === 'success' && fin.authzid, undefined);
    assert.equal(fin.kind === 'success' && fin.data?.toString('utf8'), 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=');
    assertFailure(await m.step(b('c=biws')), 'malformed-request');
  });

  test('RFC 7677 §3 SCRAM-SHA-256 example', async () => {
    const cred = deriveScramCredential('SHA-256', 'pencil', 4096, Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const ctx = makeCtx({ user: { 'SHA-256': cred } });
    const m = mech('SCRAM-SHA-256', ctx, '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0');
    assert.equal(m.name, 'SCRAM-SHA-256');
    const first = await m.step(b('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    assert.equal(
      assertChallenge(first),
      'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
    );
    const fin = await m.step(
      b(
        'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,' +
          'p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
      ),
    );
    assert.deepEqual(fin, {
      kind: 'success',
      username: 'user',
      data: b('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='),
    });
    assertFailure(await m.step(Buffer.alloc(0)), 'malformed-request');
  });
});

// ---------------------------------------------------------------------------
// SCRAM behaviour

describe('SCRAM exchange', () => {
  test('default server nonce is 24 random bytes in base64 and differs per exchange', async () => {
    const ctx = makeCtx(usersWith('pw'));
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const sf = assertChallenge(await mech('SCRAM-SHA-256', ctx).step(b('n,,n=user,r=abc')));
      const m = /^r=abc([A-Za-z0-9+/]{32}),s=[A-Za-z0-9+/]{22}==,i=4096$/.exec(sf);
      assert.ok(m, sf);
      assert.equal(Buffer.from(m[1]!, 'base64').length, 24);
      nonces.add(m[1]!);
    }
    assert.equal(nonces.size, 3);
  });

  for (const hash of ['SHA-1', 'SHA-256'] as const) {
    test(`SCRAM-${hash} success with random nonce and matching server-final`, async () => {
      const m = mech(`SCRAM-${hash}`, makeCtx(usersWith('sécret ☃')));
      const { result, expectedServerFinal } = await scram(m, hash, { user: 'user', password: 'sécret ☃' });
      assert.deepEqual(result, { kind: 'success', username: 'user', data: b(expectedServerFinal) });
    });

    test(`SCRAM-${hash} wrong password → not-authorized`, async () => {
      const m = mech(`SCRAM-${hash}`, makeCtx(usersWith('right')));
      const { result } = await scram(m, hash, { user: 'user', password: 'wrong' });
      assert.deepEqual(result, { kind: 'failure', condition: 'not-authorized' });
      assertFailure(await m.step(b('anything')), 'malformed-request');
    });
  }

  test('empty initial response → empty challenge, then the exchange continues', async () => {
    const m = mech('SCRAM-SHA-256', makeCtx(usersWith('pw')));
    const empty = await m.step(Buffer.alloc(0));
    assert.deepEqual(empty, { kind: 'challenge', data: Buffer.alloc(0) });
    const { result } = await scram(m, 'SHA-256', { user: 'user', password: 'pw' });
    assert.equal(result.kind, 'success');
  });

  test('two empty messages → malformed-request', async () => {
    const m = mech('SCRAM-SHA-256', makeCtx(usersWith('pw')));
    assert.equal((await m.step(Buffer.alloc(0))).kind, 'challenge');
    assertFailure(await m.step(Buffer.alloc(0)), 'malformed-request');
  });

  test('unknown user: normal-looking server-first, stable salt, then not-authorized', async () => {
    const users = usersWith('pw');
    const real = assertChallenge(await mech('SCRAM-SHA-256', makeCtx(users)).step(b('n,,n=user,r=abc')));
    const shape = /^r=abc[A-Za-z0-9+/]{32},s=([A-Za-z0-9+/]{22}==),i=4096$/;
    assert.match(real, shape);

    const salts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const m = mech('SCRAM-SHA-256', makeCtx(users));
      const { serverFirst, result } = await scram(m, 'SHA-256', { user: 'nobody', password: 'pw', cnonce: 'abc' });
      const match = shape.exec(serverFirst);
      assert.ok(match, serverFirst);
      salts.push(match[1]!);
      assert.deepEqual(result, { kind: 'failure', condition: 'not-authorized' });
    }
    assert.equal(salts[0], salts[1]);

    const other = shape.exec(assertChallenge(await mech('SCRAM-SHA-256', makeCtx(users)).step(b('n,,n=nobody2,r=abc'))));
    assert.ok(other);
    assert.notEqual(other[1], salts[0]);
    const sha1 = assertChallenge(await mech('SCRAM-SHA-1', makeCtx(users)).step(b('n,,n=nobody,r=abc')));
    assert.match(sha1, /^r=abc[A-Za-z0-9+/]{32},s=[A-Za-z0-9+/]{22}==,i=4096$/);
    assert.notEqual(/s=([^,]+)/.exec(sha1)![1], salts[0]);
  });

  test('user without a credential for this hash behaves like an unknown user', async () => {
    const users = { user: { 'SHA-1': deriveScramCredential('SHA-1', 'pw') } };
    const m = mech('SCRAM-SHA-256', makeCtx(users));
    const { serverFirst, result } = await scram(m, 'SHA-256', { user: 'user', password: 'pw' });
    assert.match(serverFirst, /^r=clientnonce123[A-Za-z0-9+/]{32},s=[A-Za-z0-9+/]{22}==,i=4096$/);
    assert.deepEqual(result, { kind: 'failure', condition: 'not-authorized' });
  });

  test('disabled account: account-disabled only after a correct proof', async () => {
    const users = usersWith('pw', { disabled: true });
    const ok = await scram(mech('SCRAM-SHA-256', makeCtx(users)), 'SHA-256', { user: 'user', password: 'pw' });
    assert.deepEqual(ok.result, { kind: 'failure', condition: 'account-disabled' });
    const bad = await scram(mech('SCRAM-SHA-256', makeCtx(users)), 'SHA-256', { user: 'user', password: 'no' });
    assert.deepEqual(bad.result, { kind: 'failure', condition: 'not-authorized' });
  });

  test('lookup failure → temporary-auth-failure', async () => {
    const m = mech('SCRAM-SHA-1', makeCtx({}, { lookupError: true }));
    assertFailure(await m.step(b('n,,n=user,r=abc')), 'temporary-auth-failure');
  });

  test('authzid and username escapes are decoded', async () => {
    const users = { 'a,b=c': usersWith('pw').user! };
    const ctx = makeCtx(users);
    const m = mech('SCRAM-SHA-1', ctx);
    const { result, expectedServerFinal } = await scram(m, 'SHA-1', {
      user: 'a=2Cb=3Dc',
      password: 'pw',
      gs2: 'n,a=admin=2C1=3d2,',
    });
    assert.deepEqual(ctx.lookups, ['a,b=c']);
    assert.deepEqual(result, {
      kind: 'success',
      username: 'a,b=c',
      authzid: 'admin,1=2',
      data: b(expectedServerFinal),
    });
  });

  test("'y' flag: downgrade when PLUS was offered, accepted otherwise", async () => {
    const users = usersWith('pw');
    const down = mech('SCRAM-SHA-256', makeCtx(users, { plusOffered: true }));
    assertFailure(await down.step(b('y,,n=user,r=abc')), 'not-authorized');
    assertFailure(await down.step(b('c=eSws,r=abc,p=AAAA')), 'malformed-request');

    const fine = mech('SCRAM-SHA-256', makeCtx(users, { plusOffered: false }));
    const { result } = await scram(fine, 'SHA-256', { user: 'user', password: 'pw', gs2: 'y,,' });
    assert.equal(result.kind, 'success');

    // 'n' (client does not support channel binding) is fine even when PLUS was offered
    const n = mech('SCRAM-SHA-256', makeCtx(users, { plusOffered: true }));
    assert.equal((await scram(n, 'SHA-256', { user: 'user', password: 'pw' })).result.kind, 'success');
  });

  test('c= must repeat the GS2 header that was sent', async () => {
    const m = mech('SCRAM-SHA-256', makeCtx(usersWith('pw')));
    const bare = 'n=user,r=abc';
    const sf = assertChallenge(await m.step(b('n,,' + bare)));
    const fin = clientFinal('SHA-256', 'pw', bare, sf, b('y,,'));
    assertFailure(await m.step(b(fin.message)), 'not-authorized');
  });

  for (const hash of ['SHA-1', 'SHA-256'] as const) {
    test(`SCRAM-${hash}-PLUS with tls-server-end-point: right data succeeds, wrong data fails`, async () => {
      const cbData = createHash('sha256').update('certificate').digest();
      const users = usersWith('pw');
      const ctx = () => makeCtx(users, { plusOffered: true, cb: { 'tls-server-end-point': cbData } });
      const gs2 = 'p=tls-server-end-point,,';

      const good = mech(`SCRAM-${hash}-PLUS`, ctx());
      assert.equal(good.name, `SCRAM-${hash}-PLUS`);
      const ok = await scram(good, hash, { user: 'user', password: 'pw', gs2, cb: cbData });
      assert.deepEqual(ok.result, { kind: 'success', username: 'user', data: b(ok.expectedServerFinal) });

      const wrongData = Buffer.from(cbData);
      wrongData[0]! ^= 1;
      const bad = await scram(mech(`SCRAM-${hash}-PLUS`, ctx()), hash, { user: 'user', password: 'pw', gs2, cb: wrongData });
      assert.deepEqual(bad.result, { kind: 'failure', condition: 'not-authorized', text: 'channel bindings do not match' });

      const none = await scram(mech(`SCRAM-${hash}-PLUS`, ctx()), hash, { user: 'user', password: 'pw', gs2 });
      assertFailure(none.result, 'not-authorized');
    });
  }

  test('-PLUS with tls-exporter and an authzid', async () => {
    const cbData = Buffer.alloc(32, 7);
    const m = mech('SCRAM-SHA-256-PLUS', makeCtx(usersWith('pw'), { plusOffered: true, cb: { 'tls-exporter': cbData } }));
    const { result, expectedServerFinal } = await scram(m, 'SHA-256', {
      user: 'user',
      password: 'pw',
      gs2: 'p=tls-exporter,a=boss,',
      cb: cbData,
    });
    assert.deepEqual(result, { kind: 'success', username: 'user', authzid: 'boss', data: b(expectedServerFinal) });
  });

  test('channel-binding policy failures', async () => {
    const cb = { 'tls-server-end-point': Buffer.alloc(32, 1) };
    const users = usersWith('pw');
    const cases: Array<[string, string, string]> = [
      ['SCRAM-SHA-256-PLUS', 'n,,n=user,r=abc', 'malformed-request'],
      ['SCRAM-SHA-256-PLUS', 'y,,n=user,r=abc', 'malformed-request'],
      ['SCRAM-SHA-256-PLUS', 'p=tls-unique,,n=user,r=abc', 'malformed-request'], // not available here
      ['SCRAM-SHA-256-PLUS', 'p=tls-exporter,,n=user,r=abc', 'malformed-request'],
      ['SCRAM-SHA-256-PLUS', 'p=foo-bar,,n=user,r=abc', 'malformed-request'],
      ['SCRAM-SHA-256-PLUS', 'p=,,n=user,r=abc', 'malformed-request'],
      ['SCRAM-SHA-256', 'p=tls-server-end-point,,n=user,r=abc', 'malformed-request'],
      ['SCRAM-SHA-1', 'p=tls-server-end-point,,n=user,r=abc', 'malformed-request'],
    ];
    for (const [name, msg, condition] of cases) {
      const step = await mech(name, makeCtx(users, { plusOffered: true, cb })).step(b(msg));
      assertFailure(step, condition);
    }
  });

  test('malformed client-first messages', async () => {
    const users = usersWith('pw');
    const cases: Array<[string, Buffer]> = [
      ['garbage', b('garbage')],
      ['garbage with commas', b('hello,world,foo')],
      ['only gs2 header', b('n,,')],
      ['missing r=', b('n,,n=user')],
      ['missing n=', b('n,,r=abc')],
      ['attributes swapped', b('n,,r=abc,n=user')],
      ['bad gs2 flag', b('x,,n=user,r=abc')],
      ['uppercase gs2 flag', b('N,,n=user,r=abc')],
      ['authzid without a=', b('n,user,n=user,r=abc')],
      ['empty authzid value', b('n,a=,n=user,r=abc')],
      ['bad authzid escape', b('n,a=x=2X,n=user,r=abc')],
      ['bad username escape', b('n,,n=us=er,r=abc')],
      ['truncated username escape', b('n,,n=user=2,r=abc')],
      ['empty username', b('n,,n=,r=abc')],
      ['empty nonce', b('n,,n=user,r=')],
      ['nonce with non-printable', b('n,,n=user,r=a\x01b')],
      ['m= extension', b('n,,m=ext,n=user,r=abc')],
      ['m= after nonce', b('n,,n=user,r=abc,m=ext')],
      ['duplicate r=', b('n,,n=user,r=abc,r=def')],
      ['bad extension', b('n,,n=user,r=abc,xyz')],
      ['NUL in username', b('n,,n=us\0er,r=abc')],
      ['invalid UTF-8', Buffer.from([0x6e, 0x2c, 0x2c, 0x6e, 0x3d, 0xff, 0xfe, 0x2c, 0x72, 0x3d, 0x61])],
      ['oversized', b('n,,n=user,r=' + 'a'.repeat(10000))],
    ];
    for (const [label, data] of cases) {
      const ctx = makeCtx(users);
      const step = await mech('SCRAM-SHA-256', ctx).step(data);
      assert.equal(step.kind, 'failure', label);
      assert.equal(step.kind === 'failure' && step.condition, 'malformed-request', label);
      assert.deepEqual(ctx.lookups, [], `${label}: no lookup`);
    }
  });

  test('unknown extension in client-first is ignored', async () => {
    const m = mech('SCRAM-SHA-256', makeCtx(usersWith('pw')));
    const bare = 'n=user,r=abc,x=whatever';
    const sf = assertChallenge(await m.step(b('n,,' + bare)));
    const fin = clientFinal('SHA-256', 'pw', bare, sf, b('n,,'));
    assert.equal((await m.step(b(fin.message))).kind, 'success');
  });

  test('malformed or wrong client-final messages', async () => {
    const users = usersWith('pw');
    const bare = 'n=user,r=abc';
    const variants: Array<[string, (sf: string, good: string) => string, string]> = [
      ['garbage', () => 'garbage', 'malformed-request'],
      ['empty', () => '', 'malformed-request'],
      ['missing p=', (sf) => `c=biws,r=${nonceOf(sf)}`, 'malformed-request'],
      ['missing r=', (_sf, good) => good.replace(/,r=[^,]+/, ''), 'malformed-request'],
      ['missing c=', (_sf, good) => good.replace(/^c=[^,]+,/, ''), 'malformed-request'],
      ['wrong order', (sf, good) => `r=${nonceOf(sf)},c=biws,${good.slice(good.indexOf('p='))}`, 'malformed-request'],
      ['proof not last', (sf, good) => `c=biws,${good.slice(good.indexOf('p='))},r=${nonceOf(sf)}`, 'malformed-request'],
      ['m= extension', (_sf, good) => good.replace(',p=', ',m=x,p='), 'malformed-request'],
      ['c= not base64', (_sf, good) => good.replace('c=biws', 'c=bi!s'), 'malformed-request'],
      ['p= not base64', (_sf, good) => good.replace(/p=.*$/, 'p=****'), 'malformed-request'],
      ['proof of wrong length', (_sf, good) => good.replace(/p=.*$/, 'p=AAAA'), 'not-authorized'],
      ['nonce of another exchange', (sf, good) => good.replace(nonceOf(sf), 'abcXXXX'), 'not-authorized'],
      ['nonce not starting with client nonce', (sf, good) => good.replace(nonceOf(sf), 'zzz' + nonceOf(sf).slice(3)), 'not-authorized'],
      ['nonce truncated', (sf, good) => good.replace(nonceOf(sf), nonceOf(sf).slice(0, -1)), 'not-authorized'],
      ['client nonce only', (sf, good) => good.replace(nonceOf(sf), 'abc'), 'not-authorized'],
      ['c= of y flag', (_sf, good) => good.replace('c=biws', 'c=eSws'), 'not-authorized'],
    ];
    for (const [label, make, condition] of variants) {
      const m = mech('SCRAM-SHA-256', makeCtx(users));
      const sf = assertChallenge(await m.step(b('n,,' + bare)));
      const good = clientFinal('SHA-256', 'pw', bare, sf, b('n,,')).message;
      const step = await m.step(b(make(sf, good)));
      assert.equal(step.kind, 'failure', label);
      assert.equal(step.kind === 'failure' && step.condition, condition, label);
      assertFailure(await m.step(b(good)), 'malformed-request');
    }
  });
});

function nonceOf(serverFirst: string): string {
  return /^r=([^,]+)/.exec(serverFirst)![1]!;
}

// ---------------------------------------------------------------------------
// PLAIN

describe('PLAIN', () => {
  const plain = (s: string) => b(s.replace(/\|/g, '\0'));

  test('good password, SHA-256 credential', async () => {
    const m = mech('PLAIN', makeCtx(usersWith('pencil')));
    assert.equal(m.name, 'PLAIN');
    assert.deepEqual(await m.step(plain('|user|pencil')), { kind: 'success', username: 'user' });
    assertFailure(await m.step(plain('|user|pencil')), 'malformed-request');
  });

  test('SHA-1-only credential and SASLprep of the password', async () => {
    const users = { user: { 'SHA-1': deriveScramCredential('SHA-1', 'I\u00adX') } };
    assert.deepEqual(await mech('PLAIN', makeCtx(users)).step(plain('|user|IX')), { kind: 'success', username: 'user' });
    assert.deepEqual(await mech('PLAIN', makeCtx(users)).step(plain('|user|\u2168')), { kind: 'success', username: 'user' });
  });

  test('bad password, unknown user, unpreppable password → not-authorized', async () => {
    const users = usersWith('pencil');
    assert.deepEqual(await mech('PLAIN', makeCtx(users)).step(plain('|user|pen')), { kind: 'failure', condition: 'not-authorized' });
    assert.deepEqual(await mech('PLAIN', makeCtx(users)).step(plain('|ghost|pencil')), { kind: 'failure', condition: 'not-authorized' });
    assert.deepEqual(await mech('PLAIN', makeCtx(users)).step(plain('|user|pen\u0007')), { kind: 'failure', condition: 'not-authorized' });
  });

  test('authzid is returned', async () => {
    const ctx = makeCtx(usersWith('pencil'));
    assert.deepEqual(await mech('PLAIN', ctx).step(plain('admin@example.com|user|pencil')), {
      kind: 'success',
      username: 'user',
      authzid: 'admin@example.com',
    });
    assert.deepEqual(ctx.lookups, ['user']);
  });

  test('insecure connection → encryption-required', async () => {
    const m = mech('PLAIN', makeCtx(usersWith('pencil'), { secure: false }));
    assert.deepEqual(await m.step(plain('|user|pencil')), { kind: 'failure', condition: 'encryption-required' });
    const m2 = mech('PLAIN', makeCtx(usersWith('pencil'), { secure: false }));
    assertFailure(await m2.step(Buffer.alloc(0)), 'encryption-required');
  });

  test('disabled account and lookup failure', async () => {
    const disabled = usersWith('pencil', { disabled: true });
    assertFailure(await mech('PLAIN', makeCtx(disabled)).step(plain('|user|pencil')), 'account-disabled');
    assertFailure(await mech('PLAIN', makeCtx(disabled)).step(plain('|user|nope')), 'not-authorized');
    assertFailure(await mech('PLAIN', makeCtx({}, { lookupError: true })).step(plain('|user|pencil')), 'temporary-auth-failure');
  });

  test('empty initial response → empty challenge', async () => {
    const m = mech('PLAIN', makeCtx(usersWith('pencil')));
    assert.deepEqual(await m.step(Buffer.alloc(0)), { kind: 'challenge', data: Buffer.alloc(0) });
    assert.deepEqual(await m.step(plain('|user|pencil')), { kind: 'success', username: 'user' });
  });

  test('malformed PLAIN messages', async () => {
    const cases: Array<[string, Buffer]> = [
      ['no NUL', b('userpencil')],
      ['one NUL', plain('user|pencil')],
      ['three NULs', plain('|user|pen|cil')],
      ['empty authcid', plain('||pencil')],
      ['empty password', plain('|user|')],
      ['invalid UTF-8', Buffer.concat([b('\0us'), Buffer.from([0xc3]), b('\0pencil')])],
      ['authcid too long', plain('|' + 'u'.repeat(256) + '|pencil')],
    ];
    for (const [label, data] of cases) {
      const ctx = makeCtx(usersWith('pencil'));
      const m = mech('PLAIN', ctx);
      const step = await m.step(data);
      assert.equal(step.kind === 'failure' && step.condition, 'malformed-request', label);
      assert.deepEqual(ctx.lookups, [], label);
    }
  });
});

// ---------------------------------------------------------------------------
// registry

describe('mechanism registry', () => {
  test('mechanismNames order', () => {
    assert.deepEqual(mechanismNames({ channelBindings: ['tls-exporter', 'tls-server-end-point'], plain: true }), [
      'SCRAM-SHA-256-PLUS',
      'SCRAM-SHA-256',
      'SCRAM-SHA-1-PLUS',
      'SCRAM-SHA-1',
      'PLAIN',
    ]);
    assert.deepEqual(mechanismNames({ channelBindings: [], plain: false }), ['SCRAM-SHA-256', 'SCRAM-SHA-1']);
    assert.deepEqual(mechanismNames({ channelBindings: [], plain: true }), ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN']);
  });

  test('createMechanism: known names only, case-sensitive', () => {
    const ctx = makeCtx({});
    for (const name of ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'PLAIN']) {
      assert.equal(createMechanism(name, ctx)?.name, name);
    }
    for (const name of ['scram-sha-1', 'DIGEST-MD5', 'ANONYMOUS', 'EXTERNAL', 'SCRAM-SHA-512', '']) {
      assert.equal(createMechanism(name, ctx), null, name);
    }
  });

  test('deriveScramCredential: shape, defaults, SASLprep', () => {
    const c = deriveScramCredential('SHA-256', 'pw');
    assert.equal(c.iterations, 4096);
    assert.equal(Buffer.from(c.salt, 'base64').length, 16);
    assert.equal(Buffer.from(c.storedKey, 'base64').length, 32);
    assert.equal(Buffer.from(c.serverKey, 'base64').length, 32);
    assert.notEqual(deriveScramCredential('SHA-256', 'pw').salt, c.salt);
    const salt = Buffer.from('0123456789abcdef');
    assert.deepEqual(deriveScramCredential('SHA-1', 'I\u00adX', 10, salt), deriveScramCredential('SHA-1', 'IX', 10, salt));
    assert.equal(Buffer.from(deriveScramCredential('SHA-1', 'x', 1, salt).storedKey, 'base64').length, 20);
    assert.throws(() => deriveScramCredential('SHA-256', 'a\u0007'), SaslPrepError);
    assert.throws(() => deriveScramCredential('SHA-256', 'pw', 0), RangeError);
  });
});

// ---------------------------------------------------------------------------
// SASLprep

describe('saslPrep', () => {
  test('RFC 4013 §3 examples', () => {
    assert.equal(saslPrep('I\u00adX'), 'IX');
    assert.equal(saslPrep('user'), 'user');
    assert.equal(saslPrep('USER'), 'USER');
    assert.equal(saslPrep('\u00aa'), 'a');
    assert.equal(saslPrep('\u2168'), 'IX');
    assert.throws(() => saslPrep('\u0007'), (e: unknown) => e instanceof SaslPrepError && e.reason === 'prohibited');
    assert.throws(() => saslPrep('\u0627\u0031'), (e: unknown) => e instanceof SaslPrepError && e.reason === 'bidi');
  });

  test('more mapping, prohibition and bidi cases', () => {
    assert.equal(saslPrep('a\u00a0b\u3000c'), 'a b c'); // non-ASCII spaces → SPACE
    assert.equal(saslPrep('a\u200bb\ufeffc\u180bd'), 'abcd'); // mapped to nothing
    assert.equal(saslPrep('\ufb01'), 'fi'); // NFKC
    assert.equal(saslPrep(''), '');
    assert.equal(saslPrep('\u0627\u0031\u0628'), '\u0627\u0031\u0628'); // RandAL at both ends
    const reason = (s: string): string => {
      try {
        saslPrep(s);
        return 'ok';
      } catch (e) {
        assert.ok(e instanceof SaslPrepError);
        return e.reason;
      }
    };
    assert.equal(reason('a\u0000b'), 'prohibited'); // C.2.1
    assert.equal(reason('a\u0085'), 'prohibited'); // C.2.2
    assert.equal(reason('\ue000'), 'prohibited'); // C.3 private use
    assert.equal(reason('\ufdd0'), 'prohibited'); // C.4 non-character
    assert.equal(reason('\ud800'), 'prohibited'); // C.5 lone surrogate
    assert.equal(reason('\ufffd'), 'prohibited'); // C.6
    assert.equal(reason('\u2ff0'), 'prohibited'); // C.7
    assert.equal(reason('\u200e'), 'prohibited'); // C.8
    assert.equal(reason('\u{e0001}'), 'prohibited'); // C.9
    assert.equal(reason('\u0221'), 'unassigned'); // assigned only after Unicode 3.2
    assert.equal(reason('\u{1f600}'), 'unassigned');
    assert.equal(reason('\u0627a\u0628'), 'bidi'); // RandAL + L
    assert.equal(reason('1\u0627'), 'bidi');
    assert.equal(reason('\u{1d11e}'), 'ok'); // astral, assigned in 3.1
  });
});

// ---------------------------------------------------------------------------
// base64

describe('decodeSaslBase64', () => {
  test('valid inputs', () => {
    const ok: Array<[string, number[] | string]> = [
      ['=', []],
      ['', []],
      ['AA==', [0]],
      ['AAA=', [0, 0]],
      ['AAAA', [0, 0, 0]],
      ['dXNlcg==', 'user'],
      ['biws', 'n,,'],
      ['+/+/', [0xfb, 0xff, 0xbf]],
    ];
    for (const [text, expected] of ok) {
      const want = typeof expected === 'string' ? Buffer.from(expected) : Buffer.from(expected);
      assert.deepEqual(decodeSaslBase64(text), want, text);
    }
  });

  test('invalid inputs → null', () => {
    const bad = [
      'A', 'AA', 'AAA', 'AA=', 'A===', '====', '==', 'AA==AA==', 'AA=A', ' AAAA', 'AAAA ', 'AA\nAA',
      'AA==\n', 'AB==', 'AAB=', 'AA-_', 'AAA*', 'dXNlcg', '=AAA', 'AAAA=',
    ];
    for (const text of bad) assert.equal(decodeSaslBase64(text), null, JSON.stringify(text));
  });
});

// ---------------------------------------------------------------------------
// channel binding over real TLS

const rsaKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaKeyPem = rsaKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

function forgeCert(md: 'md5' | 'sha1' | 'sha256' | 'sha384' | 'sha512'): { pem: string; der: Buffer } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(rsaKey.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: 'localhost' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(rsaKeyPem), forge.md[md].create());
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { pem: forge.pki.certificateToPem(cert), der };
}

interface TlsPair {
  server: tls.Server;
  serverSocket: tls.TLSSocket;
  client: tls.TLSSocket;
  close(): Promise<void>;
}

async function tlsPair(
  cert: string,
  key: string,
  version: tls.SecureVersion,
  session?: Buffer,
  existing?: tls.Server,
): Promise<TlsPair & { session: Promise<Buffer> }> {
  const server =
    existing ??
    tls.createServer({ cert, key, minVersion: version, maxVersion: version });
  if (!existing) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const serverSocketP = new Promise<tls.TLSSocket>((resolve) => server.once('secureConnection', resolve));
  const port = (server.address() as AddressInfo).port;
  let gotSession: (b: Buffer) => void = () => {};
  const sessionP = new Promise<Buffer>((resolve) => (gotSession = resolve));
  const opts: tls.ConnectionOptions = {
    host: '127.0.0.1',
    port,
    rejectUnauthorized: false,
    minVersion: version,
    maxVersion: version,
  };
  if (session) opts.session = session;
  const client = tls.connect(opts);
  client.on('session', gotSession);
  client.on('data', () => {});
  await new Promise<void>((resolve, reject) => {
    client.once('secureConnect', resolve);
    client.once('error', reject);
  });
  const serverSocket = await serverSocketP;
  serverSocket.on('data', () => {});
  // Let post-handshake messages (TLS 1.3 tickets) flow.
  client.write('ping');
  serverSocket.write('pong');
  await new Promise((r) => setTimeout(r, 50));
  return {
    server,
    serverSocket,
    client,
    session: sessionP,
    async close() {
      client.destroy();
      serverSocket.destroy();
    },
  };
}

function closeServer(server: tls.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('channelBindingData over loopback TLS', () => {
  const sha256Cert = forgeCert('sha256');
  const EXPORTER = 'EXPORTER-Channel-Binding';

  test('TLS 1.3: tls-exporter matches the client, tls-server-end-point = sha256(cert DER), no tls-unique', async () => {
    const pair = await tlsPair(sha256Cert.pem, rsaKeyPem, 'TLSv1.3');
    try {
      assert.equal(pair.serverSocket.getProtocol(), 'TLSv1.3');
      const exporter = channelBindingData(pair.serverSocket, 'tls-exporter');
      assert.ok(exporter);
      assert.equal(exporter.length, 32);
      assert.deepEqual(exporter, pair.client.exportKeyingMaterial(32, EXPORTER, Buffer.alloc(0)));
      assert.deepEqual(
        channelBindingData(pair.serverSocket, 'tls-server-end-point'),
        createHash('sha256').update(sha256Cert.der).digest(),
      );
      // what the client sees as the peer certificate is the same DER
      assert.deepEqual(pair.client.getPeerCertificate().raw, sha256Cert.der);
      assert.equal(channelBindingData(pair.serverSocket, 'tls-unique'), null);

      // end to end: SCRAM-SHA-256-PLUS over tls-exporter with the server socket's data
      const ctx = makeCtx(usersWith('pw'), { plusOffered: true });
      ctx.channelBinding = (type) => channelBindingData(pair.serverSocket, type);
      const clientCb = pair.client.exportKeyingMaterial(32, EXPORTER, Buffer.alloc(0));
      const run = await scram(mech('SCRAM-SHA-256-PLUS', ctx), 'SHA-256', {
        user: 'user',
        password: 'pw',
        gs2: 'p=tls-exporter,,',
        cb: clientCb,
      });
      assert.equal(run.result.kind, 'success');
    } finally {
      await pair.close();
      await closeServer(pair.server);
    }
  });

  test('TLS 1.2: tls-unique = first Finished (full and resumed handshakes), no tls-exporter', async () => {
    const first = await tlsPair(sha256Cert.pem, rsaKeyPem, 'TLSv1.2');
    try {
      assert.equal(first.serverSocket.getProtocol(), 'TLSv1.2');
      assert.equal(first.serverSocket.isSessionReused(), false);
      assert.equal(channelBindingData(first.serverSocket, 'tls-exporter'), null);
      const unique = channelBindingData(first.serverSocket, 'tls-unique');
      assert.ok(unique);
      assert.deepEqual(unique, first.client.getFinished()); // client's Finished comes first
      assert.deepEqual(
        channelBindingData(first.serverSocket, 'tls-server-end-point'),
        createHash('sha256').update(sha256Cert.der).digest(),
      );
      const session = await first.session;
      await first.close();

      const resumed = await tlsPair(sha256Cert.pem, rsaKeyPem, 'TLSv1.2', session, first.server);
      try {
        assert.equal(resumed.serverSocket.isSessionReused(), true);
        const u2 = channelBindingData(resumed.serverSocket, 'tls-unique');
        assert.ok(u2);
        assert.deepEqual(u2, resumed.client.getPeerFinished()); // server's Finished comes first
        assert.notDeepEqual(u2, unique);
      } finally {
        await resumed.close();
      }
    } finally {
      await first.close();
      await closeServer(first.server);
    }
  });

  test('tls-server-end-point uses the certificate signature hash (sha384)', async () => {
    const c384 = forgeCert('sha384');
    const pair = await tlsPair(c384.pem, rsaKeyPem, 'TLSv1.3');
    try {
      assert.deepEqual(
        channelBindingData(pair.serverSocket, 'tls-server-end-point'),
        createHash('sha384').update(c384.der).digest(),
      );
    } finally {
      await pair.close();
      await closeServer(pair.server);
    }
  });

  test('serverEndPointHash: MD5/SHA-1 upgraded to SHA-256, others kept', () => {
    assert.equal(serverEndPointHash(forgeCert('md5').der), 'sha256');
    assert.equal(serverEndPointHash(forgeCert('sha1').der), 'sha256');
    assert.equal(serverEndPointHash(sha256Cert.der), 'sha256');
    assert.equal(serverEndPointHash(forgeCert('sha512').der), 'sha512');
    assert.equal(serverEndPointHash(Buffer.from('not a certificate')), null);
    assert.equal(serverEndPointHash(Buffer.alloc(0)), null);
  });

  test('serverEndPointHash with openssl-made ECDSA, RSA-PSS and Ed25519 certificates', (t) => {
    let dir: string | undefined;
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
    } catch {
      t.skip('openssl CLI not available');
      return;
    }
    try {
      dir = mkdtempSync(join(tmpdir(), 'parley-sasl-'));
      const make = (name: string, args: string[]): Buffer => {
        const out = join(dir!, `${name}.der`);
        execFileSync(
          'openssl',
          ['req', '-x509', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', join(dir!, `${name}.key`), '-outform', 'DER', '-out', out, ...args],
          { stdio: 'ignore' },
        );
        return readFileSync(out);
      };
      assert.equal(serverEndPointHash(make('ec384', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-sha384'])), 'sha384');
      assert.equal(serverEndPointHash(make('ec1', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-sha1'])), 'sha256');
      assert.equal(
        serverEndPointHash(make('pss', ['-newkey', 'rsa-pss', '-pkeyopt', 'rsa_keygen_bits:2048', '-sha512', '-sigopt', 'rsa_padding_mode:pss'])),
        'sha512',
      );
      assert.equal(serverEndPointHash(make('ed', ['-newkey', 'ed25519'])), null);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });
});
