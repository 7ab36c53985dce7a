// Passwords in the console: a generator for new accounts and a strength estimate for the meter. The estimate is
// deliberately simple (length, variety, obvious patterns); the server only insists on a minimum length.

const WORDS_ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of `length` characters without look-alikes (0/O, 1/l/I), from crypto.getRandomValues. */
export function generatePassword(length = 16): string {
  const out: string[] = [];
  const n = WORDS_ALPHABET.length;
  const limit = 256 - (256 % n);
  const bytes = new Uint8Array(length * 2);
  while (out.length < length) {
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < limit && out.length < length) out.push(WORDS_ALPHABET[b % n]);
    }
  }
  // Groups of four are easier to read out and type on a phone.
  return out.join('').replace(/(.{4})(?=.)/g, '$1-');
}

export interface Strength {
  /** 0 (very weak) … 4 (strong) */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  hint: string;
}

const COMMON = ['password', 'passwort', 'qwerty', 'azerty', 'letmein', 'welcome', 'admin', 'parley', 'iloveyou', 'monkey', 'dragon', '123456', 'abc123', 'secret'];

export function passwordStrength(password: string, context: string[] = []): Strength {
  if (password === '') return { score: 0, label: 'Empty', hint: 'Choose a password.' };
  const chars = [...password];
  const lower = password.toLowerCase();
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^A-Za-z0-9]/.test(password)) pool += 33;
  let bits = chars.length * Math.log2(Math.max(pool, 2));
  const unique = new Set(chars).size;
  if (unique <= 2) bits = Math.min(bits, 8);
  else if (unique < chars.length / 3) bits *= 0.5;
  if (/(.)\1{2,}/.test(password)) bits -= 10;
  if (/(?:0123|1234|2345|3456|4567|5678|6789|abcd|bcde|qwer|asdf)/i.test(password)) bits -= 15;
  const words = [...COMMON, ...context.map((c) => c.toLowerCase()).filter((c) => c.length >= 3)];
  if (words.some((w) => lower.includes(w))) bits -= 25;
  if (chars.length < 8) {
    return { score: bits > 30 ? 1 : 0, label: chars.length < 6 ? 'Very weak' : 'Weak', hint: `Use at least 8 characters (${chars.length} so far).` };
  }
  if (bits < 40) return { score: 1, label: 'Weak', hint: 'Longer is better: try a few unrelated words.' };
  if (bits < 60) return { score: 2, label: 'Fair', hint: 'Add a few more characters or another word.' };
  if (bits < 80) return { score: 3, label: 'Good', hint: '' };
  return { score: 4, label: 'Strong', hint: '' };
}
