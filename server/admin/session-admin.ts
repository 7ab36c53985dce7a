// Live sessions as the console sees them: the list, ending one, and an announcement to everyone online (SVC-18).
import { announce } from '../modules/announce.js';
import type { LocalSession } from '../core/session-registry.js';
import { AdminError } from './admin-api.js';
import type { Kick, SessionInfo } from './console-api.js';
import type { AdminHost } from './admin-host.js';

/** Sessions as the console sees them: BoundSession has these (of its current connection); other kinds may not. */
interface SessionDetails extends LocalSession {
  readonly remoteAddress?: string;
  readonly connectedAt?: number;
  readonly secure?: boolean;
}

export class SessionAdmin {
  constructor(private readonly host: AdminHost) {}

  async listSessions(): Promise<SessionInfo[]> {
    const out: SessionInfo[] = [];
    for (const s of (this.host.sessions?.all() ?? []) as Iterable<SessionDetails>) {
      out.push({
        id: s.id,
        jid: s.jid.toString(),
        account: s.jid.bareString(),
        resource: s.jid.resource,
        address: s.remoteAddress ?? '',
        connectedAt: typeof s.connectedAt === 'number' ? new Date(s.connectedAt).toISOString() : '',
        secure: s.secure === true,
      });
    }
    return out.sort((a, b) => a.jid.localeCompare(b.jid));
  }

  async announce(text: string, subject: string): Promise<{ sessions: number }> {
    const runtime = this.host.runtime;
    const sessions = this.host.sessions;
    if (!runtime || !sessions) throw new AdminError('Parley is not running, so nobody is online to read an announcement. Start it with "parley serve" first.');
    if (typeof text !== 'string' || text.trim() === '') throw new AdminError('Write the announcement text first.');
    if (text.length > 4000) throw new AdminError('An announcement can be at most 4000 characters long.');
    return { sessions: announce({ config: runtime.config, sessions, log: runtime.log }, text, subject.trim() || undefined) };
  }

  /** Close one live session with a policy-violation stream error. */
  async kickSession(id: string): Promise<Kick> {
    if (typeof id !== 'string' || id === '') throw new AdminError('Say which session to end.');
    for (const s of this.host.sessions?.all() ?? []) {
      if (s.id !== id) continue;
      const jid = s.jid.toString();
      s.closeWithError('policy-violation', 'An administrator ended this session.');
      this.host.runtime?.log.info('admin', `ended the session ${id} of ${jid}`);
      return { jid };
    }
    throw new AdminError('That session has already ended.');
  }
}
