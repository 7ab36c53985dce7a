// Child process for the discovery tests: a Parley server inside a network namespace. Reports on stdout as JSON
// lines (ready, announced, conflict, withdrawn, status, stopped) and takes commands on stdin
// (enable, disable, status, stop). Usage: node discovery-child-server.js '{"dataDir":…,"domain":…,"discovery":true}'
import { ParleyServer } from '../../server/server.js';
import { resolveConfig } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { say, serveCommands } from '../helpers/ns-child.js';

interface Args { dataDir: string; domain: string; discovery: boolean; c2sPort?: number; tlsPort?: number }
const args = JSON.parse(process.argv[2]) as Args;

const config = resolveConfig(args.dataDir, {}, {
  domain: args.domain, bind: '0.0.0.0', c2sPort: args.c2sPort ?? 5222, tlsPort: args.tlsPort ?? 5223, s2sPort: null, httpPort: null,
  discovery: args.discovery, logLevel: 'debug',
});
const server = new ParleyServer(config, { logger: new Logger('debug'), adminEndpoint: false });
await server.start();
const d = server.discovery!;
d.on('announced', (iface: string) => say('announced', { interface: iface }));
d.on('withdrawn', () => say('withdrawn'));
d.on('conflict', (c: unknown) => say('conflict', { conflict: c }));
d.on('peers', (peers: unknown) => say('peers', { peers }));
say('ready', { ports: server.ports, fingerprint: server.certificate!.fingerprintSha256, enabled: d.enabled });

serveCommands(() => server.stop(), (line, stop) => {
  const cmd = line.trim();
  if (cmd === 'enable' || cmd === 'disable') void d.setEnabled(cmd === 'enable').then(() => say(cmd + 'd', { enabled: d.enabled }));
  else if (cmd === 'status') say('status', { status: d.status() });
  else if (cmd === 'stop') stop();
});
