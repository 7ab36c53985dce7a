// The settings page: what is saved and what runs, saving changes (the live ones apply at once), and which saved
// changes wait for a restart.
import type { ServerConfig } from '../core/config.js';
import type { ConsoleSettings, SettingKey, SettingsView } from './console-api.js';
import type { AdminHost } from './admin-host.js';
import { applyMucSetting, isMucSettingKey } from './muc-settings.js';
import { checkSettingChanges, LIVE_SETTINGS, pickSettings, RESTART_ONLY, saveSettings, savedConfig } from './settings.js';

export class SettingsAdmin {
  /** Restart-only settings saved through the console since this server started. */
  private readonly pendingRestart = new Set<SettingKey>();

  constructor(private readonly host: AdminHost) {}

  async getSettings(): Promise<SettingsView> {
    const saved = pickSettings(await savedConfig(this.host.dataDir));
    const runtime = this.host.runtime;
    let running: ConsoleSettings | null = null;
    if (runtime) {
      // Ports as bound (a configured 0 is an ephemeral port).
      const bound = this.host.ports();
      const r = pickSettings(runtime.config);
      running = { ...r, c2sPort: bound.c2s ?? r.c2sPort, tlsPort: bound.tls ?? r.tlsPort, s2sPort: bound.s2s ?? r.s2sPort, httpPort: bound.http ?? r.httpPort };
    }
    return {
      saved,
      running,
      restartOnly: [...RESTART_ONLY],
      pendingRestart: this.pending(),
    };
  }

  /** Save settings in config.json; the live ones apply at once, the others when Parley starts again. */
  async setSettings(changes: Partial<ConsoleSettings>): Promise<SettingsView> {
    const checked = checkSettingChanges(changes);
    const resolved = await saveSettings(this.host.dataDir, checked);
    await this.applySaved(resolved, Object.keys(checked) as SettingKey[]);
    this.host.runtime?.log.info('admin', `settings changed: ${Object.keys(checked).join(', ') || 'none'}`);
    return this.getSettings();
  }

  /** Restart-only settings saved since this server started that differ from what it runs with. */
  pending(): SettingKey[] {
    return RESTART_ONLY.filter((k) => this.pendingRestart.has(k));
  }

  /** Apply saved values of live settings to the running server, and note which saved ones wait for a restart. */
  async applySaved(resolved: ServerConfig, keys: SettingKey[]): Promise<void> {
    const runtime = this.host.runtime;
    const saved = pickSettings(resolved);
    const running = runtime ? pickSettings(runtime.config) : null;
    for (const key of keys) {
      if (!LIVE_SETTINGS.has(key)) {
        if (running && saved[key] !== running[key]) this.pendingRestart.add(key);
        else this.pendingRestart.delete(key);
        continue;
      }
      if (!runtime) continue;
      const c = runtime.config;
      if (isMucSettingKey(key)) {
        applyMucSetting(c.muc, resolved.muc, key);
        continue;
      }
      switch (key) {
        case 'registration': c.registration = resolved.registration; break;
        case 'logLevel': c.logLevel = resolved.logLevel; runtime.log.level = resolved.logLevel; break;
        case 'consoleRemote': c.consoleRemote = resolved.consoleRemote; break;
        case 'offlineQuota': c.offlineQuota = resolved.offlineQuota; break;
        case 'userStorageQuotaBytes': c.userStorageQuotaBytes = resolved.userStorageQuotaBytes; break;
        case 'resourceConflict': c.resourceConflict = resolved.resourceConflict; break;
        case 'discovery':
          if (c.discovery !== resolved.discovery) {
            c.discovery = resolved.discovery;
            await runtime.setDiscovery(resolved.discovery);
          }
          break;
        default: break;
      }
    }
  }
}
