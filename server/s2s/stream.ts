// What inbound and outbound server-to-server streams share beyond the stream base (core/xml-stream.ts): their
// header's namespaces (jabber:server, with the dialback prefix always declared, XEP-0220 §2.4.1), and an activity
// time that counts writes too, which the federation idle sweep looks at.
import { XmlStream } from '../core/xml-stream.js';
import type { StreamOpening } from '../core/stream-header.js';
import type { ServerContext } from '../core/context.js';
import { NS } from '../core/namespaces.js';
import { XML_STREAM } from '../core/stream-framing.js';
import { NS_DIALBACK } from './namespaces.js';

let counter = 0;

const DECLARE = { db: NS_DIALBACK } as const;

/** A jabber:server header; version '1.0' and xml:lang 'en' unless given. */
export function s2sOpening(o: { from?: string; to?: string; id?: string; version?: string | null; lang?: string }): StreamOpening {
  return { ns: NS.server, declare: DECLARE, id: o.id, from: o.from, to: o.to, version: o.version === undefined ? '1.0' : o.version, lang: o.lang ?? 'en' };
}

export abstract class S2sStream extends XmlStream {
  constructor(ctx: ServerContext, prefix: string) {
    super(ctx, `${prefix}${++counter}`, XML_STREAM);
  }

  protected get logTag(): string {
    return 's2s';
  }

  protected override write(data: string, written?: (ok: boolean) => void): void {
    this.lastActivity = Date.now();
    super.write(data, written);
  }
}
