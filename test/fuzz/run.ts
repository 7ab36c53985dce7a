// The long fuzzing run (not part of `npm test`): the stream parser and the stanza handlers, far more iterations
// than the bounded tests, on a fresh server on loopback; it stops by itself and prints the seed of every round.
//   node dist/test/fuzz/run.js [--rounds N] [--framing N] [--stanzas N] [--seed S]
// A failure prints its seed; `FUZZ_SEED=S FUZZ_ITERATIONS=N node --test dist/test/integration/fuzz-….test.js` replays it.
import { fuzzFraming } from './framing-fuzz.js';
import { fuzzStanzas } from './stanza-fuzz.js';
import { startWithUsers } from '../helpers/server.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const n = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

async function main(): Promise<number> {
  const rounds = option('rounds', 10);
  const framingCount = option('framing', 50_000);
  const stanzaCount = option('stanzas', 20_000);
  let seed = option('seed', (Date.now() >>> 0) % 1_000_000_000);
  const t = await startWithUsers({ alice: 'alice-fuzz-pw-1', bob: 'bob-fuzz-pw-1' });
  let failures = 0;
  try {
    for (let r = 0; r < rounds; r++, seed++) {
      const t0 = performance.now();
      const framing = fuzzFraming(seed, framingCount);
      const t1 = performance.now();
      const stanzas = await fuzzStanzas(t, 'alice', 'alice-fuzz-pw-1', seed, stanzaCount);
      const t2 = performance.now();
      process.stdout.write(`round ${r + 1}/${rounds} seed ${seed}: framing ${framingCount} streams ${framing === null ? 'ok' : 'FAILED'} ` +
        `(${Math.round(t1 - t0)} ms); stanzas ${stanzas.sent} sent, ${stanzas.answered} answered ${stanzas.failure === null ? 'ok' : 'FAILED'} (${Math.round(t2 - t1)} ms)\n`);
      for (const f of [framing, stanzas.failure]) {
        if (f === null) continue;
        failures++;
        process.stdout.write(`${f}\n`);
      }
    }
  } finally {
    await t.stop();
  }
  process.stdout.write(failures === 0 ? 'no failures\n' : `${failures} failure(s); replay with the seeds above\n`);
  return failures === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
