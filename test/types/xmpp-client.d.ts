// Minimal typings for the parts of @xmpp/client (which ships none) that the tests use.
declare module '@xmpp/client' {
  import type { Element } from 'ltx';
  import type { EventEmitter } from 'node:events';
  export interface JID { local: string; domain: string; resource: string; bare(): JID; toString(): string }
  export interface IqCaller { request(el: Element, timeout?: number): Promise<Element> }
  /** What the SASL plugin's credentials callback gets to log in with: the credentials and the mechanism to use. */
  export type Authenticate = (creds: { username: string; password: string }, mechanism: string) => Promise<void>;
  /** XMPPError and its subclasses (SASLError, StanzaError, StreamError). */
  export interface XmppError extends Error { condition: string; text?: string; element?: Element }
  export interface Client extends EventEmitter {
    start(): Promise<JID>;
    stop(): Promise<void>;
    send(el: Element): Promise<void>;
    iqCaller: IqCaller;
    jid: JID | null;
    status: string;
    socket: unknown;
    /** True once the stream runs over TLS (STARTTLS or direct TLS). */
    isSecure(): boolean;
    /** Reconnects after a lost connection unless stopped. */
    reconnect: { start(): void; stop(): void };
    /** The SASL mechanisms the library implements, in its preference order. */
    saslFactory: { _mechs: { name: string }[] };
  }
  export interface ClientOptions {
    service: string; domain?: string; username?: string; password?: string; resource?: string;
    /** Milliseconds to wait for each stream open/close and socket close (default 2000). */
    timeout?: number;
    /** Called with the mechanisms both sides support (library order); must call `authenticate`. */
    credentials?: (authenticate: Authenticate, mechanisms: string[], fast: unknown, entity: Client) => Promise<void>;
  }
  export function client(opts: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: (Element | string)[]): Element;
}
