// Abuse limits (RFC 6120 §13.12, CORE-33, BAD-23): connections per address, failed-login lockout with
// exponential backoff, and a token bucket for inbound bytes. Each hit is logged once by its caller.

/** Counts open connections per remote address. */
export class ConnectionCounter {
  private readonly perIp = new Map<string, number>();
  private total = 0;
  constructor(private readonly maxPerIp: number, private readonly maxTotal: number) {}

  /** Returns the reason the connection must be refused, or null when it was counted. */
  acquire(ip: string): 'per-ip' | 'total' | null {
    if (this.total >= this.maxTotal) return 'total';
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.maxPerIp) return 'per-ip';
    this.perIp.set(ip, n + 1);
    this.total++;
    return null;
  }

  release(ip: string): void {
    const n = this.perIp.get(ip) ?? 0;
    if (n <= 1) this.perIp.delete(ip);
    else this.perIp.set(ip, n - 1);
    this.total--;
  }

  get open(): number {
    return this.total;
  }
}

interface LockState { failures: number; until: number; last: number }

/**
 * Failed logins per (account, address). After `threshold` failures each further failure locks the pair out for
 * base·2^k seconds (capped); a success clears it. Keyed by address too, so a stranger cannot lock a user out
 * from everywhere by guessing wrong on purpose.
 */
export class AuthLockout {
  private readonly state = new Map<string, LockState>();
  constructor(private readonly threshold: number, private readonly baseSeconds: number, private readonly maxSeconds: number, private readonly now: () => number = Date.now) {}

  private key(user: string, ip: string): string {
    return `${user}\u0000${ip}`;
  }

  /** Seconds still locked, or 0. */
  lockedFor(user: string, ip: string): number {
    const s = this.state.get(this.key(user, ip));
    if (!s) return 0;
    const left = s.until - this.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  fail(user: string, ip: string): void {
    const k = this.key(user, ip);
    const t = this.now();
    const s = this.state.get(k) ?? { failures: 0, until: 0, last: t };
    s.failures++;
    s.last = t;
    if (s.failures >= this.threshold) {
      const exp = Math.min(this.maxSeconds, this.baseSeconds * 2 ** (s.failures - this.threshold));
      s.until = t + exp * 1000;
    }
    this.state.set(k, s);
    if (this.state.size > 100_000) this.prune();
  }

  succeed(user: string, ip: string): void {
    this.state.delete(this.key(user, ip));
  }

  private prune(): void {
    const t = this.now();
    for (const [k, s] of this.state) if (s.until < t && t - s.last > this.maxSeconds * 1000) this.state.delete(k);
  }
}

/** Token bucket: `take(n)` returns 0 when allowed, else the milliseconds to wait before reading more. */
export class ByteBucket {
  private tokens: number;
  private stamp: number;
  constructor(private readonly rate: number, private readonly burst: number, private readonly now: () => number = Date.now) {
    this.tokens = burst;
    this.stamp = now();
  }

  take(n: number): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.stamp) / 1000) * this.rate);
    this.stamp = t;
    this.tokens -= n;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.rate) * 1000);
  }
}
