// Is an occupant's session still there? Asked when it answered the room with service-unavailable, which says "gone"
// from a server whose resource went away (a remote server that restarted keeps no unavailable to send) but
// "blocked" from a privacy list (occupant-presence.ts). The room asks the session for its disco#info, which every
// client answers (XEP-0115 relies on it): an answer keeps it in; an error, or silence for a minute, removes it
// as a ghost (MUC-25, 333).
import { randomBytes } from 'node:crypto';
import { el } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import type { StanzaEvent } from '../core/router.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { removeGhost } from './occupant-presence.js';

/** How long a session has to answer before it counts as gone. */
export const LIVENESS_TIMEOUT_MS = 60_000;

interface Check {
  room: Room;
  full: string;
  timer: NodeJS.Timeout;
}

export class Liveness {
  /** By the id of the iq the room sent. */
  private readonly checks = new Map<string, Check>();
  /** "room jid session" of the checks running, so one session is asked once at a time. */
  private readonly asking = new Set<string>();

  constructor(private readonly svc: MucService) {}

  check(room: Room, full: string): void {
    const key = `${room.jid} ${full}`;
    if (this.asking.has(key)) return;
    this.asking.add(key);
    const id = `alive-${randomBytes(9).toString('base64url')}`;
    const timer = setTimeout(() => this.settle(id, false, 'no answer to a liveness check'), LIVENESS_TIMEOUT_MS);
    timer.unref();
    this.checks.set(id, { room, full, timer });
    this.svc.send(el('iq', { type: 'get', id, from: room.jid, to: full }, el('query', { xmlns: NS.discoInfo })));
  }

  /** An iq result or error to a room's bare JID: the answer to a check, if it is one (then true). */
  answer(ev: StanzaEvent): boolean {
    const c = this.checks.get(ev.stanza.attrs.id as string);
    if (!c || c.full !== ev.from.toString()) return false;
    this.settle(ev.stanza.attrs.id as string, ev.type === 'result', 'an error to a liveness check');
    return true;
  }

  private settle(id: string, alive: boolean, why: string): void {
    const c = this.checks.get(id);
    if (!c) return;
    this.checks.delete(id);
    clearTimeout(c.timer);
    this.asking.delete(`${c.room.jid} ${c.full}`);
    if (alive) return;
    removeGhost(this.svc, c.room, c.full, why).catch((err: unknown) => this.svc.ctx.log.warn('muc', `could not remove ${c.full} from ${c.room.jid}: ${String(err)}`));
  }
}
