// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per source file, biggest
// first. Run by `npm run bench -- --profile`, or on its own:
//   node dist/test/bench/profile-summary.js FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

export interface Hot { name: string; where: string; selfMs: number; share: number }
export interface ProfileSummary { totalMs: number; busyMs: number; functions: Hot[]; files: Hot[]; categories: Hot[] }

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function shortUrl(url: string): string {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('node_modules/');
  if (nm >= 0) return u.slice(nm);
  const dist = u.indexOf('/dist/');
  if (dist >= 0) u = u.slice(dist + 6);
  return u;
}

/** Where the time goes, in broad strokes: Parley's own code, its libraries, Node internals, GC, idle. */
function category(url: string, name: string): string {
  if (SPECIAL.has(name)) return name;
  if (!url) return '(native / builtins)';
  if (url.includes('node_modules/')) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    return `lib: ${m?.[1] ?? '?'}`;
  }
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node: ${m?.[1] ?? url}`;
  }
  const dist = /\/dist\/(server\/[^/]+(?:\/[^/]+)?)/.exec(url);
  return dist ? `parley: ${dist[1]!.replace(/\.js$/, '')}` : url;
}

/** `window`: only samples taken within [from, to] (µs, CLOCK_MONOTONIC like the profile's own timestamps). */
export function summarise(profile: CpuProfile, top = 25, window?: [number, number]): ProfileSummary {
  const byId = new Map<number, ProfileNode>();
  for (const n of profile.nodes) byId.set(n.id, n);
  const self = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i; it is charged to sample i-1 (what was running).
  let ts = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    ts += profile.timeDeltas[i] ?? 0;
    if (window && (ts < window[0] || ts > window[1])) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  const fn = new Map<string, Hot>();
  const file = new Map<string, Hot>();
  const cat = new Map<string, Hot>();
  let total = 0;
  let idle = 0;
  const add = (m: Map<string, Hot>, key: string, name: string, where: string, us: number): void => {
    const h = m.get(key) ?? { name, where, selfMs: 0, share: 0 };
    h.selfMs += us / 1000;
    m.set(key, h);
  };
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    total += us;
    if (name === '(idle)') idle += us;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    add(fn, `${name}@${url}:${lineNumber}`, name, where, us);
    add(file, url || name, shortUrl(url) || name, '', us);
    add(cat, category(url, name), category(url, name), '', us);
  }
  const busy = (total - idle) / 1000;
  const finish = (m: Map<string, Hot>): Hot[] => [...m.values()]
    .filter((h) => h.name !== '(idle)')
    .map((h) => ({ ...h, share: busy > 0 ? h.selfMs / busy : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  return { totalMs: total / 1000, busyMs: busy, functions: finish(fn), files: finish(file), categories: finish(cat) };
}

export function formatSummary(title: string, s: ProfileSummary, top = 25): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${title}: ${(s.busyMs / 1000).toFixed(2)} s busy of ${(s.totalMs / 1000).toFixed(2)} s profiled`, '', '  self time by area:'];
  for (const h of s.categories.slice(0, 15)) lines.push(`    ${pct(h.share)}  ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.name}`);
  lines.push('', `  top ${top} functions by self time (% of busy time):`);
  for (const h of s.functions.slice(0, top)) lines.push(`    ${pct(h.share)}  ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.name}  ${h.where}`);
  return lines.join('\n');
}

export function summariseFile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  return formatSummary(path.basename(file), summarise(profile, top), top);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    process.stderr.write('usage: node dist/test/bench/profile-summary.js FILE.cpuprofile [top]\n');
    process.exit(2);
  }
  process.stdout.write(summariseFile(file, top ? Number(top) : 25) + '\n');
}
