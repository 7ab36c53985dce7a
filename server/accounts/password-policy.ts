// The one password policy of every way an account gets or changes a password (in-band registration, invitations,
// the console, the CLI): passwordProblem() is what every path refuses (empty, too long, not usable in a SCRAM or
// PLAIN login after SASLprep); each front end words the refusal for its audience. weakPasswordReason() adds the
// rules of the web sign-up page: long enough, not the name, not one of the passwords everyone tries first. Chat
// apps that register in-band make their own random passwords, so only the web sign-up applies it.
import { saslPrep, SaslPrepError } from '../core/sasl/index.js';

/** Passwords longer than this are refused (they would only serve to make key derivation expensive). */
export const MAX_PASSWORD_LENGTH = 1024;

export type PasswordProblem =
  | { kind: 'empty' }
  | { kind: 'too-long'; max: number }
  /** A character SASLprep prohibits (control, unassigned…), with its code point when known. */
  | { kind: 'prohibited'; codePoint?: number }
  /** Left-to-right and right-to-left letters mixed in a way SASLprep forbids. */
  | { kind: 'bidi' }
  /** Only characters SASLprep maps to nothing. */
  | { kind: 'ignorable' };

/** Why `password` cannot be an account's password, or null when it can. */
export function passwordProblem(password: unknown): PasswordProblem | null {
  if (typeof password !== 'string' || password === '') return { kind: 'empty' };
  if (password.length > MAX_PASSWORD_LENGTH) return { kind: 'too-long', max: MAX_PASSWORD_LENGTH };
  let prepped: string;
  try {
    prepped = saslPrep(password);
  } catch (err) {
    if (err instanceof SaslPrepError) return err.reason === 'bidi' ? { kind: 'bidi' } : { kind: 'prohibited', codePoint: err.codePoint };
    throw err;
  }
  return prepped === '' ? { kind: 'ignorable' } : null;
}

/** A password the policy refuses, thrown by the account lifecycle; front ends check first to word it themselves. */
export class PasswordRejectedError extends Error {
  constructor(readonly problem: PasswordProblem) {
    super(`the password cannot be used (${problem.kind})`);
  }
}

export const MIN_SIGNUP_PASSWORD_LENGTH = 8;

const COMMON = new Set([
  'password', 'password1', 'passwort', 'motdepasse', 'qwertyui', 'qwertyuiop', 'azertyui', 'asdfghjk', 'iloveyou',
  'letmein1', 'welcome1', 'sunshine', 'princess', 'football', 'baseball', 'superman', 'trustno1', 'changeme',
  'abcdefgh', 'abcd1234', '12345678', '123456789', '1234567890', '87654321', '11111111', '00000000', 'parley123',
]);

/** Why `password` is too weak for the account `username`, or null when it will do. */
export function weakPasswordReason(password: string, username: string): string | null {
  const chars = [...password];
  if (chars.length < MIN_SIGNUP_PASSWORD_LENGTH) {
    return `Your password needs at least ${MIN_SIGNUP_PASSWORD_LENGTH} characters; it has ${chars.length}. A few unrelated words make a good one.`;
  }
  const lower = password.toLowerCase();
  if (username.length >= 3 && lower.includes(username.toLowerCase())) {
    return 'Your password contains your user name, which is the first thing anyone would try. Choose another.';
  }
  if (new Set(chars).size <= 2) return 'Your password repeats the same one or two characters. Choose one that is harder to guess.';
  if (COMMON.has(lower) || /^(?:0123456789|123456789|abcdefghij|qwertyuiop)/.test(lower)) {
    return 'That password is one of the first that anyone would try. Choose another — a few unrelated words work well.';
  }
  return null;
}
