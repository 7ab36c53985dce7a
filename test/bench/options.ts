// Command-line options of `npm run bench -- …` and the two scales (full and --quick).

export const SCENARIOS = ['login', 'idle', 'chat', 'chat-privacy', 'roster', 'roster-pep', 'muc', 'storage', 'storage-os', 'flood'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Scale {
  logins: number;
  loginConcurrency: number;
  idleSessions: number;
  idleConcurrency: number;
  /** Seconds to let the server settle after the last idle login before reading its memory. */
  idleSettleSeconds: number;
  /** Seconds over which idle CPU is measured. */
  idleWindowSeconds: number;
  chatPairs: number;
  chatMessages: number;
  /** Messages each sender may have in flight (sent, not yet received by its partner). */
  chatWindow: number;
  rosterContacts: number;
  rosterOnline: number;
  rosterRepeats: number;
  mucOccupants: number;
  mucSenders: number;
  /** Groupchat messages in all, over every sender, measured. */
  mucMessages: number;
  /** Groupchat messages sent (and checked) before the measured ones, so a JIT compiler warms up; not measured. */
  mucWarmup: number;
  /** Groupchat messages each sender may have in flight (sent, its own echo not yet back). */
  mucWindow: number;
  /** The storage scenarios: writers, iq sets each keeps in flight, confirmed writes in all. */
  storageWriters: number;
  storageWindow: number;
  storageWrites: number;
  /** Hard limit per scenario and server, seconds. */
  timeoutSeconds: Record<ScenarioName, number>;
}

export const FULL: Scale = {
  logins: 1000,
  loginConcurrency: 50,
  idleSessions: 10000,
  idleConcurrency: 100,
  idleSettleSeconds: 5,
  idleWindowSeconds: 10,
  chatPairs: 200,
  chatMessages: 100000,
  chatWindow: 5,
  rosterContacts: 500,
  rosterOnline: 100,
  rosterRepeats: 5,
  mucOccupants: 100,
  mucSenders: 10,
  mucMessages: 5000,
  mucWarmup: 500,
  mucWindow: 2,
  storageWriters: 20,
  storageWindow: 4,
  storageWrites: 20000,
  timeoutSeconds: { login: 180, idle: 600, chat: 300, 'chat-privacy': 300, roster: 180, 'roster-pep': 240, muc: 300, storage: 300, 'storage-os': 300, flood: 180 },
};

export const QUICK: Scale = {
  ...FULL,
  logins: 200,
  idleSessions: 1000,
  idleSettleSeconds: 2,
  idleWindowSeconds: 3,
  chatPairs: 50,
  chatMessages: 10000,
  rosterContacts: 100,
  rosterOnline: 20,
  rosterRepeats: 3,
  mucOccupants: 20,
  mucSenders: 5,
  mucMessages: 500,
  mucWarmup: 50,
  storageWrites: 4000,
  timeoutSeconds: { login: 60, idle: 120, chat: 120, 'chat-privacy': 120, roster: 60, 'roster-pep': 90, muc: 120, storage: 120, 'storage-os': 120, flood: 120 },
};

export interface Options {
  quick: boolean;
  only: ScenarioName[];
  servers: ('parley' | 'prosody')[];
  /** Run Parley under `node --cpu-prof` and summarise the profiles (figures are then not comparable). */
  profile: boolean;
  /** Set up the roster scenario through the protocol for Prosody too, instead of writing its files. */
  rosterSetupProtocol: boolean;
  /** Where the JSON goes; default bench/results/. */
  out: string | null;
  verbose: boolean;
  keep: boolean;
  /** Niceness for the generator and the servers (they inherit it), e.g. -5 on a machine shared with other work. */
  nice: number | null;
  /** Runs per scenario and server when other processes took more than 10% of the server core: the cleanest is kept. */
  attempts: number;
  scale: Scale;
}

export class OptionsError extends Error {}

export const USAGE = `npm run bench [-- options]
  --quick                 scaled down (200 logins, 1,000 idle sessions, 10,000 chat messages…)
  --only login,chat       run only these scenarios (login, idle, chat, chat-privacy, roster, roster-pep, muc, storage, storage-os, flood)
  --servers parley        run only these servers (parley, prosody)
  --chat-window N         chat messages each sender keeps in flight (default 5)
  --muc-messages N        groupchat messages measured in the muc scenario (default 5,000; --quick 500)
  --timeout SECONDS       hard limit per scenario and server (default 180–600 s, by scenario)
  --profile               run Parley under node --cpu-prof and print its hot spots (timings then not comparable)
  --roster-setup protocol set up Prosody's roster scenario through XMPP instead of writing its files
  --out FILE              write the JSON there instead of bench/results/bench-<date>.json
  --attempts N            rerun a scenario (up to N runs) when other processes disturbed it; keep the cleanest
  --nice N                run generator and servers at niceness N (e.g. -5 when the machine is shared; root only below 0)
  --keep                  keep the servers' temporary data folders
  --verbose               progress details
`;

export function parseOptions(argv: string[]): Options {
  const o: Options = { quick: false, only: [...SCENARIOS], servers: ['prosody', 'parley'], profile: false, rosterSetupProtocol: false, out: null, verbose: false, keep: false, nice: null, attempts: 0, scale: FULL };
  let chatWindow: number | null = null;
  let mucMessages: number | null = null;
  let timeout: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new OptionsError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--profile': o.profile = true; break;
      case '--verbose': o.verbose = true; break;
      case '--keep': o.keep = true; break;
      case '--out': o.out = value(); break;
      case '--roster-setup': {
        const v = value();
        if (v !== 'protocol' && v !== 'files') throw new OptionsError('--roster-setup takes protocol or files.');
        o.rosterSetupProtocol = v === 'protocol';
        break;
      }
      case '--chat-window': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 1000) throw new OptionsError('--chat-window takes a whole number from 1 to 1000.');
        chatWindow = n;
        break;
      }
      case '--muc-messages': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 10 || n > 100_000) throw new OptionsError('--muc-messages takes a whole number from 10 to 100000.');
        mucMessages = n;
        break;
      }
      case '--timeout': {
        const n = Number(value());
        if (!Number.isFinite(n) || n <= 0) throw new OptionsError('--timeout takes a number of seconds.');
        timeout = n;
        break;
      }
      case '--attempts': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1 || n > 10) throw new OptionsError('--attempts takes a whole number from 1 to 10.');
        o.attempts = n;
        break;
      }
      case '--nice': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < -20 || n > 19) throw new OptionsError('--nice takes a whole number from -20 to 19.');
        o.nice = n;
        break;
      }
      case '--only': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        for (const n of names) if (!(SCENARIOS as readonly string[]).includes(n)) throw new OptionsError(`Unknown scenario "${n}"; choose from ${SCENARIOS.join(', ')}.`);
        o.only = SCENARIOS.filter((s) => names.includes(s));
        break;
      }
      case '--servers': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        for (const n of names) if (n !== 'parley' && n !== 'prosody') throw new OptionsError(`Unknown server "${n}"; choose parley and/or prosody.`);
        o.servers = (['prosody', 'parley'] as const).filter((s) => names.includes(s));
        break;
      }
      case '--help':
      case '-h':
        throw new OptionsError(USAGE);
      default:
        throw new OptionsError(`Unknown option ${a}.\n${USAGE}`);
    }
  }
  o.scale = { ...(o.quick ? QUICK : FULL) };
  if (o.attempts === 0) o.attempts = o.profile ? 1 : o.quick ? 2 : 3;
  if (chatWindow !== null) o.scale.chatWindow = chatWindow;
  if (mucMessages !== null) o.scale.mucMessages = mucMessages;
  if (timeout !== null) o.scale.timeoutSeconds = Object.fromEntries(SCENARIOS.map((n) => [n, timeout])) as Record<ScenarioName, number>;
  return o;
}
