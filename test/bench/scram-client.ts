// Client side of SCRAM-SHA-1 (RFC 5802) for the load generator. The SaltedPassword is cached per
// (password, salt, iterations): every bench account of a server shares one salt, so the generator pays for
// PBKDF2 once per server instead of once per login and never becomes the bottleneck of the login scenario.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

interface Keys { clientKey: Buffer; storedKey: Buffer; serverKey: Buffer }

const cache = new Map<string, Keys>();

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha1', key).update(data).digest();
}

function keysFor(password: string, salt: Buffer, iterations: number): Keys {
  const k = `${iterations}\0${salt.toString('base64')}\0${password}`;
  let keys = cache.get(k);
  if (!keys) {
    const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 20, 'sha1');
    const clientKey = hmac(salted, 'Client Key');
    keys = { clientKey, storedKey: createHash('sha1').update(clientKey).digest(), serverKey: hmac(salted, 'Server Key') };
    cache.set(k, keys);
  }
  return keys;
}

function saslName(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** One SCRAM-SHA-1 exchange without channel binding (gs2 header "n,,"). */
export class ScramSha1Client {
  private readonly nonce = randomBytes(18).toString('base64');
  private clientFirstBare = '';
  private authMessage = '';
  private serverKey: Buffer | null = null;

  constructor(private readonly username: string, private readonly password: string) {}

  /** The initial response, base64. */
  first(): string {
    this.clientFirstBare = `n=${saslName(this.username)},r=${this.nonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`).toString('base64');
  }

  /** The answer to the server's challenge, base64; throws when the challenge is unusable. */
  final(challengeB64: string): string {
    const serverFirst = Buffer.from(challengeB64, 'base64').toString('utf8');
    const attrs = parseAttrs(serverFirst);
    const r = attrs.get('r');
    const s = attrs.get('s');
    const i = Number(attrs.get('i'));
    if (!r || !r.startsWith(this.nonce) || !s || !Number.isInteger(i) || i < 1) throw new Error(`bad SCRAM challenge "${serverFirst}"`);
    const keys = keysFor(this.password, Buffer.from(s, 'base64'), i);
    const withoutProof = `c=biws,r=${r}`;
    this.authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(keys.storedKey, this.authMessage);
    const proof = Buffer.alloc(20);
    for (let n = 0; n < 20; n++) proof[n] = keys.clientKey[n]! ^ signature[n]!;
    this.serverKey = keys.serverKey;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`).toString('base64');
  }

  /** Checks the server signature carried by <success/>; true when it proves the server knew our credential. */
  verify(successB64: string): boolean {
    if (!this.serverKey) return false;
    const v = parseAttrs(Buffer.from(successB64, 'base64').toString('utf8')).get('v');
    if (!v) return false;
    const expected = hmac(this.serverKey, this.authMessage);
    const got = Buffer.from(v, 'base64');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }
}

function parseAttrs(s: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of s.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) m.set(part[0]!, part.slice(2));
  }
  return m;
}
