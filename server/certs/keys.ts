/**
 * RSA keys and serial numbers. Keys are made by Node's native (OpenSSL)
 * generator, off the main thread, and handed to forge as PEM: forge's own
 * generator would fall back to pure JavaScript, which takes many seconds.
 */

import crypto from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(crypto.generateKeyPair);

export interface RsaKey {
  /** PKCS#8 PEM, as written to disk and given to Node's tls. */
  keyPem: string;
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
}

export async function generateRsaKey(bits: number): Promise<RsaKey> {
  const { privateKey: keyPem, publicKey: publicPem } = await generateKeyPair('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    keyPem,
    privateKey: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey,
    publicKey: forge.pki.publicKeyFromPem(publicPem) as forge.pki.rsa.PublicKey,
  };
}

/**
 * A random positive 16-byte serial number, as the hex forge expects. The first
 * byte is kept within 0x01..0x7f so the DER INTEGER is positive and minimal.
 */
export function randomSerialHex(): string {
  const b = crypto.randomBytes(16);
  b[0] = b[0]! & 0x7f;
  if (b[0] === 0) b[0] = 0x01;
  return b.toString('hex');
}

/** A Date without milliseconds (X.509 times have whole seconds). */
export function wholeSeconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;
