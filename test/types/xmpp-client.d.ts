// Minimal typings for the parts of @xmpp/client (which ships none) that the tests use.
declare module '@xmpp/client' {
  import type { Element } from 'ltx';
  import type { EventEmitter } from 'node:events';
  export interface JID { local: string; domain: string; resource: string; bare(): JID; toString(): string }
  export interface IqCaller { request(el: Element, timeout?: number): Promise<Element> }
  export interface Client extends EventEmitter {
    start(): Promise<JID>;
    stop(): Promise<void>;
    send(el: Element): Promise<void>;
    iqCaller: IqCaller;
    jid: JID | null;
    status: string;
    socket: unknown;
  }
  export interface ClientOptions {
    service: string; domain?: string; username?: string; password?: string; resource?: string;
    credentials?: (auth: (creds: { username: string; password: string }) => Promise<void>, mechanisms: string[]) => Promise<void>;
  }
  export function client(opts: ClientOptions): Client;
  export function xml(name: string, attrs?: Record<string, string | undefined> | null, ...children: (Element | string)[]): Element;
}
