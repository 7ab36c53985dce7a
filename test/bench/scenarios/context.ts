// What every scenario gets: the server under test, the scale, a hard time limit, and helpers that keep the number
// of simultaneous logins bounded and spread connections over many loopback source addresses.
import { BenchClient, type LoginSteps, type LoginTimes } from '../client.js';
import type { RunningServer } from '../servers/server.js';
import type { Scale } from '../options.js';

export type Status = 'ok' | 'timeout' | 'error' | 'n/a';

export interface ScenarioResult {
  status: Status;
  /** Why the status is not ok, one sentence. */
  message?: string;
  /** Figures by key (see report.ts for labels, units and targets); null when not measured. */
  figures: Record<string, number | null>;
  /** Anything else worth keeping in the JSON (counts, step timings, TLS cipher…). */
  details: Record<string, unknown>;
}

export class TimeoutError extends Error {}
export class ScenarioError extends Error {}

/** 127.0.0.2 … 127.0.0.201: a different source address per connection, so 10,000 sessions never run out of ports. */
const SOURCE_ADDRESSES = 200;

export class ScenarioContext {
  aborted = false;
  progress = '';
  readonly clients = new Set<BenchClient>();
  private connections = 0;

  constructor(readonly server: RunningServer, readonly scale: Scale, readonly log: (s: string) => void) {}

  newClient(username: string, resource = 'bench'): BenchClient {
    const n = this.connections++;
    const c = new BenchClient({
      host: this.server.host,
      port: this.server.port,
      localAddress: `127.0.0.${2 + (n % SOURCE_ADDRESSES)}`,
      domain: this.server.domain,
      username,
      password: this.server.password,
      resource,
    });
    this.clients.add(c);
    return c;
  }

  check(): void {
    if (this.aborted) throw new TimeoutError('the scenario ran out of time');
  }

  /** Drop every connection this scenario opened (used after a timeout and at the end of scenarios with many sessions). */
  destroyAll(): void {
    for (const c of this.clients) c.destroy();
    this.clients.clear();
  }

  /** Close every connection politely, `concurrency` at a time; whatever lingers is dropped. */
  async closeAll(concurrency = 200): Promise<void> {
    const all = [...this.clients];
    this.clients.clear();
    await runPool(all.length, concurrency, async (i) => all[i]!.close(3000), () => false);
  }

  /**
   * Logs in `names` (`concurrency` at a time). Every login must succeed: the first failure stops the pool and
   * throws, because a benchmark of a server that refuses logins measures nothing.
   */
  async loginMany(names: string[], concurrency: number, steps: LoginSteps, each?: (c: BenchClient, t: LoginTimes, i: number) => void): Promise<{ clients: BenchClient[]; times: LoginTimes[] }> {
    const clients: BenchClient[] = new Array(names.length);
    const times: LoginTimes[] = new Array(names.length);
    let done = 0;
    this.progress = `logging in ${names.length} accounts`;
    await runPool(names.length, concurrency, async (i) => {
      const c = this.newClient(names[i]!);
      try {
        times[i] = await c.login(steps);
      } catch (err) {
        throw new ScenarioError(`login of ${names[i]} failed: ${(err as Error).message}`);
      }
      clients[i] = c;
      each?.(c, times[i]!, i);
      done++;
      if (done % 100 === 0) this.progress = `${done}/${names.length} logged in`;
    }, () => this.aborted);
    this.check();
    return { clients, times };
  }
}

/** Runs fn(0 … count-1) with at most `concurrency` at once; stops starting new ones when `stop()` or on the first error. */
export async function runPool(count: number, concurrency: number, fn: (i: number) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (next < count && failure === null && !stop()) {
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure !== null) throw failure;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Percentile (0–100) of a numeric array, nearest-rank; null when empty. */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number | null {
  return percentile(values, 50);
}

/** Resolves when `cond()` holds (checked every `stepMs`), or rejects with TimeoutError when the scenario is aborted. */
export async function until(ctx: ScenarioContext, cond: () => boolean, stepMs = 5): Promise<void> {
  while (!cond()) {
    ctx.check();
    await sleep(stepMs);
  }
}

/** How long nothing may arrive before the rest counts as lost rather than late. */
const STALL_MS = 10_000;

/**
 * Wait until `count()` reaches `goal`, the scenario is aborted, or nothing has arrived for STALL_MS; whatever is
 * missing then is lost, not late. Resolves true when delivery stalled.
 */
export async function awaitDeliveries(ctx: ScenarioContext, count: () => number, goal: number, unit: string): Promise<boolean> {
  let last = count();
  let lastChange = performance.now();
  while (count() < goal) {
    ctx.progress = `${count()}/${goal} ${unit}`;
    if (ctx.aborted) return false;
    await sleep(10);
    const now = count();
    if (now !== last) {
      last = now;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > STALL_MS) return true;
  }
  return false;
}
