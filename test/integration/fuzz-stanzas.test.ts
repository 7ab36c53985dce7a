// Every module's stanza handlers under seeded fuzzing over a real authenticated stream (test/fuzz/stanza-fuzz.ts):
// mutated real stanzas and random element trees, bounded to a few seconds here; the long run is
// `node dist/test/fuzz/run.js` (test/bench/README.md). A failure prints its seed: FUZZ_SEED=<seed> replays it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, type TestServer } from '../helpers/server.js';
import { fuzzStanzas } from '../fuzz/stanza-fuzz.js';
import { fuzzIterations, fuzzSeed } from '../fuzz/rng.js';

let t: TestServer;
before(async () => {
  t = await startWithUsers({ alice: 'alice-fuzz-pw-1', bob: 'bob-fuzz-pw-1' });
});
after(async () => {
  await t.stop();
});

test('stanza handlers: every iq get/set answered in time, none with internal-server-error, the stream stays up', { timeout: 120_000 }, async () => {
  const seed = fuzzSeed();
  const count = fuzzIterations(600);
  // First, so that even a crash of the whole process leaves the seed to replay.
  process.stdout.write(`# stanza fuzz: seed ${seed} (replay: FUZZ_SEED=${seed})\n`);
  const started = performance.now();
  const r = await fuzzStanzas(t, 'alice', 'alice-fuzz-pw-1', seed, count);
  assert.equal(r.failure, null, `${r.failure ?? ''}\nreplay: FUZZ_SEED=${seed} node --test dist/test/integration/fuzz-stanzas.test.js`);
  assert.ok(r.answered > count / 2, `most stanzas are iq get/set and were answered (${r.answered} of ${r.sent})`);
  process.stdout.write(`# stanza fuzz: seed ${seed}, ${r.sent} stanzas, ${r.answered} answered in ${Math.round(performance.now() - started)} ms; errors ${JSON.stringify(r.errors)}\n`);
});
