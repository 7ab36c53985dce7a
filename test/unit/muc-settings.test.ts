// The group chat service's policy as console settings (server/admin/muc-settings.ts through AdminService): flat keys
// over config.json's "muc" block, what applies to the running server at once (in place, so the MUC module sees it
// on its next use) and what waits for a restart, and the refusals as sentences.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { openAccounts } from '../../server/accounts/open-accounts.js';
import { AdminService, AdminError } from '../../server/admin/admin-service.js';
import { countMessages } from '../../server/admin/message-counter.js';
import { defaultConfig, type ServerConfig } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { Router } from '../../server/core/router.js';
import { SessionRegistry } from '../../server/core/session-registry.js';

const DOMAIN = 'office.local';
const tmpDirs: string[] = [];

after(async () => {
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function running(): Promise<{ admin: AdminService; config: ServerConfig; dataDir: string }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-muc-settings-'));
  tmpDirs.push(dataDir);
  const sessions = new SessionRegistry();
  const log = new Logger('error', null);
  const config = { ...defaultConfig(dataDir), domain: DOMAIN };
  const router = new Router(DOMAIN, sessions, log);
  const { accounts } = await openAccounts(null, { domain: DOMAIN, scramIterations: 4096, sessions, log: null });
  const admin = new AdminService({
    domain: DOMAIN, dataDir, accounts, sessions, startedAt: Date.now(), ports: () => ({}), certificate: async () => null,
    runtime: { config, log, router, stats: { logins: 0, failedLogins: 0, stanzasIn: 0, stanzasOut: 0 }, messages: countMessages(router), setDiscovery: async () => undefined },
  });
  return { admin, config, dataDir };
}

async function configJson(dataDir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(path.join(dataDir, 'config.json'), 'utf8')) as Record<string, unknown>;
}

test('the group chat settings are shown with their defaults; only the service’s switch and address wait for a restart', async () => {
  const { admin } = await running();
  const view = await admin.getSettings();
  const muc = Object.fromEntries(Object.entries(view.saved).filter(([k]) => k.startsWith('muc')));
  assert.deepEqual(muc, {
    mucEnabled: true, mucSubdomain: 'conference', mucCreateRooms: 'everyone', mucMaxRooms: 1000, mucMaxRoomsPerUser: 50,
    mucMaxOccupants: 500, mucHistoryLength: 50, mucDefaultPublic: true, mucDefaultPersistent: true, mucDefaultMembersOnly: false,
    mucDefaultModerated: false, mucDefaultWhois: 'moderators', mucDefaultAllowPm: 'anyone',
  });
  assert.deepEqual(view.restartOnly.filter((k) => k.startsWith('muc')), ['mucEnabled', 'mucSubdomain']);
  assert.deepEqual(view.running?.mucMaxOccupants, 500);
});

test('live group chat settings change the running configuration in place and are saved in config.json’s "muc" block', async () => {
  const { admin, config, dataDir } = await running();
  const mucObject = config.muc;
  const defaultsObject = config.muc.defaults;
  const view = await admin.setSettings({
    mucCreateRooms: 'admins', mucMaxRooms: 20, mucMaxRoomsPerUser: 2, mucMaxOccupants: 50, mucHistoryLength: 0,
    mucDefaultMembersOnly: true, mucDefaultWhois: 'anyone', mucDefaultAllowPm: 'none',
  });
  assert.equal(config.muc, mucObject, 'the same object: a module holding config.muc sees the change');
  assert.equal(config.muc.defaults, defaultsObject);
  assert.deepEqual(config.muc, {
    enabled: true, subdomain: 'conference', createRooms: 'admins', maxRooms: 20, maxRoomsPerUser: 2, maxOccupants: 50, historyLength: 0,
    defaults: { public: true, persistent: true, membersOnly: true, moderated: false, whois: 'anyone', allowPm: 'none' },
  });
  assert.deepEqual((await configJson(dataDir)).muc, {
    createRooms: 'admins', maxRooms: 20, maxRoomsPerUser: 2, maxOccupants: 50, historyLength: 0,
    defaults: { membersOnly: true, whois: 'anyone', allowPm: 'none' },
  });
  assert.deepEqual(view.pendingRestart, []);
  assert.equal(view.running?.mucMaxOccupants, 50);

  // A later change keeps what was saved before.
  await admin.setSettings({ mucDefaultModerated: true });
  assert.deepEqual(((await configJson(dataDir)).muc as { defaults: unknown }).defaults, { membersOnly: true, whois: 'anyone', allowPm: 'none', moderated: true });
  assert.equal(config.muc.defaults.moderated, true);
});

test('turning the service off or moving it waits for a restart; setting it back clears the notice', async () => {
  const { admin, config, dataDir } = await running();
  const view = await admin.setSettings({ mucEnabled: false, mucSubdomain: ' Rooms ' });
  assert.equal(view.saved.mucEnabled, false);
  assert.equal(view.saved.mucSubdomain, 'rooms');
  assert.equal(view.running?.mucEnabled, true);
  assert.equal(view.running?.mucSubdomain, 'conference');
  assert.deepEqual(view.pendingRestart, ['mucEnabled', 'mucSubdomain']);
  assert.equal(config.muc.enabled, true, 'the running service stays until the restart');
  assert.deepEqual((await configJson(dataDir)).muc, { enabled: false, subdomain: 'rooms' });
  assert.deepEqual((await admin.setSettings({ mucEnabled: true })).pendingRestart, ['mucSubdomain']);
});

test('bad group chat settings are refused with sentences and nothing is saved', async () => {
  const { admin, dataDir } = await running();
  const cases: [Record<string, unknown>, string][] = [
    [{ mucMaxOccupants: 0 }, 'The people in one room must be a whole number from 1 to 10000.'],
    [{ mucMaxRooms: 1.5 }, 'The number of rooms must be a whole number from 0 to 100000.'],
    [{ mucHistoryLength: 5000 }, 'The messages of history a room keeps must be a whole number from 0 to 1000.'],
    [{ mucMaxRoomsPerUser: '3' }, 'The rooms one person may own must be a whole number from 0 to 10000.'],
    [{ mucCreateRooms: 'nobody' }, 'Who may create rooms must be one of: everyone, admins.'],
    [{ mucDefaultPublic: 'yes' }, 'New rooms listed in the room directory must be on or off.'],
    [{ mucDefaultAllowPm: 'friends' }, 'Who may send private messages in new rooms must be one of: anyone, participants, moderators, none.'],
    [{ mucSubdomain: 'chat_rooms' }, '"chat_rooms" cannot name the group chat service; use letters, digits and dashes, like conference.'],
    [{ mucSubdomain: '' }, 'The group chat service’s address cannot be empty; conference is usual.'],
    [{ mucEnabled: 1 }, 'Group chat must be on or off.'],
  ];
  for (const [changes, message] of cases) {
    await assert.rejects(admin.setSettings(changes), (err: unknown) => {
      assert.ok(err instanceof AdminError, String(err));
      assert.equal(err.message, message);
      return true;
    });
  }
  await assert.rejects(fs.access(path.join(dataDir, 'config.json')), 'nothing was written');
});
