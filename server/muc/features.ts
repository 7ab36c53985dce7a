// The room features beyond entering and talking, each a file that registers its room iqs and room messages on the
// service (MucService.roomIq / roomMessage). Listed here once; the module installs them in this order.
import type { MucService } from './muc-service.js';
import { installAdminIq } from './admin-iq.js';
import { installModeration } from './moderation.js';

export type RoomFeature = (svc: MucService) => void;

export const ROOM_FEATURES: RoomFeature[] = [
  installAdminIq,   // muc#admin: roles, affiliations and their lists (XEP-0045 §8–§10)
  installModeration,   // XEP-0425 moderated retraction
];
