// The modules a server loads, in order. A module is added or removed here and nowhere else.
import type { ServerModule } from './module.js';
import { discoModule } from './disco.js';
import { pingModule } from './ping.js';
import { versionModule } from './version.js';
import { timeModule } from './time.js';
import { legacySessionModule } from './legacy-session.js';
import { deliveryModule } from './delivery.js';
import { offlineModule } from './offline.js';
import { vcardModule } from './vcard.js';
import { privateStorageModule } from './private-storage.js';
import { lastActivityModule } from './last-activity.js';
import { registerModule } from './register.js';
import { contactAddressesModule } from './contact-addresses.js';
import { rosterModule } from './roster.js';
import { presenceModule } from './presence.js';
import { privacyModule } from './privacy/index.js';
import { capsModule } from './caps/index.js';
import { pepModule } from './pep/index.js';
import { avatarModule } from './avatar/index.js';
import { bookmarksModule } from './bookmarks.js';
import { mucModule } from '../muc/muc-module.js';

export const DEFAULT_MODULES: ServerModule[] = [discoModule, pingModule, versionModule, timeModule, legacySessionModule, deliveryModule, offlineModule,
  vcardModule, privateStorageModule, lastActivityModule, registerModule, contactAddressesModule,
  rosterModule, presenceModule, privacyModule, capsModule, pepModule, avatarModule, bookmarksModule, mucModule];
