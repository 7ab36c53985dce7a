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

/** Why an account address given by a person does not name an account here. */
export class AccountAddressError extends Error {
  constructor(
    readonly input: string,
    readonly reason: 'empty' | 'invalid' | 'other-domain' | 'resource',
    /** The name part as written (before any @), for sentences such as "write just carol". */
    readonly localAsWritten: string,
    detail: string,
    /** With reason 'resource': what followed the "/". */
    readonly resource = '',
  ) {
    super(detail);
  }
}

/**
 * The account a person means by `input`: a name ("bob") or an address at `domain` ("bob@office.local"), trimmed and
 * prepared like any username. Every front end (console, CLI, setup wizard, sign-up page, console login) reads names
 * through this and words the AccountAddressError for its own audience.
 */
export function accountName(input: unknown, domain: string): string {
  if (typeof input !== 'string' || input.trim() === '') throw new AccountAddressError('', 'empty', '', 'a username is required');
  const s = input.trim();
  const at = s.lastIndexOf('@');
  const local = at >= 0 ? s.slice(0, at) : s;
  if (at >= 0) {
    const rest = s.slice(at + 1);
    const slash = rest.indexOf('/');
    const host = slash >= 0 ? rest.slice(0, slash) : rest;
    if (host.toLowerCase() !== domain) throw new AccountAddressError(s, 'other-domain', local, `not an address at ${domain}`);
    if (slash >= 0) throw new AccountAddressError(s, 'resource', local, 'an account address has no resource', rest.slice(slash + 1));
    if (local === '') throw new AccountAddressError(s, 'invalid', local, 'the name before "@" is empty');
  }
  try {
    return parseUsername(local);
  } catch (err) {
    if (err instanceof UsernameError) throw new AccountAddressError(s, err.reason, local, err.message);
    throw err;
  }
}
