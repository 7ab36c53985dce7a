// AdminTransport for the desktop app: the Electron preload exposes `window.parley` (contextBridge) with a fixed
// allow-list of AdminService calls, and nothing else. The window belongs to the person at the computer, so there
// is no login; the main process decides whether the setup wizard is due.
import type { ConsoleEvent, SetupChoices, SetupInfo, SetupResult } from './types.js';
import { ConsoleError, type AdminTransport, type MethodName, type ParamsOf, type ResultOf, type SessionState } from './types.js';

/**
 * What the preload must expose as window.parley. `call` takes a method of ConsoleMethods (or 'setupInfo',
 * 'completeSetup') with its named parameters, and rejects with an Error whose message is a sentence for people.
 */
export interface ParleyBridge {
  call(method: string, params: Record<string, unknown>): Promise<unknown>;
  /** Subscribe to AdminService events; returns the function that stops them. */
  onEvent(listener: (e: ConsoleEvent) => void): () => void;
  /** Whether the first-run wizard should show (decided by the main process). */
  setupNeeded: boolean;
}

declare global {
  interface Window {
    parley?: ParleyBridge;
  }
}

export function bridge(): ParleyBridge | null {
  return typeof window !== 'undefined' && window.parley ? window.parley : null;
}

export class IpcTransport implements AdminTransport {
  readonly kind = 'ipc';
  readonly needsLogin = false;
  /** window.parley.setupNeeded is read once per page load; after completing setup here it is stale. */
  private setupCompleted = false;

  constructor(private readonly parley: ParleyBridge) {}

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.invoke<ResultOf<M>>(method, params);
  }

  async session(): Promise<SessionState> {
    return { user: { username: 'owner', jid: 'this computer' } };
  }

  login(): Promise<SessionState> {
    return this.session();
  }

  async logout(): Promise<void> {
    // Nothing to end: the window itself is the session.
  }

  setupMode(): boolean {
    return this.parley.setupNeeded && !this.setupCompleted;
  }

  setupInfo(): Promise<SetupInfo> {
    return this.invoke<SetupInfo>('setupInfo', {});
  }

  async completeSetup(choices: SetupChoices): Promise<SetupResult> {
    const result = await this.invoke<SetupResult>('completeSetup', { choices });
    this.setupCompleted = true;
    return result;
  }

  subscribe(onEvent: (e: ConsoleEvent) => void, onConnection?: (connected: boolean) => void): () => void {
    const off = this.parley.onEvent(onEvent);
    onConnection?.(true);
    return off;
  }

  caDownloadUrl(): string | null {
    return null;
  }

  onLoggedOut(): void {
    // The desktop window is never logged out.
  }

  private async invoke<T>(method: string, params: object): Promise<T> {
    try {
      return (await this.parley.call(method, params as Record<string, unknown>)) as T;
    } catch (err) {
      // Electron prefixes errors from the main process ("Error invoking remote method 'x': Error: …"); keep the sentence.
      const message = err instanceof Error ? err.message.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '') : String(err);
      throw new ConsoleError(message);
    }
  }
}
