// storage: confirmed writes per second — what the durability setting costs. W writers (logged in, no presence)
// each keep a few iq sets in flight, alternating a roster item (jabber:iq:roster) and a vCard (vcard-temp), until
// N writes are confirmed. Every reply is a write the server says is stored: with Parley's default durability
// ('flush') on the disk, fdatasync'ed, concurrent writes to one datafile sharing a sync; with 'os' (the storage-os
// scenario) only handed to the OS. Latency runs from sending the set to its reply.
import { BenchClient } from '../client.js';
import { sample, delta } from '../procstat.js';
import { percentile, sleep, type ScenarioContext, type ScenarioResult } from './context.js';

const DESC = 'x'.repeat(200);

export async function storageScenario(ctx: ScenarioContext, prefix: 'storage' | 'storageOs'): Promise<ScenarioResult> {
  const { scale, server } = ctx;
  const names = Array.from({ length: scale.storageWriters }, (_, i) => `u${i + 1}`);
  const { clients } = await ctx.loginMany(names, scale.loginConcurrency, {});
  const total = scale.storageWrites;
  // Warm-up, not measured: each writer sets its vCard once and adds a first contact.
  await Promise.all(clients.map(async (c, i) => {
    await c.iq(`w${i}a`, `<iq type='set' id='w${i}a'><vCard xmlns='vcard-temp'><FN>warm</FN></vCard></iq>`);
    await c.iq(`w${i}b`, `<iq type='set' id='w${i}b'><query xmlns='jabber:iq:roster'><item jid='warm@elsewhere.example'/></query></iq>`);
  }));
  await sleep(250);
  const latencies: number[] = [];
  let started = 0;
  let errors = 0;
  const before = sample(server.pid);
  let lastDone = before.at;
  const writer = async (c: BenchClient, w: number): Promise<void> => {
    while (started < total && !ctx.aborted) {
      const n = started++;
      const id = BenchClient.nextId('s');
      const body = n % 2 === 0
        ? `<query xmlns='jabber:iq:roster'><item jid='c${n}@elsewhere.example' name='contact ${n}'/></query>`
        : `<vCard xmlns='vcard-temp'><FN>writer ${w} ${n}</FN><DESC>${DESC}</DESC></vCard>`;
      const t0 = performance.now();
      const reply = await c.iq(id, `<iq type='set' id='${id}'>${body}</iq>`);
      lastDone = performance.now();
      latencies.push(lastDone - t0);
      if (reply.attrs.type !== 'result') errors++;
      if (latencies.length % 1000 === 0) ctx.progress = `${latencies.length}/${total} writes confirmed`;
    }
  };
  await Promise.all(clients.flatMap((c, w) => Array.from({ length: scale.storageWindow }, () => writer(c, w))));
  ctx.check();
  const wall = (lastDone - before.at) / 1000;
  const after = sample(server.pid);
  const d = delta(before, after);
  await ctx.closeAll();
  return {
    status: 'ok',
    figures: {
      [`${prefix}WritesPerSecond`]: latencies.length / wall,
      [`${prefix}P50`]: percentile(latencies, 50),
      [`${prefix}P99`]: percentile(latencies, 99),
      [`${prefix}CpuPer1000`]: (d.serverCpu / latencies.length) * 1000,
      [`${prefix}Errors`]: errors,
      [`${prefix}ServerCpu`]: d.serverCpu / d.wallSeconds,
    },
    details: {
      writes: latencies.length, writers: scale.storageWriters, window: scale.storageWindow, wallSeconds: wall,
      serverCpuSeconds: d.serverCpu, generatorCpuSeconds: d.generatorCpu, measuredWindowUs: d.windowUs, errors,
    },
  };
}
