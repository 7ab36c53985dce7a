// A roster item changed (RFC 6121 §2): its groups, its subscription, or it was added or removed. Fired by the
// roster and subscription modules once the change is on disk and pushed, for modules whose decisions depend on
// roster facts (XEP-0016 group and subscription rules: PRIV-23/24/25; PEP access models later).
import { EventEmitter } from 'node:events';
import type { Jid } from '../core/jid.js';
import type { Router } from '../core/router.js';
import type { RosterItem } from '../storage/roster.js';

export interface RosterChange {
  /** The account whose roster changed (bare JID). */
  user: Jid;
  /** The contact's bare JID as stored. */
  contact: string;
  before: RosterItem | null;
  after: RosterItem | null;
}

interface Events { change: [RosterChange] }

// One emitter per running server (keyed by its router), so two servers in one process (tests) never mix.
const emitters = new WeakMap<Router, EventEmitter<Events>>();

function emitterOf(router: Router): EventEmitter<Events> {
  let e = emitters.get(router);
  if (!e) {
    e = new EventEmitter<Events>();
    e.setMaxListeners(50);
    emitters.set(router, e);
  }
  return e;
}

export function onRosterChange(router: Router, listener: (c: RosterChange) => void): () => void {
  const e = emitterOf(router);
  e.on('change', listener);
  return () => e.off('change', listener);
}

export function rosterChanged(router: Router, change: RosterChange): void {
  const e = emitters.get(router);
  if (e && e.listenerCount('change') > 0) e.emit('change', change);
}
