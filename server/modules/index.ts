// The modules a server loads, in order. A module is added or removed here and nowhere else.
import type { ServerModule } from './module.js';
import { discoModule } from './disco.js';
import { pingModule } from './ping.js';
import { versionModule } from './version.js';
import { timeModule } from './time.js';
import { legacySessionModule } from './legacy-session.js';

export const DEFAULT_MODULES: ServerModule[] = [discoModule, pingModule, versionModule, timeModule, legacySessionModule];
