// Leveled logger: one line per event to stderr, plus a bounded in-memory ring that the admin console tails.
import type { LogLevel } from './config.js';

export interface LogEntry { time: number; level: LogLevel; source: string; message: string }
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const RING_SIZE = 2000;

export class Logger {
  private ring: LogEntry[] = [];
  private listeners = new Set<(e: LogEntry) => void>();
  constructor(public level: LogLevel = 'info', private readonly sink: ((line: string) => void) | null = (l) => process.stderr.write(l + '\n')) {}

  enabled(level: LogLevel): boolean {
    return ORDER[level] <= ORDER[this.level];
  }

  log(level: LogLevel, source: string, message: string): void {
    if (!this.enabled(level)) return;
    const entry: LogEntry = { time: Date.now(), level, source, message };
    this.ring.push(entry);
    if (this.ring.length > RING_SIZE) this.ring.splice(0, this.ring.length - RING_SIZE);
    this.sink?.(`${new Date(entry.time).toISOString()} ${level.padEnd(5)} ${source}: ${message}`);
    for (const l of this.listeners) l(entry);
  }

  error(source: string, message: string): void { this.log('error', source, message); }
  warn(source: string, message: string): void { this.log('warn', source, message); }
  info(source: string, message: string): void { this.log('info', source, message); }
  debug(source: string, message: string): void { this.log('debug', source, message); }

  recent(): LogEntry[] {
    return this.ring.slice();
  }

  subscribe(listener: (e: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
