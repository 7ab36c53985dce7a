// The password an account may be given, whoever sets it (CLI, console, setup wizard, web sign-up): not empty, not
// too long, and one that SCRAM logins accept (SASLprep, RFC 4013). Refusals are AdminErrors for people.
import { passwordProblem } from '../accounts/password-policy.js';
import { AdminError } from './admin-api.js';

/** `password` itself when an account may have it (the account lifecycle's one policy); otherwise why not, for people. */
export function checkPassword(password: unknown): string {
  const problem = passwordProblem(password);
  if (problem === null) return password as string;
  switch (problem.kind) {
    case 'empty': throw new AdminError('The password is empty; choose one.');
    case 'too-long': throw new AdminError(`The password is longer than ${problem.max} characters; choose a shorter one.`);
    case 'bidi': throw new AdminError('The password mixes left-to-right and right-to-left letters in a way XMPP logins do not allow; choose another.');
    case 'prohibited': {
      const what = problem.codePoint === undefined ? '' : ` (U+${problem.codePoint.toString(16).toUpperCase().padStart(4, '0')})`;
      throw new AdminError(`The password contains a character${what} that XMPP logins do not allow (a control or unassigned character); choose another.`);
    }
    case 'ignorable': throw new AdminError('The password consists only of characters that XMPP logins ignore; choose another.');
  }
}
