// `npm run bench`: Parley and Prosody side by side on loopback, with equivalent settings, driven in turn by the
// same load generator (this process). Prints a table with each figure for both servers, the ratio Parley/Prosody
// and the targets, and writes the same as JSON under bench/results/. A benchmark, not a test: it never fails on a
// timing. Options: see options.ts (`npm run bench -- --help`).
//
// Each scenario gets a fresh server process (so memory and CPU readings start clean); the data folders with the
// accounts are written once per run. Servers are pinned to core 0 and the generator to core 1 when there are two.
import os from 'node:os';
import path from 'node:path';
import { promises as fs, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseOptions, OptionsError, USAGE, type Options, type ScenarioName } from './options.js';
import { pinning, ROOT, type Accounts, type RunningServer, type ServerKit } from './servers/server.js';
import { parleyKit } from './servers/parley.js';
import { prosodyKit, prosodyMissing, prosodyVersion } from './servers/prosody.js';
import { ScenarioContext, ScenarioError, TimeoutError, sleep, type ScenarioResult } from './scenarios/context.js';
import { probeCapabilities } from './scenarios/probe.js';
import { loginScenario } from './scenarios/login.js';
import { idleScenario } from './scenarios/idle.js';
import { chatScenario } from './scenarios/chat.js';
import { rosterScenario } from './scenarios/roster.js';
import { rosterPepScenario } from './scenarios/roster-pep.js';
import { mucScenario } from './scenarios/muc.js';
import { storageScenario } from './scenarios/storage.js';
import { floodScenario, FLOOD_ACCOUNTS } from './scenarios/flood.js';
import { rows, table, FIGURES, type Results } from './report.js';
import { describeMachine, machineLine } from './machine.js';
import { summarise, formatSummary, type ProfileSummary } from './profile-summary.js';
import { busySeconds, cpuSeconds, selfCpuSeconds } from './procstat.js';

const out = (s: string): void => void process.stdout.write(s + '\n');
const running = new Set<RunningServer>();
/** Data folders to remove if the run is interrupted. */
const kitsToClean = new Set<ServerKit>();

async function stopEverything(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
  await Promise.all([...kitsToClean].map((k) => k.cleanup().catch(() => undefined)));
}

function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const v = line?.split(/\s{2,}/)[1];
    return v === 'unlimited' ? Infinity : Number(v);
  } catch {
    return Infinity;
  }
}

/** Node cannot raise its own descriptor limit: re-run this process under `ulimit -n` when it is too low. */
function ensureOpenFiles(needed: number): void {
  if (openFilesLimit() >= needed || process.env.PARLEY_BENCH_ULIMIT) return;
  out(`The descriptor limit (${openFilesLimit()}) is below the ${needed} this run needs; restarting under ulimit -n ${Math.max(needed, 65536)}.`);
  const r = spawnSync('bash', ['-c', `ulimit -n ${Math.max(needed, 65536)} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`, 'bench',
    process.execPath, ...process.execArgv, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, PARLEY_BENCH_ULIMIT: '1' } });
  process.exit(r.status ?? 1);
}

function hasCommand(cmd: string): boolean {
  try {
    execFileSync('bash', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function accountsNeeded(o: Options): Accounts {
  const s = o.scale;
  const has = (n: ScenarioName): boolean => o.only.includes(n);
  const users = Math.max(2,
    has('login') ? s.logins : 0,
    has('idle') ? s.idleSessions : 0,
    has('chat') || has('chat-privacy') ? s.chatPairs * 2 : 0,
    has('muc') ? s.mucOccupants : 0,
    has('storage') || has('storage-os') ? s.storageWriters : 0,
    has('flood') ? FLOOD_ACCOUNTS : 0);
  return { users, rosterContacts: has('roster') || has('roster-pep') ? s.rosterContacts : 0 };
}

/** The chat variant's figures under keys of their own (chatCpuPer10k → chatPrivacyCpuPer10k), so tables tell them apart. */
function withKeys(r: ScenarioResult, from: string, to: string): ScenarioResult {
  const figures: ScenarioResult['figures'] = {};
  for (const [k, v] of Object.entries(r.figures)) figures[k.startsWith(from) ? to + k.slice(from.length) : k] = v;
  return { ...r, figures };
}

function summaryLine(r: ScenarioResult): string {
  if (r.status !== 'ok') return `${r.status}${r.message ? `: ${r.message}` : ''}`;
  const parts: string[] = [];
  for (const d of FIGURES) {
    const v = r.figures[d.key];
    if (v === undefined || v === null) continue;
    parts.push(`${d.label} ${(d.percent ? v * 100 : v).toFixed(d.digits)}`);
  }
  return parts.join(', ');
}

async function newestProfile(dir: string): Promise<string | null> {
  try {
    const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
    if (files.length === 0) return null;
    const stats = await Promise.all(files.map(async (f) => ({ f, t: (await fs.stat(path.join(dir, f))).mtimeMs })));
    stats.sort((a, b) => b.t - a.t);
    return path.join(dir, stats[0]!.f);
  } catch {
    return null;
  }
}

/**
 * Other work on the machine skews every wall-clock figure, so each run waits (up to `maxSeconds`) for a second in
 * which all cores together were less than 15% busy. Returns the seconds waited, or -1 if it never got quiet.
 */
async function waitForQuiet(maxSeconds: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const a = busySeconds(null);
    await sleep(1000);
    const busy = busySeconds(null) - a;
    if (busy / os.cpus().length < 0.15) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > maxSeconds * 1000) return -1;
  }
}

async function runScenario(o: Options, kit: ServerKit, scenario: ScenarioName, cpuProfDir: string | undefined, serverCore: number | null): Promise<ScenarioResult> {
  const log = (s: string): void => { if (o.verbose) out(`    ${s}`); };
  let server: RunningServer;
  try {
    // The flood measures the server's own defences, so it runs with its default limits; the others without.
    server = await kit.start({ cpuProfDir, durability: scenario === 'storage-os' ? 'os' : 'flush', limits: scenario === 'flood' });
  } catch (err) {
    return { status: 'error', message: (err as Error).message, figures: {}, details: {} };
  }
  running.add(server);
  // How much of the server's core other processes took meanwhile: wall-clock figures are only as good as this is small.
  const load = (): { t: number; busy: number; server: number; gen: number } =>
    ({ t: performance.now(), busy: busySeconds(serverCore), server: cpuSeconds(server.pid), gen: selfCpuSeconds() });
  const load0 = load();
  const ctx = new ScenarioContext(server, o.scale, log);
  const ticker = o.verbose ? setInterval(() => ctx.progress && out(`    … ${ctx.progress}`), 10000) : null;
  const work = (async (): Promise<ScenarioResult> => {
    switch (scenario) {
      case 'login': return loginScenario(ctx);
      case 'idle': return idleScenario(ctx);
      case 'chat': return chatScenario(ctx);
      case 'chat-privacy': return withKeys(await chatScenario(ctx, true), 'chat', 'chatPrivacy');
      case 'roster': {
        const caps = await probeCapabilities(ctx);
        if (!caps.roster) return { status: 'n/a', message: 'the server has no roster (no jabber:iq:roster in disco#info, roster get refused)', figures: {}, details: { features: caps.features } };
        return rosterScenario(ctx, !kit.rosterOnDisk);
      }
      case 'roster-pep': {
        const caps = await probeCapabilities(ctx);
        if (!caps.roster) return { status: 'n/a', message: 'the server has no roster', figures: {}, details: { features: caps.features } };
        return rosterPepScenario(ctx, !kit.rosterOnDisk);
      }
      case 'storage': return storageScenario(ctx, 'storage');
      case 'storage-os':
        if (kit.name !== 'parley') return { status: 'n/a', message: 'only Parley has a durability setting', figures: {}, details: {} };
        return storageScenario(ctx, 'storageOs');
      case 'muc': {
        const caps = await probeCapabilities(ctx);
        if (!caps.mucService) return { status: 'n/a', message: 'the server offers no MUC service (disco)', figures: {}, details: { features: caps.features } };
        return mucScenario(ctx, caps.mucService);
      }
      case 'flood': return floodScenario(ctx);
    }
  })();
  const asResult = (err: unknown): ScenarioResult => err instanceof TimeoutError || ctx.aborted
    ? { status: 'timeout', message: `ran out of time${ctx.progress ? ` at: ${ctx.progress}` : ''}`, figures: {}, details: {} }
    : { status: 'error', message: err instanceof ScenarioError ? err.message : `${(err as Error).message ?? String(err)}`, figures: {}, details: {} };
  const settled = work.then((r) => r, asResult);
  let timer: NodeJS.Timeout | undefined;
  const limit = o.scale.timeoutSeconds[scenario];
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), limit * 1000)));
  let result = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  if (result === null) {
    // Out of time: tell the scenario, give it a moment to report what it has, then drop every connection.
    ctx.aborted = true;
    ctx.destroyAll();
    result = await Promise.race([settled, sleep(10000).then(() => null)]);
    if (result === null || result.status === 'ok') result = { status: 'timeout', message: `no result within ${limit} s${ctx.progress ? ` (${ctx.progress})` : ''}`, figures: {}, details: {} };
    else if (result.status === 'error') result = { ...result, status: 'timeout' };
  }
  if (ticker) clearInterval(ticker);
  const load1 = load();
  const wall = (load1.t - load0.t) / 1000;
  const other = (load1.busy - load0.busy) - (load1.server - load0.server) - (serverCore === null ? load1.gen - load0.gen : 0);
  result.details.otherLoad = Math.max(0, other / wall);
  if (result.status === 'ok') result.figures[`${scenario === 'chat-privacy' ? 'chatPrivacy' : scenario === 'roster-pep' ? 'pep' : scenario}OtherLoad`] = result.details.otherLoad as number;
  ctx.destroyAll();
  if (result.status === 'error') result.details.serverLog = server.logTail();
  await server.stop();
  running.delete(server);
  return result;
}

async function main(): Promise<number> {
  let o: Options;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof OptionsError) {
      process.stderr.write(err.message === USAGE ? USAGE : `bench: ${err.message}\n`);
      return err.message === USAGE ? 0 : 2;
    }
    throw err;
  }
  const s = o.scale;
  if (o.only.includes('idle')) ensureOpenFiles(s.idleSessions + 2000);

  const cores = os.availableParallelism();
  const pin = pinning(cores, hasCommand('taskset'));
  if (pin.generator) execFileSync('taskset', ['-a', '-cp', pin.generator, String(process.pid)], { stdio: 'ignore' });
  if (o.nice !== null) {
    // Servers are spawned from this thread and inherit its niceness.
    try {
      os.setPriority(0, o.nice);
    } catch (err) {
      out(`Cannot set niceness ${o.nice}: ${(err as Error).message}; running at the default.`);
      o.nice = null;
    }
  }
  const pinText = (o.nice !== null ? `nice ${o.nice}, ` : '') + (pin.generator ? 'servers on core 0, generator on core 1 (taskset)' : `not pinned (${cores} core${cores === 1 ? '' : 's'}${hasCommand('taskset') ? '' : ', no taskset'})`);

  let servers = o.servers;
  const missing = servers.includes('prosody') ? prosodyMissing() : null;
  if (missing) {
    out(missing);
    servers = servers.filter((x) => x !== 'prosody');
  }
  const machine = describeMachine(missing ? null : prosodyVersion(), pinText, cores);
  out(`Parley benchmark${o.quick ? ' (--quick)' : ''}: ${o.only.join(', ')}`);
  out(machineLine(machine));
  if (o.profile) out('Profiling Parley with node --cpu-prof: its figures are slowed by the profiler and not comparable.');

  const accounts = accountsNeeded(o);
  const log = (x: string): void => { if (o.verbose) out(`  ${x}`); };
  const kits: ServerKit[] = [];
  for (const name of servers) {
    if (name === 'prosody') kits.push(await prosodyKit(accounts, pin.server, log, { rosterFiles: !o.rosterSetupProtocol }));
    else kits.push(await parleyKit(accounts, pin.server, log));
    if (!o.keep) kitsToClean.add(kits[kits.length - 1]!);
  }

  const profRoot = o.profile ? await fs.mkdtemp(path.join(os.tmpdir(), 'parley-bench-prof-')) : null;
  const profiles: Record<string, { file: string; summary: ProfileSummary }> = {};
  const results: Results = {};
  for (const scenario of o.only) {
    results[scenario] = {};
    for (const kit of kits) {
      const profDir = profRoot && kit.name === 'parley' ? path.join(profRoot, scenario) : undefined;
      if (profDir) await fs.mkdir(profDir, { recursive: true });
      const where = pin.generator ? 'the server core' : 'the machine';
      let r: ScenarioResult | null = null;
      for (let attempt = 1; attempt <= o.attempts; attempt++) {
        const waited = await waitForQuiet(o.quick ? 20 : 120);
        if (waited < 0 || waited > 2) out(waited < 0 ? '         (the machine stayed busy with other work; running anyway)' : `         (waited ${waited.toFixed(0)} s for other work on the machine to calm down)`);
        const t0 = Date.now();
        const run = await runScenario(o, kit, scenario, profDir, pin.generator ? 0 : null);
        run.details.attempt = attempt;
        const other = run.details.otherLoad as number;
        out(`  ${scenario.padEnd(6)} ${kit.name.padEnd(7)} ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s  ${summaryLine(run)}`);
        if (other > 0.05) out(`         (other processes used ${(other * 100).toFixed(0)}% of ${where} meanwhile: rates and latencies are skewed; CPU-seconds much less)`);
        const cleaner = r === null || (run.status === 'ok' && (r.status !== 'ok' || other < (r.details.otherLoad as number)));
        if (cleaner) r = run;
        // Idle figures (memory, CPU while nothing happens) do not depend on competition for the core: one run will do.
        if (run.status !== 'ok' || other <= 0.1 || attempt === o.attempts || scenario === 'idle') break;
        out(`         (running it again: attempt ${attempt + 1} of ${o.attempts}; the least disturbed run is kept)`);
      }
      const best = r!;
      results[scenario]![kit.name] = best;
      if (profDir) {
        const file = await newestProfile(profDir);
        if (file) {
          // Only the measured phase: startup (module loading, certificate checks) and the logins before it are cut.
          const window = best.details.measuredWindowUs as [number, number] | undefined;
          const summary = summarise(JSON.parse(await fs.readFile(file, 'utf8')), 30, window);
          profiles[scenario] = { file, summary };
          out(formatSummary(`\nParley profile, ${scenario}, measured phase only (${file})`, summary, 30) + '\n');
        } else out(`  (no .cpuprofile was written for ${scenario})`);
      }
    }
  }

  const rs = rows(results);
  out('');
  out(`Parley ${kits.find((k) => k.name === 'parley')?.version ?? ''} vs Prosody ${machine.prosody ?? '(not installed)'} — ${machine.date}`);
  out(table(rs));
  out('Ratios are Parley/Prosody; targets apply to Parley. A benchmark, not a test: nothing here fails a build.');
  const plain = results.chat?.parley?.figures.chatCpuPer10k;
  const listed = results['chat-privacy']?.parley?.figures.chatPrivacyCpuPer10k;
  if (typeof plain === 'number' && typeof listed === 'number' && plain > 0) {
    const more = (listed / plain - 1) * 100;
    out(`Privacy lists: Parley's server CPU per 10,000 msgs ${plain.toFixed(3)} s without lists, ${listed.toFixed(3)} s with a 100-item active list on every recipient: ${more >= 0 ? '+' : ''}${more.toFixed(1)}% (target ≤ +10%).`);
  }

  const flushed = results.storage?.parley?.figures;
  const osOnly = results['storage-os']?.parley?.figures;
  if (typeof flushed?.storageWritesPerSecond === 'number' && typeof osOnly?.storageOsWritesPerSecond === 'number') {
    out(`Durability: Parley confirms ${flushed.storageWritesPerSecond.toFixed(0)} writes/s with every write on the disk (flush, the default; ` +
      `${flushed.storageCpuPer1000?.toFixed(3)} CPU-s / 1,000) and ${osOnly.storageOsWritesPerSecond.toFixed(0)} writes/s when the OS is left to write them (os; ${osOnly.storageOsCpuPer1000?.toFixed(3)} CPU-s / 1,000).`);
  }

  const resultsDir = path.join(ROOT, 'bench', 'results');
  await fs.mkdir(resultsDir, { recursive: true });
  const stamp = machine.date.replace(/[:]/g, '').replace(/\..*$/, '');
  const file = o.out ?? path.join(resultsDir, `bench-${stamp}${o.quick ? '-quick' : ''}${o.profile ? '-profile' : ''}.json`);
  const json = {
    machine,
    options: { quick: o.quick, only: o.only, servers, profile: o.profile, nice: o.nice, rosterSetup: o.rosterSetupProtocol ? 'xmpp' : 'files', scale: s },
    servers: Object.fromEntries(kits.map((k) => [k.name, { version: k.version }])),
    table: rs,
    results,
    ...(o.profile ? { profiles } : {}),
  };
  await fs.writeFile(file, JSON.stringify(json, null, 2) + '\n');
  out(`Written to ${path.relative(process.cwd(), file) || file}`);
  await stopEverything();
  return 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    out(`\n${sig}: stopping the servers…`);
    void stopEverything().finally(() => process.exit(130));
  });
}

main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  void stopEverything().finally(() => process.exit(1));
});
