// Logs: the server's recent log lines and a live tail, with a level filter, a search and a pause.
import type { JSX } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { LogLevelName, LogLine } from '../transport/types.js';
import { useConsole, useEvents } from '../lib/context.js';
import { ErrorMessage, PageTitle } from '../components/ui.js';
import { errorText, time } from '../lib/format.js';

const MAX_LINES = 2000;
const ORDER: Record<LogLevelName, number> = { error: 0, warn: 1, info: 2, debug: 3 };
const LEVEL_TEXT: Record<LogLevelName, string> = { error: 'Error', warn: 'Warning', info: 'Info', debug: 'Debug' };

export function Logs(): JSX.Element {
  const { transport, events } = useConsole();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [level, setLevel] = useState<LogLevelName>('debug');
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [live, setLive] = useState(events.connected);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    transport.call('recentLogs', {}).then((l) => setLines((cur) => [...l, ...cur].slice(-MAX_LINES)), (err: unknown) => setError(errorText(err)));
    return events.onConnection(setLive);
  }, []);
  useEvents((e) => {
    if (e.type === 'log') setLines((cur) => (cur.length >= MAX_LINES ? [...cur.slice(-MAX_LINES + 1), e.line] : [...cur, e.line]));
  });

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return lines.filter((l) => ORDER[l.level] <= ORDER[level] && (q === '' || `${l.source} ${l.message}`.toLowerCase().includes(q)));
  }, [lines, level, query]);

  useLayoutEffect(() => {
    const b = box.current;
    if (follow && b) b.scrollTop = b.scrollHeight;
  }, [shown, follow]);

  return (
    <div class="logs-page">
      <PageTitle sub={live ? 'Live: new lines appear as they are written.' : 'Connecting to the live log…'}>Logs</PageTitle>
      <ErrorMessage error={error} />
      <div class="toolbar">
        <div class="field inline">
          <label for="log-level">Show</label>
          <select id="log-level" value={level} onChange={(e) => setLevel(e.currentTarget.value as LogLevelName)}>
            <option value="error">Errors</option>
            <option value="warn">Warnings and errors</option>
            <option value="info">Info and above</option>
            <option value="debug">Everything</option>
          </select>
        </div>
        <div class="field inline grow">
          <label for="log-search">Search</label>
          <input id="log-search" type="search" value={query} placeholder="Filter lines" onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <label class="check"><input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Follow new lines</label>
        <button type="button" class="button small" onClick={() => setLines([])}>Clear view</button>
      </div>
      <p class="hint" aria-live="polite">{shown.length} of {lines.length} lines shown. Only what the server’s log detail setting records is available.</p>
      <div class="log" ref={box} role="log" aria-label="Server log" tabIndex={0}>
        {shown.length === 0 ? <p class="hint">No lines match.</p> : shown.map((l, i) => (
          <div key={`${l.time}-${i}`} class={`log-line level-${l.level}`}>
            <time dateTime={l.time}>{time(l.time)}</time>
            <span class="level">{LEVEL_TEXT[l.level]}</span>
            <span class="source">{l.source}</span>
            <span class="msg">{l.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
