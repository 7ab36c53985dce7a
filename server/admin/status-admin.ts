// How the server is: its status (CLI and console), the dashboard's overview with its warnings, and the network check.
import type { ServerConfig } from '../core/config.js';
import type { ServerStatus } from './admin-api.js';
import type { NetworkCheck, Overview, Warning } from './console-api.js';
import type { AdminHost } from './admin-host.js';
import { checkNetwork, isLoopbackBind, lanAddresses } from './network-check.js';
import { savedConfig } from './settings.js';
import type { SettingsAdmin } from './settings-admin.js';
import type { TrafficSampler } from './traffic-sampler.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export class StatusAdmin {
  constructor(private readonly host: AdminHost, private readonly settings: SettingsAdmin, private readonly traffic: TrafficSampler) {}

  async status(): Promise<ServerStatus> {
    const { host } = this;
    const cert = await host.certificate();
    return {
      running: host.startedAt !== null,
      domain: host.domain,
      dataDir: host.dataDir,
      startedAt: host.startedAt === null ? null : new Date(host.startedAt).toISOString(),
      uptimeSeconds: host.startedAt === null ? null : Math.floor((Date.now() - host.startedAt) / 1000),
      ports: { ...host.ports() },
      onlineSessions: host.sessions?.size ?? 0,
      users: await host.accounts.count(),
      certificate: cert === null ? null : {
        notAfter: cert.notAfter.toISOString(),
        daysLeft: Math.floor((cert.notAfter.getTime() - Date.now()) / DAY_MS),
      },
    };
  }

  async overview(): Promise<Overview> {
    const status = await this.status();
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    return {
      status,
      serverName: config.serverName,
      addresses: lanAddresses(),
      bind: config.bind,
      traffic: this.host.runtime ? this.traffic.sample() : null,
      warnings: await this.warnings(status, config),
    };
  }

  async networkCheck(): Promise<NetworkCheck> {
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    return checkNetwork({
      bind: config.bind,
      configured: { c2s: config.c2sPort, tls: config.tlsPort, s2s: config.s2sPort, http: config.httpPort },
      listening: this.host.ports(),
    });
  }

  private async warnings(status: ServerStatus, config: ServerConfig): Promise<Warning[]> {
    const w: Warning[] = [];
    const cert = status.certificate;
    if (cert === null) {
      w.push({ id: 'certificate-missing', text: 'There is no certificate yet; Parley makes one when it starts.' });
    } else if (cert.daysLeft < 0) {
      w.push({ id: 'certificate-expired', text: `The server certificate expired on ${cert.notAfter.slice(0, 10)}. Restart Parley to renew it.` });
    } else if (cert.daysLeft < 30) {
      w.push({ id: 'certificate-expiring', text: `The server certificate expires in ${cert.daysLeft} days (${cert.notAfter.slice(0, 10)}). Restart Parley to renew it.` });
    }
    if (isLoopbackBind(config.bind)) {
      w.push({ id: 'loopback-only', text: `Parley listens on ${config.bind} only, so no other device can connect. Change the listening address in Settings.` });
    }
    if (config.registration === 'open') {
      w.push({ id: 'open-registration', text: 'Anyone who can reach this server can create an account (open sign-up).' });
    }
    if (config.consoleRemote === true) {
      w.push({ id: 'console-remote', text: 'The console accepts other computers. Its connection is not encrypted, so use it only on a network you trust.' });
    }
    const pending = this.settings.pending();
    if (pending.length > 0) {
      w.push({ id: 'restart-pending', text: `Restart Parley to apply the changed settings (${pending.join(', ')}).` });
    }
    if (!(await this.host.accounts.list()).some((a) => a.admin && !a.disabled)) {
      w.push({ id: 'no-admin', text: 'No enabled account is an administrator.' });
    }
    return w;
  }
}
