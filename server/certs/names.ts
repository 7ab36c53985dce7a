/**
 * The names a server certificate carries (RFC 6125 / RFC 6120 §13.7.1.4):
 * DNS-IDs, XmppAddr (id-on-xmppAddr) and SRV-IDs (id-on-dnsSRV), or an
 * iPAddress for a domain that is an IP literal. Encoding and decoding of the
 * subjectAltName extension is done by hand with forge.asn1 because forge's
 * own altNames support cannot express otherName.
 */

import net from 'node:net';
import { domainToASCII, domainToUnicode } from 'node:url';
import forge from 'node-forge';

export const OID_SUBJECT_ALT_NAME = '2.5.29.17';
export const OID_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
export const OID_DNS_SRV = '1.3.6.1.5.5.7.8.7';

const asn1 = forge.asn1;

/** The names Parley puts into a server certificate for one XMPP domain. */
export interface ServerIdentity {
  /** A-label form (or the IP literal); the `domain` of a CertBundle. */
  ascii: string;
  /** U-label form, for XmppAddr and display. */
  unicode: string;
  /** The IP literal when the domain is one. */
  ip: string | null;
  dnsNames: string[];
  xmppAddrs: string[];
  srvNames: string[];
}

export interface SanEntries {
  dnsNames: string[];
  ipAddresses: string[];
  xmppAddrs: string[];
  srvNames: string[];
}

interface ForgeIpUtil {
  bytesFromIP(ip: string): string | null;
  bytesToIP(bytes: string): string | null;
}
const ipUtil = forge.util as unknown as ForgeIpUtil;

/** One spelling per address: IPv6 compressed and lower case, as in URLs. */
export function canonicalIp(ip: string): string {
  return net.isIPv6(ip) ? new URL(`http://[${ip}]/`).hostname.slice(1, -1) : ip;
}

/**
 * Normalises a domain (lower case, no trailing dot, IDNA A-labels) and lists
 * the names a certificate for it needs. Throws a human-readable Error for
 * something that is not a domain.
 */
export function serverIdentity(domain: string): ServerIdentity {
  let d = String(domain ?? '').trim();
  if (d.startsWith('[') && d.endsWith(']')) d = d.slice(1, -1);
  if (net.isIP(d) !== 0) {
    const ip = canonicalIp(d);
    return { ascii: ip, unicode: ip, ip, dnsNames: [], xmppAddrs: [ip], srvNames: [] };
  }
  d = d.replace(/\.$/, '');
  const ascii = d === '' ? '' : domainToASCII(d.toLowerCase());
  if (ascii === '' || ascii.startsWith('.') || ascii.includes('..') || ascii.includes('*') || ascii.length > 253) {
    throw new Error(
      `"${domain}" is not a domain name Parley can make a certificate for. ` +
        'Use a name such as chat.example.org, or the IP address of this computer.',
    );
  }
  const unicode = domainToUnicode(ascii) || ascii;
  return {
    ascii,
    unicode,
    ip: null,
    dnsNames: [ascii, `conference.${ascii}`, `upload.${ascii}`],
    xmppAddrs: [unicode],
    srvNames: [`_xmpp-client.${ascii}`, `_xmpp-server.${ascii}`],
  };
}

function otherName(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  // GeneralName ::= otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
  return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [value]),
  ]);
}

/** The DER value (an ASN.1 GeneralNames) of the subjectAltName extension for `id`. */
export function subjectAltNameValue(id: ServerIdentity): forge.asn1.Asn1 {
  const names: forge.asn1.Asn1[] = [];
  for (const dns of id.dnsNames) {
    names.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, dns));
  }
  if (id.ip !== null) {
    const bytes = ipUtil.bytesFromIP(id.ip);
    if (bytes === null) throw new Error(`"${id.ip}" is not an IP address.`);
    names.push(asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, bytes));
  }
  for (const jid of id.xmppAddrs) {
    names.push(
      otherName(OID_XMPP_ADDR, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(jid))),
    );
  }
  for (const srv of id.srvNames) {
    names.push(otherName(OID_DNS_SRV, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.IA5STRING, false, srv)));
  }
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, names);
}

function children(node: forge.asn1.Asn1 | undefined): forge.asn1.Asn1[] {
  return node !== undefined && Array.isArray(node.value) ? node.value : [];
}

function bytes(node: forge.asn1.Asn1 | undefined): string | null {
  return node !== undefined && typeof node.value === 'string' ? node.value : null;
}

/** Reads the subjectAltName entries of a certificate given as DER. */
export function readSubjectAltNames(der: Uint8Array): SanEntries {
  const out: SanEntries = { dnsNames: [], ipAddresses: [], xmppAddrs: [], srvNames: [] };
  const cert = asn1.fromDer(forge.util.binary.raw.encode(der), false);
  const tbs = children(cert)[0];
  const extsTagged = children(tbs).find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const exts = children(children(extsTagged)[0]);
  for (const ext of exts) {
    const parts = children(ext);
    const oid = bytes(parts[0]);
    if (oid === null || asn1.derToOid(oid) !== OID_SUBJECT_ALT_NAME) continue;
    const octets = bytes(parts[parts.length - 1]);
    if (octets === null) continue;
    for (const gn of children(asn1.fromDer(octets, false))) {
      if (gn.tagClass !== asn1.Class.CONTEXT_SPECIFIC) continue;
      if (gn.type === 2) {
        const v = bytes(gn);
        if (v !== null) out.dnsNames.push(v);
      } else if (gn.type === 7) {
        const v = bytes(gn);
        const ip = v === null ? null : ipUtil.bytesToIP(v);
        if (ip !== null) out.ipAddresses.push(canonicalIp(ip));
      } else if (gn.type === 0) {
        const [typeId, explicit] = children(gn);
        const t = bytes(typeId);
        const inner = children(explicit)[0];
        const v = bytes(inner);
        if (t === null || v === null) continue;
        const typeOid = asn1.derToOid(t);
        if (typeOid === OID_XMPP_ADDR) out.xmppAddrs.push(forge.util.decodeUtf8(v));
        else if (typeOid === OID_DNS_SRV) out.srvNames.push(v);
      }
    }
  }
  return out;
}
