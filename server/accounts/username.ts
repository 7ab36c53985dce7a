// The one username parser of account creation (in-band registration, invitations, the console, the CLI): a
// username is an XMPP localpart prepared with PRECIS UsernameCaseMapped (RFC 7622 §3.3, CORE-36), so "Juliet" and
// "juliet" are one account (BAD-31). Front ends word the refusal for their audience.
import { JidError, prepLocalpart } from '../core/jid.js';

export class UsernameError extends Error {
  constructor(readonly input: string, readonly reason: 'empty' | 'invalid', detail: string) {
    super(detail);
  }
}

/** The account name `raw` stands for (normalised localpart); UsernameError when it cannot be one. */
export function parseUsername(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') throw new UsernameError(String(raw ?? ''), 'empty', 'a username is required');
  try {
    const local = prepLocalpart(raw);
    if (local === '') throw new UsernameError(raw, 'empty', 'a username is required');
    return local;
  } catch (err) {
    if (err instanceof JidError) throw new UsernameError(raw, 'invalid', err.message);
    throw err;
  }
}
