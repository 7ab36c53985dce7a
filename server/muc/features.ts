// The room features beyond entering and talking, each a file that registers its room iqs and room messages on the
// service (MucService.roomIq / roomMessage). Listed here once; the module installs them in this order.
import type { MucService } from './muc-service.js';

export type RoomFeature = (svc: MucService) => void;

export const ROOM_FEATURES: RoomFeature[] = [];
