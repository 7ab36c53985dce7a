// A lean XMPP stream framer for the load generator: splits the text a server sends into the stream header and one
// string per top-level element, without building a tree. It trusts the server to send well-formed XML and to
// escape '>' inside attribute values (Prosody's and ltx's serialisers both do), which is what makes a scan with
// indexOf enough. Elements the generator needs to look into are parsed afterwards with ltx, only when needed.

export interface FramerHandlers {
  onHeader(text: string): void;
  onElement(text: string): void;
  onEnd(): void;
}

export class StreamFramer {
  private buf = '';
  private pos = 0;          // next unscanned index in buf
  private depth = 0;        // 0 outside the stream, 1 inside <stream:stream>, ≥2 inside a stanza
  private start = -1;       // index in buf where the current top-level element begins
  private generation = 0;   // bumped by reset(), so a handler that resets stops the scan of the old chunk

  constructor(private readonly h: FramerHandlers) {}

  /** Start a new document (after STARTTLS and after SASL success). */
  reset(): void {
    this.buf = '';
    this.pos = 0;
    this.depth = 0;
    this.start = -1;
    this.generation++;
  }

  write(chunk: string): void {
    if (this.start < 0 && this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf += chunk;
    }
    const buf = this.buf;
    const gen = this.generation;
    let pos = this.pos;
    for (;;) {
      const lt = buf.indexOf('<', pos);
      if (lt < 0) { pos = buf.length; break; }
      const c = buf.charCodeAt(lt + 1);
      if (Number.isNaN(c)) { pos = lt; break; }
      if (c === 63 /* ? */) {
        const e = buf.indexOf('?>', lt + 2);
        if (e < 0) { pos = lt; break; }
        pos = e + 2;
        continue;
      }
      if (c === 33 /* ! */) {
        const cdata = buf.startsWith('<![CDATA[', lt);
        const e = cdata ? buf.indexOf(']]>', lt) : buf.indexOf('-->', lt);
        if (e < 0) { pos = lt; break; }
        pos = e + 3;
        continue;
      }
      const gt = buf.indexOf('>', lt + 1);
      if (gt < 0) { pos = lt; break; }
      pos = gt + 1;
      if (c === 47 /* / */) {
        this.depth--;
        if (this.depth === 1) {
          this.h.onElement(buf.slice(this.start, pos));
          this.start = -1;
        } else if (this.depth === 0) {
          this.reset();
          this.h.onEnd();
          return;
        }
      } else if (buf.charCodeAt(gt - 1) === 47 /* self-closing */) {
        if (this.depth === 1) this.h.onElement(buf.slice(lt, pos));
      } else {
        this.depth++;
        if (this.depth === 1) this.h.onHeader(buf.slice(lt, pos));
        else if (this.depth === 2) this.start = lt;
      }
      if (this.generation !== gen) return;   // a handler reset the framer
    }
    // Keep only what is still needed: the unfinished element, or the unscanned tail.
    const keep = this.start >= 0 ? this.start : pos;
    if (keep > 0) {
      this.buf = buf.slice(keep);
      pos -= keep;
      if (this.start >= 0) this.start = 0;
    }
    this.pos = pos;
  }
}
