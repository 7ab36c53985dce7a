/**
 * The local CA's name constraints (RFC 5280 §4.2.1.10). People install the CA as a trusted root on their phones
 * and computers; without constraints, whoever gets ca.key (a backup, a stolen laptop) could sign a certificate for
 * any web site and those devices would believe it. Constrained, the CA can only vouch for this server's own names:
 *
 *   - a domain name: permitted dNSName <domain> (which covers the domain and every name below it: conference.,
 *     upload.), and every IP address excluded, so no certificate for an address verifies either;
 *   - an IP address: permitted iPAddress <address>/32 (or /128), and every DNS name excluded (an empty dNSName
 *     base matches all names).
 *
 * The extension is critical, so a client that cannot enforce it refuses the CA rather than trusting it without
 * limits. forge can read nameConstraints but not write them, so the value is built here with forge.asn1.
 */

import forge from 'node-forge';
import type { ServerIdentity } from './names.js';

export const OID_NAME_CONSTRAINTS = '2.5.29.30';

const asn1 = forge.asn1;
const CONTEXT = asn1.Class.CONTEXT_SPECIFIC;
const GN_DNS = 2;
const GN_IP = 7;

interface ForgeIpUtil {
  bytesFromIP(ip: string): string | null;
}
const ipUtil = forge.util as unknown as ForgeIpUtil;

/** GeneralSubtree ::= SEQUENCE { base GeneralName } (minimum 0 and no maximum, as RFC 5280 requires). */
function subtree(tag: number, value: string): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(CONTEXT, tag, false, value)]);
}

/** An iPAddress base is the address followed by its mask: here the whole address, or 0/0 for every address. */
function ipSubtree(ip: string, whole: boolean): forge.asn1.Asn1 {
  const bytes = ipUtil.bytesFromIP(ip);
  if (bytes === null) throw new Error(`"${ip}" is not an IP address.`);
  const mask = (whole ? '\xff' : '\x00').repeat(bytes.length);
  return subtree(GN_IP, bytes + mask);
}

/** The DER value (a NameConstraints SEQUENCE) of the extension for `id`. */
export function nameConstraintsValue(id: ServerIdentity): forge.asn1.Asn1 {
  let permitted: forge.asn1.Asn1[];
  let excluded: forge.asn1.Asn1[];
  if (id.ip !== null) {
    permitted = [ipSubtree(id.ip, true)];
    excluded = [subtree(GN_DNS, '')];
  } else {
    permitted = [subtree(GN_DNS, id.ascii)];
    excluded = [ipSubtree('0.0.0.0', false), ipSubtree('::', false)];
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(CONTEXT, 0, true, permitted),
    asn1.create(CONTEXT, 1, true, excluded),
  ]);
}

/** The extension as forge's setExtensions takes it (an explicit id and value: forge cannot encode this one itself). */
export function nameConstraintsExtension(id: ServerIdentity): { id: string; critical: true; value: forge.asn1.Asn1 } {
  return { id: OID_NAME_CONSTRAINTS, critical: true, value: nameConstraintsValue(id) };
}

/**
 * Why a CA's name constraints do not fit `id`, or null when they are exactly the ones Parley would write: a CA
 * without them (made before Parley constrained its CA), one made for another domain, or a non-critical one.
 */
export function constraintsProblem(cert: forge.pki.Certificate, id: ServerIdentity): string | null {
  const exts = cert.extensions as Array<{ id?: string; critical?: boolean; value?: unknown }>;
  const ext = exts.find((e) => e.id === OID_NAME_CONSTRAINTS);
  if (!ext || typeof ext.value !== 'string') return 'it is not limited to this server’s names (it has no name constraints)';
  const wanted = asn1.toDer(nameConstraintsValue(id)).getBytes();
  if (ext.value !== wanted) return `it is limited to other names than ${id.ascii}`;
  if (ext.critical !== true) return 'its name constraints are not marked critical';
  return null;
}
