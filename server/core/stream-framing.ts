// How one XML stream is put on the wire: opened, closed, restarted, and how each top-level element is written and
// read. The stream base (xml-stream.ts) only talks to this strategy and never writes `<stream:stream>` itself, so
// a transport with other framing plugs in without touching the stream logic.
//
// XML_STREAM is RFC 6120's flavour, for TCP and TLS sockets: one XML document per direction whose root is
// <stream:stream>; a restart (after STARTTLS or SASL) begins a new document; closing is `</stream:stream>`.
//
// A WebSocket transport (RFC 7395, not implemented) would bring its own StreamFraming: `opening` returns
// `<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' …/>` (same attributes, no xml declaration, no root left open),
// `closing` is `<close xmlns='urn:ietf:params:xml:ns:xmpp-framing'/>`, `element` writes every element as a
// document of its own (xmlns='jabber:client' on stanzas, xmlns:stream declared on <stream:features/> and
// <stream:error/>), and its `parser` reads one complete element per frame, reporting <open/> as the header and
// <close/> as the peer's closing. One WebSocket message per write() of the transport. checkHeader() (stream-header.ts)
// still checks the root's namespace and `stream` prefix: that parser reports <open/> as a header in NS.streams with
// that prefix, or those two checks move into the framing when WebSocket arrives.
import { XmlStreamFraming, type FramingHandlers, type FramingLimits, type InputFraming } from './framing.js';
import { streamHeader, type StreamOpening } from './stream-header.js';
import type { Element } from './xml.js';

export interface StreamFraming {
  /** Our opening: the stream header, sent again after every restart. */
  opening(o: StreamOpening): string;
  /** Our closing, after which nothing more is written. */
  readonly closing: string;
  /** One top-level element (stanza, features, stream error, negotiation element) as written on this framing. */
  element(e: Element): string;
  /** Reads the peer's side; `reset()` on it starts a new stream after a restart. */
  parser(handlers: FramingHandlers, limits: FramingLimits): InputFraming;
}

/** RFC 6120 XML streams over TCP/TLS: shared and immutable, nothing per connection. */
export const XML_STREAM: StreamFraming = {
  opening: streamHeader,
  closing: '</stream:stream>',
  element: (e) => e.toString(),
  parser: (handlers, limits) => new XmlStreamFraming(handlers, limits),
};
