/** Reading certificates with Node's X509Certificate (any key type, not only RSA). */

import { X509Certificate } from 'node:crypto';
import { readSubjectAltNames, type SanEntries } from './names.js';
import type { CertificateDescription } from './types.js';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The PEM blocks of type CERTIFICATE in `pem`, in order, each ending in a newline. */
export function splitCertificates(pem: string): string[] {
  return (pem.match(PEM_CERT) ?? []).map((block) => `${toLf(block.trim())}\n`);
}

/** PEM with Unix line endings (forge writes CRLF). */
export function toLf(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Parses the first certificate of `pem`; throws an Error worded for people. */
export function parseCertificate(pem: string): X509Certificate {
  const first = splitCertificates(pem)[0];
  if (first === undefined) {
    throw new Error('This is not a certificate in PEM format (it should start with -----BEGIN CERTIFICATE-----).');
  }
  try {
    return new X509Certificate(first);
  } catch (err) {
    throw new Error(`The certificate cannot be read: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

/** Node prints names one attribute per line; make it one line. */
function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

export function validityOf(x: X509Certificate): { notBefore: Date; notAfter: Date } {
  // Node 20 has no validFromDate; validFrom is like "Nov 25 09:32:00 2025 GMT".
  return { notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo) };
}

export function sanOf(x: X509Certificate): SanEntries {
  return readSubjectAltNames(x.raw);
}

/** The commonName of a certificate's subject, or ''. */
export function commonNameOf(x: X509Certificate): string {
  const line = x.subject.split('\n').find((l) => l.startsWith('CN='));
  return line === undefined ? '' : line.slice(3);
}

export function describeCertificate(pem: string): CertificateDescription {
  const x = parseCertificate(pem);
  return {
    subject: oneLine(x.subject),
    issuer: oneLine(x.issuer),
    dnsNames: sanOf(x).dnsNames,
    ...validityOf(x),
    fingerprintSha256: x.fingerprint256,
  };
}
