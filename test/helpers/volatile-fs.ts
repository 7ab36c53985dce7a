// A power cut, emulated: a FileOps whose appends stay in the process (as unsynced pages stay in the OS's cache) and
// reach the real file only on fdatasync. Killing the process with SIGKILL then loses exactly what a power cut would
// lose of the datafiles' appends; what was synced is on disk. Compaction files are written synced, as for real.
import { nodeFileOps, type AppendHandle, type FileOps } from '../../server/storage/nedb/file-ops.js';

export function volatileFileOps(): FileOps {
  const pendingByFile = new Map<string, Buffer[]>();
  return {
    ...nodeFileOps,
    async read(file) {
      const real = await nodeFileOps.read(file);
      const pending = pendingByFile.get(file) ?? [];
      return real === null && pending.length === 0 ? null : Buffer.concat([real ?? Buffer.alloc(0), ...pending]);
    },
    async openAppend(file): Promise<AppendHandle> {
      const real = await nodeFileOps.openAppend(file);
      const pending: Buffer[] = [];
      pendingByFile.set(file, pending);
      const flush = async (): Promise<void> => {
        const data = Buffer.concat(pending.splice(0));
        if (data.length > 0) await real.append(data);
        await real.datasync();
      };
      return {
        append: async (data) => { pending.push(Buffer.from(data)); },
        datasync: flush,
        truncate: async (length) => {
          await flush();
          await real.truncate(length);
        },
        length: async () => (await real.length()) + pending.reduce((n, b) => n + b.length, 0),
        close: async () => {
          await flush();
          if (pendingByFile.get(file) === pending) pendingByFile.delete(file);
          await real.close();
        },
      };
    },
  };
}
