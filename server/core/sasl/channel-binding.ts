/**
 * TLS channel-binding data for the SCRAM -PLUS mechanisms, server side — CORE-34.
 *
 *  - tls-server-end-point (RFC 5929 §4): hash of OUR certificate (DER), with the
 *    hash of the certificate's signature algorithm, MD5/SHA-1 upgraded to SHA-256.
 *    Undefined (null) for signature algorithms with no single hash (Ed25519, Ed448)
 *    or that are not recognised.
 *  - tls-exporter (RFC 9266): 32 bytes of the TLS exporter with label
 *    "EXPORTER-Channel-Binding" and an empty context; TLS 1.3 only.
 *  - tls-unique (RFC 5929 §3): the first Finished message of the latest handshake —
 *    the client's in a full handshake, the server's in an abbreviated (resumed)
 *    one; TLS ≤ 1.2 only. Renegotiation is not considered (Node disables it for
 *    TLS servers by default in practice and TLS 1.3 has none).
 *
 * All of this is for the SERVER end of a TLS connection.
 */
import { createHash } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { ChannelBindingType } from './mechanism.js';

interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

function readTlv(buf: Buffer, offset: number, limit: number = buf.length): Tlv | null {
  if (offset + 2 > limit) return null;
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + i]!;
    pos += n;
  }
  if (pos + len > limit) return null;
  return { tag, start: pos, end: pos + len };
}

function decodeOid(bytes: Buffer): string | null {
  if (bytes.length === 0) return null;
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) return null;
    if (!(b & 0x80)) {
      if (arcs.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    }
  }
  if (bytes[bytes.length - 1]! & 0x80) return null;
  return arcs.join('.');
}

/** Reads an AlgorithmIdentifier SEQUENCE at `tlv`: its OID and the parameters' TLV, if any. */
function readAlgorithmIdentifier(der: Buffer, tlv: Tlv): { oid: string; params: Tlv | null } | null {
  if (tlv.tag !== 0x30) return null;
  const oidTlv = readTlv(der, tlv.start, tlv.end);
  if (!oidTlv || oidTlv.tag !== 0x06) return null;
  const oid = decodeOid(der.subarray(oidTlv.start, oidTlv.end));
  if (!oid) return null;
  const params = oidTlv.end < tlv.end ? readTlv(der, oidTlv.end, tlv.end) : null;
  return { oid, params };
}

/** Digest OIDs (for RSASSA-PSS parameters). */
const DIGEST_OIDS: Record<string, string> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '2.16.840.1.101.3.4.2.7': 'sha3-224',
  '2.16.840.1.101.3.4.2.8': 'sha3-256',
  '2.16.840.1.101.3.4.2.9': 'sha3-384',
  '2.16.840.1.101.3.4.2.10': 'sha3-512',
};

/** Signature algorithm OIDs → their (single) hash. */
const SIGNATURE_OIDS: Record<string, string> = {
  // RSA PKCS #1 v1.5
  '1.2.840.113549.1.1.4': 'md5',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.3.14.3.2.29': 'sha1',
  '1.2.840.113549.1.1.14': 'sha224',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '2.16.840.1.101.3.4.3.13': 'sha3-224',
  '2.16.840.1.101.3.4.3.14': 'sha3-256',
  '2.16.840.1.101.3.4.3.15': 'sha3-384',
  '2.16.840.1.101.3.4.3.16': 'sha3-512',
  // ECDSA
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.1': 'sha224',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '2.16.840.1.101.3.4.3.9': 'sha3-224',
  '2.16.840.1.101.3.4.3.10': 'sha3-256',
  '2.16.840.1.101.3.4.3.11': 'sha3-384',
  '2.16.840.1.101.3.4.3.12': 'sha3-512',
  // DSA
  '1.2.840.10040.4.3': 'sha1',
  '2.16.840.1.101.3.4.3.1': 'sha224',
  '2.16.840.1.101.3.4.3.2': 'sha256',
};

const RSASSA_PSS = '1.2.840.113549.1.1.10';

/**
 * The hash function tls-server-end-point uses for a DER certificate (RFC 5929 §4.1):
 * the signature algorithm's hash, MD5 and SHA-1 replaced by SHA-256.
 * Null when the certificate cannot be parsed or its algorithm has no single hash.
 */
export function serverEndPointHash(der: Buffer): string | null {
  const cert = readTlv(der, 0);
  if (!cert || cert.tag !== 0x30) return null;
  const tbs = readTlv(der, cert.start, cert.end);
  if (!tbs || tbs.tag !== 0x30) return null;
  const sigAlgTlv = readTlv(der, tbs.end, cert.end);
  if (!sigAlgTlv) return null;
  const alg = readAlgorithmIdentifier(der, sigAlgTlv);
  if (!alg) return null;

  let hash: string | undefined;
  if (alg.oid === RSASSA_PSS) {
    // RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier DEFAULT sha1, ... }
    hash = 'sha1';
    if (alg.params && alg.params.tag === 0x30) {
      const first = alg.params.start < alg.params.end ? readTlv(der, alg.params.start, alg.params.end) : null;
      if (first && first.tag === 0xa0) {
        const inner = readTlv(der, first.start, first.end);
        const hashAlg = inner ? readAlgorithmIdentifier(der, inner) : null;
        if (!hashAlg) return null;
        hash = DIGEST_OIDS[hashAlg.oid];
      }
    }
  } else {
    hash = SIGNATURE_OIDS[alg.oid];
  }
  if (!hash) return null;
  return hash === 'md5' || hash === 'sha1' ? 'sha256' : hash;
}

/** tls-server-end-point channel binding of a DER certificate; null if undefined for it. */
export function serverEndPointBinding(der: Buffer): Buffer | null {
  const hash = serverEndPointHash(der);
  if (!hash) return null;
  return createHash(hash).update(der).digest();
}

const TLS12_OR_OLDER = new Set(['TLSv1', 'TLSv1.1', 'TLSv1.2']);

/** Channel-binding data of the server end of `socket`; null when not available. */
export function channelBindingData(socket: TLSSocket, type: ChannelBindingType): Buffer | null {
  const protocol = socket.getProtocol();
  if (!protocol) return null; // handshake not finished
  switch (type) {
    case 'tls-server-end-point': {
      const cert = socket.getCertificate();
      if (!cert || !('raw' in cert) || !Buffer.isBuffer(cert.raw)) return null;
      return serverEndPointBinding(cert.raw);
    }
    case 'tls-exporter': {
      if (protocol !== 'TLSv1.3') return null;
      try {
        return socket.exportKeyingMaterial(32, 'EXPORTER-Channel-Binding', Buffer.alloc(0));
      } catch {
        return null;
      }
    }
    case 'tls-unique': {
      if (!TLS12_OR_OLDER.has(protocol)) return null;
      // Server side: first Finished = client's in a full handshake, ours when resumed.
      const finished = socket.isSessionReused() ? socket.getFinished() : socket.getPeerFinished();
      return finished ? Buffer.from(finished) : null;
    }
    default:
      return null;
  }
}
