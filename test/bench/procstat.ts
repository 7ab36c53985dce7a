// Server CPU and memory as the OS sees them (/proc/PID/stat, /proc/PID/status), and the generator's own CPU.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clkTck = 0;

function ticksPerSecond(): number {
  if (clkTck === 0) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

/** CPU-seconds (user + system, all threads) used so far by a process. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: the fields we want come after its closing parenthesis.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);   // field 14
  const stime = Number(rest[12]);   // field 15
  return (utime + stime) / ticksPerSecond();
}

/** Resident set size in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) : NaN;
}

/** The generator's own CPU-seconds (this process, all threads). */
export function selfCpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** A snapshot of a server process and of the generator, to take differences of. */
/** `mono` is CLOCK_MONOTONIC in µs, the clock V8 stamps .cpuprofile samples with, so a profile can be cut to a window. */
export interface Sample { at: number; mono: number; server: number; generator: number }

export function sample(pid: number): Sample {
  return { at: performance.now(), mono: Number(process.hrtime.bigint() / 1000n), server: cpuSeconds(pid), generator: selfCpuSeconds() };
}

export interface CpuDelta { wallSeconds: number; serverCpu: number; generatorCpu: number; windowUs: [number, number] }

export function delta(a: Sample, b: Sample): CpuDelta {
  return { wallSeconds: (b.at - a.at) / 1000, serverCpu: b.server - a.server, generatorCpu: b.generator - a.generator, windowUs: [a.mono, b.mono] };
}

/**
 * CPU-seconds the machine spent busy: on core `core` when given, else on all cores. Compared with what the server
 * (and the generator) used over the same time, it tells how much other work competed with the benchmark.
 */
export function busySeconds(core: number | null): number {
  const stat = readFileSync('/proc/stat', 'utf8');
  const label = core === null ? 'cpu ' : `cpu${core} `;
  const line = stat.split('\n').find((l) => l.startsWith(label));
  if (!line) return NaN;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: everything but idle and iowait.
  const busy = f[0]! + f[1]! + f[2]! + f[5]! + f[6]! + f[7]!;
  return busy / ticksPerSecond();
}
