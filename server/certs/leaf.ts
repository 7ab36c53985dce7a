/** The server (leaf) certificate, issued by the local CA. */

import forge from 'node-forge';
import { toLf } from './describe.js';
import { caKeyIdentifier, type CaMaterial } from './ca.js';
import { generateRsaKey, randomSerialHex, wholeSeconds, DAY_MS, HOUR_MS } from './keys.js';
import { OID_SUBJECT_ALT_NAME, subjectAltNameValue, type ServerIdentity } from './names.js';

export const LEAF_KEY_BITS = 2048;
/** Within the CA/Browser Forum's 398-day limit. */
export const LEAF_VALIDITY_DAYS = 397;
/** notBefore is set this far back so clients with a slow clock accept it. */
export const CLOCK_SKEW_MS = HOUR_MS;

export interface LeafMaterial {
  certPem: string;
  keyPem: string;
}

/**
 * The CA's subject as forge attributes that re-encode to the very same bytes.
 * forge keeps parsed UTF8String values as raw UTF-8 but encodes them again on
 * output, which would garble non-ASCII names (an IDN domain in the CA's CN),
 * so the values are decoded first. Parsing the PEM makes a fresh CA and one
 * loaded from disk take the same path.
 */
function issuerOf(ca: CaMaterial): forge.pki.CertificateField[] {
  const utf8 = forge.asn1.Type.UTF8 as number;
  return forge.pki.certificateFromPem(ca.certPem).subject.attributes.map((attr) =>
    (attr.valueTagClass as number | undefined) === utf8 && typeof attr.value === 'string'
      ? { ...attr, value: forge.util.decodeUtf8(attr.value) }
      : { ...attr },
  );
}

export async function createLeaf(ca: CaMaterial, id: ServerIdentity, now: Date): Promise<LeafMaterial> {
  const key = await generateRsaKey(LEAF_KEY_BITS);
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = randomSerialHex();
  const notBefore = wholeSeconds(now.getTime() - CLOCK_SKEW_MS);
  // A leaf that outlives its CA is of no use; the CA is renewed well before that matters.
  const notAfterMs = Math.min(notBefore.getTime() + LEAF_VALIDITY_DAYS * DAY_MS, ca.cert.validity.notAfter.getTime());
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = wholeSeconds(notAfterMs);

  const utf8 = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class;
  const subject: forge.pki.CertificateField[] = [{ name: 'organizationName', value: 'Parley', valueTagClass: utf8 }];
  // An IP address goes in the SAN only: verifiers that read a CN without DNS SANs would take it for a DNS name,
  // which the CA's name constraints exclude for an address (constraints.ts).
  if (id.ip === null && id.ascii.length <= 64) subject.push({ name: 'commonName', value: id.ascii, valueTagClass: utf8 });
  cert.setSubject(subject);
  cert.setIssuer(issuerOf(ca));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    // keyIdentifier: true would make forge use the leaf's own key; it must be the CA's.
    { name: 'authorityKeyIdentifier', keyIdentifier: caKeyIdentifier(ca) },
    // Built by hand: forge cannot encode otherName (XmppAddr, SRV-ID).
    { id: OID_SUBJECT_ALT_NAME, name: 'subjectAltName', value: subjectAltNameValue(id) },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  return { certPem: toLf(forge.pki.certificateToPem(cert)), keyPem: key.keyPem };
}
