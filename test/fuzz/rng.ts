// A small seeded PRNG (mulberry32) for the fuzzers: the same seed gives the same inputs on every machine, so a
// failure printed with its seed can be replayed exactly (FUZZ_SEED=… ; see test/bench/README.md).
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** The seed to use: FUZZ_SEED when set (to replay a failure), else a fresh one that the caller prints. */
export function fuzzSeed(): number {
  const fromEnv = process.env.FUZZ_SEED;
  if (fromEnv !== undefined && /^\d+$/.test(fromEnv)) return Number(fromEnv) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

/** FUZZ_ITERATIONS when set (the long run), else `fallback` (the bounded count inside `npm test`). */
export function fuzzIterations(fallback: number): number {
  const n = Number(process.env.FUZZ_ITERATIONS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
