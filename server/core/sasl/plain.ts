/**
 * Server side of SASL PLAIN (RFC 4616) — CORE-32.
 *
 * message = [authzid] NUL authcid NUL passwd, each part UTF-8 of 1..255 octets.
 * Verified against the stored SCRAM credential (SHA-256 preferred, else SHA-1):
 * the SASLprepped password is salted with the stored salt/iterations and the
 * resulting StoredKey compared in constant time. Refused without TLS.
 */
import { timingSafeEqual } from 'node:crypto';
import { decodeUtf8, failure, type SaslContext, type SaslMechanism, type SaslStep } from './mechanism.js';
import {
  decodeScramCredential,
  fakeScramCredential,
  keysFromSaltedPassword,
  saltedPasswordAsync,
  type DecodedScramCredential,
  type ScramHash,
} from './scram-credential.js';
import { saslPrep, SaslPrepError } from './saslprep.js';

const MAX_PART = 255;

function splitNul(data: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0) {
      parts.push(data.subarray(start, i));
      start = i + 1;
    }
  }
  parts.push(data.subarray(start));
  return parts;
}

export class PlainMechanism implements SaslMechanism {
  readonly name = 'PLAIN';
  private phase: 'initial' | 'challenged' | 'done' = 'initial';

  constructor(private readonly ctx: SaslContext) {}

  async step(data: Buffer): Promise<SaslStep> {
    if (this.phase === 'done') return failure('malformed-request', 'exchange already finished');
    if (!this.ctx.secure) {
      this.phase = 'done';
      return failure('encryption-required');
    }
    if (data.length === 0 && this.phase === 'initial') {
      this.phase = 'challenged';
      return { kind: 'challenge', data: Buffer.alloc(0) };
    }
    this.phase = 'done';
    return this.verify(data);
  }

  private async verify(data: Buffer): Promise<SaslStep> {
    const parts = splitNul(data);
    if (parts.length !== 3) return failure('malformed-request');
    const [authzBytes, authcBytes, passBytes] = parts as [Buffer, Buffer, Buffer];
    if (authzBytes.length > MAX_PART || authcBytes.length === 0 || authcBytes.length > MAX_PART) {
      return failure('malformed-request');
    }
    if (passBytes.length === 0 || passBytes.length > MAX_PART) return failure('malformed-request');
    const authzid = decodeUtf8(authzBytes);
    const authcid = decodeUtf8(authcBytes);
    const password = decodeUtf8(passBytes);
    if (authzid === null || authcid === null || password === null) {
      return failure('malformed-request', 'invalid UTF-8');
    }

    let stored;
    try {
      stored = await this.ctx.lookup(authcid);
    } catch {
      return failure('temporary-auth-failure');
    }
    const hash: ScramHash = !stored?.['SHA-256'] && stored?.['SHA-1'] ? 'SHA-1' : 'SHA-256';
    const raw = stored?.[hash];
    let cred: DecodedScramCredential;
    let real = false;
    if (raw) {
      const decoded = decodeScramCredential(hash, raw);
      if (!decoded) return failure('temporary-auth-failure', 'stored credential unusable');
      cred = decoded;
      real = true;
    } else {
      cred = fakeScramCredential(hash, authcid);
    }

    let prepped: string;
    let prepOk = true;
    try {
      prepped = saslPrep(password);
    } catch (e) {
      if (!(e instanceof SaslPrepError)) throw e;
      prepped = password;
      prepOk = false;
    }
    // Same work whether or not the user exists or the password preps.
    const salted = await saltedPasswordAsync(hash, prepped, cred.salt, cred.iterations);
    const { storedKey } = keysFromSaltedPassword(hash, salted);
    const matches = timingSafeEqual(storedKey, cred.storedKey);
    if (!matches || !real || !prepOk) return failure('not-authorized');
    if (stored?.disabled === true) return failure('account-disabled');

    const out: SaslStep = { kind: 'success', username: authcid };
    if (authzid !== '') out.authzid = authzid;
    return out;
  }
}
