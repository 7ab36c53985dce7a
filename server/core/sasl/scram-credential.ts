/**
 * SCRAM credentials (RFC 5802 §3, RFC 7677) and the primitives shared by the
 * SCRAM and PLAIN mechanisms (CORE-26).
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes } from 'node:crypto';
import { saslPrep } from './saslprep.js';
import { strictBase64Decode } from './base64.js';

export type ScramHash = 'SHA-1' | 'SHA-256';

/** All values base64. */
export interface ScramCredential {
  iterations: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

export const DEFAULT_SCRAM_ITERATIONS = 4096;
export const DEFAULT_SALT_LENGTH = 16;

export function nodeHashName(hash: ScramHash): 'sha1' | 'sha256' {
  return hash === 'SHA-1' ? 'sha1' : 'sha256';
}

export function hashLength(hash: ScramHash): number {
  return hash === 'SHA-1' ? 20 : 32;
}

export function hmac(hash: ScramHash, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(nodeHashName(hash), key).update(data).digest();
}

export function h(hash: ScramHash, data: Buffer): Buffer {
  return createHash(nodeHashName(hash)).update(data).digest();
}

function checkIterations(iterations: number): void {
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`SCRAM iteration count must be a positive integer, got ${iterations}`);
  }
}

/** StoredKey and ServerKey from SaltedPassword (RFC 5802 §3). */
export function keysFromSaltedPassword(
  hash: ScramHash,
  saltedPassword: Buffer,
): { storedKey: Buffer; serverKey: Buffer } {
  const clientKey = hmac(hash, saltedPassword, 'Client Key');
  return {
    storedKey: h(hash, clientKey),
    serverKey: hmac(hash, saltedPassword, 'Server Key'),
  };
}

/**
 * Derives a SCRAM credential. The password is SASLprepped first (throws
 * SaslPrepError when it cannot be). Default: 4096 iterations, 16 random salt bytes.
 */
export function deriveScramCredential(
  hash: ScramHash,
  password: string,
  iterations: number = DEFAULT_SCRAM_ITERATIONS,
  salt: Buffer = randomBytes(DEFAULT_SALT_LENGTH),
): ScramCredential {
  checkIterations(iterations);
  const prepped = saslPrep(password);
  const salted = pbkdf2Sync(Buffer.from(prepped, 'utf8'), salt, iterations, hashLength(hash), nodeHashName(hash));
  const { storedKey, serverKey } = keysFromSaltedPassword(hash, salted);
  return {
    iterations,
    salt: salt.toString('base64'),
    storedKey: storedKey.toString('base64'),
    serverKey: serverKey.toString('base64'),
  };
}

/** Hi() of RFC 5802 without blocking the event loop; `password` must already be SASLprepped. */
export function saltedPasswordAsync(
  hash: ScramHash,
  preppedPassword: string,
  salt: Buffer,
  iterations: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    pbkdf2(Buffer.from(preppedPassword, 'utf8'), salt, iterations, hashLength(hash), nodeHashName(hash), (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** A stored credential with its binary fields decoded and checked. */
export interface DecodedScramCredential {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** Decodes and validates a stored credential; null when it is unusable. */
export function decodeScramCredential(hash: ScramHash, cred: ScramCredential): DecodedScramCredential | null {
  if (!Number.isSafeInteger(cred.iterations) || cred.iterations < 1) return null;
  const salt = strictBase64Decode(cred.salt);
  const storedKey = strictBase64Decode(cred.storedKey);
  const serverKey = strictBase64Decode(cred.serverKey);
  if (!salt || salt.length === 0 || !storedKey || !serverKey) return null;
  if (storedKey.length !== hashLength(hash) || serverKey.length !== hashLength(hash)) return null;
  return { iterations: cred.iterations, salt, storedKey, serverKey };
}

/** Per-process secret for the fake credentials of unknown users. */
const FAKE_SECRET = randomBytes(32);

/**
 * A credential for a user that does not exist (or has no credential for this
 * hash): same shape as a real one, salt stable per (hash, username) for the
 * lifetime of the process, keys random so that no proof can ever match.
 */
export function fakeScramCredential(hash: ScramHash, username: string): DecodedScramCredential {
  const salt = createHmac('sha256', FAKE_SECRET)
    .update(`${hash}\0${username}`, 'utf8')
    .digest()
    .subarray(0, DEFAULT_SALT_LENGTH);
  return {
    iterations: DEFAULT_SCRAM_ITERATIONS,
    salt: Buffer.from(salt),
    storedKey: randomBytes(hashLength(hash)),
    serverKey: randomBytes(hashLength(hash)),
  };
}
