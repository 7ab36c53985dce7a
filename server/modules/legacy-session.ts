// RFC 3921 §3 session establishment: dropped by RFC 6121, still sent by some old clients. Answered with an empty
// result and advertised as optional in the stream features (CORE-46).
import { NS } from '../core/namespaces.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';

export const legacySessionModule: ServerModule = {
  name: 'legacy-session',
  spec: 'RFC 3921 §3: session establishment (compatibility)',
  load(ctx) {
    ctx.router.hookIq('set', ['host', 'self'], NS.session, 'session', (ev) => replyResult(ev));
  },
};
