// The room features beyond entering and talking, each a file that registers its room iqs and room messages on the
// service (MucService.roomIq / roomMessage). Listed here once; the module installs them in this order.
import type { MucService } from './muc-service.js';
import { installAdminIq } from './admin-iq.js';
import { installModeration } from './moderation.js';
import { installRoomArchive } from './room-archive.js';

/** Installs one feature; may open its stores first (the module waits). */
export type RoomFeature = (svc: MucService) => void | Promise<void>;

export const ROOM_FEATURES: RoomFeature[] = [
  installAdminIq,   // muc#admin: roles, affiliations and their lists (XEP-0045 §8–§10)
  installModeration,   // XEP-0425 moderated retraction
  installRoomArchive,   // XEP-0313 room archive (MUC-58)
];
