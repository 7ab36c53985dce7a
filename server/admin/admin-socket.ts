// The local admin endpoint of a running server, so that `parley user …` never writes the data files under its
// feet. JSON lines over a Unix socket (mode 0600) or a named pipe:
//   → {"id":1,"method":"addUser","params":["bob","secret"]}
//   ← {"id":1,"result":{"jid":"bob@office.local"}}   or   {"id":1,"error":"The account bob@office.local already exists."}
// Only the methods in ADMIN_METHODS can be called, each with exactly its parameters (strings, or objects for settings).
import net from 'node:net';
import { promises as fs } from 'node:fs';
import type { Logger } from '../core/log.js';
import { UserFacingError } from '../core/user-error.js';
import { ADMIN_METHODS, dispatchAdmin, isAdminMethod, isParamOfKind, type AdminApi, type AdminMethod, type AdminParam, type AdminParamKind } from './admin-api.js';
import { adminSocketDir, adminSocketPath, isNamedPipe, preparePrivateDir } from './socket-path.js';

/** The admin endpoint cannot be set up (a socket file that cannot be removed, another server answering…). */
export class AdminSocketError extends UserFacingError {}

/** A request line longer than this closes the connection: no admin call needs that much. */
const MAX_LINE_BYTES = 64 * 1024;
const PROBE_TIMEOUT_MS = 1000;

export type RequestId = number | string | null;

export interface AdminRequest { id: RequestId; method: AdminMethod; params: AdminParam[] }
export type AdminResponse = { id: RequestId; result: unknown } | { id: RequestId; error: string };

/** Whether something accepts connections on a socket path (a stale file refuses them). */
export function probeSocket(socketPath: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    const done = (answered: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  try {
    await fs.lstat(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AdminSocketError(`Parley cannot check its admin socket ${socketPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
  }
  if (await probeSocket(socketPath)) {
    throw new AdminSocketError(`Another Parley answers on the admin socket ${socketPath}. Stop it first, or use another data folder with --data.`);
  }
  try {
    await fs.unlink(socketPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new AdminSocketError(`Parley cannot remove the old admin socket ${socketPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Delete it, then start Parley again.`);
  }
}

/** Check one decoded request line against the allow-list; returns the request or an error message. */
export function parseAdminRequest(line: string): AdminRequest | { id: RequestId; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { id: null, error: 'The request is not valid JSON.' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { id: null, error: 'The request is not a JSON object.' };
  const req = value as Record<string, unknown>;
  const id: RequestId = typeof req.id === 'number' || typeof req.id === 'string' ? req.id : null;
  if (!isAdminMethod(req.method)) return { id, error: `There is no admin method ${JSON.stringify(req.method)}.` };
  const params = req.params === undefined ? [] : req.params;
  const kinds = ADMIN_METHODS[req.method];
  if (!Array.isArray(params) || params.length !== kinds.length || !params.every((p: unknown, i) => isParamOfKind(p, kinds[i]))) {
    return { id, error: `${req.method} takes ${describeParams(kinds)}.` };
  }
  return { id, method: req.method, params: params as AdminParam[] };
}

/** "1 string parameter", "2 string parameters", "2 parameters: a string and an object". */
function describeParams(kinds: readonly AdminParamKind[]): string {
  const n = kinds.length;
  if (kinds.every((k) => k === 'string')) return `${n} string parameter${n === 1 ? '' : 's'}`;
  const names = kinds.map((k) => (k === 'string' ? 'a string' : 'an object'));
  return `${n} parameters: ${names.slice(0, -1).join(', ')} and ${names[n - 1]}`;
}

/** process.umask(mask), or null where it cannot be set (worker threads); the chmod after listen() still applies. */
function setUmask(mask: number): number | null {
  try {
    return process.umask(mask);
  } catch {
    return null;
  }
}

export class AdminSocketServer {
  private readonly connections = new Set<net.Socket>();

  private constructor(readonly path: string, private readonly server: net.Server, private readonly api: AdminApi, private readonly log: Logger) {
    server.on('connection', (c) => this.accept(c));
  }

  /** Listen on the admin socket of `dataDir`, removing a stale socket file first. The caller holds the data folder's lock. */
  static async start(dataDir: string, api: AdminApi, log: Logger): Promise<AdminSocketServer> {
    const socketPath = adminSocketPath(dataDir);
    const pipe = isNamedPipe(socketPath);
    // A socket outside the data folder lives in a private folder, checked before anything is removed or made there.
    const privateDir = adminSocketDir(dataDir);
    if (privateDir !== null) await preparePrivateDir(privateDir);
    if (!pipe) await removeStaleSocket(socketPath);
    const server = net.createServer();
    const admin = new AdminSocketServer(socketPath, server, api, log);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new AdminSocketError(
        `Parley cannot open its admin socket ${socketPath} (${err.code ?? err.message}). Check that the folder is writable, or use another data folder with --data.`)));
      // The socket file is created by the synchronous bind inside listen(): a umask makes it 0600 from the start.
      const oldMask = pipe ? null : setUmask(0o177);
      try {
        server.listen(socketPath, () => resolve());
      } finally {
        if (oldMask !== null) process.umask(oldMask);
      }
    });
    if (!pipe) await fs.chmod(socketPath, 0o600);
    log.debug('admin', `admin socket listening on ${socketPath}`);
    return admin;
  }

  private accept(conn: net.Socket): void {
    this.connections.add(conn);
    conn.on('close', () => this.connections.delete(conn));
    conn.on('error', () => conn.destroy());
    conn.setEncoding('utf8');
    let buffer = '';
    conn.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line !== '') void this.handle(conn, line);
      }
      if (Buffer.byteLength(buffer) > MAX_LINE_BYTES) {
        this.reply(conn, { id: null, error: 'The request is too long.' });
        conn.end();
        buffer = '';
      }
    });
  }

  private async handle(conn: net.Socket, line: string): Promise<void> {
    const req = parseAdminRequest(line);
    if ('error' in req) {
      this.reply(conn, req);
      return;
    }
    // Method names only: parameters may hold passwords.
    const { method } = req;
    this.log.debug('admin', `admin call ${method}`);
    try {
      const result = await dispatchAdmin(this.api, method, req.params);
      this.reply(conn, { id: req.id, result });
    } catch (err) {
      if (err instanceof UserFacingError) {
        this.reply(conn, { id: req.id, error: err.message });
      } else {
        this.log.error('admin', `${method} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        this.reply(conn, { id: req.id, error: `Parley could not do that (${err instanceof Error ? err.message : String(err)}); see the server's log.` });
      }
    }
  }

  private reply(conn: net.Socket, response: AdminResponse): void {
    if (!conn.destroyed && conn.writable) conn.write(JSON.stringify(response) + '\n');
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.destroy();
    await closed;
    if (!isNamedPipe(this.path)) await fs.unlink(this.path).catch(() => undefined);
  }
}
