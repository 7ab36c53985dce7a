/**
 * Shared types of the server-side SASL mechanisms (CORE-25) and the strict
 * base64 helper the stream layer uses for <auth/>/<response/> payloads (CORE-30).
 */
import type { ScramCredential } from './scram-credential.js';
import { strictBase64Decode } from './base64.js';

// Re-exported for the mechanisms and the stream layer; it lives apart so that scram-credential.ts can use it
// without importing this file (which imports scram-credential.ts's types): no import cycle.
export { strictBase64Decode };

/** RFC 6120 §6.5 SASL failure conditions. */
export type SaslCondition =
  | 'aborted'
  | 'account-disabled'
  | 'credentials-expired'
  | 'encryption-required'
  | 'incorrect-encoding'
  | 'invalid-authzid'
  | 'invalid-mechanism'
  | 'malformed-request'
  | 'mechanism-too-weak'
  | 'not-authorized'
  | 'temporary-auth-failure';

export type SaslStep =
  | { kind: 'challenge'; data: Buffer }
  /**
   * `username` is the authcid as sent by the client (for SCRAM after '=2C'/'=3D'
   * decoding). `authzid` only when the client supplied a non-empty one (the
   * stream layer decides whether it is acceptable → invalid-authzid).
   * `data` is the SCRAM server-final-message ("additional data with success").
   */
  | { kind: 'success'; username: string; authzid?: string; data?: Buffer }
  | { kind: 'failure'; condition: SaslCondition; text?: string };

export interface StoredCredentials {
  'SHA-1'?: ScramCredential;
  'SHA-256'?: ScramCredential;
  disabled?: boolean;
}

export type ChannelBindingType = 'tls-server-end-point' | 'tls-exporter' | 'tls-unique';

export const CHANNEL_BINDING_TYPES: readonly ChannelBindingType[] = [
  'tls-server-end-point',
  'tls-exporter',
  'tls-unique',
];

export function isChannelBindingType(s: string): s is ChannelBindingType {
  return (CHANNEL_BINDING_TYPES as readonly string[]).includes(s);
}

export interface SaslContext {
  /**
   * The caller normalises the username. `null` = no such user; the mechanisms make
   * this indistinguishable from a wrong password. A rejected promise ends the
   * exchange with temporary-auth-failure.
   */
  lookup(username: string): Promise<StoredCredentials | null>;
  /** Channel-binding data of this connection, `null` = not available. */
  channelBinding(type: ChannelBindingType): Buffer | null;
  /** Whether any -PLUS mechanism was advertised on this stream ('y' downgrade check). */
  plusOffered: boolean;
  /** TLS in place (PLAIN is refused with encryption-required otherwise). */
  secure: boolean;
}

export interface SaslMechanism {
  readonly name: string;
  step(data: Buffer): Promise<SaslStep>;
}

/**
 * Optional third argument of createMechanism(). Meant for tests.
 * `serverNonce` returns the server part of the SCRAM nonce (default: 24 random
 * bytes, base64). It must be printable ASCII without ','.
 */
export interface MechanismOptions {
  serverNonce?: () => string;
}

/**
 * Decodes the character data of an XMPP SASL element (RFC 6120 §6.4.2):
 * strict RFC 4648 base64, and '=' alone means an empty response.
 * Returns null for anything else (→ incorrect-encoding). Whether the element
 * was empty (no initial response) must be decided by the caller before this.
 */
export function decodeSaslBase64(text: string): Buffer | null {
  if (text === '=') return Buffer.alloc(0);
  return strictBase64Decode(text);
}

/** Fatal UTF-8 decoding; null for invalid UTF-8. */
export function decodeUtf8(data: Buffer): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(data);
  } catch {
    return null;
  }
}

export function failure(
  condition: SaslCondition,
  text?: string,
): { kind: 'failure'; condition: SaslCondition; text?: string } {
  return text === undefined ? { kind: 'failure', condition } : { kind: 'failure', condition, text };
}
