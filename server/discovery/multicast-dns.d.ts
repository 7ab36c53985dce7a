// Minimal typings for multicast-dns (it ships none): the parts Parley's discovery uses.
declare module 'multicast-dns' {
  import type { EventEmitter } from 'node:events';
  import type { Socket, RemoteInfo } from 'node:dgram';

  export interface MdnsQuestion { name: string; type: string; class?: string }
  export interface MdnsRecord {
    name: string;
    type: string;
    class?: string;
    ttl?: number;
    flush?: boolean;
    // A/AAAA/PTR: string; SRV: { port, target, priority?, weight? }; TXT: (string | Buffer)[]
    data: unknown;
  }
  export interface MdnsPacket {
    id?: number;
    type?: 'query' | 'response';
    flags?: number;
    questions: MdnsQuestion[];
    answers: MdnsRecord[];
    authorities: MdnsRecord[];
    additionals: MdnsRecord[];
  }
  export interface MdnsOptions {
    multicast?: boolean;
    interface?: string;
    port?: number;
    ip?: string;
    ttl?: number;
    loopback?: boolean;
    reuseAddr?: boolean;
    bind?: string | false;
    socket?: Socket;
    type?: 'udp4' | 'udp6';
  }
  export interface Target { address?: string; host?: string; port: number }
  export interface MulticastDns extends EventEmitter {
    send(packet: Partial<MdnsPacket>, rinfo: Target | null, cb?: (err?: Error | null) => void): void;
    respond(packet: Partial<MdnsPacket> | MdnsRecord[], rinfo?: Target | null | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): void;
    query(packet: Partial<MdnsPacket> | MdnsQuestion[] | string, type?: string | Target | null | ((err?: Error | null) => void), rinfo?: Target | null | ((err?: Error | null) => void), cb?: (err?: Error | null) => void): void;
    destroy(cb?: () => void): void;
    update(): void;
    on(event: 'query' | 'response' | 'packet', listener: (packet: MdnsPacket, rinfo: RemoteInfo) => void): this;
    on(event: 'ready' | 'networkInterface', listener: () => void): this;
    on(event: 'error' | 'warning', listener: (err: Error) => void): this;
  }
  export default function multicastDns(opts?: MdnsOptions): MulticastDns;
}
