// The dashboard's traffic numbers: counters of the running server, and the message rate over the last minute.
import type { Traffic } from './console-api.js';
import type { AdminHost } from './admin-host.js';

const TRAFFIC_WINDOW_MS = 60_000;

export class TrafficSampler {
  private samples: { t: number; messages: number }[] = [];

  constructor(private readonly host: AdminHost) {}

  /** One traffic sample now; the rate is over the samples of the last minute. */
  sample(): Traffic {
    const runtime = this.host.runtime!;
    const now = Date.now();
    const messages = runtime.messages.total;
    const last = this.samples[this.samples.length - 1];
    if (!last || now - last.t >= 1000) this.samples.push({ t: now, messages });
    // Keep one sample at least a minute old as the base, and nothing older than that.
    while (this.samples.length > 2 && now - this.samples[1].t >= TRAFFIC_WINDOW_MS) this.samples.shift();
    const base = this.samples[0];
    const span = now - base.t;
    return {
      at: new Date(now).toISOString(),
      messages,
      messagesPerMinute: this.samples.length < 2 || span < 1000 ? null : Math.round(((messages - base.messages) * 60_000) / span),
      stanzasIn: runtime.stats.stanzasIn,
      stanzasOut: runtime.stats.stanzasOut,
      logins: runtime.stats.logins,
      failedLogins: runtime.stats.failedLogins,
      onlineSessions: this.host.sessions?.size ?? 0,
    };
  }
}
