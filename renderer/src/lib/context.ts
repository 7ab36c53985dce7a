// What every page gets: the transport, the shared event feed, and who is logged in.
import { createContext } from 'preact';
import { useContext, useEffect, useRef } from 'preact/hooks';
import type { AdminTransport, ConsoleEvent, ConsoleUser } from '../transport/types.js';
import type { EventHub } from './events.js';

export interface ConsoleContextValue {
  transport: AdminTransport;
  events: EventHub;
  user: ConsoleUser | null;
}

export const ConsoleContext = createContext<ConsoleContextValue | null>(null);

export function useConsole(): ConsoleContextValue {
  const c = useContext(ConsoleContext);
  if (!c) throw new Error('useConsole outside the console');
  return c;
}

/** Listen to live events while the component is mounted; the latest `listener` is always the one called. */
export function useEvents(listener: (e: ConsoleEvent) => void): void {
  const { events } = useConsole();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => events.listen((e) => ref.current(e)), [events]);
}
