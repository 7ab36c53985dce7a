// XML stream framing (RFC 6120 §4, §11): bytes → UTF-8 check → saxes (strict, namespace-aware SAX) → ltx
// elements, one per top-level child of <stream:stream>. saxes does the XML and namespace well-formedness
// checks that ltx's own lenient SAX parser does not; we add RFC 6120's restrictions (no comments, PIs, DTDs or
// non-predefined entities) and the size limits (§13.12), each mapped to its stream error condition.
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { Element } from './xml.js';
import { NS } from './namespaces.js';
import type { StreamErrorCondition } from './errors.js';

export interface StreamHeader {
  attrs: Record<string, string>;
  prefix: string;
  uri: string;
  defaultNs: string | undefined;
}

export interface FramingHandlers {
  onHeader(header: StreamHeader): void;
  onElement(element: Element): void;
  onClose(): void;
  onError(condition: StreamErrorCondition, text: string): void;
}

export interface FramingLimits {
  maxStanzaBytes: number;   // one top-level element, counted in UTF-16 code units of decoded text (≈ bytes for ASCII)
  maxHeaderBytes: number;   // everything before the end of the stream header
  maxDepth: number;
}

/** What a stream needs of the reader of its peer's side (XmlStreamFraming here; see stream-framing.ts). */
export interface InputFraming {
  write(chunk: Buffer): void;
  /** Deliver nothing more until reset() (anything after STARTTLS/SASL success in the same packet is ignored). */
  pause(): void;
  /** A new stream begins (restart). */
  reset(): void;
  readonly hasFailed: boolean;
}

type Parser = SaxesParser<{ xmlns: true; position: true }>;

const WHITESPACE = /^[ \t\r\n]*$/;
const WHITESPACE_CHARS = ' \t\r\n';

export class XmlStreamFraming implements InputFraming {
  private parser!: Parser;
  private decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private depth = 0;
  private current: Element | null = null;
  private stanzaStart = 0;
  /** Prefixes declared inside the current stanza; a prefix used but declared higher up gets re-declared on the element. */
  private declared: string[] = [];
  /** How many of `declared` each open element of the stanza added, innermost last (popped when it closes). */
  private declaredPerElement: number[] = [];
  private failed = false;
  private headerSeen = false;
  private paused = false;
  /** The root's end tag was seen; reported after the chunk, once saxes confirmed it matched (not `</message>`). */
  private rootClosed = false;
  /**
   * Our own count of UTF-16 units saxes has consumed in this document: saxes's `position` is right only inside its
   * callbacks (after write() it adds the chunk length once more). `chunk`/`chunkStart` are the text of the current
   * write as saxes sees it (with a CR it held back from the previous one) and where it starts.
   */
  private pos = 0;
  private carry = '';
  private chunk = '';
  private chunkStart = 0;
  /** A stanza ended (or the header) in the current chunk. */
  private boundaryInChunk = false;
  /** Between stanzas with nothing but whitespace since the last one: keepalives are not buffered or counted. */
  private idle = false;

  constructor(private readonly handlers: FramingHandlers, private readonly limits: FramingLimits) {
    this.reset();
  }

  /** Start a new XML document (stream restart after STARTTLS or SASL, RFC 6120 §5.4.3.3, §6.4.6). */
  reset(): void {
    const p: Parser = new SaxesParser({ xmlns: true, position: true });
    p.on('opentag', (t) => this.open(t));
    p.on('closetag', (t) => this.close(t));
    p.on('text', (t) => this.text(t));
    p.on('cdata', (t) => this.text(t));
    p.on('comment', () => this.fail('restricted-xml', 'XML comments are not allowed in XMPP streams'));
    p.on('processinginstruction', () => this.fail('restricted-xml', 'processing instructions are not allowed in XMPP streams'));
    p.on('doctype', () => this.fail('restricted-xml', 'DTDs are not allowed in XMPP streams'));
    p.on('xmldecl', (d) => {
      if (d.encoding !== undefined && d.encoding.toLowerCase() !== 'utf-8') {
        this.fail('unsupported-encoding', 'only UTF-8 is supported');
      }
    });
    p.on('error', (err) => {
      const msg = err.message;
      if (/undefined entity/.test(msg)) this.fail('restricted-xml', 'only the five predefined XML entities are allowed');
      else this.fail('not-well-formed', msg.replace(/^[^:]*:\d+:\d+: /, ''));
    });
    this.parser = p;
    this.depth = 0;
    this.current = null;
    this.headerSeen = false;
    this.paused = false;
    this.rootClosed = false;
    this.stanzaStart = 0;
    this.pos = 0;
    this.carry = '';
    this.chunk = '';
    this.chunkStart = 0;
    this.idle = false;
    this.decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  }

  /**
   * Stop delivering events until reset(): used when an element switches the security layer (STARTTLS, SASL
   * success), because anything sent after it in the same packet must not be processed in the old context.
   */
  pause(): void {
    this.paused = true;
  }

  write(chunk: Buffer): void {
    if (this.failed) return;
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      this.fail('unsupported-encoding', 'the data is not valid UTF-8');
      return;
    }
    if (this.paused) return;
    // Whitespace keepalives between stanzas (CORE-11): nothing to parse, nothing to keep.
    if (this.idle && WHITESPACE.test(text)) return;
    const parser = this.parser;
    this.chunkStart = this.pos;
    this.chunk = this.carry + text;
    // saxes holds a final CR back until the next chunk (it may start a CRLF).
    this.carry = this.chunk.endsWith('\r') ? '\r' : '';
    this.boundaryInChunk = false;
    parser.write(text);
    if (this.parser !== parser) return;   // reset by a handler (new document)
    this.pos = this.chunkStart + this.chunk.length - this.carry.length;
    if (this.rootClosed && !this.failed && !this.paused) {
      this.rootClosed = false;
      this.handlers.onClose();
      return;
    }
    if (this.failed || this.paused) return;
    const pos = this.pos;
    if (!this.headerSeen) {
      if (pos > this.limits.maxHeaderBytes) this.fail('policy-violation', 'stream header too large');
    } else if (this.depth >= 2) {
      if (pos - this.stanzaStart > this.limits.maxStanzaBytes) this.fail('policy-violation', `stanza larger than ${this.limits.maxStanzaBytes} bytes`);
    } else if (this.depth === 1) {
      // Between stanzas. Only whitespace since the last stanza: forget it. Anything else is the start of the next
      // stanza (an unfinished start tag, say) and counts against the limit like the stanza itself (BAD-11).
      const tail = this.boundaryInChunk ? this.chunk.slice(Math.max(0, this.stanzaStart - this.chunkStart)) : this.chunk;
      if ((this.boundaryInChunk || this.idle) && WHITESPACE.test(tail)) {
        this.idle = true;
        this.stanzaStart = pos;
      } else {
        this.idle = false;
        if (pos - this.stanzaStart > this.limits.maxStanzaBytes) this.fail('policy-violation', `stanza larger than ${this.limits.maxStanzaBytes} bytes`);
      }
    }
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  private fail(condition: StreamErrorCondition, text: string): void {
    if (this.failed || this.paused) return;
    this.failed = true;
    this.handlers.onError(condition, text);
  }

  private open(tag: SaxesTagNS): void {
    if (this.failed || this.paused) return;
    if (this.depth === 0) {
      this.openHeader(tag);
      return;
    }
    if (this.depth >= this.limits.maxDepth) {
      this.fail('policy-violation', 'elements nested too deeply');
      return;
    }
    if (this.depth === 1) {
      // The stanza counts from its '<': skip whitespace between the previous boundary and it in this chunk.
      let i = this.stanzaStart - this.chunkStart;
      while (i >= 0 && i < this.chunk.length && WHITESPACE_CHARS.includes(this.chunk[i])) {
        i++;
        this.stanzaStart++;
      }
      this.idle = false;
      this.declared.length = 0;
      this.declaredPerElement.length = 0;
      if (tag.prefix !== '' && (tag.uri === NS.client || tag.uri === NS.server)) {
        this.fail('bad-namespace-prefix', 'stanzas must not carry a namespace prefix');
        return;
      }
    }
    const attrs: Record<string, string> = {};
    let declares = 0;
    for (const name in tag.attributes) {
      const a = tag.attributes[name];
      attrs[name] = a.value;
      if (a.prefix === 'xmlns') {
        this.declared.push(a.local);
        declares++;
      }
    }
    if (this.depth === 1 && attrs.xmlns === undefined && tag.uri !== NS.client && tag.uri !== NS.server) {
      // A top-level element such as <starttls/> always names its namespace; keep it findable with getNS().
      attrs.xmlns = tag.uri;
    }
    if (tag.prefix !== '' && !this.declared.includes(tag.prefix) && tag.prefix !== 'xml') {
      attrs['xmlns:' + tag.prefix] = tag.uri;
    }
    const e = new Element(tag.name, attrs);
    // Kept beside the element rather than on it: an extra property would change every Element's hidden class.
    this.declaredPerElement.push(declares);
    if (this.current) {
      e.parent = this.current;
      this.current.children.push(e);
    }
    this.current = e;
    this.depth++;
  }

  private openHeader(tag: SaxesTagNS): void {
    if (this.parser.position > this.limits.maxHeaderBytes) {
      this.fail('policy-violation', 'stream header too large');
      return;
    }
    this.headerSeen = true;
    this.depth = 1;
    this.stanzaStart = this.parser.position;
    this.boundaryInChunk = true;
    const attrs: Record<string, string> = {};
    for (const name in tag.attributes) attrs[name] = tag.attributes[name].value;
    this.handlers.onHeader({ attrs, prefix: tag.prefix, uri: tag.uri, defaultNs: tag.ns?.[''] });
  }

  private close(tag: SaxesTagNS): void {
    if (this.failed || this.paused) return;
    this.depth--;
    if (this.depth === 0) {
      // saxes calls this for the root before it checks the end tag's name: a stray `</message>` at the top level
      // must become not-well-formed (BAD-08), not a graceful close, so wait for the end of the chunk.
      this.rootClosed = true;
      return;
    }
    const e = this.current!;
    const declares = this.declaredPerElement.pop() ?? 0;
    if (declares) this.declared.length -= declares;
    this.current = e.parent;
    if (this.depth === 1) {
      e.parent = null;
      this.current = null;
      if (this.parser.position - this.stanzaStart > this.limits.maxStanzaBytes) {
        this.fail('policy-violation', `stanza larger than ${this.limits.maxStanzaBytes} bytes`);
        return;
      }
      this.stanzaStart = this.parser.position;
      this.boundaryInChunk = true;
      this.handlers.onElement(e);
    }
    void tag;
  }

  private text(t: string): void {
    if (this.failed || this.paused) return;
    if (this.current) {
      const kids = this.current.children;
      const last = kids.length - 1;
      if (last >= 0 && typeof kids[last] === 'string') kids[last] = (kids[last] as string) + t;
      else kids.push(t);
    } else if (this.depth === 1 && !/^[ \t\r\n]*$/.test(t)) {
      this.fail('not-well-formed', 'text is not allowed between stanzas');
    }
  }
}
