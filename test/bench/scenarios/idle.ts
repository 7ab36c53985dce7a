// idle: N authenticated TLS sessions with presence sent, held open. Resident memory per session is the growth of
// the server's VmRSS from just before the first login to a few seconds after the last; idle CPU is what the
// server burns over a quiet window while holding them.
import { rssKiB, sample, delta } from '../procstat.js';
import { sleep, type ScenarioContext, type ScenarioResult } from './context.js';

export async function idleScenario(ctx: ScenarioContext): Promise<ScenarioResult> {
  const { scale, server } = ctx;
  const n = scale.idleSessions;
  await sleep(1000);
  const rss0 = rssKiB(server.pid);
  const names = Array.from({ length: n }, (_, i) => `u${i + 1}`);
  const t0 = performance.now();
  await ctx.loginMany(names, scale.idleConcurrency, { rosterGet: true, presence: true });
  const rampSeconds = (performance.now() - t0) / 1000;
  ctx.progress = `${n} sessions open, settling`;
  await sleep(scale.idleSettleSeconds * 1000);
  ctx.check();
  const rss1 = rssKiB(server.pid);
  const a = sample(server.pid);
  await sleep(scale.idleWindowSeconds * 1000);
  ctx.check();
  const b = sample(server.pid);
  const rss2 = rssKiB(server.pid);
  const d = delta(a, b);
  const open = [...ctx.clients].filter((c) => c.isOpen).length;
  ctx.destroyAll();
  if (open !== n) return { status: 'error', message: `${n - open} of ${n} idle sessions were closed by the server`, figures: {}, details: {} };
  return {
    status: 'ok',
    figures: {
      idleKiBPerSession: (rss1 - rss0) / n,
      idleCpuPercent: (d.serverCpu / d.wallSeconds) * 100,
      idleGeneratorCpu: d.generatorCpu / d.wallSeconds,
    },
    details: {
      sessions: n, rssBeforeKiB: rss0, rssAfterKiB: rss1, rssEndOfWindowKiB: rss2, rampSeconds,
      loginsPerSecondDuringRamp: n / rampSeconds, measuredWindowUs: d.windowUs, idleWindowSeconds: d.wallSeconds, idleServerCpuSeconds: d.serverCpu,
    },
  };
}
