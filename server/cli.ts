// The `parley` command: serve, user, room, cert, status, repair. Every failure is one sentence and a non-zero exit,
// never a stack trace. User, room and certificate commands go through the admin socket of a server running on the
// data folder, or work on the data folder itself when none runs there (see server/admin/open-admin.ts).
import { promises as fs } from 'node:fs';
import { parseCommand, type AdminTarget, type CliCommand } from './cli-args.js';
import { defaultDataDir, readStoredSettings, resolveConfig, ConfigError } from './core/config.js';
import { JidError } from './core/jid.js';
import { ListenError } from './core/listeners.js';
import { UserFacingError } from './core/user-error.js';
import { DataDirError } from './storage/schema.js';
import { AccountExistsError, NoSuchAccountError } from './storage/accounts.js';
import { CertificateFileError } from './certs/index.js';
import type { AdminApi, CertificateInfo, ServerStatus, UserInfo } from './admin/admin-api.js';
import { openAdmin } from './admin/open-admin.js';
import { formatRoom, formatRoomLine } from './cli-rooms.js';
import { askPassword } from './admin/read-password.js';
import { acquireLock } from './admin/data-dir-lock.js';
import { repairDataDir } from './storage/nedb/repair.js';
import { ParleyServer } from './server.js';
import { guardUnhandledRejections } from './core/process-guard.js';

const HELP = `parley — your own XMPP chat server

  parley serve [--data DIR] [--domain NAME] [--bind ADDR] [--c2s-port N|off] [--tls-port N|off]
               [--s2s-port N|off] [--http-port N|off] [--https-port N|off] [--no-discovery] [--registration closed|invite|open]
               [--limits on|off] [--log-level error|warn|info|debug] [--allow-plaintext] [--durability flush|os]
  parley user add JID [--password PASSWORD]     add an account (JID: bob or bob@your.domain)
  parley user passwd JID [--password PASSWORD]  set an account's password
  parley user remove JID                        remove an account and close its open sessions
  parley user list                              list the accounts
  parley room list                              list the group chat rooms, with the people in each
  parley room show NAME                         a room's settings, the people in it and its affiliations
  parley room create NAME [--owner JID] [--title TEXT] [--description TEXT] [--password TEXT] [--max-people N]
               [--public|--hidden] [--persistent|--temporary] [--members-only|--open] [--moderated|--unmoderated]
                                                create a room (NAME: team or team@conference.your.domain);
                                                what is not given follows the service's defaults (Settings)
  parley room destroy NAME [--reason TEXT]      destroy a room; the people in it are told, with the reason
  parley cert show                              print the CA certificate to install on devices, and the
                                                server certificate's SHA-256 fingerprint, names and expiry
  parley status                                 domain, uptime, ports, sessions, accounts, certificate expiry
  parley repair                                 check every datafile; keep a copy of a damaged one and rewrite
                                                it with the records that can be read (stop Parley first)
  parley help

  --durability flush (the default) puts every confirmed write on the disk before the client hears of it;
  os leaves it to the operating system (faster on slow disks; a power cut can lose the last seconds).

  User, room, cert, status and repair commands take [--data DIR] (default: ${defaultDataDir()}) and talk to the
  Parley running on that folder; when none runs, they work on the folder itself, with the domain from its
  config file or from --domain NAME. Without --password, the password is asked for at a terminal, or read
  as the first line of standard input. With no server running, room commands work on the persistent rooms
  stored in the folder.
`;

/** Errors from other parts of Parley whose messages are written for people (besides UserFacingError). */
const USER_FACING_ERRORS = [ConfigError, ListenError, DataDirError, CertificateFileError, JidError, AccountExistsError, NoSuchAccountError];

function isUserFacing(err: unknown): err is Error {
  return err instanceof UserFacingError || USER_FACING_ERRORS.some((c) => err instanceof c);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

async function serve(cmd: Extract<CliCommand, { kind: 'serve' }>): Promise<void> {
  const { dataDir } = cmd;
  const config = resolveConfig(dataDir, await readStoredSettings(dataDir), cmd.overrides);
  const server = new ParleyServer(config);
  guardUnhandledRejections((m) => server.log.error('process', m));
  await server.start();
  const ports = server.ports;
  process.stdout.write(`Parley is running for ${config.domain} (data in ${dataDir}).\n` +
    Object.entries(ports).map(([k, v]) => `  ${k === 'c2s' ? 'XMPP clients' : k === 'tls' ? 'XMPP clients, direct TLS' : k === 'http' ? 'Web and admin console' : k === 'https' ? 'Invitation pages over HTTPS' : k}: ${config.bind}:${v}\n`).join(''));
  const consoleUrl = server.http?.consoleUrl();
  if (consoleUrl) {
    const setupLink = server.setupLink;
    process.stdout.write(setupLink
      ? `\nFinish setting up Parley in a web browser on this computer (the link works until setup is done):\n  ${setupLink}\n\n`
      : `  Admin console (on this computer): ${consoleUrl}\n`);
    if (!config.consoleRemote && !['0.0.0.0', '::', 'localhost'].includes(config.bind) && !/^(127\.|::1$)/.test(config.bind)) {
      process.stdout.write(`  Note: the console answers only this computer's loopback address, but Parley listens on ${config.bind} only. ` +
        'Use --bind 0.0.0.0, or set "consoleRemote": true in config.json.\n');
    }
  }
  const stop = (): void => {
    process.stdout.write('Stopping Parley…\n');
    server.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function withAdmin<T>(t: AdminTarget, create: boolean, fn: (api: AdminApi) => Promise<T>): Promise<T> {
  const handle = await openAdmin(t.dataDir, { domain: t.domain, create });
  try {
    return await fn(handle.api);
  } finally {
    await handle.close();
  }
}

function formatUser(u: UserInfo): string {
  const notes = [u.admin ? 'admin' : '', u.disabled ? 'disabled' : '', u.onlineSessions > 0 ? `online (${u.onlineSessions})` : ''].filter(Boolean);
  return notes.length > 0 ? `${u.jid}  ${notes.join(', ')}` : u.jid;
}

function formatCertificate(c: CertificateInfo): string {
  const san = c.subjectAltNames;
  const names = [...san.dnsNames, ...san.ipAddresses.map((a) => `IP ${a}`), ...san.xmppAddrs.map((a) => `xmpp ${a}`), ...san.srvNames.map((a) => `srv ${a}`)];
  return (c.caPem ? `CA certificate (install it on devices so that they trust this server):\n${c.caPem.trimEnd()}\n\n` : 'No CA certificate is stored with this certificate.\n\n') +
    `Server certificate for ${c.domain}\n` +
    `  SHA-256 fingerprint: ${c.fingerprintSha256}\n` +
    `  Names: ${names.join(', ')}\n` +
    `  Valid from ${c.notBefore} until ${c.notAfter}\n` +
    (c.caFingerprintSha256 ? `  CA SHA-256 fingerprint: ${c.caFingerprintSha256}\n` : '');
}

function formatStatus(s: ServerStatus): string {
  const lines = [
    s.running ? `Parley is running for ${s.domain} (data in ${s.dataDir}).` : `Parley is not running on ${s.dataDir} (domain ${s.domain}).`,
  ];
  if (s.running) {
    lines.push(`  Up for ${s.uptimeSeconds ?? 0} s, since ${s.startedAt ?? '?'}`);
    for (const [name, port] of Object.entries(s.ports)) lines.push(`  Port ${name}: ${port}`);
    lines.push(`  Online sessions: ${s.onlineSessions}`);
  }
  lines.push(`  Accounts: ${s.users}`);
  lines.push(s.certificate ? `  Certificate valid until ${s.certificate.notAfter} (${s.certificate.daysLeft} days)` : '  No certificate yet');
  return lines.join('\n') + '\n';
}

/** `parley repair`: only with no server on the folder (its lock), so no file changes under a running server. */
async function repair(dataDir: string, out: (text: string) => void): Promise<number> {
  if (!await fs.stat(dataDir).then((st) => st.isDirectory(), () => false)) {
    throw new DataDirError(`There is no data folder ${dataDir}. Give the folder Parley keeps its data in with --data.`);
  }
  const lock = await acquireLock(dataDir, 'cli');
  try {
    const results = await repairDataDir(dataDir);
    if (results.length === 0) out(`There are no datafiles in ${dataDir}.\n`);
    for (const r of results) out(`${r.file}: ${r.summary}\n`);
    const repaired = results.filter((r) => r.copy !== null).length;
    if (repaired > 0) out(`Repaired ${repaired} file${repaired === 1 ? '' : 's'}; Parley can start again. Keep the .damaged- copies until you have checked that nothing you need is missing.\n`);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    await lock.release();
  }
}

async function run(cmd: CliCommand): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
  switch (cmd.kind) {
    case 'help':
      out(HELP);
      return 0;
    case 'serve':
      await serve(cmd);
      return -1;
    case 'user-add':
    case 'user-passwd': {
      // Ask before opening the data folder, so that its lock is not held while someone types.
      const password = cmd.password ?? await askPassword(cmd.user);
      const r = await withAdmin(cmd, cmd.kind === 'user-add', (api) => cmd.kind === 'user-add' ? api.addUser(cmd.user, password) : api.setPassword(cmd.user, password));
      out(cmd.kind === 'user-add' ? `Added ${r.jid}.\n` : `Changed the password of ${r.jid}.\n`);
      return 0;
    }
    case 'user-remove': {
      const r = await withAdmin(cmd, false, (api) => api.removeUser(cmd.user));
      out(`Removed ${r.jid}.${r.closedSessions > 0 ? ` Closed its ${r.closedSessions} open session${r.closedSessions === 1 ? '' : 's'}.` : ''}\n`);
      return 0;
    }
    case 'user-list': {
      const users = await withAdmin(cmd, false, (api) => api.listUsers());
      if (users.length === 0) process.stderr.write('There are no accounts yet. Add one with: parley user add NAME\n');
      out(users.map((u) => formatUser(u) + '\n').join(''));
      return 0;
    }
    case 'room-list': {
      const rooms = await withAdmin(cmd, false, (api) => api.listRooms());
      if (rooms.length === 0) process.stderr.write('There are no rooms yet. Create one with: parley room create NAME\n');
      out(rooms.map((r) => formatRoomLine(r) + '\n').join(''));
      return 0;
    }
    case 'room-show':
      out(formatRoom(await withAdmin(cmd, false, (api) => api.getRoom(cmd.room))));
      return 0;
    case 'room-create': {
      const r = await withAdmin(cmd, false, (api) => api.createRoom(cmd.room, cmd.options));
      const owner = r.affiliations.find((a) => a.affiliation === 'owner');
      out(`Created ${r.jid}${owner ? `, owned by ${owner.jid}` : ''}.\n`);
      return 0;
    }
    case 'room-destroy': {
      const r = await withAdmin(cmd, false, (api) => api.destroyRoom(cmd.room, cmd.reason));
      out(`Destroyed ${r.jid}.\n`);
      return 0;
    }
    case 'cert-show':
      out(formatCertificate(await withAdmin(cmd, false, (api) => api.certificate())));
      return 0;
    case 'status':
      out(formatStatus(await withAdmin(cmd, false, (api) => api.status())));
      return 0;
    case 'repair':
      return repair(cmd.dataDir, out);
  }
}

export async function main(argv: string[]): Promise<number> {
  return run(parseCommand(argv, defaultDataDir()));
}

main(process.argv.slice(2)).then((code) => {
  // Exit once stdout has taken everything (writes to a pipe may be asynchronous).
  if (code >= 0) process.stdout.write('', () => process.exit(code));
}, (err: unknown) => {
  if (isUserFacing(err)) {
    process.stderr.write(`parley: ${oneLine(err.message)}\n`);
  } else {
    const what = err instanceof Error ? err.message : String(err);
    process.stderr.write(`parley: something went wrong that Parley did not expect (${oneLine(what)}). Please report this, with the log above; PARLEY_DEBUG=1 shows the details.\n`);
    if (process.env.PARLEY_DEBUG) console.error(err);
  }
  process.exit(1);
});
