/** Parley's local certificate authority: one per installation. */

import crypto from 'node:crypto';
import forge from 'node-forge';
import { toLf } from './describe.js';
import { generateRsaKey, randomSerialHex, wholeSeconds, HOUR_MS } from './keys.js';
import type { ServerIdentity } from './names.js';
import { nameConstraintsExtension } from './constraints.js';

export const CA_KEY_BITS = 3072;
export const CA_VALIDITY_YEARS = 10;
/** A CA that expires within this long is replaced together with the leaf. */
export const CA_RENEW_BEFORE_MS = 365 * 24 * HOUR_MS;

/** A CA ready to sign: forge objects plus the PEM text they came from. */
export interface CaMaterial {
  cert: forge.pki.Certificate;
  privateKey: forge.pki.rsa.PrivateKey;
  certPem: string;
  keyPem: string;
}

const CN_MAX = 64; // X.520 ub-common-name

function caCommonName(id: ServerIdentity): string {
  const suffix = crypto.randomBytes(4).toString('hex').toUpperCase();
  const fixed = `Parley local CA () ${suffix}`;
  let name = id.unicode;
  if (fixed.length + name.length > CN_MAX) name = `${name.slice(0, CN_MAX - fixed.length - 1)}…`;
  return `Parley local CA (${name}) ${suffix}`;
}

export async function createCa(id: ServerIdentity, now: Date): Promise<CaMaterial> {
  const key = await generateRsaKey(CA_KEY_BITS);
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = randomSerialHex();
  const notBefore = wholeSeconds(now.getTime() - HOUR_MS);
  const notAfter = new Date(notBefore.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const dn: forge.pki.CertificateField[] = [
    { name: 'organizationName', value: 'Parley', valueTagClass: utf8 },
    { name: 'commonName', value: caCommonName(id), valueTagClass: utf8 },
  ];
  cert.setSubject(dn);
  cert.setIssuer(dn);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    // Only this server's own names: ca.key in the wrong hands cannot vouch for any other site (constraints.ts).
    nameConstraintsExtension(id),
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return { cert, privateKey: key.privateKey, certPem: toLf(forge.pki.certificateToPem(cert)), keyPem: key.keyPem };
}

/** The CA's subjectKeyIdentifier as a binary string, for the leaf's authorityKeyIdentifier. */
export function caKeyIdentifier(ca: CaMaterial): string {
  const ext = ca.cert.getExtension('subjectKeyIdentifier') as
    | { subjectKeyIdentifier?: string; value?: unknown }
    | undefined;
  // Set on a certificate forge made; on one forge parsed, only the raw DER value is there.
  if (ext?.subjectKeyIdentifier) return forge.util.hexToBytes(ext.subjectKeyIdentifier);
  if (typeof ext?.value === 'string') {
    const inner = forge.asn1.fromDer(ext.value);
    if (inner.type === forge.asn1.Type.OCTETSTRING && typeof inner.value === 'string') return inner.value;
  }
  return ca.cert.generateSubjectKeyIdentifier().getBytes();
}
