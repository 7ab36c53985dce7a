// Strict RFC 4648 base64 for SASL payloads and stored SCRAM credentials (CORE-30). A leaf module: mechanism.ts
// and scram-credential.ts both use it without importing each other.

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict RFC 4648 §4 base64: alphabet only, no whitespace, length a multiple
 * of four, correct padding, zero pad bits. '' decodes to an empty buffer.
 */
export function strictBase64Decode(text: string): Buffer | null {
  if (!BASE64_RE.test(text)) return null;
  const buf = Buffer.from(text, 'base64');
  // Rejects non-zero pad bits (RFC 4648 §3.5: canonical encoding only).
  if (buf.toString('base64') !== text) return null;
  return buf;
}
