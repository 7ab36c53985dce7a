// The room features beyond entering and talking, each a file that registers its room iqs and room messages on the
// service (MucService.roomIq / roomMessage). Listed here once; the module installs them in this order.
import type { MucService } from './muc-service.js';
import { installAdminIq } from './admin-iq.js';
import { installModeration } from './moderation.js';
import { installRoomArchive } from './room-archive.js';
import { installInvitations } from './invitations.js';
import { installVoiceRequests } from './voice-request.js';
import { installRoomRegistration } from './room-register.js';
import { installRoomVcard } from './room-vcard.js';

/** Installs one feature; may open its stores first (the module waits). */
export type RoomFeature = (svc: MucService) => void | Promise<void>;

export const ROOM_FEATURES: RoomFeature[] = [
  installAdminIq,             // muc#admin: roles, affiliations and their lists (XEP-0045 §8–§10)
  installModeration,          // XEP-0425 moderated retraction
  installRoomArchive,         // XEP-0313 room archive (MUC-58)
  installInvitations,         // MUC-30, MUC-31 (§7.8.2)
  installVoiceRequests,       // MUC-34 (§7.13, §8.6)
  installRoomRegistration,    // MUC-46 (§7.10)
  installRoomVcard,           // VCARD-06 (XEP-0054 / XEP-0486 on the room)
];
