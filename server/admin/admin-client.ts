// The CLI's side of the admin socket: an AdminApi whose calls run in the server that owns the data folder.
import net from 'node:net';
import { promises as fs } from 'node:fs';
import { UserFacingError } from '../core/user-error.js';
import {
  AdminError, type AdminApi, type AdminMethod, type AdminParams, type AdminResult, type CertificateInfo, type ServerStatus,
  type UserChange, type UserInfo, type UserRemoval,
} from './admin-api.js';
import type { AffiliationChange, NewRoom, OccupantKick, RoomChange, RoomInfo, RoomSettingsChange, RoomView } from './room-api.js';
import { adminSocketDir, adminSocketPath, checkPrivateDir, isNamedPipe } from './socket-path.js';

const CALL_TIMEOUT_MS = 60_000;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** Errors that mean "nobody listens here": the CLI then works on the stores itself (if the lock allows). */
const NOBODY_THERE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'ECONNRESET', 'EPIPE']);

export class AdminClient implements AdminApi {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private buffer = '';

  private constructor(readonly path: string, private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined); // 'close' follows and fails what is pending
    socket.on('close', () => this.failAll(new AdminError('The running Parley closed the admin connection before answering; it may be stopping. Try again.')));
  }

  /**
   * Connect to the admin socket of a running server on `dataDir`; null when no server answers there. Refuses a
   * socket file that belongs to another user (it could be someone else's listener in a shared temp folder).
   */
  static async connect(dataDir: string): Promise<AdminClient | null> {
    const socketPath = adminSocketPath(dataDir);
    // Nothing is sent through a folder that is not this user's own (it throws); a missing one means no server.
    const privateDir = adminSocketDir(dataDir);
    if (privateDir !== null && !(await checkPrivateDir(privateDir))) return null;
    if (!isNamedPipe(socketPath)) {
      let st;
      try {
        st = await fs.lstat(socketPath);
      } catch (err) {
        if (NOBODY_THERE.has((err as NodeJS.ErrnoException).code ?? '') || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
        throw new UserFacingError(`Parley cannot check its admin socket ${socketPath} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`);
      }
      const uid = process.getuid?.();
      if (uid !== undefined && st.uid !== uid) {
        throw new UserFacingError(`The admin socket ${socketPath} belongs to another user (uid ${st.uid}); Parley will not send it anything. Run this command as the user that runs Parley.`);
      }
      if (!st.isSocket()) return null;
    }
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      const onError = (err: NodeJS.ErrnoException): void => {
        socket.destroy();
        if (NOBODY_THERE.has(err.code ?? '')) resolve(null);
        else reject(new UserFacingError(`Parley cannot connect to its admin socket ${socketPath} (${err.code ?? err.message}).`));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.removeListener('error', onError);
        resolve(new AdminClient(socketPath, socket));
      });
    });
  }

  call<M extends AdminMethod>(method: M, ...params: AdminParams<M>): Promise<AdminResult<M>> {
    const id = this.nextId++;
    return new Promise<AdminResult<M>>((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new AdminError('The connection to the running Parley is closed.'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AdminError(`The running Parley did not answer within ${CALL_TIMEOUT_MS / 1000} seconds.`));
      }, CALL_TIMEOUT_MS);
      // The server checked the result's shape against the same AdminApi; the value is trusted as that type.
      this.pending.set(id, { resolve: (v) => resolve(v as AdminResult<M>), reject, timer });
      this.socket.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  status(): Promise<ServerStatus> { return this.call('status'); }
  listUsers(): Promise<UserInfo[]> { return this.call('listUsers'); }
  addUser(user: string, password: string): Promise<UserChange> { return this.call('addUser', user, password); }
  setPassword(user: string, password: string): Promise<UserChange> { return this.call('setPassword', user, password); }
  removeUser(user: string): Promise<UserRemoval> { return this.call('removeUser', user); }
  certificate(): Promise<CertificateInfo> { return this.call('certificate'); }
  listRooms(): Promise<RoomInfo[]> { return this.call('listRooms'); }
  getRoom(room: string): Promise<RoomView> { return this.call('getRoom', room); }
  createRoom(room: string, options: NewRoom): Promise<RoomView> { return this.call('createRoom', room, options); }
  configureRoom(room: string, changes: RoomSettingsChange): Promise<RoomView> { return this.call('configureRoom', room, changes); }
  destroyRoom(room: string, reason: string): Promise<RoomChange> { return this.call('destroyRoom', room, reason); }
  kickOccupant(room: string, nick: string, reason: string): Promise<OccupantKick> { return this.call('kickOccupant', room, nick, reason); }
  setRoomAffiliation(room: string, user: string, affiliation: string, reason: string): Promise<AffiliationChange> { return this.call('setRoomAffiliation', room, user, affiliation, reason); }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (typeof msg !== 'object' || msg === null) continue;
      const m = msg as { id?: unknown; result?: unknown; error?: unknown };
      if (typeof m.id !== 'number') {
        if (typeof m.error === 'string') this.failAll(new AdminError(m.error));
        continue;
      }
      const p = this.pending.get(m.id);
      if (!p) continue;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      if (typeof m.error === 'string') p.reject(new AdminError(m.error));
      else p.resolve(m.result);
    }
  }

  private failAll(err: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(err);
    }
  }
}
