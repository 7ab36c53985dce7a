// What the client-library test files (clients-stanza, clients-xmppjs) share: the one server each file tests against,
// and the facts about the server that both check through their library.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sharedServer, DOMAIN, type TestServer } from './server.js';

/** The version in package.json, which the server reports as its software version (SVC-08). */
export const PACKAGE_VERSION = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The server's SASL offer on a TLS 1.3 stream (tls-exporter and tls-server-end-point make the -PLUS variants). */
export const TLS13_MECHANISMS = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'PLAIN'];

/** A resource the server generates for a bind without one (CORE-41). */
export const RANDOM_RESOURCE = /^[A-Za-z0-9_-]{8,}$/;

/** CORE-41: both full JIDs are `user`'s, each with a random server-generated resource, and the two differ. */
export function assertRandomResources(user: string, jidA: string, jidB: string): void {
  const [ra, rb] = [jidA, jidB].map((j) => {
    assert.equal(j.startsWith(`${user}@${DOMAIN}/`), true, j);
    return j.slice(`${user}@${DOMAIN}/`.length);
  });
  assert.match(ra, RANDOM_RESOURCE);
  assert.match(rb, RANDOM_RESOURCE);
  assert.notEqual(ra, rb);
}

/** CORE-43 (new-resource): the full JID a second session asking for `user`'s `resource` gets. */
export function renamedResource(user: string, resource: string): RegExp {
  return new RegExp(`^${user}@${DOMAIN.replace('.', '\\.')}/${resource}\\.[A-Za-z0-9_-]{6}$`);
}

export interface LibraryTestServer<O, S> {
  /** The file's server (there once `before` has run). */
  readonly t: TestServer;
  /** Log `user` in with the file's library; the session is closed when the file is done. */
  login(user: string, opts?: O): Promise<S>;
}

/**
 * The server a client-library test file shares: `before` starts it with resourceConflict 'new-resource' and an
 * account for each of `users` (password `<user>-secret`); `after` closes every session `login` opened (through
 * `open`, the library's login), then stops it.
 */
export function libraryTestServer<O, S extends { close(): Promise<void> }>(
  users: string[],
  open: (t: TestServer, user: string, password: string, opts?: O) => Promise<S>,
): LibraryTestServer<O, S> {
  const accounts = Object.fromEntries(users.map((user) => [user, `${user}-secret`]));
  const shared = sharedServer<S>(accounts, { resourceConflict: 'new-resource' }, async (sessions) => {
    await Promise.all(sessions.map((s) => s.close()));
  });
  return {
    get t() {
      return shared.t;
    },
    login: async (user, opts) => shared.keep(await open(shared.t, user, `${user}-secret`, opts)),
  };
}
