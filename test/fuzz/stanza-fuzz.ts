// Seeded fuzzing of the stanza handlers over a real authenticated stream (STARTTLS, SCRAM, bind, presence): batches
// of generated stanzas (stanza-gen.ts) are sent, then every iq get/set of the batch must be answered within a bound,
// no answer may be internal-server-error (a handler that threw), the stream must stay open, and a ping must still
// be answered. The first failure comes back as a sentence with the seed and the stanza, to replay with FUZZ_SEED.
import { login, nextId, NS, type RawClient, type Element } from '../helpers/raw-client.js';
import type { TestServer } from '../helpers/server.js';
import { Rng } from './rng.js';
import { generateStanza } from './stanza-gen.js';

export interface StanzaFuzzOptions {
  /** Stanzas sent before their answers are awaited. */
  batch: number;
  /** How long an iq get/set may go unanswered (ms). */
  replyBoundMs: number;
}

export interface StanzaFuzzReport {
  failure: string | null;
  sent: number;
  answered: number;
  errors: Record<string, number>;
}

function condition(reply: Element): string {
  const error = reply.getChild('error');
  const cond = error?.children.find((c): c is Element => typeof c !== 'string' && c.attrs.xmlns === NS.stanzas);
  return cond?.name ?? 'none';
}

export async function fuzzStanzas(t: TestServer, user: string, password: string, seed: number, count: number,
  o: StanzaFuzzOptions = { batch: 20, replyBoundMs: 3000 }): Promise<StanzaFuzzReport> {
  const rng = new Rng(seed);
  const report: StanzaFuzzReport = { failure: null, sent: 0, answered: 0, errors: {} };
  let c: RawClient | null = null;
  try {
    c = await login(t.c2sPort, t.caPem, user, password, { resource: 'fuzz' });
    c.send('<presence/>');
    while (report.sent < count) {
      const batch = Array.from({ length: Math.min(o.batch, count - report.sent) }, () => generateStanza(rng));
      for (const s of batch) c.send(s.element.toString());
      const first = report.sent;
      report.sent += batch.length;
      for (const [k, s] of batch.entries()) {
        if (!s.needsReply) continue;
        const id = s.element.attrs.id as string;
        const where = `stanza ${first + k} of seed ${seed}: ${s.element.toString().slice(0, 2000)}`;
        let reply: Element;
        try {
          reply = await c.nextElement((e) => e.name === 'iq' && e.attrs.id === id && (e.attrs.type === 'result' || e.attrs.type === 'error'),
            `the answer to iq ${id}`, o.replyBoundMs);
        } catch (err) {
          report.failure = `no answer within ${o.replyBoundMs} ms to ${where}\n${(err as Error).message.slice(0, 3000)}`;
          return report;
        }
        report.answered++;
        if (reply.attrs.type === 'error') {
          const cond = condition(reply);
          report.errors[cond] = (report.errors[cond] ?? 0) + 1;
          if (cond === 'internal-server-error' || cond === 'undefined-condition') {
            report.failure = `${cond} (a handler failed) in answer to ${where}\nanswer: ${reply.toString().slice(0, 1000)}`;
            return report;
          }
        }
      }
      // Still alive and in order: a ping after the batch is answered.
      const ping = nextId('alive');
      c.send(`<iq type='get' id='${ping}'><ping xmlns='${NS.ping}'/></iq>`);
      try {
        await c.nextElement((e) => e.name === 'iq' && e.attrs.id === ping, `the ping after stanzas ${first}–${report.sent - 1}`, o.replyBoundMs);
      } catch (err) {
        report.failure = `the server stopped answering after stanzas ${first}–${report.sent - 1} of seed ${seed}:\n` +
          `${batch.map((s) => s.element.toString().slice(0, 500)).join('\n')}\n${(err as Error).message.slice(0, 3000)}`;
        return report;
      }
      while (c.takeQueued(() => true) !== undefined) { /* pushes, bounces and presence: not checked here */ }
    }
    return report;
  } finally {
    c?.destroy();
  }
}
