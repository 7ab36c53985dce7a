/**
 * XMPP addresses (JIDs) per RFC 7622.
 *
 *   jid = [ localpart "@" ] domainpart [ "/" resourcepart ]
 *
 * - localpart:    PRECIS UsernameCaseMapped profile (RFC 8265 §3.3) of the
 *                 IdentifierClass (RFC 8264 §4.2), minus the characters
 *                 " & ' / : < > @ (RFC 7622 §3.3.1).
 * - domainpart:   IDNA2008-compatible processing via UTS #46 (RFC 7622 §3.2),
 *                 kept in U-label (Unicode) form, lowercased, trailing dot
 *                 stripped; IPv4 and bracketed IPv6 literals allowed
 *                 (IPv6 put in RFC 5952 canonical form; a name whose last
 *                 label is all digits must be a dotted-quad IPv4 address).
 * - resourcepart: PRECIS OpaqueString profile (RFC 8265 §4.2) of the
 *                 FreeformClass (RFC 8264 §4.3).
 * Each part is 1..1023 octets of UTF-8 after mapping and normalisation.
 * Splitting follows RFC 7622 §3.2 before any mapping: the resourcepart is
 * everything after the first '/', and the localpart is what precedes the
 * first '@' before that '/'; so "a@b@c" has domainpart "b@c" and is invalid.
 *
 * Why PRECIS is implemented by hand here: there is no maintained PRECIS
 * library on npm. The profiles are therefore built from the primitives the
 * platform does provide: Unicode property escapes in RegExp (`\p{...}` with
 * the `u` flag) for the derived-property computation of RFC 8264 §8-9,
 * String.prototype.normalize for NFC/NFKC (HasCompat, width mapping) and
 * String.prototype.toLowerCase for case mapping. The domainpart uses `tr46`
 * (UTS #46 processing, the implementation whatwg-url relies on), run with
 * nontransitional processing, STD3 rules, CheckBidi and CheckJoiners, which
 * is the IDNA2008-compatible mode. tr46 also ships RegExps generated from the
 * Unicode data for Bidi classes, Virama and Joining_Type that JavaScript's
 * RegExp cannot express; they are reused (loaded lazily from
 * tr46/lib/regexes.js) for the Bidi Rule (RFC 5893) of UsernameCaseMapped and
 * the CONTEXTJ rules (RFC 5892 Appendix A.1/A.2).
 *
 * Deliberate reading of the RFC where it is inconsistent with itself:
 * RFC 7622 §3.5 lists "juliet@example.com/ foo" (leading space in the
 * resourcepart) as invalid, but no rule of the OpaqueString profile forbids
 * it (spaces are FreeformClass and are kept), so it is accepted, as other
 * implementations do.
 *
 * Performance: JIDs are parsed for every stanza's to/from. Pure printable
 * ASCII parts take a fast path (a char-class scan plus lowercasing) that
 * yields exactly what the full PRECIS/UTS #46 path yields for such input, and
 * successful parses are memoised in a bounded Map that is cleared when full.
 */
import { createRequire } from 'node:module';
import { isIPv4, isIPv6 } from 'node:net';
import { toASCII, toUnicode } from 'tr46';

// ---------------------------------------------------------------------------
// Errors

export class JidError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JidError';
  }
}

type Part = 'localpart' | 'domainpart' | 'resourcepart';

/** Quotes a value for an error message; invisible format/separator characters are escaped. */
function show(value: string): string {
  const v = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(v).replace(RE_ESCAPE_IN_MESSAGE, (ch) => {
    const cp = ch.codePointAt(0)!;
    const hex = cp.toString(16).toUpperCase().padStart(4, '0');
    return cp > 0xffff ? `\\u{${hex}}` : `\\u${hex}`;
  });
}

const RE_ESCAPE_IN_MESSAGE = /[\p{Cf}\p{Zl}\p{Zp}]/gu;

function fail(part: Part, value: string, why: string): never {
  throw new JidError(`${part} ${show(value)} ${why}`);
}

function describeChar(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  // Show the glyph only when it is visible and not confusing.
  if (cp > 0x20 && cp !== 0x7f && !(cp >= 0x80 && cp <= 0x9f) && !RE_INVISIBLE.test(String.fromCodePoint(cp))) {
    return `${hex} '${String.fromCodePoint(cp)}'`;
  }
  return hex;
}

const RE_INVISIBLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}\p{M}]$/u;

// ---------------------------------------------------------------------------
// Limits and tables

const MAX_PART_OCTETS = 1023;
const MAX_LABEL_OCTETS = 63;
/** Inputs longer than this (UTF-16 code units) are rejected before any work. */
const MAX_INPUT_LENGTH = 16 * 1024;
const CACHE_MAX_ENTRIES = 10_000;
/** Longer inputs are parsed but not memoised, to bound the cache's memory. */
const CACHE_MAX_KEY_LENGTH = 1024;

function octets(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** ASCII characters that RFC 7622 §3.3.1 forbids in a localpart, plus space. */
const LOCAL_FORBIDDEN_ASCII = new Uint8Array(128);
for (const ch of ' "&\'/:<>@') LOCAL_FORBIDDEN_ASCII[ch.charCodeAt(0)] = 1;

/** ASCII characters valid in a domain label under STD3 rules (after lowercasing), plus '.'. */
const DOMAIN_ASCII_OK = new Uint8Array(128);
for (let c = 0x61; c <= 0x7a; c++) DOMAIN_ASCII_OK[c] = 1;
for (let c = 0x30; c <= 0x39; c++) DOMAIN_ASCII_OK[c] = 1;
DOMAIN_ASCII_OK[0x2d] = 1; // '-'
DOMAIN_ASCII_OK[0x2e] = 1; // '.'

// ---------------------------------------------------------------------------
// PRECIS string classes (RFC 8264 §8-9, with the RFC 5892 exceptions)

const VALID = 0;
const CONTEXTJ = 1;
const CONTEXTO = 2;
const DIS_EXCEPTION = 3;
const DIS_UNASSIGNED = 4;
const DIS_OLD_HANGUL = 5;
const DIS_IGNORABLE = 6;
const DIS_CONTROL = 7;
const DIS_COMPAT = 8; // ID_DIS only
const DIS_OTHER_LETTER_DIGIT = 9; // ID_DIS only
const DIS_SPACE = 10; // ID_DIS only
const DIS_SYMBOL = 11; // ID_DIS only
const DIS_PUNCTUATION = 12; // ID_DIS only
const DIS_OTHER = 13;

const DISALLOWED_REASON: Record<number, string> = {
  [DIS_EXCEPTION]: 'a code point disallowed by the RFC 5892 exceptions',
  [DIS_UNASSIGNED]: 'an unassigned code point',
  [DIS_OLD_HANGUL]: 'an old Hangul jamo',
  [DIS_IGNORABLE]: 'a default-ignorable or noncharacter code point',
  [DIS_CONTROL]: 'a control character',
  [DIS_COMPAT]: 'a compatibility character (its NFKC form differs)',
  [DIS_OTHER_LETTER_DIGIT]: 'a titlecase letter, letter number, other number or enclosing mark',
  [DIS_SPACE]: 'a space',
  [DIS_SYMBOL]: 'a symbol',
  [DIS_PUNCTUATION]: 'a punctuation character',
  [DIS_OTHER]: 'a format, private-use, surrogate or separator code point',
};

/** RFC 5892 §2.6 exceptions (RFC 8264 §9.6 reuses them). */
const EXCEPTIONS = new Map<number, number>([
  [0x00df, VALID], [0x03c2, VALID], [0x06fd, VALID], [0x06fe, VALID], [0x0f0b, VALID], [0x3007, VALID],
  [0x00b7, CONTEXTO], [0x0375, CONTEXTO], [0x05f3, CONTEXTO], [0x05f4, CONTEXTO], [0x30fb, CONTEXTO],
  [0x0640, DIS_EXCEPTION], [0x07fa, DIS_EXCEPTION], [0x302e, DIS_EXCEPTION], [0x302f, DIS_EXCEPTION],
  [0x3031, DIS_EXCEPTION], [0x3032, DIS_EXCEPTION], [0x3033, DIS_EXCEPTION], [0x3034, DIS_EXCEPTION],
  [0x3035, DIS_EXCEPTION], [0x303b, DIS_EXCEPTION],
]);
for (let cp = 0x0660; cp <= 0x0669; cp++) EXCEPTIONS.set(cp, CONTEXTO);
for (let cp = 0x06f0; cp <= 0x06f9; cp++) EXCEPTIONS.set(cp, CONTEXTO);

const RE_UNASSIGNED = /^\p{Cn}$/u;
const RE_NONCHARACTER = /^\p{Noncharacter_Code_Point}$/u;
/** Hangul_Syllable_Type L, V, T (no RegExp property for it). */
const RE_OLD_HANGUL_JAMO = /^[\u1100-\u11FF\uA960-\uA97C\uD7B0-\uD7C6\uD7CB-\uD7FB]$/;
const RE_PRECIS_IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Noncharacter_Code_Point}]$/u;
const RE_CONTROL = /^\p{Cc}$/u;
const RE_LETTER_DIGITS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Nd}\p{Lm}\p{Mn}\p{Mc}]$/u;
const RE_OTHER_LETTER_DIGITS = /^[\p{Lt}\p{Nl}\p{No}\p{Me}]$/u;
const RE_SPACES = /^\p{Zs}$/u;
const RE_SYMBOLS = /^[\p{Sm}\p{Sc}\p{Sk}\p{So}]$/u;
const RE_PUNCTUATION = /^\p{P}$/u;

/** Derived property of one code point; `freeform` selects FreeformClass over IdentifierClass. */
function derivedProperty(cp: number, ch: string, freeform: boolean): number {
  const exc = EXCEPTIONS.get(cp);
  if (exc !== undefined) return exc;
  // BackwardCompatible is empty.
  if (RE_UNASSIGNED.test(ch) && !RE_NONCHARACTER.test(ch)) return DIS_UNASSIGNED;
  if (cp >= 0x21 && cp <= 0x7e) return VALID; // ASCII7
  if (cp === 0x200c || cp === 0x200d) return CONTEXTJ; // JoinControl
  if (RE_OLD_HANGUL_JAMO.test(ch)) return DIS_OLD_HANGUL;
  if (RE_PRECIS_IGNORABLE.test(ch)) return DIS_IGNORABLE;
  if (RE_CONTROL.test(ch)) return DIS_CONTROL;
  if (ch.normalize('NFKC') !== ch) return freeform ? VALID : DIS_COMPAT; // HasCompat
  if (RE_LETTER_DIGITS.test(ch)) return VALID;
  if (RE_OTHER_LETTER_DIGITS.test(ch)) return freeform ? VALID : DIS_OTHER_LETTER_DIGIT;
  if (RE_SPACES.test(ch)) return freeform ? VALID : DIS_SPACE;
  if (RE_SYMBOLS.test(ch)) return freeform ? VALID : DIS_SYMBOL;
  if (RE_PUNCTUATION.test(ch)) return freeform ? VALID : DIS_PUNCTUATION;
  return DIS_OTHER;
}

// Regexes generated from the Unicode data that JS RegExp has no property for.
interface Tr46Regexes {
  combiningClassVirama: RegExp;
  validZWNJ: RegExp;
  bidiDomain: RegExp;
  bidiS1LTR: RegExp;
  bidiS1RTL: RegExp;
  bidiS2: RegExp;
  bidiS3: RegExp;
  bidiS4EN: RegExp;
  bidiS4AN: RegExp;
  bidiS5: RegExp;
  bidiS6: RegExp;
}
const TR46_REGEX_NAMES: readonly (keyof Tr46Regexes)[] = [
  'combiningClassVirama', 'validZWNJ', 'bidiDomain', 'bidiS1LTR', 'bidiS1RTL',
  'bidiS2', 'bidiS3', 'bidiS4EN', 'bidiS4AN', 'bidiS5', 'bidiS6',
];
let tr46Regexes: Tr46Regexes | null | undefined;

function getTr46Regexes(): Tr46Regexes | null {
  if (tr46Regexes === undefined) {
    try {
      const mod = createRequire(import.meta.url)('tr46/lib/regexes.js') as Record<string, unknown>;
      const ok = TR46_REGEX_NAMES.every((k) => mod[k] instanceof RegExp && !(mod[k] as RegExp).global);
      tr46Regexes = ok ? (mod as unknown as Tr46Regexes) : null;
    } catch {
      tr46Regexes = null;
    }
  }
  return tr46Regexes;
}

const RE_GREEK = /^\p{Script=Greek}$/u;
const RE_HEBREW = /^\p{Script=Hebrew}$/u;
const RE_KANA_HAN = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;

/** RFC 5892 Appendix A.1 (ZWNJ) and A.2 (ZWJ). */
function contextJOk(cps: readonly string[], i: number): boolean {
  const re = getTr46Regexes();
  if (re === null) return false; // cannot verify: refuse rather than accept blindly
  if (i > 0 && re.combiningClassVirama.test(cps[i - 1]!)) return true;
  if (cps[i] !== '\u200C') return false;
  // (Joining_Type:{L,D})(Joining_Type:T)*ZWNJ(Joining_Type:T)*(Joining_Type:{R,D});
  // the pattern cannot span another ZWNJ, so test only the stretch between neighbours.
  let start = i;
  while (start > 0 && cps[start - 1] !== '\u200C') start--;
  let end = i + 1;
  while (end < cps.length && cps[end] !== '\u200C') end++;
  return re.validZWNJ.test(cps.slice(start, end).join(''));
}

/** RFC 5892 Appendix A.3-A.9. */
function contextOOk(cps: readonly string[], i: number, cp: number): boolean {
  const before = i > 0 ? cps[i - 1]! : '';
  const after = i + 1 < cps.length ? cps[i + 1]! : '';
  switch (cp) {
    case 0x00b7: return before === 'l' && after === 'l';
    case 0x0375: return after !== '' && RE_GREEK.test(after);
    case 0x05f3:
    case 0x05f4: return before !== '' && RE_HEBREW.test(before);
    case 0x30fb: return cps.some((c) => RE_KANA_HAN.test(c));
    default:
      if (cp >= 0x0660 && cp <= 0x0669) return !cps.some((c) => c >= '\u06F0' && c <= '\u06F9');
      if (cp >= 0x06f0 && cp <= 0x06f9) return !cps.some((c) => c >= '\u0660' && c <= '\u0669');
      return false;
  }
}

/**
 * Names a code point of the mapped string for an error message, pointing at
 * the input character it came from when mapping changed it (e.g. 'Ⅳ' → 'ⅳ').
 */
function charForMessage(ch: string, input: string, rules: (x: string) => string): string {
  const cp = ch.codePointAt(0)!;
  if (input.includes(ch)) return describeChar(cp);
  for (const orig of input) {
    if (rules(orig).includes(ch)) return `${describeChar(orig.codePointAt(0)!)} (mapped to ${describeChar(cp)})`;
  }
  return `${describeChar(cp)} (after normalisation)`;
}

/** Checks every code point of `s` (the mapped form of `input`) against the string class; throws on the first bad one. */
function checkStringClass(s: string, input: string, part: Part, freeform: boolean, rules: (x: string) => string): void {
  const cps = Array.from(s);
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    const cp = ch.codePointAt(0)!;
    if (!freeform && cp < 0x80 && LOCAL_FORBIDDEN_ASCII[cp] === 1) {
      fail(part, input, `contains ${charForMessage(ch, input, rules)}, which RFC 7622 forbids in a localpart (no space or " & ' / : < > @)`);
    }
    const prop = derivedProperty(cp, ch, freeform);
    if (prop === VALID) continue;
    if (prop === CONTEXTJ) {
      if (contextJOk(cps, i)) continue;
      fail(part, input, `contains ${charForMessage(ch, input, rules)} (a zero-width joiner/non-joiner) in a position RFC 5892 does not allow`);
    }
    if (prop === CONTEXTO) {
      if (contextOOk(cps, i, cp)) continue;
      fail(part, input, `contains ${charForMessage(ch, input, rules)} in a context RFC 5892 does not allow (e.g. U+00B7 only between two 'l')`);
    }
    const cls = freeform ? 'the PRECIS FreeformClass' : 'the PRECIS IdentifierClass';
    fail(part, input, `contains ${charForMessage(ch, input, rules)}, ${DISALLOWED_REASON[prop]}, which is not allowed in ${cls}`);
  }
}

/** RFC 5893 Bidi Rule, applied when the string holds right-to-left (R, AL, AN) code points. */
function bidiRuleOk(s: string): boolean {
  const re = getTr46Regexes();
  if (re === null) {
    // Cannot evaluate: accept only strings with no right-to-left script at all.
    return !/[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF\u{10800}-\u{10FFF}\u{1E800}-\u{1EFFF}]/u.test(s);
  }
  if (!re.bidiDomain.test(s)) return true;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  if (re.bidiS1RTL.test(first)) {
    return re.bidiS2.test(s) && re.bidiS3.test(s) && !(re.bidiS4EN.test(s) && re.bidiS4AN.test(s));
  }
  if (re.bidiS1LTR.test(first)) return re.bidiS5.test(s) && re.bidiS6.test(s);
  return false;
}

function checkLength(part: Part, value: string, n: number): void {
  if (n === 0) fail(part, value, 'is empty (a part, when present, must be 1 to 1023 octets)');
  if (n > MAX_PART_OCTETS) fail(part, value, `is ${n} octets long; the maximum is ${MAX_PART_OCTETS} octets of UTF-8`);
}

function guardInput(part: Part, s: string): void {
  if (typeof s !== 'string') throw new JidError(`${part} must be a string, got ${typeof s}`);
  if (s.length > MAX_INPUT_LENGTH) fail(part, s, `is far too long (${s.length} characters)`);
}

/** Applies `rules` until the output is stable (RFC 8265 §3.4/§4.4: idempotence). */
function untilStable(part: Part, s: string, rules: (x: string) => string): string {
  let cur = rules(s);
  for (let i = 0; i < 3; i++) {
    const next = rules(cur);
    if (next === cur) return cur;
    cur = next;
  }
  return fail(part, s, 'does not reach a stable form under the PRECIS rules');
}

// ---------------------------------------------------------------------------
// Localpart: UsernameCaseMapped (RFC 8265 §3.3.2)

const RE_WIDTH = /[\u3000\uFF01-\uFFEE]/g; // <wide> and <narrow> decompositions
const widthMap = (ch: string): string => ch.normalize('NFKC');

function usernameCaseMappedRules(s: string): string {
  // 1. width mapping, 2. (no additional mapping), 3. toLowerCase, 4. NFC.
  return s.replace(RE_WIDTH, widthMap).toLowerCase().normalize('NFC');
}

function prepLocalSlow(s: string): string {
  guardInput('localpart', s);
  const out = untilStable('localpart', s, usernameCaseMappedRules);
  checkLength('localpart', s, octets(out));
  checkStringClass(out, s, 'localpart', false, usernameCaseMappedRules);
  // 5. directionality.
  if (!bidiRuleOk(out)) fail('localpart', s, 'mixes left-to-right and right-to-left text in a way the Bidi Rule (RFC 5893) forbids');
  return out;
}

export function prepLocalpart(s: string): string {
  if (typeof s !== 'string') guardInput('localpart', s);
  const n = s.length;
  let upper = false;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80 && LOCAL_FORBIDDEN_ASCII[c] === 1) {
      // These stay forbidden whatever follows (none of them composes under NFC
      // into an IdentifierClass code point), so reject straight away.
      fail('localpart', s, `contains ${describeChar(c)}, which RFC 7622 forbids in a localpart (no space or " & ' / : < > @)`);
    }
    if (c < 0x21 || c > 0x7e) break;
    if (c >= 0x41 && c <= 0x5a) upper = true;
  }
  if (i < n || n === 0) return prepLocalSlow(s);
  checkLength('localpart', s, n);
  return upper ? s.toLowerCase() : s;
}

// ---------------------------------------------------------------------------
// Resourcepart: OpaqueString (RFC 8265 §4.2.2)

const RE_NON_ASCII_SPACE = /\p{Zs}/gu;

function opaqueStringRules(s: string): string {
  // 1. no width mapping, 2. non-ASCII spaces to U+0020, 3. no case mapping, 4. NFC.
  return s.replace(RE_NON_ASCII_SPACE, ' ').normalize('NFC');
}

function prepResourceSlow(s: string): string {
  guardInput('resourcepart', s);
  const out = untilStable('resourcepart', s, opaqueStringRules);
  checkLength('resourcepart', s, octets(out));
  checkStringClass(out, s, 'resourcepart', true, opaqueStringRules);
  return out;
}

export function prepResourcepart(s: string): string {
  if (typeof s !== 'string') guardInput('resourcepart', s);
  const n = s.length;
  let i = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) break;
  }
  if (i < n || n === 0) return prepResourceSlow(s);
  checkLength('resourcepart', s, n);
  return s;
}

// ---------------------------------------------------------------------------
// Domainpart: UTS #46 / IDNA2008 (RFC 7622 §3.2)

const UTS46_OPTIONS = {
  checkBidi: true,
  checkHyphens: false,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  verifyDNSLength: false, // RFC 7622 allows up to 1023 octets; labels are checked below
} as const;

function prepIpv6Literal(s: string): string {
  if (!s.endsWith(']')) fail('domainpart', s, "starts with '[' but lacks the closing ']' of an IPv6 literal");
  const inner = s.slice(1, -1);
  if (!isIPv6(inner) || inner.includes('%')) fail('domainpart', s, 'is not a valid IPv6 address literal');
  let host: string;
  try {
    host = new URL(`http://[${inner}]/`).hostname; // RFC 5952 canonical, lowercase
  } catch {
    return fail('domainpart', s, 'is not a valid IPv6 address literal');
  }
  return host;
}

function badAsciiDomainChar(s: string, c: number): never {
  if (c === 0x3a && isIPv6(s)) fail('domainpart', s, 'is an IPv6 address; IPv6 literals must be enclosed in brackets, e.g. [::1]');
  if (c === 0x40) fail('domainpart', s, "contains '@' (a localpart ends at the first '@', and a domainpart may not contain one)");
  return fail('domainpart', s, `contains ${describeChar(c)}; domain labels allow only letters, digits and '-'`);
}

/** Label, size and numeric-TLD checks for the full path; `aLabels` is the A-label form without a final dot. */
function checkDomainShape(input: string, aLabels: string, uForm: string): void {
  if (aLabels.length === 0) fail('domainpart', input, 'is empty');
  let start = 0;
  const n = aLabels.length;
  for (let i = 0; i <= n; i++) {
    if (i === n || aLabels.charCodeAt(i) === 0x2e) {
      const len = i - start;
      if (len === 0) fail('domainpart', input, 'contains an empty label (two dots in a row, or a leading dot)');
      if (len > MAX_LABEL_OCTETS) fail('domainpart', input, `has a label of ${len} octets; a DNS label may have at most ${MAX_LABEL_OCTETS}`);
      start = i + 1;
    }
  }
  const total = uForm === aLabels ? n : octets(uForm);
  if (total > MAX_PART_OCTETS) fail('domainpart', input, `is ${total} octets long; the maximum is ${MAX_PART_OCTETS} octets of UTF-8`);
  // A name whose last label is all digits can only be an IPv4 address.
  const lastDot = aLabels.lastIndexOf('.');
  if (/^[0-9]+$/.test(aLabels.slice(lastDot + 1)) && !isIPv4(aLabels)) {
    fail('domainpart', input, 'is neither a valid IPv4 address nor a domain name (its last label is numeric)');
  }
}

function prepDomainSlow(s: string): string {
  guardInput('domainpart', s);
  if (s.length === 0) fail('domainpart', s, 'is empty');
  if (s.charCodeAt(0) === 0x5b) return prepIpv6Literal(s);
  const ascii = toASCII(s, UTS46_OPTIONS);
  if (ascii === null) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80 && DOMAIN_ASCII_OK[c] !== 1 && !(c >= 0x41 && c <= 0x5a)) badAsciiDomainChar(s, c);
    }
    fail('domainpart', s, 'is not a valid internationalized domain name (UTS #46 / IDNA2008: disallowed character, bad punycode, or a Bidi/joiner rule violation)');
  }
  // RFC 7622 §3.2: a final label separator is stripped (UTS #46 has already mapped 。．｡ to '.').
  const aLabels = ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
  let uForm = aLabels;
  if (aLabels.includes('xn--')) {
    const u = toUnicode(aLabels, UTS46_OPTIONS);
    if (u.error) fail('domainpart', s, 'is not a valid internationalized domain name');
    uForm = u.domain;
  }
  checkDomainShape(s, aLabels, uForm);
  return uForm;
}

export function prepDomainpart(s: string): string {
  if (typeof s !== 'string') guardInput('domainpart', s);
  const n = s.length;
  if (n === 0) fail('domainpart', s, 'is empty');
  if (s.charCodeAt(0) === 0x5b) return prepIpv6Literal(s);
  // Single pass over pure-ASCII input. UTS #46 only lowercases A-Z in ASCII,
  // and STD3 rules reject everything except [a-z0-9-] in labels, so this
  // gives what the tr46 path gives; any non-ASCII character (which could
  // map, compose or be ignored) sends the whole string down the full path.
  const end = s.charCodeAt(n - 1) === 0x2e ? n - 1 : n; // RFC 7622 §3.2: strip a final dot
  let upper = false;
  let bad = -1;
  let punycode = false;
  let emptyLabel = false;
  let longLabel = 0;
  let labelStart = 0;
  let digitsOnly = true;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 0x2e;
    if (c >= 0x80) return prepDomainSlow(s);
    if (c === 0x2e) {
      const len = i - labelStart;
      if (len === 0) emptyLabel = true;
      else if (len > MAX_LABEL_OCTETS) longLabel = len;
      else if (
        len >= 4 &&
        (s.charCodeAt(labelStart) | 0x20) === 0x78 && // x
        (s.charCodeAt(labelStart + 1) | 0x20) === 0x6e && // n
        s.charCodeAt(labelStart + 2) === 0x2d &&
        s.charCodeAt(labelStart + 3) === 0x2d
      ) {
        punycode = true;
      }
      if (i === end) break;
      labelStart = i + 1;
      digitsOnly = true;
    } else if (c >= 0x30 && c <= 0x39) {
      // digit
    } else {
      digitsOnly = false;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      else if (DOMAIN_ASCII_OK[c] !== 1 && bad < 0) bad = c;
    }
  }
  if (bad >= 0) badAsciiDomainChar(s, bad);
  if (end === 0) fail('domainpart', s, 'is empty');
  if (punycode) return prepDomainSlow(s); // A-labels need real decoding and validation
  if (emptyLabel) fail('domainpart', s, 'contains an empty label (two dots in a row, or a leading dot)');
  if (longLabel > 0) fail('domainpart', s, `has a label of ${longLabel} octets; a DNS label may have at most ${MAX_LABEL_OCTETS}`);
  if (end > MAX_PART_OCTETS) fail('domainpart', s, `is ${end} octets long; the maximum is ${MAX_PART_OCTETS} octets of UTF-8`);
  const d = end < n ? s.slice(0, end) : s;
  // A name whose last label is all digits can only be an IPv4 address.
  if (digitsOnly && !isIPv4(d)) {
    fail('domainpart', s, 'is neither a valid IPv4 address nor a domain name (its last label is numeric)');
  }
  return upper ? d.toLowerCase() : d;
}

// ---------------------------------------------------------------------------
// Jid

const TRUSTED: unique symbol = Symbol('Jid.trusted');

export class Jid {
  /** '' when absent. */
  readonly local: string;
  readonly domain: string;
  /** '' when absent. */
  readonly resource: string;
  #full: string | undefined;
  #bareString: string | undefined;
  #bare: Jid | undefined;

  /**
   * Validates and normalises each part (use '' for an absent local or
   * resource part). Prefer parseJid/makeJid.
   */
  constructor(local: string, domain: string, resource = '', trusted?: typeof TRUSTED) {
    if (trusted === TRUSTED) {
      this.local = local;
      this.domain = domain;
      this.resource = resource;
    } else {
      this.local = local === '' ? '' : prepLocalpart(local);
      this.domain = prepDomainpart(domain);
      this.resource = resource === '' ? '' : prepResourcepart(resource);
    }
  }

  /** This JID without its resource; the same object if it has none. */
  get bare(): Jid {
    if (this.resource === '') return this;
    return (this.#bare ??= new Jid(this.local, this.domain, '', TRUSTED));
  }

  isBare(): boolean {
    return this.resource === '';
  }

  bareString(): string {
    return (this.#bareString ??= this.local === '' ? this.domain : `${this.local}@${this.domain}`);
  }

  toString(): string {
    if (this.#full === undefined) {
      this.#full = this.resource === '' ? this.bareString() : `${this.bareString()}/${this.resource}`;
    }
    return this.#full;
  }

  toJSON(): string {
    return this.toString();
  }

  equals(other: Jid): boolean {
    return (
      this === other ||
      (other instanceof Jid &&
        this.domain === other.domain &&
        this.local === other.local &&
        this.resource === other.resource)
    );
  }

  /** A JID with the same local and domain parts and the given (validated) resource. */
  withResource(resource: string): Jid {
    const r = prepResourcepart(resource);
    if (r === this.resource) return this;
    return new Jid(this.local, this.domain, r, TRUSTED);
  }
}

// ---------------------------------------------------------------------------
// Parsing

const cache = new Map<string, Jid>();

function parseUncached(input: string): Jid {
  if (typeof input !== 'string') throw new JidError(`Invalid JID: expected a string, got ${typeof input}`);
  if (input.length > MAX_INPUT_LENGTH) throw new JidError(`Invalid JID: far too long (${input.length} characters)`);
  // RFC 7622 §3.1-3.2: split on the separators before any transformation.
  // The resourcepart starts after the first '/'; of what precedes it, the
  // localpart is everything before the first '@'.
  const slash = input.indexOf('/');
  const head = slash < 0 ? input : input.slice(0, slash);
  const at = head.indexOf('@');
  let local = '';
  let resource = '';
  let domain: string;
  try {
    if (slash >= 0) {
      if (slash === input.length - 1) throw new JidError("the resourcepart after '/' is empty");
      resource = prepResourcepart(input.slice(slash + 1));
    }
    if (at >= 0) {
      if (at === 0) throw new JidError("the localpart before '@' is empty");
      local = prepLocalpart(head.slice(0, at));
    }
    const rawDomain = at < 0 ? head : head.slice(at + 1);
    if (rawDomain === '') throw new JidError('the domainpart is missing');
    domain = prepDomainpart(rawDomain);
  } catch (e) {
    if (e instanceof JidError) throw new JidError(`Invalid JID ${show(input)}: ${e.message}`);
    throw e;
  }
  return new Jid(local, domain, resource, TRUSTED);
}

/** Parses and normalises a JID string; throws JidError explaining what is wrong. */
export function parseJid(input: string): Jid {
  const hit = cache.get(input);
  if (hit !== undefined) return hit;
  const jid = parseUncached(input);
  if (input.length <= CACHE_MAX_KEY_LENGTH) {
    if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
    cache.set(input, jid);
  }
  return jid;
}

/** Like parseJid, but returns null for absent or invalid input. */
export function tryParseJid(input: string | undefined | null): Jid | null {
  if (input === undefined || input === null || input === '') return null;
  try {
    return parseJid(input);
  } catch (e) {
    if (e instanceof JidError) return null;
    throw e;
  }
}

/** Builds a JID from parts, validating and normalising each; '' (or no resource) means absent. */
export function makeJid(local: string, domain: string, resource?: string): Jid {
  return new Jid(local, domain, resource ?? '');
}

/** Internals exposed for tests only (fast path vs. full PRECIS/UTS #46 path, cache). */
export const __jidTesting = {
  prepLocalSlow,
  prepResourceSlow,
  prepDomainSlow,
  parseUncached,
  cacheSize: (): number => cache.size,
  clearCache: (): void => cache.clear(),
  hasTr46Regexes: (): boolean => getTr46Regexes() !== null,
};
