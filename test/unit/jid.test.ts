import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Jid,
  JidError,
  __jidTesting,
  makeJid,
  parseJid,
  prepDomainpart,
  prepLocalpart,
  prepResourcepart,
  tryParseJid,
} from '../../server/core/jid.js';

type Parts = readonly [local: string, domain: string, resource: string];

function partsOf(j: Jid): Parts {
  return [j.local, j.domain, j.resource];
}

function throwsJid(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof JidError, `expected JidError, got ${String(e)}`);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

/** A domain of exactly n octets made of labels of at most 63 octets. */
function domainOfLength(n: number): string {
  const labels: string[] = [];
  let left = n;
  while (left > 0) {
    const take = Math.min(63, left);
    // Avoid a trailing 1-char remainder that would need a dot of its own.
    const len = left - take === 1 ? take - 1 : take;
    labels.push('d'.repeat(len));
    left -= len + 1; // +1 for the dot that follows (or the one we do not add at the end)
  }
  const d = labels.join('.');
  assert.equal(Buffer.byteLength(d), n, 'domainOfLength helper');
  return d;
}

describe('RFC 7622 §3.5.1 examples of valid JIDs', () => {
  const rows: ReadonlyArray<readonly [input: string, expected: Parts]> = [
    ['juliet@example.com', ['juliet', 'example.com', '']],
    ['juliet@example.com/foo', ['juliet', 'example.com', 'foo']],
    ['juliet@example.com/foo bar', ['juliet', 'example.com', 'foo bar']],
    ['juliet@example.com/foo@bar', ['juliet', 'example.com', 'foo@bar']],
    ['foo\\20bar@example.com', ['foo\\20bar', 'example.com', '']],
    ['fussball@example.com', ['fussball', 'example.com', '']],
    ['fußball@example.com', ['fußball', 'example.com', '']],
    ['π@example.com', ['π', 'example.com', '']],
    ['Σ@example.com/foo', ['σ', 'example.com', 'foo']],
    ['σ@example.com/foo', ['σ', 'example.com', 'foo']],
    ['ς@example.com/foo', ['ς', 'example.com', 'foo']],
    ['king@example.com/♚', ['king', 'example.com', '♚']],
    ['example.com', ['', 'example.com', '']],
    ['example.com/foobar', ['', 'example.com', 'foobar']],
    ['a.example.com/b@example.net', ['', 'a.example.com', 'b@example.net']],
  ];
  for (const [input, expected] of rows) {
    it(`accepts ${JSON.stringify(input)}`, () => {
      const j = parseJid(input);
      assert.deepEqual(partsOf(j), expected);
      assert.ok(parseJid(j.toString()).equals(j), 'round-trips through toString()');
    });
  }
});

describe('RFC 7622 §3.5.2 examples of invalid JIDs', () => {
  const rows: ReadonlyArray<readonly [input: string, why: RegExp]> = [
    ['"juliet"@example.com', /localpart.*U\+0022/],
    ['foo bar@example.com', /localpart.*U\+0020/],
    ['@example.com/', /empty/],
    ['henryⅣ@example.com', /localpart.*U\+2163/],
    ['♚@example.com', /localpart.*U\+265A.*symbol/],
    ['juliet@', /domainpart is missing/],
    ['/foobar', /domainpart is missing/],
  ];
  for (const [input, why] of rows) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      throwsJid(() => parseJid(input), why);
      assert.equal(tryParseJid(input), null);
    });
  }

  it('accepts "juliet@example.com/ foo" (deliberate: OpaqueString has no rule against a leading space)', () => {
    assert.deepEqual(partsOf(parseJid('juliet@example.com/ foo')), ['juliet', 'example.com', ' foo']);
  });
});

describe('normalisation of valid JIDs', () => {
  const rows: ReadonlyArray<readonly [name: string, input: string, expected: string]> = [
    ['case folds local and domain, keeps resource case', 'JULIET@Example.COM/Balcony', 'juliet@example.com/Balcony'],
    ['fullwidth letters in localpart are width-mapped', 'ＪＵＬＩＥＴ@example.com', 'juliet@example.com'],
    ['fullwidth letters in resourcepart are kept (OpaqueString)', 'juliet@example.com/ＢＡＬ', 'juliet@example.com/ＢＡＬ'],
    ['fullwidth domain is mapped by UTS #46', 'juliet@ｅｘａｍｐｌｅ.ｃｏｍ', 'juliet@example.com'],
    ['ß in localpart is kept, not mapped to ss (UsernameCaseMapped)', 'Fußball@example.com', 'fußball@example.com'],
    ['ß in domain is kept (nontransitional UTS #46)', 'faß.de', 'faß.de'],
    ['decomposed localpart is NFC-composed', 'jose\u0301@example.com', 'josé@example.com'],
    ['decomposed resourcepart is NFC-composed', 'a@example.com/jose\u0301', 'a@example.com/josé'],
    ['non-ASCII space in resource mapped to U+0020', 'a@example.com/x\u00A0y\u3000z', 'a@example.com/x y z'],
    ['resource may hold slashes and @', 'a@example.com/c/d@e', 'a@example.com/c/d@e'],
    ['@ after the first / belongs to the resource', 'a/b@c', 'a/b@c'],
    ['compatibility characters allowed in resource', 'a@example.com/henryⅣ ﬁ', 'a@example.com/henryⅣ ﬁ'],
    ['emoji allowed in resource', 'a@example.com/😀 phone', 'a@example.com/😀 phone'],
    ['ASCII punctuation allowed in localpart', 'a+b=c!#$%*~@example.com', 'a+b=c!#$%*~@example.com'],
    ['middle dot between two l (Catalan col·la)', 'col·la@example.com', 'col·la@example.com'],
    ['Hebrew localpart (RTL, Bidi Rule ok)', 'שלום@example.com', 'שלום@example.com'],
    ['Arabic localpart with trailing EN digit', 'مرحبا1@example.com', 'مرحبا1@example.com'],
    ['Devanagari ZWJ after virama', 'क्\u200Dष@example.com', 'क्\u200Dष@example.com'],
    ['trailing dot stripped', 'juliet@example.com./r', 'juliet@example.com/r'],
    ['trailing ideographic full stop stripped', 'juliet@example.com\u3002', 'juliet@example.com'],
    ['bare domain with trailing dot', 'Example.COM.', 'example.com'],
    ['IDN in Unicode form', 'juliet@bücher.example', 'juliet@bücher.example'],
    ['IDN A-label converted to U-label', 'juliet@xn--bcher-kva.example', 'juliet@bücher.example'],
    ['IDN uppercase mapped', 'juliet@BÜCHER.Example', 'juliet@bücher.example'],
    ['IPv4 literal', 'juliet@127.0.0.1/r', 'juliet@127.0.0.1/r'],
    ['IPv6 literal in brackets', 'juliet@[::1]/r', 'juliet@[::1]/r'],
    ['IPv6 literal canonicalised', '[2001:DB8:0:0:0:0:0:1]', '[2001:db8::1]'],
    ['hyphen rules not enforced (CheckHyphens=false)', '-abc.example', '-abc.example'],
    ['single-label domain', 'Juliet@LocalHost', 'juliet@localhost'],
  ];
  for (const [name, input, expected] of rows) {
    it(`${name}: ${JSON.stringify(input)}`, () => {
      const j = parseJid(input);
      assert.equal(j.toString(), expected);
      assert.ok(parseJid(expected).equals(j), 'normalised form parses to an equal JID');
      assert.equal(parseJid(expected).toString(), expected, 'normalisation is idempotent');
    });
  }

  it('ß and ss are distinct localparts', () => {
    assert.equal(parseJid('ß@example.com').local, 'ß');
    assert.equal(parseJid('ẞ@example.com').local, 'ß'); // capital sharp s lowercases to ß
    assert.ok(!parseJid('ß@example.com').equals(parseJid('ss@example.com')));
  });
});

describe('malformed JIDs', () => {
  const rows: ReadonlyArray<readonly [input: string, why: RegExp]> = [
    ['', /domainpart is missing/],
    ['@d', /localpart before '@' is empty/],
    ['u@', /domainpart is missing/],
    ['/r', /domainpart is missing/],
    ['u@d/', /resourcepart after '\/' is empty/],
    ['@', /localpart.*empty/],
    ['a@b@c', /domainpart "b@c" contains '@'/],
    ['a@b@c/r', /domainpart "b@c" contains '@'/],
    ['foo bar@example.com', /U\+0020/],
    ['a@exa mple.com', /domainpart.*U\+0020/],
    ['a@example.com /r', /domainpart.*U\+0020/],
    ['a\u0000b@example.com', /localpart.*U\+0000/],
    ['a\u007Fb@example.com', /localpart.*U\+007F.*control/],
    ['a@exa\tmple.com', /domainpart.*U\+0009/],
    ['a@example.com/x\u0007y', /resourcepart.*U\+0007.*control/],
    ['a@example.com/x\u0085y', /resourcepart.*U\+0085.*control/],
    ['a@example.com/x\u2028y', /resourcepart.*U\+2028/],
    ['\u0378@example.com', /localpart.*U\+0378.*unassigned/],
    ['a@example.com/\u0378', /resourcepart.*U\+0378.*unassigned/],
    ['a@example.com/\uFDD0', /resourcepart.*U\+FDD0.*noncharacter/],
    ['a@example.com/\uE000', /resourcepart.*U\+E000.*private-use/],
    ['a@example.com/a\u200Bb', /resourcepart.*U\+200B.*default-ignorable/],
    ['a\u00ADb@example.com', /localpart.*U\+00AD.*default-ignorable/],
    ['€@example.com', /localpart.*U\+20AC.*symbol/],
    ['a\u2013b@example.com', /localpart.*U\+2013.*punctuation/],
    ['ﬁ@example.com', /localpart.*U\+FB01.*compatibility/],
    ['ª@example.com', /localpart.*U\+00AA.*compatibility/],
    ['a\u0640b@example.com', /localpart.*U\+0640.*RFC 5892 exceptions/],
    ['\u1100@example.com', /localpart.*U\+1100.*old Hangul/],
    ['＠@example.com', /localpart.*U\+0040/],
    ["o'brien@example.com", /localpart.*U\+0027/],
    ['a&b@example.com', /localpart.*U\+0026/],
    ['a:b@example.com', /localpart.*U\+003A/],
    ['<a>@example.com', /localpart.*U\+003C/],
    ['a·b@example.com', /localpart.*U\+00B7.*context/],
    ['ab\u200Dc@example.com', /localpart.*U\+200D/],
    ['a@example.com/a\u200Db', /resourcepart.*U\+200D/],
    ['abcא@example.com', /Bidi Rule/],
    ['١٢٣۴@example.com', /localpart.*U\+0661.*context/],
    ['::1', /brackets/],
    ['juliet@2001:db8::1', /brackets/],
    ['[::1', /closing '\]'/],
    ['[zzz::1]', /IPv6/],
    ['[fe80::1%eth0]', /IPv6/],
    ['[127.0.0.1]', /IPv6/],
    ['example..com', /empty label/],
    ['.example.com', /empty label/],
    ['example.com..', /empty label/],
    ['.', /domainpart.*empty/],
    ['under_score.example', /U\+005F '_'/],
    ['a@xn--abc.example', /internationalized domain name/],
    ['a@xn--.example', /internationalized domain name/],
    ['a@999.1.1.1', /IPv4/],
    ['a@1.2.3', /IPv4/],
    ['a@host.123', /IPv4/],
    ['a@example.\u0661\u0662', /domainpart/],
  ];
  for (const [input, why] of rows) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      throwsJid(() => parseJid(input), why);
      assert.equal(tryParseJid(input), null);
    });
  }

  it('error messages name the whole JID and the faulty part', () => {
    throwsJid(() => parseJid('foo bar@example.com'), /^Invalid JID "foo bar@example.com": localpart "foo bar" contains U\+0020/);
    throwsJid(() => prepLocalpart('a b'), /^localpart "a b"/);
    throwsJid(() => prepDomainpart('a b'), /^domainpart "a b"/);
    throwsJid(() => prepResourcepart('a\u0000'), /^resourcepart "a\\u0000"/);
  });

  it('zero-width space in a domain is ignored by UTS #46 mapping', () => {
    assert.equal(parseJid('a@ex\u200Bample.com/r').toString(), 'a@example.com/r');
  });
});

describe('length limits (1..1023 octets of UTF-8 after normalisation)', () => {
  const ok: ReadonlyArray<readonly [name: string, build: () => Jid]> = [
    ['localpart of 1023 ASCII octets', () => parseJid(`${'a'.repeat(1023)}@example.com`)],
    ['localpart of 1023 octets with 2-octet chars', () => parseJid(`${'é'.repeat(511)}a@example.com`)],
    ['localpart of 1023 fullwidth chars (3069 octets before width mapping)', () => parseJid(`${'Ａ'.repeat(1023)}@example.com`)],
    ['domainpart of 1023 octets', () => parseJid(`a@${domainOfLength(1023)}`)],
    ['domainpart of 1023 octets plus trailing dot', () => parseJid(`a@${domainOfLength(1023)}.`)],
    ['domain label of 63 octets', () => parseJid(`a@${'x'.repeat(63)}.example`)],
    ['resourcepart of 1023 ASCII octets', () => parseJid(`a@example.com/${'r'.repeat(1023)}`)],
    ['resourcepart of 1023 octets with 3-octet chars', () => parseJid(`a@example.com/${'♚'.repeat(341)}`)],
    ['all three parts at 1023 octets', () => parseJid(`${'a'.repeat(1023)}@${domainOfLength(1023)}/${'r'.repeat(1023)}`)],
  ];
  for (const [name, build] of ok) {
    it(`accepts ${name}`, () => {
      const j = build();
      for (const part of partsOf(j)) assert.ok(Buffer.byteLength(part) <= 1023);
    });
  }

  const bad: ReadonlyArray<readonly [name: string, build: () => unknown, why: RegExp]> = [
    ['localpart of 1024 ASCII octets', () => parseJid(`${'a'.repeat(1024)}@example.com`), /localpart.*1024 octets/],
    ['localpart of 1024 octets with 2-octet chars', () => parseJid(`${'é'.repeat(512)}@example.com`), /localpart.*1024 octets/],
    ['localpart of 1024 fullwidth chars', () => parseJid(`${'Ａ'.repeat(1024)}@example.com`), /localpart.*1024 octets/],
    ['domainpart of 1024 octets', () => parseJid(`a@${domainOfLength(1024)}`), /domainpart.*1024 octets/],
    ['domain label of 64 octets', () => parseJid(`a@${'x'.repeat(64)}.example`), /label of 64 octets/],
    ['resourcepart of 1024 ASCII octets', () => parseJid(`a@example.com/${'r'.repeat(1024)}`), /resourcepart.*1024 octets/],
    ['resourcepart of 1026 octets with 3-octet chars', () => parseJid(`a@example.com/${'♚'.repeat(342)}`), /resourcepart.*1026 octets/],
    ['absurdly long input', () => parseJid('a'.repeat(100_000)), /far too long/],
  ];
  for (const [name, build, why] of bad) {
    it(`rejects ${name}`, () => throwsJid(build, why));
  }
});

describe('equality after normalisation', () => {
  const same: ReadonlyArray<readonly [a: string, b: string]> = [
    ['JULIET@EXAMPLE.COM/Balcony', 'juliet@example.com/Balcony'],
    ['ＪＵＬＩＥＴ@example.com', 'juliet@example.com'],
    ['josé@example.com', 'jose\u0301@example.com'],
    ['juliet@bücher.example', 'juliet@xn--bcher-kva.example'],
    ['juliet@BÜCHER.example.', 'juliet@bücher.example'],
    ['Σ@example.com', 'σ@example.com'],
    ['[0:0::1]', '[::1]'],
  ];
  for (const [a, b] of same) {
    it(`${JSON.stringify(a)} equals ${JSON.stringify(b)}`, () => {
      assert.ok(parseJid(a).equals(parseJid(b)));
      assert.equal(parseJid(a).toString(), parseJid(b).toString());
    });
  }
  const different: ReadonlyArray<readonly [a: string, b: string]> = [
    ['juliet@example.com/Balcony', 'juliet@example.com/balcony'],
    ['fußball@example.com', 'fussball@example.com'],
    ['σ@example.com', 'ς@example.com'],
    ['juliet@example.com', 'juliet@example.com/r'],
    ['example.com', 'juliet@example.com'],
  ];
  for (const [a, b] of different) {
    it(`${JSON.stringify(a)} differs from ${JSON.stringify(b)}`, () => {
      assert.ok(!parseJid(a).equals(parseJid(b)));
    });
  }
});

describe('Jid API', () => {
  it('bare returns the same object when there is no resource, and a cached bare JID otherwise', () => {
    const bare = parseJid('juliet@example.com');
    assert.equal(bare.bare, bare);
    assert.ok(bare.isBare());
    const full = parseJid('juliet@example.com/balcony');
    assert.ok(!full.isBare());
    assert.ok(full.bare.equals(bare));
    assert.equal(full.bare, full.bare);
    assert.ok(full.bare.isBare());
    assert.equal(full.bareString(), 'juliet@example.com');
    assert.equal(full.toString(), 'juliet@example.com/balcony');
    assert.equal(`${full}`, 'juliet@example.com/balcony');
    assert.equal(JSON.stringify({ to: full }), '{"to":"juliet@example.com/balcony"}');
    assert.equal(parseJid('example.com/r').bareString(), 'example.com');
  });

  it('withResource validates and normalises the resource', () => {
    const j = parseJid('juliet@example.com');
    const r = j.withResource('jose\u0301');
    assert.equal(r.toString(), 'juliet@example.com/josé');
    assert.ok(r.bare.equals(j));
    assert.equal(r.withResource('josé'), r);
    throwsJid(() => j.withResource(''), /resourcepart.*empty/);
    throwsJid(() => j.withResource('a\u0000'), /resourcepart.*control/);
  });

  it('makeJid validates and normalises each part', () => {
    assert.equal(makeJid('Juliet', 'Example.COM', 'Balcony').toString(), 'juliet@example.com/Balcony');
    assert.equal(makeJid('', 'example.com').toString(), 'example.com');
    assert.equal(makeJid('juliet', 'example.com', '').toString(), 'juliet@example.com');
  });
  it('makeJid rejects invalid parts', () => {
    throwsJid(() => makeJid('a b', 'example.com'), /localpart/);
    throwsJid(() => makeJid('a@b', 'example.com'), /localpart.*U\+0040/);
    throwsJid(() => makeJid('a', ''), /domainpart.*empty/);
    throwsJid(() => makeJid('a', 'example.com/r'), /domainpart.*U\+002F/);
    throwsJid(() => makeJid('a', 'example.com', '\u0001'), /resourcepart/);
    throwsJid(() => new Jid('a', 'exa mple.com'), /domainpart/);
  });

  it('tryParseJid returns null for absent input', () => {
    assert.equal(tryParseJid(undefined), null);
    assert.equal(tryParseJid(null), null);
    assert.equal(tryParseJid(''), null);
    assert.equal(tryParseJid('juliet@example.com')?.toString(), 'juliet@example.com');
  });

  it('prep functions', () => {
    assert.equal(prepLocalpart('JuLiEt'), 'juliet');
    assert.equal(prepDomainpart('Example.COM.'), 'example.com');
    assert.equal(prepResourcepart('Balcony'), 'Balcony');
    throwsJid(() => prepLocalpart(''), /empty/);
    throwsJid(() => prepDomainpart(''), /empty/);
    throwsJid(() => prepResourcepart(''), /empty/);
  });

  it('parseJid memoises: the same input yields the same object, and the cache is bounded', () => {
    assert.equal(parseJid('cache@example.com/x'), parseJid('cache@example.com/x'));
    for (let i = 0; i < 10_050; i++) parseJid(`user${i}@example.com`);
    assert.ok(__jidTesting.cacheSize() <= 10_000, `cache size ${__jidTesting.cacheSize()}`);
    assert.ok(__jidTesting.cacheSize() > 0);
  });

  it('uses the Unicode tables shipped with tr46 for Bidi/joiner rules', () => {
    assert.ok(__jidTesting.hasTr46Regexes());
  });
});

describe('ASCII fast path matches the full PRECIS / UTS #46 path', () => {
  function outcome(fn: (s: string) => string, s: string): string {
    try {
      return `ok:${fn(s)}`;
    } catch (e) {
      assert.ok(e instanceof JidError, String(e));
      return 'error';
    }
  }
  const printable: string[] = [];
  for (let c = 0x20; c <= 0x7e; c++) printable.push(String.fromCharCode(c));

  function check(s: string): void {
    assert.equal(outcome(prepLocalpart, s), outcome(__jidTesting.prepLocalSlow, s), `localpart ${JSON.stringify(s)}`);
    assert.equal(outcome(prepResourcepart, s), outcome(__jidTesting.prepResourceSlow, s), `resourcepart ${JSON.stringify(s)}`);
    assert.equal(outcome(prepDomainpart, s), outcome(__jidTesting.prepDomainSlow, s), `domainpart ${JSON.stringify(s)}`);
  }

  it('every printable ASCII character, alone and in context', () => {
    for (const ch of printable) {
      for (const s of [ch, `a${ch}b`, `a${ch}b.com`, `${ch}.example`, `example.${ch}`, `Xn--${ch}`]) check(s);
    }
  });

  it('random ASCII strings (deterministic PRNG)', () => {
    let seed = 0x2f6b4a1d;
    const rnd = (n: number): number => {
      seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pool = 'aAbBzZ09-...xn--XN--:_@/ "\'&<>[]%'.split('');
    for (let i = 0; i < 5000; i++) {
      const len = 1 + rnd(14);
      let s = '';
      for (let k = 0; k < len; k++) s += rnd(4) === 0 ? printable[rnd(printable.length)]! : pool[rnd(pool.length)]!;
      check(s);
    }
  });

  it('punycode labels go through tr46', () => {
    check('xn--bcher-kva.example');
    check('a.XN--BCHER-KVA.example');
    check('xn--abc.example');
  });
});

describe('micro-benchmark (printed, not asserted)', () => {
  it('parseJid on ASCII input', (t) => {
    const inputs = [
      'juliet@example.com/balcony',
      'romeo@montague.example',
      'Juliet@Capulet.Example/Orchard',
      'conference.example.com',
      'room@conference.example.com/Nick Name',
    ];
    const bench = (name: string, fn: (s: string) => unknown, iterations: number): void => {
      for (let i = 0; i < 20_000; i++) fn(inputs[i % inputs.length]!); // warm-up
      const start = process.hrtime.bigint();
      for (let i = 0; i < iterations; i++) fn(inputs[i % inputs.length]!);
      const ns = Number(process.hrtime.bigint() - start) / iterations;
      const line = `${name}: ${ns.toFixed(0)} ns/op over ${iterations} ops`;
      t.diagnostic(line);
      console.log(`# jid bench ${line}`);
    };
    bench('parseJid (cache hit)', parseJid, 500_000);
    bench('parseJid (uncached ASCII fast path)', __jidTesting.parseUncached, 200_000);
    bench('full PRECIS/UTS46 path (for comparison)', (s) => {
      const slash = s.indexOf('/');
      const head = slash < 0 ? s : s.slice(0, slash);
      const at = head.indexOf('@');
      if (at > 0) __jidTesting.prepLocalSlow(head.slice(0, at));
      __jidTesting.prepDomainSlow(head.slice(at + 1));
      if (slash >= 0) __jidTesting.prepResourceSlow(s.slice(slash + 1));
    }, 20_000);
  });
});
