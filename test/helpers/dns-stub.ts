// A DNS server for interop tests, on 127.0.0.1 over UDP: it answers SRV and A queries for the names it is given and
// NXDOMAIN for every other name, so a real peer (Prosody, through libunbound's `forward`) finds Parley's hosts by
// SRV on ephemeral ports exactly as it would on the Internet, whatever the number of hosts (a Parley server with
// a conference.<domain> service host needs two SRV records; unbound's `local-data` option can be given only once
// through Prosody's configuration).
import dgram from 'node:dgram';

const TYPE_A = 1;
const TYPE_SRV = 33;
const CLASS_IN = 1;

export interface DnsStub {
  port: number;
  /** "127.0.0.1@<port>", as unbound's `forward` takes it. */
  forward: string;
  /** Every name asked for, with its type ("SRV _xmpp-server._tcp.conference.parley.test"), for failure messages. */
  readonly asked: string[];
  close(): Promise<void>;
}

export interface DnsRecords {
  /** SRV records by owner name: "_xmpp-server._tcp.parley.test" → { target, port }. */
  srv?: Record<string, { target: string; port: number }>;
  /** A records: "parley.test" → "127.0.0.1". */
  a?: Record<string, string>;
}

function readName(msg: Buffer, offset: number): { name: string; end: number } | null {
  const labels: string[] = [];
  let off = offset;
  for (;;) {
    if (off >= msg.length) return null;
    const n = msg[off++];
    if (n === 0) break;
    if (n > 63 || off + n > msg.length) return null;   // a query carries no compression pointers
    labels.push(msg.subarray(off, off + n).toString('latin1'));
    off += n;
  }
  return { name: labels.join('.').toLowerCase(), end: off };
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  return Buffer.concat([...parts.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function record(type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(60, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  // The owner name is the question's (a pointer to offset 12, where the question's name starts).
  return Buffer.concat([Buffer.from([0xc0, 12]), fixed, rdata]);
}

export async function startDnsStub(records: DnsRecords): Promise<DnsStub> {
  const srv = new Map(Object.entries(records.srv ?? {}).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
  const a = new Map(Object.entries(records.a ?? {}).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
  const asked: string[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    const q = readName(msg, 12);
    if (!q || q.end + 4 > msg.length) return;
    const qtype = msg.readUInt16BE(q.end);
    asked.push(`${qtype === TYPE_SRV ? 'SRV' : qtype === TYPE_A ? 'A' : `type ${qtype}`} ${q.name}`);
    const answers: Buffer[] = [];
    const s = srv.get(q.name);
    if (qtype === TYPE_SRV && s) {
      const head = Buffer.alloc(6);   // priority 0, weight 0, port
      head.writeUInt16BE(s.port, 4);
      answers.push(record(TYPE_SRV, Buffer.concat([head, encodeName(s.target)])));
    }
    const addr = a.get(q.name);
    if (qtype === TYPE_A && addr) answers.push(record(TYPE_A, Buffer.from(addr.split('.').map(Number))));
    // A name we know with no record of the type asked (AAAA, say) is NODATA (NOERROR, no answer); others NXDOMAIN.
    const known = s !== undefined || addr !== undefined;
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);   // the query's id
    // QR, opcode 0, AA; RD copied; RA; rcode 0 or 3.
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (known ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, msg.subarray(12, q.end + 4), ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  return {
    port,
    forward: `127.0.0.1@${port}`,
    asked,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
