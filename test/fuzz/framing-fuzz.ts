// Seeded fuzzing of the stream parser (server/core/framing.ts), used directly: real client streams are mutated at
// the byte level (tokens XML and RFC 6120 §11 care about, flipped bytes, cut and repeated ranges, invalid UTF-8)
// and fed once whole and once cut into random chunks, down to single bytes and through multi-byte characters.
// Whatever the input, write() must not throw and nothing may be reported after a stream error. The outcome must
// not depend on where the chunks were cut: the same header, elements and close, and a stream error in both or in
// neither. Only how far a broken stream gets before its error may differ (a chunk with invalid UTF-8 is refused
// whole, so the elements before it in that chunk are not delivered, and a cut can let an earlier XML error be
// seen first): there, what one delivered before the error must be a prefix of what the other delivered.
import { XmlStreamFraming, type FramingLimits } from '../../server/core/framing.js';
import { Rng } from './rng.js';

const LIMITS: FramingLimits = { maxStanzaBytes: 64 * 1024, maxHeaderBytes: 8 * 1024, maxDepth: 64 };

const HEADER = `<?xml version='1.0'?><stream:stream to='fuzz.example' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0' xml:lang='en'>`;
/** Real stanzas of the kinds clients send, with namespaces, prefixes, entities and non-ASCII text. */
const STANZAS = [
  `<iq type='get' id='r1'><query xmlns='jabber:iq:roster'/></iq>`,
  `<presence><show>away</show><status>Back at 5 — café</status><priority>5</priority></presence>`,
  `<message to='bob@fuzz.example/phone' type='chat' id='m1'><body>Hi &amp; welcome &lt;3 😀</body><active xmlns='http://jabber.org/protocol/chatstates'/></message>`,
  `<iq type='set' id='b1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><resource>laptop</resource></bind></iq>`,
  `<iq type='set' id='p1'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:xmpp:avatar:metadata'><item id='x'><metadata xmlns='urn:xmpp:avatar:metadata'><info bytes='1' id='x' type='image/png'/></metadata></item></publish></pubsub></iq>`,
  `<message to='room@conference.fuzz.example' type='groupchat'><body><![CDATA[a <b> c]]></body><x:y xmlns:x='urn:example:x'/></message>`,
  `<iq type='get' id='v1' to='fuzz.example'><vCard xmlns='vcard-temp'/></iq>`,
  ` \n\t `,
];
const TOKENS = ['<', '>', '/>', '</', '&', '&amp;', '&nbsp;', '&#0;', '&#x1F600;', '<!--x-->', '<?php ?>', '<!DOCTYPE x>', '<!ENTITY e "x">',
  'xmlns:', 'xmlns=\'\'', 'xmlns:xml=\'urn:x\'', '"', '\'', '=', ' ', '\u0000', '\u0008', '\uFFFE', ']]>', '<![CDATA[', '</stream:stream>',
  '<stream:stream>', 'stream:', ':', '<a:b/>', '<message>', '</message>', '<iq type=\'get\' id=\'z\'>', '\r', '\r\n', '\u00e9', '😀'];
const INVALID_UTF8 = [Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xff]), Buffer.from([0xe2, 0x82])];

export interface FramingCase {
  seed: number;
  iteration: number;
  input: Buffer;
}

/** The input of one iteration: a stream of a few real stanzas, mutated a few times. */
export function framingInput(rng: Rng): Buffer {
  const parts = [HEADER];
  for (let i = 0, n = 1 + rng.int(5); i < n; i++) parts.push(rng.pick(STANZAS));
  if (rng.chance(0.3)) parts.push('</stream:stream>');
  let bytes: Buffer = Buffer.from(parts.join(''), 'utf8');
  for (let m = 0, n = 1 + rng.int(4); m < n; m++) bytes = mutate(rng, bytes);
  return bytes;
}

function mutate(rng: Rng, b: Buffer): Buffer {
  const at = rng.int(b.length + 1);
  switch (rng.int(6)) {
    case 0: return Buffer.concat([b.subarray(0, at), Buffer.from(rng.pick(TOKENS), 'utf8'), b.subarray(at)]);
    case 1: {
      if (b.length === 0) return b;
      const copy = Buffer.from(b);
      copy[Math.min(at, b.length - 1)] = rng.int(256);
      return copy;
    }
    case 2: return Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + rng.int(12)))]);
    case 3: {
      const end = Math.min(b.length, at + 1 + rng.int(40));
      return Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
    }
    case 4: return Buffer.concat([b.subarray(0, at), rng.pick(INVALID_UTF8), b.subarray(at)]);
    default: return Buffer.concat([b.subarray(0, at), Buffer.from('<x>'.repeat(1 + rng.int(80)), 'utf8'), b.subarray(at)]);
  }
}

/** What the parser reported for `input` written in `chunks`, as one line per event; throws if the parser broke a rule. */
export function parseEvents(input: Buffer, cuts: number[]): string[] {
  const events: string[] = [];
  let failed = false;
  const note = (e: string): void => {
    if (failed) throw new Error(`an event after the stream error: ${e}`);
    events.push(e);
  };
  const framing: XmlStreamFraming = new XmlStreamFraming({
    onHeader: (h) => note(`header ${h.prefix}|${h.uri}|${h.defaultNs ?? ''}|${JSON.stringify(h.attrs)}`),
    onElement: (el) => note(`element ${el.toString()}`),
    onClose: () => note('close'),
    onError: (condition) => {
      note(`error ${condition}`);
      failed = true;
    },
  }, LIMITS);
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut <= start) continue;
    framing.write(input.subarray(start, cut));
    start = cut;
    // A close is the end of the document: what follows belongs to no stream (the connection ends there).
    if (events[events.length - 1] === 'close') break;
  }
  return events;
}

/** Random cut points: mostly a few, sometimes one per byte. */
export function randomCuts(rng: Rng, length: number): number[] {
  if (length > 1 && rng.chance(0.15)) return Array.from({ length: length - 1 }, (_, i) => i + 1);
  const cuts = Array.from({ length: rng.int(8) }, () => rng.int(length + 1));
  return cuts.sort((a, b) => a - b);
}

/** Runs `count` iterations from `seed`; returns the first failure as a sentence (with what replays it), or null. */
export function fuzzFraming(seed: number, count: number): string | null {
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const input = framingInput(rng);
    const cuts = randomCuts(rng, input.length);
    let whole: string[];
    let chunked: string[];
    try {
      whole = parseEvents(input, []);
      chunked = parseEvents(input, cuts);
    } catch (err) {
      return `framing fuzz seed ${seed}, iteration ${i}: ${(err as Error).stack ?? String(err)}\ninput (base64): ${input.toString('base64')}`;
    }
    if (!sameOutcome(whole, chunked)) {
      return `framing fuzz seed ${seed}, iteration ${i}: the outcome depends on where the input is cut (${JSON.stringify(cuts)})\n` +
        `whole:   ${JSON.stringify(whole)}\nchunked: ${JSON.stringify(chunked)}\ninput (base64): ${input.toString('base64')}`;
    }
  }
  return null;
}

/**
 * Equal, or both end (in a stream error, or in a close: bytes after </stream:stream> in the same chunk make the
 * whole-written stream fail where the cut one had closed) and the events before the end are a prefix one of the other.
 */
function sameOutcome(a: string[], b: string[]): boolean {
  if (a.join('\n') === b.join('\n')) return true;
  const ended = (events: string[]): boolean => events.length > 0 && /^(error |close$)/.test(events[events.length - 1]!);
  const failed = (events: string[]): boolean => events[events.length - 1]?.startsWith('error ') === true;
  if (!ended(a) || !ended(b) || (!failed(a) && !failed(b))) return false;
  const [x, y] = a.length <= b.length ? [a.slice(0, -1), b.slice(0, -1)] : [b.slice(0, -1), a.slice(0, -1)];
  return x.every((e, i) => e === y[i]);
}
