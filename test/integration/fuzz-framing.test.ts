// The stream parser under seeded fuzzing (test/fuzz/framing-fuzz.ts), bounded to a few seconds here; the long run
// is `node dist/test/fuzz/run.js` (test/bench/README.md). A failure prints its seed: FUZZ_SEED=<seed> replays it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzFraming } from '../fuzz/framing-fuzz.js';
import { fuzzIterations, fuzzSeed } from '../fuzz/rng.js';

test('framing: mutated streams, cut anywhere, never throw and give the same outcome as written whole', () => {
  const seed = fuzzSeed();
  const count = fuzzIterations(3000);
  // First, so that even a crash of the whole process leaves the seed to replay.
  process.stdout.write(`# framing fuzz: seed ${seed} (replay: FUZZ_SEED=${seed})\n`);
  const started = performance.now();
  const failure = fuzzFraming(seed, count);
  assert.equal(failure, null, `${failure ?? ''}\nreplay: FUZZ_SEED=${seed} node --test dist/test/integration/fuzz-framing.test.js`);
  process.stdout.write(`# framing fuzz: seed ${seed}, ${count} streams in ${Math.round(performance.now() - started)} ms\n`);
});
