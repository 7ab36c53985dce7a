// XEP-0115 entity capabilities as the server uses them (PEP-07, PEP-21): the caps each local resource last
// advertised, a cache of verified hashes → features shared by every user (one disco#info per client version,
// not per login), and the disco#info query to an entity whose hash is unknown. Listeners learn when a resource's
// features become known, which is when PEP sends it the last items it is interested in.
import { EventEmitter } from 'node:events';
import { el, type Element } from '../../core/xml.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { Router } from '../../core/router.js';
import type { Logger } from '../../core/log.js';
import { NS } from '../../core/namespaces.js';
import { capsVer, supportedHash } from './hash.js';

export const NS_CAPS = 'http://jabber.org/protocol/caps';

export interface CapsRef { node: string; ver: string; hash: string }

/** Features of a resource; empty for a resource whose caps are unknown or did not verify. */
export type FeatureSet = ReadonlySet<string>;
const NONE: FeatureSet = new Set();

/** How many verified hashes are kept (each is one client version's feature list, shared by all its users). */
const CACHE_LIMIT = 5000;
/** How long the server waits for a client to answer its disco#info. */
const QUERY_TIMEOUT_MS = 10_000;

/** The <c/> of a presence, if it is one the server can verify (legacy caps without `hash` are ignored, §8.4). */
export function capsOf(presence: Element): CapsRef | null {
  const c = presence.getChild('c', NS_CAPS);
  if (!c) return null;
  const a = c.attrs as Record<string, string | undefined>;
  if (!a.node || !a.ver || !a.hash || !supportedHash(a.hash)) return null;
  return { node: a.node, ver: a.ver, hash: a.hash };
}

interface SessionCaps { ref: CapsRef; features: FeatureSet | null }

export interface CapsEvents {
  /** A local resource's features are known (first time, or changed with new caps). */
  'session-caps': [LocalSession, FeatureSet];
}

export class CapsService {
  readonly events = new EventEmitter<CapsEvents>();
  private readonly verified = new Map<string, FeatureSet>();
  private readonly pending = new Map<string, Promise<FeatureSet | null>>();
  private readonly waiting = new Map<string, (reply: Element) => void>();
  private readonly sessions = new WeakMap<LocalSession, SessionCaps>();
  private queryCounter = 0;

  constructor(private readonly router: Router, private readonly domain: string, private readonly log: Logger) {}

  private key(ref: CapsRef): string {
    return `${ref.hash} ${ref.ver}`;
  }

  /** Features of a verified hash, or undefined when not (yet) known. */
  known(ref: CapsRef): FeatureSet | undefined {
    const k = this.key(ref);
    const f = this.verified.get(k);
    if (f) {
      // Most recently used last, so the oldest unused versions are the ones dropped.
      this.verified.delete(k);
      this.verified.set(k, f);
    }
    return f;
  }

  /** A local resource's current features (empty while unknown). */
  sessionFeatures(s: LocalSession): FeatureSet {
    return this.sessions.get(s)?.features ?? NONE;
  }

  /** Features of `jid` for `ref`: from the cache, else by asking `jid` (and verifying the answer, §5.4). */
  resolve(ref: CapsRef, jid: string): Promise<FeatureSet | null> {
    const f = this.known(ref);
    if (f) return Promise.resolve(f);
    const k = this.key(ref);
    let p = this.pending.get(k);
    if (!p) {
      p = this.query(ref, jid).finally(() => this.pending.delete(k));
      this.pending.set(k, p);
    }
    return p;
  }

  private async query(ref: CapsRef, jid: string): Promise<FeatureSet | null> {
    const id = `caps${(++this.queryCounter).toString(36)}`;
    const reply = new Promise<Element | null>((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, QUERY_TIMEOUT_MS);
      timer.unref();
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        this.waiting.delete(id);
        resolve(r);
      });
    });
    await this.router.submit(el('iq', { type: 'get', id, from: this.domain, to: jid },
      el('query', { xmlns: NS.discoInfo, node: `${ref.node}#${ref.ver}` })), 'server');
    const r = await reply;
    const q = r?.attrs.type === 'result' ? r.getChild('query', NS.discoInfo) : undefined;
    if (!q) return null;
    if (capsVer(q, ref.hash) !== ref.ver) {
      // §5.4 3.8: a hash that does not verify is neither cached nor used.
      this.log.debug('caps', `caps ${ref.hash} ${ref.ver} of ${jid} did not verify; ignored`);
      return null;
    }
    const features: FeatureSet = new Set(q.getChildren('feature').map((x) => String(x.attrs.var ?? '')));
    this.verified.set(this.key(ref), features);
    if (this.verified.size > CACHE_LIMIT) this.verified.delete(this.verified.keys().next().value!);
    return features;
  }

  /** An iq result or error for the server's domain: true if it answered one of our queries. */
  answer(reply: Element): boolean {
    const id = reply.attrs.id as string | undefined;
    const w = id !== undefined ? this.waiting.get(id) : undefined;
    if (!w) return false;
    w(reply);
    return true;
  }

  /**
   * A local resource's available presence: remember its caps (a presence without <c/> keeps the last ones, PEP-21)
   * and resolve them; listeners hear once the features are known and whenever they change.
   */
  observe(s: LocalSession, presence: Element): void {
    const ref = capsOf(presence);
    if (!ref) return;
    const prev = this.sessions.get(s);
    if (prev && prev.ref.ver === ref.ver && prev.ref.hash === ref.hash) return;
    const entry: SessionCaps = { ref, features: this.known(ref) ?? null };
    this.sessions.set(s, entry);
    if (entry.features) {
      this.events.emit('session-caps', s, entry.features);
      return;
    }
    this.resolve(ref, s.jid.toString()).then((features) => {
      if (this.sessions.get(s) !== entry || !features) return;
      entry.features = features;
      this.events.emit('session-caps', s, features);
    }).catch((err: unknown) => this.log.error('caps', `resolving caps of ${s.jid.toString()}: ${String(err)}`));
  }
}

/** One service per server (its router), shared by the caps and PEP modules whatever their load order. */
const services = new WeakMap<Router, CapsService>();

export function capsService(router: Router, domain: string, log: Logger): CapsService {
  let s = services.get(router);
  if (!s) {
    s = new CapsService(router, domain, log);
    services.set(router, s);
  }
  return s;
}
