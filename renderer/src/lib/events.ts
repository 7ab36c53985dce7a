// One live event feed for the whole app, shared by the pages that listen (the transport connects while anyone does).
import type { AdminTransport, ConsoleEvent } from '../transport/types.js';

export class EventHub {
  private readonly listeners = new Set<(e: ConsoleEvent) => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private stop: (() => void) | null = null;
  connected = false;

  constructor(private readonly transport: AdminTransport) {}

  listen(listener: (e: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.stop) {
      this.stop = this.transport.subscribe(
        (e) => this.listeners.forEach((l) => l(e)),
        (c) => {
          this.connected = c;
          this.connectionListeners.forEach((l) => l(c));
        },
      );
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.stop) {
        this.stop();
        this.stop = null;
      }
    };
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  close(): void {
    this.stop?.();
    this.stop = null;
    this.listeners.clear();
  }
}
