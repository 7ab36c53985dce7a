// login: N accounts log in (TCP, STARTTLS, SCRAM-SHA-1, bind, roster get, initial presence), 50 at a time.
// A roster get answered with an error (a server without rosters) still counts as a completed login. Latency runs
// from the TCP connect to the roster reply; the sessions stay open until all N are in.
import { sample, delta } from '../procstat.js';
import { percentile, sleep, type ScenarioContext, type ScenarioResult } from './context.js';

export async function loginScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { scale, server } = ctx;
  const n = scale.logins;
  const names = Array.from({ length: n }, (_, i) => `u${i + 1}`);
  // Warm-up, not measured: a long-running server has its code paths compiled (V8's JIT) and its caches filled.
  const warm = Math.min(scale.loginConcurrency * 2, Math.floor(n / 10));
  await ctx.loginMany(names.slice(0, warm), scale.loginConcurrency, { rosterGet: true, presence: true });
  await ctx.closeAll();
  await sleep(500);
  const latencies: number[] = [];
  let rosterErrors = 0;
  let lastDone = 0;
  const before = sample(server.pid);
  const { clients } = await ctx.loginMany(names, scale.loginConcurrency, { rosterGet: true, presence: true }, (_c, t) => {
    latencies.push(t.done);
    if (t.rosterOk === false) rosterErrors++;
    lastDone = performance.now();
  });
  const wall = (lastDone - before.at) / 1000;
  // Let the server finish what the last logins queued (presence), then read its CPU.
  await sleep(250);
  const after = sample(server.pid);
  const d = delta(before, after);
  const c0 = clients[0]!;
  await ctx.closeAll();
  return {
    status: 'ok',
    figures: {
      loginsPerSecond: n / wall,
      loginP50: percentile(latencies, 50),
      loginP99: percentile(latencies, 99),
      loginCpuPer1000: (d.serverCpu / n) * 1000,
      loginServerCpu: d.serverCpu / d.wallSeconds,
      loginGeneratorCpu: d.generatorCpu / d.wallSeconds,
    },
    details: {
      logins: n, concurrency: scale.loginConcurrency, wallSeconds: wall, serverCpuSeconds: d.serverCpu,
      generatorCpuSeconds: d.generatorCpu, measuredWindowUs: d.windowUs, rosterGetErrors: rosterErrors, tls: `${c0.tlsProtocol} ${c0.tlsCipher}`,
    },
  };
}
