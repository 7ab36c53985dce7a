// What the inbound and outbound streams need from the federation service (service.ts), as an interface so the
// stream files do not import the service.
import type { EventEmitter } from 'node:events';
import type { Element } from '../core/xml.js';
import type { StanzaErrorCondition } from '../core/errors.js';
import type { ModuleContext } from '../modules/module.js';
import type { DialbackKeys } from './dialback-key.js';
import type { S2sSettings } from './settings.js';
import type { S2sTls } from './tls-trust.js';

/** The answer of an authoritative server to <db:verify/> (XEP-0220 §2.1.2), or why there is none. */
export type VerifyOutcome = { type: 'valid' } | { type: 'invalid' } | { type: 'error'; condition: StanzaErrorCondition; text?: string };

/** What happens on federation streams, for the admin console and tests. */
export interface S2sEvents {
  /** A remote domain may now send to `local` on an inbound stream. */
  'inbound-authenticated': [remote: string, local: string, method: 'dialback' | 'external'];
  /** Our domain `local` may now send to `remote` on an outbound stream. */
  'outbound-authenticated': [local: string, remote: string, method: 'dialback' | 'external'];
  /** A stream is gone; `remote` is the peer's domain when known. */
  'stream-closed': [id: string, direction: 'in' | 'out', remote: string];
}

export interface S2sHost {
  readonly events: EventEmitter<S2sEvents>;
  readonly ctx: ModuleContext;
  readonly settings: S2sSettings;
  readonly keys: DialbackKeys;
  readonly tls: S2sTls;
  /** Ask the server of `authoritative` whether it made `key` for (`receiving`, `authoritative`, `streamId`). */
  verifyKey(authoritative: string, receiving: string, streamId: string, key: string): Promise<VerifyOutcome>;
  /** Send a stanza from one of our entities to a remote one (replies to remote senders go this way too). */
  sendRemote(stanza: Element): void;
  /** Give a stanza that cannot reach its remote recipient back to its local sender as an error (CORE-58). */
  bounce(stanza: Element, condition: StanzaErrorCondition, text?: string): void;
}
