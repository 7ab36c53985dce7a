// The child's side of NsChild (netns.ts), for the processes the namespace tests start: events as JSON lines on
// stdout, commands as lines on stdin, and one way to stop.
import readline from 'node:readline';

/** Report `event` (with `data`) to the test: one JSON line on stdout. */
export function say(event: string, data: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ event, ...data }) + '\n');
}

/**
 * Hand each line on stdin to `onLine`, and stop once: on SIGTERM, when the test that started this child is gone
 * (its end of stdin closed), or when `onLine` calls `stop` — `shutdown`, then the event `stopped`, then exit once
 * stdout is flushed.
 */
export function serveCommands(shutdown: () => Promise<void>, onLine: (line: string, stop: () => void) => void): void {
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await shutdown();
    say('stopped');
    process.stdout.write('', () => process.exit(0));
  };
  process.once('SIGTERM', () => void stop());
  process.stdin.once('end', () => void stop());
  readline.createInterface({ input: process.stdin }).on('line', (line) => onLine(line, () => void stop()));
}
