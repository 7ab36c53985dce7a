// The password rules of the web sign-up page: long enough, not the name, not one of the passwords everyone tries
// first. Refusals are sentences for people; chat apps that register in-band make their own random passwords.

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
