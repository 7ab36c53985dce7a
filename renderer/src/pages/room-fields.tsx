// The fields of a room's settings, shared by "Create a room" and a room's "Change settings": a draft the form edits,
// made from the service's defaults or from the room, and turned into the changes to send (only what differs, and
// the password only when it is set, changed or removed — the server never sends it back).
import type { JSX } from 'preact';
import type { RoomPmPolicy, RoomSettings, RoomSettingsChange, RoomWhois } from '../transport/types.js';
import { Field, SelectField, Switch } from '../components/ui.js';

/** The settings the form edits and sends as they are (the password has a draft of its own). */
const EDITED = ['name', 'description', 'public', 'persistent', 'membersOnly', 'moderated', 'maxUsers', 'whois', 'allowPm'] as const;

export interface RoomDraft extends Pick<RoomSettings, typeof EDITED[number]> {
  /** The room asks for a password. */
  protect: boolean;
  /** A new password; '' keeps the one the room has. */
  password: string;
}

/** Who sees real addresses, and who may send private messages: a room's setting and the default for new rooms. */
export const WHOIS_CHOICES: readonly (readonly [RoomWhois, string])[] = [['moderators', 'Moderators'], ['anyone', 'Everyone in the room']];
export const PM_CHOICES: readonly (readonly [RoomPmPolicy, string])[] = [
  ['anyone', 'Anyone'], ['participants', 'Participants'], ['moderators', 'Moderators'], ['none', 'Nobody'],
];

export function draftOf(s: RoomSettings): RoomDraft {
  return {
    name: s.name, description: s.description, public: s.public, persistent: s.persistent, membersOnly: s.membersOnly, moderated: s.moderated,
    protect: s.passwordProtected, password: '', maxUsers: s.maxUsers, whois: s.whois, allowPm: s.allowPm,
  };
}

/** The changes from `before` (null: a new room, everything is sent); a sentence when the draft cannot be sent. */
export function changesOf(d: RoomDraft, before: RoomSettings | null): RoomSettingsChange | string {
  if (d.protect && d.password === '' && !before?.passwordProtected) return 'Enter the room’s password, or turn “Password” off.';
  const out: RoomSettingsChange = {};
  for (const k of EDITED) {
    if (before === null || d[k] !== before[k]) (out as Record<string, unknown>)[k] = d[k];
  }
  if (!d.protect && before?.passwordProtected) out.password = '';
  if (d.protect && d.password !== '') out.password = d.password;
  return out;
}

interface Props {
  draft: RoomDraft;
  onChange: (d: RoomDraft) => void;
  /** The room has a password now (changing settings): an empty password field keeps it. */
  hasPassword: boolean;
  /** Also the occupant limit, who sees real addresses and private messages (changing settings). */
  more: boolean;
  maxOccupants: number;
}

export function RoomFields({ draft, onChange, hasPassword, more, maxOccupants }: Props): JSX.Element {
  const set = <K extends keyof RoomDraft>(k: K, v: RoomDraft[K]): void => onChange({ ...draft, [k]: v });
  return (
    <>
      <div class="form-row">
        <Field label="Title" hint="What chat apps show; the room’s name if empty.">
          {(id, hint) => <input id={id} aria-describedby={hint} value={draft.name} maxLength={200} onInput={(e) => set('name', e.currentTarget.value)} />}
        </Field>
        <Field label="Description">
          {(id) => <input id={id} value={draft.description} maxLength={1024} onInput={(e) => set('description', e.currentTarget.value)} />}
        </Field>
      </div>
      <Switch label="Listed in the room directory" checked={draft.public} onChange={(v) => set('public', v)}
        hint="Chat apps show it when people look for rooms; a hidden room is entered by its address." />
      <Switch label="Kept when empty" checked={draft.persistent} onChange={(v) => set('persistent', v)}
        hint="Off: the room ends when the last person leaves." />
      <Switch label="Members only" checked={draft.membersOnly} onChange={(v) => set('membersOnly', v)}
        hint="Only people on the member list (or invited) may enter." />
      <Switch label="Moderated" checked={draft.moderated} onChange={(v) => set('moderated', v)}
        hint="Only people given a voice may write; newcomers listen." />
      <Switch label="Password" checked={draft.protect} onChange={(v) => set('protect', v)} hint="People must give it to enter." />
      {draft.protect && (
        <Field label={hasPassword ? 'New password' : 'Room password'} hint={hasPassword ? 'Leave empty to keep the current one.' : undefined}>
          {(id, hint) => <input id={id} aria-describedby={hint} value={draft.password} autoComplete="off" maxLength={200} onInput={(e) => set('password', e.currentTarget.value)} />}
        </Field>
      )}
      {more && (
        <div class="form-row">
          <Field label="Most people in the room" hint={`0 for the service’s limit (${maxOccupants}).`}>
            {(id, hint) => <input id={id} aria-describedby={hint} type="number" min={0} max={maxOccupants} value={draft.maxUsers}
              onInput={(e) => set('maxUsers', Number(e.currentTarget.value))} />}
          </Field>
          <SelectField label="Who sees real addresses" value={draft.whois} choices={WHOIS_CHOICES} onChange={(v) => set('whois', v)} />
          <SelectField label="Who may send private messages" value={draft.allowPm} choices={PM_CHOICES} onChange={(v) => set('allowPm', v)} />
        </div>
      )}
    </>
  );
}
