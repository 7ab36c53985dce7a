// Child process for discovery-federation.test.ts: a Parley server with federation on port 5269 and discovery on,
// inside a network namespace, plus one logged-in client of it (on loopback inside the namespace). Reports JSON lines
// on stdout (ready, message, error-reply, stopped); commands on stdin: `send <to> <id> <body…>`, `stop`.
// Usage: node discovery-federation-child.js '{"dataDir":…,"domain":…,"user":…}'
import { ParleyServer } from '../../server/server.js';
import { resolveConfig } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { loginTo, PASSWORD, type DomainServer } from '../helpers/s2s.js';
import { escapeXml } from '../helpers/raw-client.js';
import { say, serveCommands } from '../helpers/ns-child.js';

interface Args { dataDir: string; domain: string; user: string }
const args = JSON.parse(process.argv[2]) as Args;

const config = resolveConfig(args.dataDir, {}, {
  domain: args.domain, bind: '0.0.0.0', c2sPort: 5222, tlsPort: null, s2sPort: 5269, httpPort: null,
  discovery: true, logLevel: 'debug',
});
const server = new ParleyServer(config, { logger: new Logger('debug'), adminEndpoint: false });
await server.start();
await server.accounts!.create(args.user, PASSWORD);
const self = { domain: args.domain, c2sPort: server.ports.c2s, caPem: server.certificate!.caCertPem } as DomainServer;
const client = await loginTo(self, args.user, 'ns');
void (async () => {
  for (;;) {
    const e = await client.nextElement((x) => x.name === 'message', 'a message', 3_600_000).catch(() => null);
    if (!e) return;
    if (e.attrs.type === 'error') say('error-reply', { id: e.attrs.id, xml: e.toString() });
    else say('message', { from: e.attrs.from, to: e.attrs.to, id: e.attrs.id, body: e.getChildText('body') });
  }
})();
say('ready', { ports: server.ports, jid: client.jid });

serveCommands(async () => {
  client.destroy();
  await server.stop();
}, (line, stop) => {
  const [cmd, to, id, ...body] = line.trim().split(' ');
  if (cmd === 'send') client.send(`<message to='${escapeXml(to)}' id='${escapeXml(id)}' type='chat'><body>${escapeXml(body.join(' '))}</body></message>`);
  else if (cmd === 'stop') stop();
});
