// The PHOTO of a stored vCard (XEP-0054 / XEP-0153 §3): read it, and write a vCard with it replaced or removed,
// every other element left as the owner stored it.
import { createHash } from 'node:crypto';
import { el, type Element } from '../../core/xml.js';
import { parseFragment, serializeFragment } from '../stored-xml.js';

export interface Photo { type: string; base64: string; bytes: Buffer; sha1: string }

/** Base64 as vCards carry it (line breaks and spaces allowed), decoded; null when it is not base64. */
export function decodeBase64(text: string): Buffer | null {
  const clean = text.replace(/\s+/g, '');
  if (clean === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) return null;
  return Buffer.from(clean, 'base64');
}

export function sha1Hex(bytes: Buffer): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** The photo of a <vCard/> element, or null when it has none (or none with inline data). */
export function photoOf(vcard: Element): Photo | null {
  const p = vcard.getChild('PHOTO');
  const b64 = p?.getChildText('BINVAL');
  if (!p || !b64) return null;
  const bytes = decodeBase64(b64);
  if (!bytes || bytes.length === 0) return null;
  return { type: p.getChildText('TYPE')?.trim() || 'image/png', base64: bytes.toString('base64'), bytes, sha1: sha1Hex(bytes) };
}

/** The stored vCard XML with its PHOTO replaced by `photo` (or removed when null). */
export function withPhoto(storedXml: string | null, photo: { type: string; base64: string } | null): string {
  const vcard = storedXml !== null ? parseFragment(storedXml) : el('vCard', { xmlns: 'vcard-temp' });
  vcard.children = vcard.children.filter((c) => typeof c === 'string' || c.name !== 'PHOTO');
  if (photo) vcard.children.push(el('PHOTO', null, el('TYPE', null, photo.type), el('BINVAL', null, photo.base64)));
  return serializeFragment(vcard);
}
