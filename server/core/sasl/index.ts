/**
 * Server-side SASL (CORE-25 … CORE-36): SCRAM-SHA-256(-PLUS), SCRAM-SHA-1(-PLUS), PLAIN.
 *
 * Usage by the stream layer:
 *   const names = mechanismNames({ channelBindings, plain: secure });
 *   const mech = createMechanism(name, ctx);          // null → invalid-mechanism
 *   const data = decodeSaslBase64(text);              // null → incorrect-encoding
 *   const step = await mech.step(data);
 *
 * createMechanism's optional third argument (MechanismOptions) lets tests inject
 * the SCRAM server nonce: `createMechanism('SCRAM-SHA-1', ctx, { serverNonce: () => '…' })`.
 */
import type { ChannelBindingType, MechanismOptions, SaslContext, SaslMechanism } from './mechanism.js';
import { PlainMechanism } from './plain.js';
import { ScramMechanism } from './scram.js';

export * from './mechanism.js';
export * from './scram-credential.js';
export { saslPrep, SaslPrepError, type SaslPrepErrorReason } from './saslprep.js';
export { channelBindingData, serverEndPointBinding, serverEndPointHash } from './channel-binding.js';
export { ScramMechanism, decodeSaslName, encodeSaslName } from './scram.js';
export { PlainMechanism } from './plain.js';

/** Creates a server mechanism by its exact (case-sensitive) name; null for unknown names. */
export function createMechanism(name: string, ctx: SaslContext, opts?: MechanismOptions): SaslMechanism | null {
  switch (name) {
    case 'SCRAM-SHA-256-PLUS':
      return new ScramMechanism('SHA-256', true, ctx, opts);
    case 'SCRAM-SHA-256':
      return new ScramMechanism('SHA-256', false, ctx, opts);
    case 'SCRAM-SHA-1-PLUS':
      return new ScramMechanism('SHA-1', true, ctx, opts);
    case 'SCRAM-SHA-1':
      return new ScramMechanism('SHA-1', false, ctx, opts);
    case 'PLAIN':
      return new PlainMechanism(ctx);
    default:
      return null;
  }
}

/**
 * Mechanisms to advertise, in server preference order. -PLUS variants only when
 * at least one channel-binding type is available on the connection; PLAIN only
 * when allowed (normally: TLS in place).
 */
export function mechanismNames(opts: { channelBindings: ChannelBindingType[]; plain: boolean }): string[] {
  const plus = opts.channelBindings.length > 0;
  const names: string[] = [];
  if (plus) names.push('SCRAM-SHA-256-PLUS');
  names.push('SCRAM-SHA-256');
  if (plus) names.push('SCRAM-SHA-1-PLUS');
  names.push('SCRAM-SHA-1');
  if (opts.plain) names.push('PLAIN');
  return names;
}
