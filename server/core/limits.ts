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

/**
 * The key per-address limits count under: an IPv4 address as it is, an IPv6 address by its /64 (one subscriber's
 * network: anyone on it can use as many addresses as they like), an IPv4-mapped IPv6 address as the IPv4 one.
 */
export function addressGroup(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!ip.includes(':')) return ip;
  const [head, tail = ''] = ip.toLowerCase().split('%')[0].split('::');
  const left = head === '' ? [] : head.split(':');
  const right = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return groups.slice(0, 4).map((g) => (parseInt(g, 16) || 0).toString(16)).join(':') + '::/64';
}

/**
 * At most `max()` events per key in a sliding window, counted atomically: reserve() takes a place before the
 * asynchronous work (so parallel requests cannot all pass a check made before any of them is recorded), release()
 * gives it back when the work failed.
 */
export class WindowReservations {
  private readonly taken = new Map<string, number[]>();
  constructor(private readonly windowMs: number, private readonly max: () => number, private readonly now: () => number = Date.now) {}

  /** A place for `key`, or null when the window is full. */
  reserve(key: string): { release(): void } | null {
    const t = this.now();
    const list = (this.taken.get(key) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length >= this.max()) {
      if (list.length === 0) this.taken.delete(key);
      else this.taken.set(key, list);
      return null;
    }
    list.push(t);
    this.taken.set(key, list);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const l = this.taken.get(key);
        const i = l?.indexOf(t) ?? -1;
        if (l && i >= 0) l.splice(i, 1);
        if (l?.length === 0) this.taken.delete(key);
      },
    };
  }
}
