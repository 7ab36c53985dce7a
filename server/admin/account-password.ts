// The password an account may be given, whoever sets it (CLI, console, setup wizard, web sign-up): not empty, not
// too long, and one that SCRAM logins accept (SASLprep, RFC 4013). Refusals are AdminErrors for people.
import { saslPrep, SaslPrepError } from '../core/sasl/index.js';
import { AdminError } from './admin-api.js';

const MAX_PASSWORD_LENGTH = 1024;

/** `password` itself when an account may have it; otherwise an AdminError that says why not. */
export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password === '') throw new AdminError('The password is empty; choose one.');
  if (password.length > MAX_PASSWORD_LENGTH) throw new AdminError(`The password is longer than ${MAX_PASSWORD_LENGTH} characters; choose a shorter one.`);
  let prepped: string;
  try {
    prepped = saslPrep(password);
  } catch (err) {
    if (err instanceof SaslPrepError) {
      const what = err.codePoint === undefined ? '' : ` (U+${err.codePoint.toString(16).toUpperCase().padStart(4, '0')})`;
      throw new AdminError(err.reason === 'bidi'
        ? 'The password mixes left-to-right and right-to-left letters in a way XMPP logins do not allow; choose another.'
        : `The password contains a character${what} that XMPP logins do not allow (a control or unassigned character); choose another.`);
    }
    throw err;
  }
  if (prepped === '') throw new AdminError('The password consists only of characters that XMPP logins ignore; choose another.');
  return password;
}
