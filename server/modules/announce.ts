// Server announcements (SVC-18): a headline message from the server's domain to every connected session, for
// admin broadcasts (offered by AdminService).
import { randomUUID } from 'node:crypto';
import { el } from '../core/xml.js';
import type { ServerContext } from '../core/context.js';

/**
 * Send `text` (and an optional subject) as a `headline` message from the domain to every bound session.
 * Headlines are not stored offline (RFC 6121 §5.2.2), so only those online now receive it. Returns how many
 * sessions it went to.
 */
export function announce(ctx: Pick<ServerContext, 'config' | 'sessions' | 'log'>, text: string, subject?: string): number {
  const from = ctx.config.domain;
  const id = randomUUID();
  let n = 0;
  for (const s of ctx.sessions.all()) {
    s.send(el('message', { from, to: s.jid.toString(), type: 'headline', id },
      subject ? el('subject', null, subject) : null,
      el('body', null, text)));
    n++;
  }
  ctx.log.info('announce', `announcement sent to ${n} session${n === 1 ? '' : 's'}`);
  return n;
}
