// The room features beyond entering and talking, each a file that registers its room iqs and room messages on the
// service (MucService.roomIq / roomMessage). Listed here once; the module installs them in this order.
import type { MucService } from './muc-service.js';
import { installInvitations } from './invitations.js';
import { installVoiceRequests } from './voice-request.js';
import { installRoomRegistration } from './room-register.js';
import { installRoomVcard } from './room-vcard.js';

export type RoomFeature = (svc: MucService) => void;

export const ROOM_FEATURES: RoomFeature[] = [
  installInvitations,        // MUC-30, MUC-31 (§7.8.2)
  installVoiceRequests,      // MUC-34 (§7.13, §8.6)
  installRoomRegistration,   // MUC-46 (§7.10)
  installRoomVcard,          // VCARD-06 (XEP-0054 / XEP-0486 on the room)
];
