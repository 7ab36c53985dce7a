// The Settings page's "Group chat" section: the service (on/off and its address, after a restart), who may create
// rooms, its limits and the settings new rooms start with (all of these apply at once).
import type { JSX } from 'preact';
import type { ConsoleSettings, SettingKey } from '../transport/types.js';
import { Field, SelectField, Switch } from '../components/ui.js';
import { PM_CHOICES, WHOIS_CHOICES } from './room-fields.js';

type MucKey = Extract<SettingKey, `muc${string}`>;

export const MUC_LABELS: Record<MucKey, string> = {
  mucEnabled: 'Group chat', mucSubdomain: 'Group chat address', mucCreateRooms: 'Who may create rooms', mucMaxRooms: 'Rooms at most',
  mucMaxRoomsPerUser: 'Rooms one person may own', mucMaxOccupants: 'People in one room at most', mucHistoryLength: 'Messages of history kept',
  mucDefaultPublic: 'New rooms: listed in the room directory', mucDefaultPersistent: 'New rooms: kept when empty',
  mucDefaultMembersOnly: 'New rooms: members only', mucDefaultModerated: 'New rooms: moderated', mucDefaultWhois: 'New rooms: who sees real addresses',
  mucDefaultAllowPm: 'New rooms: who may send private messages',
};

interface Props {
  draft: ConsoleSettings;
  set: <K extends SettingKey>(k: K, v: ConsoleSettings[K]) => void;
  /** The "applies after a restart" note of a restart-only setting (null for live ones). */
  restart: (k: SettingKey) => JSX.Element | null;
}

export function GroupChatSettings({ draft, set, restart }: Props): JSX.Element {
  const number = (k: 'mucMaxRooms' | 'mucMaxRoomsPerUser' | 'mucMaxOccupants' | 'mucHistoryLength', min: number, hint: string): JSX.Element => (
    <Field label={MUC_LABELS[k]} hint={`${hint} Applies now.`}>
      {(id, h) => <input id={id} aria-describedby={h} type="number" min={min} step={1} value={draft[k]} onInput={(e) => set(k, Number(e.currentTarget.value))} />}
    </Field>
  );
  return (
    <section class="card" aria-labelledby="s-muc">
      <h2 id="s-muc">Group chat</h2>
      <Switch label={MUC_LABELS.mucEnabled} checked={draft.mucEnabled} onChange={(v) => set('mucEnabled', v)}
        hint={<>Rooms where several people talk (XEP-0045), at the address below. {restart('mucEnabled')}</>} />
      <Field label={MUC_LABELS.mucSubdomain} hint={<>Rooms are at <code>room@{draft.mucSubdomain || 'conference'}.{draft.domain}</code>. {restart('mucSubdomain')}</>}>
        {(id, h) => <input id={id} aria-describedby={h} value={draft.mucSubdomain} spellcheck={false} onInput={(e) => set('mucSubdomain', e.currentTarget.value)} />}
      </Field>
      <fieldset class="choices">
        <legend>{MUC_LABELS.mucCreateRooms}</legend>
        <label class="choice">
          <input type="radio" name="muc-create" checked={draft.mucCreateRooms === 'everyone'} onChange={() => set('mucCreateRooms', 'everyone')} />
          <span><strong>Everyone on this server</strong> — <span class="hint">from their chat app, by entering a room that does not exist yet.</span></span>
        </label>
        <label class="choice">
          <input type="radio" name="muc-create" checked={draft.mucCreateRooms === 'admins'} onChange={() => set('mucCreateRooms', 'admins')} />
          <span><strong>Administrators only</strong> — <span class="hint">others enter the rooms you create on the Rooms page.</span></span>
        </label>
      </fieldset>
      <div class="form-row">
        {number('mucMaxRooms', 0, 'On the whole service; 0 lets nobody create one.')}
        {number('mucMaxRoomsPerUser', 0, 'Rooms one person may own.')}
        {number('mucMaxOccupants', 1, 'A room’s own limit can only be lower.')}
        {number('mucHistoryLength', 0, 'Shown to people who enter a room; 0 keeps none.')}
      </div>
      <h3>New rooms start</h3>
      <p class="hint">Their owners (and you, on the Rooms page) can change each room’s settings. These apply now, to rooms made from now on.</p>
      <Switch label="Listed in the room directory" checked={draft.mucDefaultPublic} onChange={(v) => set('mucDefaultPublic', v)} />
      <Switch label="Kept when empty" checked={draft.mucDefaultPersistent} onChange={(v) => set('mucDefaultPersistent', v)} />
      <Switch label="Members only" checked={draft.mucDefaultMembersOnly} onChange={(v) => set('mucDefaultMembersOnly', v)} />
      <Switch label="Moderated" checked={draft.mucDefaultModerated} onChange={(v) => set('mucDefaultModerated', v)} />
      <div class="form-row">
        <SelectField label={MUC_LABELS.mucDefaultWhois} value={draft.mucDefaultWhois} choices={WHOIS_CHOICES} onChange={(v) => set('mucDefaultWhois', v)} />
        <SelectField label={MUC_LABELS.mucDefaultAllowPm} value={draft.mucDefaultAllowPm} choices={PM_CHOICES} onChange={(v) => set('mucDefaultAllowPm', v)} />
      </div>
    </section>
  );
}
