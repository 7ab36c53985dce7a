// The console's live events (log lines as they come, traffic every few seconds, session counts on change, room
// changes coalesced) and the recent log lines the logs page starts from.
import type { LogEntry } from '../core/log.js';
import type { Router } from '../core/router.js';
import { mucAdminOf } from '../muc/muc-admin.js';
import type { ConsoleEvent, LogLine } from './console-api.js';
import type { AdminHost } from './admin-host.js';
import type { TrafficSampler } from './traffic-sampler.js';

const TRAFFIC_TICK_MS = 5000;
/** Room changes are sent at most this often: a storm of joins is one reload of the Rooms page, not thousands. */
const ROOMS_COALESCE_MS = 250;

export class ConsoleFeed {
  private readonly listeners = new Set<(e: ConsoleEvent) => void>();
  private stopFeeds: (() => void) | null = null;

  constructor(private readonly host: AdminHost, private readonly traffic: TrafficSampler) {}

  async recentLogs(): Promise<LogLine[]> {
    return (this.host.runtime?.log.recent() ?? []).map(logLine);
  }

  subscribe(listener: (e: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.stopFeeds = this.startFeeds();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.stopFeeds?.();
      this.stopFeeds = null;
    };
  }

  private emit(e: ConsoleEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure (a closed connection) is its own business.
      }
    }
  }

  /** Feed listeners: log lines as they come, traffic every few seconds, session counts on change. */
  private startFeeds(): () => void {
    const runtime = this.host.runtime;
    if (!runtime) return () => undefined;
    const offLog = runtime.log.subscribe((entry) => this.emit({ type: 'log', line: logLine(entry) }));
    const onSessions = (): void => this.emit({ type: 'sessions', onlineSessions: this.host.sessions?.size ?? 0 });
    runtime.router.events.on('session-bound', onSessions);
    runtime.router.events.on('session-ended', onSessions);
    const tick = (): void => this.emit({ type: 'traffic', traffic: this.traffic.sample() });
    const timer = setInterval(tick, TRAFFIC_TICK_MS);
    timer.unref();
    queueMicrotask(tick);
    const offRooms = this.watchRooms(runtime.router);
    return () => {
      offRooms();
      offLog();
      runtime.router.events.off('session-bound', onSessions);
      runtime.router.events.off('session-ended', onSessions);
      clearInterval(timer);
    };
  }

  /** 'rooms' events from the MUC service's changes, when it reports them (MucAdminApi.watch). */
  private watchRooms(router: Router): () => void {
    const service = mucAdminOf(router);
    if (!service?.watch) return () => undefined;
    let timer: NodeJS.Timeout | null = null;
    const off = service.watch(() => {
      timer ??= setTimeout(() => {
        timer = null;
        this.emit({ type: 'rooms' });
      }, ROOMS_COALESCE_MS);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }
}

function logLine(e: LogEntry): LogLine {
  return { time: new Date(e.time).toISOString(), level: e.level, source: e.source, message: e.message };
}
