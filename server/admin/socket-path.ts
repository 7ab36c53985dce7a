// Where a running server's admin endpoint listens: <data>/admin.sock, or, when that path is too long for a Unix
// socket address (sun_path is 104–108 bytes), os.tmpdir()/parley-<hash>.sock; on Windows a named pipe.
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';

export const SOCKET_FILE = 'admin.sock';
/** Longest socket path used inside the data folder, with room to spare below macOS's 104 bytes. */
export const MAX_SOCKET_PATH_BYTES = 100;

function dataDirHash(dataDir: string): string {
  return createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
}

export function adminSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform, tmpDir: string = os.tmpdir()): string {
  if (platform === 'win32') return `\\\\.\\pipe\\parley-${dataDirHash(dataDir)}`;
  const inDataDir = path.join(path.resolve(dataDir), SOCKET_FILE);
  if (Buffer.byteLength(inDataDir) <= MAX_SOCKET_PATH_BYTES) return inDataDir;
  return path.join(tmpDir, `parley-${dataDirHash(dataDir)}.sock`);
}

/** Named pipes on Windows are not files: nothing to stat, chmod or unlink. */
export function isNamedPipe(socketPath: string): boolean {
  return socketPath.startsWith('\\\\.\\pipe\\');
}
