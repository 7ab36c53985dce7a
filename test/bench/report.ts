// The figures of each scenario, their targets, and the two outputs: a table on stdout and a JSON file.
import type { ScenarioName } from './options.js';
import type { ScenarioResult } from './scenarios/context.js';
import type { ServerName } from './servers/server.js';

type Target =
  | { kind: 'ratio-min'; value: number }   // Parley/Prosody ≥ value
  | { kind: 'ratio-max'; value: number }   // Parley/Prosody ≤ value
  | { kind: 'max'; value: number }         // Parley's own figure ≤ value
  | { kind: 'zero' };                      // Parley's own figure = 0

export interface FigureDef {
  scenario: ScenarioName;
  key: string;
  label: string;
  digits: number;
  /** Percent figures are stored as fractions of a core and printed ×100. */
  percent?: boolean;
  /** No ratio column: the figure describes the setup (generator load, server busy share), not a result. */
  noRatio?: boolean;
  target?: Target;
}

export const FIGURES: FigureDef[] = [
  { scenario: 'login', key: 'loginsPerSecond', label: 'logins/s', digits: 0, target: { kind: 'ratio-min', value: 1.3 } },
  { scenario: 'login', key: 'loginP50', label: 'login p50 (ms)', digits: 1 },
  { scenario: 'login', key: 'loginP99', label: 'login p99 (ms)', digits: 1 },
  { scenario: 'login', key: 'loginCpuPer1000', label: 'server CPU-s / 1,000 logins', digits: 2, target: { kind: 'ratio-max', value: 0.75 } },
  { scenario: 'login', key: 'loginServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'login', key: 'loginGeneratorCpu', label: 'generator CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'login', key: 'loginOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  { scenario: 'idle', key: 'idleKiBPerSession', label: 'RSS per TLS session (KiB)', digits: 1, target: { kind: 'max', value: 40 } },
  { scenario: 'idle', key: 'idleCpuPercent', label: 'idle server CPU (% of a core)', digits: 2, noRatio: true },
  { scenario: 'idle', key: 'idleGeneratorCpu', label: 'generator CPU (% of a core)', digits: 1, percent: true, noRatio: true },
  { scenario: 'idle', key: 'idleOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  { scenario: 'chat', key: 'chatMsgsPerSecond', label: 'delivered msgs/s', digits: 0, target: { kind: 'ratio-min', value: 2.6 } },
  { scenario: 'chat', key: 'chatP50', label: 'end-to-end p50 (ms)', digits: 1 },
  { scenario: 'chat', key: 'chatP99', label: 'end-to-end p99 (ms)', digits: 1, target: { kind: 'ratio-max', value: 0.5 } },
  { scenario: 'chat', key: 'chatCpuPer10k', label: 'server CPU-s / 10,000 msgs', digits: 2, target: { kind: 'ratio-max', value: 0.38 } },
  { scenario: 'chat', key: 'chatLost', label: 'lost + duplicated + misrouted', digits: 0, target: { kind: 'zero' } },
  { scenario: 'chat', key: 'chatServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'chat', key: 'chatGeneratorCpu', label: 'generator CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'chat', key: 'chatOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  // The chat run again with a 100-item active privacy list on every recipient (XEP-0016): compare with chat's
  // server CPU-s / 10,000 msgs (target: at most 10% more, see the privacy issue).
  { scenario: 'chat-privacy', key: 'chatPrivacyMsgsPerSecond', label: 'delivered msgs/s (100-item lists)', digits: 0 },
  { scenario: 'chat-privacy', key: 'chatPrivacyP50', label: 'end-to-end p50 (ms)', digits: 1 },
  { scenario: 'chat-privacy', key: 'chatPrivacyP99', label: 'end-to-end p99 (ms)', digits: 1 },
  { scenario: 'chat-privacy', key: 'chatPrivacyCpuPer10k', label: 'server CPU-s / 10,000 msgs', digits: 2 },
  { scenario: 'chat-privacy', key: 'chatPrivacyLost', label: 'lost + duplicated + misrouted', digits: 0, target: { kind: 'zero' } },
  { scenario: 'chat-privacy', key: 'chatPrivacyServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'chat-privacy', key: 'chatPrivacyOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  { scenario: 'roster', key: 'rosterTime', label: 'time to full roster (ms)', digits: 1, target: { kind: 'ratio-max', value: 0.3 } },
  { scenario: 'roster', key: 'rosterPresenceTime', label: 'time to all contacts\' presence (ms)', digits: 1, target: { kind: 'ratio-max', value: 0.3 } },
  { scenario: 'roster', key: 'rosterOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  // The roster login again, with 3 PEP nodes published by each online contact: without caps (no PEP interest) and
  // with +notify caps for the 3 nodes (the last items of every online contact's nodes are sent), so PEP's cost at
  // login is the difference between the two.
  { scenario: 'roster-pep', key: 'pepPlainPresenceTime', label: 'without +notify: time to all presence (ms)', digits: 1, noRatio: true },
  { scenario: 'roster-pep', key: 'pepPlainCpuMs', label: 'without +notify: server CPU-ms per login', digits: 1, noRatio: true },
  { scenario: 'roster-pep', key: 'pepPresenceTime', label: 'with +notify: time to all presence (ms)', digits: 1, noRatio: true },
  { scenario: 'roster-pep', key: 'pepLastItemsTime', label: 'with +notify: time to all last items (ms)', digits: 1, noRatio: true },
  { scenario: 'roster-pep', key: 'pepCpuMs', label: 'with +notify: server CPU-ms per login', digits: 1, noRatio: true },
  { scenario: 'roster-pep', key: 'pepOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  // 100 occupants, 10 senders: one groupchat message is 100 deliveries (the sender's own reflection included).
  { scenario: 'muc', key: 'mucDeliveriesPerSecond', label: 'deliveries/s', digits: 0, target: { kind: 'ratio-min', value: 2.5 } },
  { scenario: 'muc', key: 'mucMsgsPerSecond', label: 'groupchat msgs/s (deliveries/s ÷ occupants)', digits: 0 },
  { scenario: 'muc', key: 'mucP50', label: 'delivery p50 (ms)', digits: 1 },
  { scenario: 'muc', key: 'mucP90', label: 'delivery p90 (ms)', digits: 1 },
  { scenario: 'muc', key: 'mucP99', label: 'delivery p99 (ms)', digits: 1 },
  { scenario: 'muc', key: 'mucCpuPer10k', label: 'server CPU-s / 10,000 deliveries', digits: 3, target: { kind: 'ratio-max', value: 0.35 } },
  { scenario: 'muc', key: 'mucLost', label: 'lost + duplicated + misrouted deliveries', digits: 0, target: { kind: 'zero' } },
  { scenario: 'muc', key: 'mucServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'muc', key: 'mucGeneratorCpu', label: 'generator CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'muc', key: 'mucOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  { scenario: 'storage', key: 'storageWritesPerSecond', label: 'confirmed writes/s (Parley: durability flush)', digits: 0 },
  { scenario: 'storage', key: 'storageP50', label: 'write p50 (ms)', digits: 1 },
  { scenario: 'storage', key: 'storageP99', label: 'write p99 (ms)', digits: 1 },
  { scenario: 'storage', key: 'storageCpuPer1000', label: 'server CPU-s / 1,000 writes', digits: 3 },
  { scenario: 'storage', key: 'storageErrors', label: 'writes refused', digits: 0, target: { kind: 'zero' } },
  { scenario: 'storage', key: 'storageServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'storage', key: 'storageOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  { scenario: 'storage-os', key: 'storageOsWritesPerSecond', label: 'confirmed writes/s (Parley: durability os)', digits: 0 },
  { scenario: 'storage-os', key: 'storageOsP50', label: 'write p50 (ms)', digits: 1 },
  { scenario: 'storage-os', key: 'storageOsP99', label: 'write p99 (ms)', digits: 1 },
  { scenario: 'storage-os', key: 'storageOsCpuPer1000', label: 'server CPU-s / 1,000 writes', digits: 3 },
  { scenario: 'storage-os', key: 'storageOsErrors', label: 'writes refused', digits: 0, target: { kind: 'zero' } },
  { scenario: 'storage-os', key: 'storageOsServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
  { scenario: 'storage-os', key: 'storageOsOtherLoad', label: 'other processes on the server core (%)', digits: 0, percent: true, noRatio: true },
  // Abuse while 100 users chat (scenarios/flood.ts), the server with its default limits.
  { scenario: 'flood', key: 'floodChatBaselineP99', label: 'chat p99 before the flood (ms)', digits: 1, noRatio: true },
  { scenario: 'flood', key: 'floodChatP50', label: 'chat p50 during the flood (ms)', digits: 1, noRatio: true },
  { scenario: 'flood', key: 'floodChatP99', label: 'chat p99 during the flood (ms)', digits: 1, noRatio: true, target: { kind: 'max', value: 50 } },
  { scenario: 'flood', key: 'floodChatDuringFlood', label: 'chat messages delivered during the flood', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodChatRefused', label: 'chat messages refused', digits: 0, noRatio: true, target: { kind: 'zero' } },
  { scenario: 'flood', key: 'floodConnectAnswered', label: 'of 5,000 connection attempts: answered', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodConnectRefused', label: 'of 5,000 connection attempts: refused or silent', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodSlowlorisOpenAtEnd', label: 'of 500 slowloris connections: still open at the end', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodStormPerSecond', label: 'storm stanzas/s written by one account', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodStormProcessedPerSecond', label: 'storm stanzas/s the server processed (bounced)', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodRssBeforeMiB', label: 'server RSS before (MiB)', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodRssPeakMiB', label: 'server RSS peak (MiB)', digits: 0, noRatio: true, target: { kind: 'max', value: 512 } },
  { scenario: 'flood', key: 'floodRssAfterMiB', label: 'server RSS 2 s after (MiB)', digits: 0, noRatio: true },
  { scenario: 'flood', key: 'floodServerCpu', label: 'server CPU (% of a core)', digits: 0, percent: true, noRatio: true },
];

export type Results = Partial<Record<ScenarioName, Partial<Record<ServerName, ScenarioResult>>>>;

export interface Row {
  scenario: ScenarioName;
  figure: string;
  key: string;
  parley: number | null;
  prosody: number | null;
  parleyText: string;
  prosodyText: string;
  ratio: number | null;
  target: string;
  met: boolean | null;
}

function targetText(t: Target | undefined): string {
  if (!t) return '';
  switch (t.kind) {
    case 'ratio-min': return `≥ ${t.value}×`;
    case 'ratio-max': return `≤ ${t.value}×`;
    case 'max': return `≤ ${t.value}`;
    case 'zero': return '= 0';
  }
}

function fmt(v: number, d: FigureDef): string {
  const x = d.percent ? v * 100 : v;
  return x.toLocaleString('en-US', { minimumFractionDigits: d.digits, maximumFractionDigits: d.digits });
}

function cell(r: ScenarioResult | undefined, d: FigureDef): { value: number | null; text: string } {
  if (!r) return { value: null, text: '—' };
  const v = r.figures[d.key];
  if (r.status === 'n/a') return { value: null, text: 'n/a (not implemented yet)' };
  if (r.status === 'ok' || (v !== undefined && v !== null && r.status !== 'timeout')) {
    if (v === undefined || v === null || !Number.isFinite(v)) return { value: null, text: r.status === 'ok' ? '—' : r.status };
    return { value: v, text: fmt(v, d) + (r.status === 'ok' ? '' : ` (${r.status})`) };
  }
  return { value: null, text: r.status };
}

export function rows(results: Results): Row[] {
  const out: Row[] = [];
  for (const d of FIGURES) {
    const res = results[d.scenario];
    if (!res) continue;
    const p = cell(res.parley, d);
    const q = cell(res.prosody, d);
    const ratio = !d.noRatio && p.value !== null && q.value !== null && q.value !== 0 ? p.value / q.value : null;
    let met: boolean | null = null;
    const t = d.target;
    if (t) {
      if (t.kind === 'ratio-min' && ratio !== null) met = ratio >= t.value;
      if (t.kind === 'ratio-max' && ratio !== null) met = ratio <= t.value;
      if (t.kind === 'max' && p.value !== null) met = p.value <= t.value;
      if (t.kind === 'zero' && p.value !== null) met = p.value === 0;
    }
    out.push({ scenario: d.scenario, figure: d.label, key: d.key, parley: p.value, prosody: q.value, parleyText: p.text, prosodyText: q.text, ratio, target: targetText(t), met });
  }
  return out;
}

export function table(rs: Row[]): string {
  const head = ['scenario', 'figure', 'Parley', 'Prosody', 'Parley/Prosody', 'target', 'met'];
  const body = rs.map((r) => [r.scenario, r.figure, r.parleyText, r.prosodyText, r.ratio === null ? '' : `${r.ratio.toFixed(2)}×`, r.target, r.met === null ? '' : r.met ? 'yes' : 'NO']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cols: string[]): string => '| ' + cols.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ') + ' |';
  const sep = '|' + widths.map((w, i) => (i >= 2 && i <= 4 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(head), sep, ...body.map(line)].join('\n');
}
