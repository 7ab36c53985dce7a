// The file operations the NeDB persistence uses, as one seam: production passes `nodeFileOps`; tests wrap it to
// count fsyncs or make a write fail with ENOSPC, since neither a power cut nor a full disk can be staged for real.
import { promises as fs, constants } from 'node:fs';

/** A datafile opened for appending (O_APPEND: every write lands at the end, whatever else wrote). */
export interface AppendHandle {
  /** Write all of `data`; rejects on the first failed write (a part may have been written). */
  append(data: Buffer): Promise<void>;
  /** fdatasync: what was appended is on the disk, not only in the OS's cache. */
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  /** The file's length now. */
  length(): Promise<number>;
  close(): Promise<void>;
}

export interface FileOps {
  openAppend(file: string): Promise<AppendHandle>;
  /** The file's bytes, or null when it does not exist. */
  read(file: string): Promise<Buffer | null>;
  /** Create or replace `file` with `data` and fsync it (not its directory). */
  writeSynced(file: string, data: Buffer, mode: number): Promise<void>;
  exists(file: string): Promise<boolean>;
  rename(from: string, to: string): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  /** fsync a directory, so that a rename or a new file in it survives a power cut. */
  syncDir(dir: string): Promise<void>;
}

class NodeAppendHandle implements AppendHandle {
  constructor(private readonly fh: fs.FileHandle) {}

  async append(data: Buffer): Promise<void> {
    let off = 0;
    // A write may be short (a signal, a nearly full disk); the rest is written until done or an error.
    while (off < data.length) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off);
      off += bytesWritten;
    }
  }

  datasync(): Promise<void> { return this.fh.datasync(); }
  truncate(length: number): Promise<void> { return this.fh.truncate(length); }
  async length(): Promise<number> { return (await this.fh.stat()).size; }
  close(): Promise<void> { return this.fh.close(); }
}

export const nodeFileOps: FileOps = {
  async openAppend(file) {
    return new NodeAppendHandle(await fs.open(file, 'a', 0o600));
  },
  async read(file) {
    try {
      return await fs.readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  },
  async writeSynced(file, data, mode) {
    const fh = await fs.open(file, 'w', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
  exists: (file) => fs.access(file, constants.F_OK).then(() => true, () => false),
  rename: (from, to) => fs.rename(from, to),
  copy: (from, to) => fs.copyFile(from, to, constants.COPYFILE_EXCL),
  unlink: (file) => fs.unlink(file),
  async syncDir(dir) {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } catch (err) {
      // Some file systems (and Windows) cannot fsync a directory; the rename is then as safe as they make it.
      if (!['EPERM', 'EINVAL', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    } finally {
      await fh.close();
    }
  },
};

