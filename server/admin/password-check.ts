// Checks an account's password against its stored SCRAM credential (RFC 5802 §3): SaltedPassword is derived with
// the stored salt and iteration count, and the StoredKey it gives is compared in constant time. No password is
// ever stored or compared in clear.
import { timingSafeEqual } from 'node:crypto';
import {
  decodeScramCredential, fakeScramCredential, h, hmac, saltedPasswordAsync, saslPrep, type ScramHash, type StoredCredentials,
} from '../core/sasl/index.js';

const HASH: ScramHash = 'SHA-256';

/**
 * True when `password` is the account's. An unknown account (null credentials) costs the same derivation as a
 * known one, so that timing does not tell which names exist.
 */
export async function passwordMatches(username: string, stored: StoredCredentials | null, password: string): Promise<boolean> {
  let prepped: string;
  try {
    prepped = saslPrep(password);
  } catch {
    return false;
  }
  const own = stored?.[HASH];
  const real = own ? decodeScramCredential(HASH, own) : null;
  const cred = real ?? fakeScramCredential(HASH, username);
  const salted = await saltedPasswordAsync(HASH, prepped, cred.salt, cred.iterations);
  const storedKey = h(HASH, hmac(HASH, salted, 'Client Key'));
  return real !== null && storedKey.length === cred.storedKey.length && timingSafeEqual(storedKey, cred.storedKey);
}
