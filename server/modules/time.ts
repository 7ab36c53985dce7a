// XEP-0202: Entity Time — the server's UTC time and its offset from UTC.
import { NS } from '../core/namespaces.js';
import { el } from '../core/xml.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';

/** '+01:00' style offset for the local time zone (XEP-0082). */
export function tzo(date: Date): string {
  const off = -date.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export const timeModule: ServerModule = {
  name: 'time',
  spec: 'XEP-0202: Entity Time',
  load(ctx) {
    ctx.disco.addFeature('host', NS.time);
    ctx.router.hookIq('get', ['host'], NS.time, 'time', (ev) => {
      const now = new Date();
      return replyResult(ev, el('time', { xmlns: NS.time }, el('tzo', null, tzo(now)), el('utc', null, now.toISOString().replace(/\.\d{3}Z$/, 'Z'))));
    });
  },
};
