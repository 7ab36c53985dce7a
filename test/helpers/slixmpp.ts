// Running the slixmpp scripts of test/interop/ (Debian's python3-slixmpp, a non-JavaScript client): finding a Python
// that has slixmpp, and running a script while reading its output line by line.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The first Python that can import slixmpp: Debian's own before whatever `python3` is first on PATH (e.g. pyenv). */
export function findPython(): string | null {
  const candidates = [process.env.PARLEY_PYTHON, '/usr/bin/python3', 'python3'].filter((c): c is string => !!c);
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import slixmpp'], { stdio: 'ignore', timeout: 20_000 });
    if (r.status === 0) return py;
  }
  return null;
}

/** Scripts are not compiled: find one in the source tree from dist/test/helpers/ (or next to the test). */
export function interopScript(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.resolve(here, '../../../test/interop', name), path.resolve(here, '../interop', name)].find((p) => existsSync(p))
    ?? path.resolve(here, '../../../test/interop', name);
}

export interface ScriptResult { code: number | null; stdout: string; stderr: string }

export interface RunningScript {
  /** The first stdout line starting with `prefix` (already printed or still to come). */
  line(prefix: string, timeoutMs: number): Promise<string>;
  readonly finished: Promise<ScriptResult>;
}

/** Start a script without blocking this process (the server under test lives in it); killed after `timeoutMs`. */
export function startScript(py: string, script: string, args: string[], timeoutMs: number): RunningScript {
  const child = spawn(py, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const name = path.basename(script);
  const finished = new Promise<ScriptResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      for (const w of waiters.splice(0)) w();
      resolve({ code, stdout, stderr });
    });
  });
  finished.catch(() => undefined);
  let closed = false;
  void finished.then(() => (closed = true), () => (closed = true));
  return {
    finished,
    line: (prefix, ms) => new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} printed no "${prefix}" line within ${ms} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), ms);
      const look = (): void => {
        const found = stdout.split('\n').find((l) => l.startsWith(prefix));
        if (found !== undefined) {
          clearTimeout(timer);
          resolve(found);
        } else if (closed) {
          clearTimeout(timer);
          reject(new Error(`${name} ended without a "${prefix}" line\nstdout: ${stdout}\nstderr: ${stderr}`));
        } else {
          waiters.push(look);
        }
      };
      look();
    }),
  };
}
