// A description of the machine the figures come from, stored with them.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface Machine {
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  openssl: string;
  prosody: string | null;
  lua: string | null;
  pinning: string;
  /** 1-minute load average at the start: other work on the machine skews wall-clock figures (not CPU-seconds). */
  loadAverage: number;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch { /* not Linux */ }
  return os.cpus()[0]?.model ?? 'unknown';
}

function luaVersion(): string | null {
  try {
    const v = execFileSync('lua5.4', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /Lua \d+\.\d+(?:\.\d+)?/.exec(v)?.[0] ?? null;
  } catch {
    return null;
  }
}

export function describeMachine(prosody: string | null, pinning: string, cores: number): Machine {
  return {
    date: new Date().toISOString(),
    cpuModel: cpuModel(),
    cores,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    openssl: process.versions.openssl ?? 'unknown',
    prosody,
    lua: prosody ? luaVersion() : null,
    pinning,
    loadAverage: Math.round(os.loadavg()[0]! * 100) / 100,
  };
}

export function machineLine(m: Machine): string {
  return `${m.date} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB · ${m.kernel} · Node ${m.node} (OpenSSL ${m.openssl})` +
    (m.prosody ? ` · Prosody ${m.prosody} (${m.lua ?? 'Lua ?'})` : '') + ` · ${m.pinning} · load ${m.loadAverage}`;
}
