// AdminTransport over the headless console's HTTP API (server/http/admin-console.ts): JSON POSTs with the
// session's CSRF token in a header, the session itself in an HttpOnly cookie, live events by Server-Sent Events.
import type { ConsoleEvent, SetupChoices, SetupInfo, SetupResult } from './types.js';
import { ConsoleError, type AdminTransport, type MethodName, type ParamsOf, type ResultOf, type SessionState, type ConsoleUser } from './types.js';

const CSRF_HEADER = 'X-Parley-CSRF';
const SETUP_HEADER = 'X-Parley-Setup-Token';
const EVENT_TYPES: ConsoleEvent['type'][] = ['log', 'traffic', 'sessions', 'rooms'];

interface SessionAnswer {
  user: ConsoleUser | null;
  csrfToken: string | null;
}

export class HttpTransport implements AdminTransport {
  readonly kind = 'http';
  readonly needsLogin = true;
  private csrfToken: string | null = null;
  private readonly loggedOutListeners = new Set<() => void>();
  private readonly apiBase: URL;
  private readonly setupToken: string | null;

  /** `page` is the console page's own location (/admin/ or /admin/setup?token=…). */
  constructor(page: Location = window.location) {
    const base = page.pathname.replace(/[^/]*$/, '');
    this.apiBase = new URL(base + 'api/', page.origin);
    this.setupToken = /\/setup$/.test(page.pathname) ? new URLSearchParams(page.search).get('token') : null;
  }

  async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.post<ResultOf<M>>(method, params);
  }

  async session(): Promise<SessionState> {
    const s = await this.request<SessionAnswer>('session', { method: 'GET' });
    this.csrfToken = s.csrfToken;
    return { user: s.user };
  }

  async login(user: string, password: string): Promise<SessionState> {
    const s = await this.post<SessionAnswer>('login', { user, password });
    this.csrfToken = s.csrfToken;
    return { user: s.user };
  }

  async logout(): Promise<void> {
    await this.post('logout', {});
    this.csrfToken = null;
  }

  setupMode(): boolean {
    return this.setupToken !== null;
  }

  setupInfo(): Promise<SetupInfo> {
    return this.post<SetupInfo>('setup/info', {});
  }

  async completeSetup(choices: SetupChoices): Promise<SetupResult> {
    const s = await this.post<SessionAnswer & { setup: SetupResult }>('setup/complete', { choices });
    this.csrfToken = s.csrfToken;
    return s.setup;
  }

  subscribe(onEvent: (e: ConsoleEvent) => void, onConnection?: (connected: boolean) => void): () => void {
    const source = new EventSource(new URL('events', this.apiBase));
    const handler = (m: MessageEvent<string>): void => {
      try {
        onEvent(JSON.parse(m.data) as ConsoleEvent);
      } catch {
        // A malformed event is skipped; the next one will do.
      }
    };
    for (const t of EVENT_TYPES) source.addEventListener(t, handler as EventListener);
    source.onopen = () => onConnection?.(true);
    // EventSource reconnects by itself; when the login has ended, the reconnection fails for good and the next call says so.
    source.onerror = () => onConnection?.(false);
    return () => source.close();
  }

  caDownloadUrl(): string | null {
    return new URL('ca.pem', this.apiBase).pathname;
  }

  onLoggedOut(listener: () => void): void {
    this.loggedOutListeners.add(listener);
  }

  private post<T>(name: string, body: unknown): Promise<T> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.csrfToken) headers[CSRF_HEADER] = this.csrfToken;
    if (this.setupToken && name.startsWith('setup/')) headers[SETUP_HEADER] = this.setupToken;
    return this.request<T>(name, { method: 'POST', headers, body: JSON.stringify(body) });
  }

  private async request<T>(name: string, init: RequestInit): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(name, this.apiBase), { ...init, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      throw new ConsoleError('Parley does not answer. Check that it is still running, then try again.');
    }
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // handled below
    }
    const error = typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string'
      ? (body as { error: string }).error : null;
    if (!res.ok || error !== null) {
      const err = new ConsoleError(error ?? `Parley answered with an error (HTTP ${res.status}). Try again.`, res.status);
      if (err.loggedOut && name !== 'login') {
        this.csrfToken = null;
        for (const l of this.loggedOutListeners) l();
      }
      throw err;
    }
    return (body as { result: T }).result;
  }
}
