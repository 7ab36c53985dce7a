// The per-user storage quota (userStorageQuotaBytes, a console setting): everything an account keeps in the stores
// that count (StoreDef.sizeOf: vCard, private XML, offline messages, privacy lists, roster; a new store opts in
// with one line) may not pass it. A module asks before it writes, so a refused change leaves everything stored as
// it was; the refusal is resource-constraint (RFC 6120 §8.3.3.18: the server lacks the resources — here the
// space it grants the account — to service the request; type wait: the owner can free space and retry).
import { StanzaError } from '../core/errors.js';
import type { ServerContext } from '../core/context.js';

/** Whether `user` may store `adding` bytes in place of `replacing` bytes already counted. */
export async function withinQuota(ctx: ServerContext, user: string, adding: number, replacing = 0): Promise<boolean> {
  const quota = ctx.config.userStorageQuotaBytes;
  if (!(quota > 0) || adding <= replacing) return true;
  return (await ctx.storage.usedBytes(user)) - replacing + adding <= quota;
}

/** Refuse with resource-constraint when the write would take `user` past the quota (see withinQuota). */
export async function ensureQuota(ctx: ServerContext, user: string, adding: number, replacing = 0): Promise<void> {
  if (await withinQuota(ctx, user, adding, replacing)) return;
  ctx.log.info('storage', `${user} is at the storage quota of ${ctx.config.userStorageQuotaBytes} bytes; a change was refused`);
  throw new StanzaError('resource-constraint', { text: `your account has used its ${ctx.config.userStorageQuotaBytes} bytes of storage on this server; remove something first` });
}
