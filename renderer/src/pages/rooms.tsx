// Rooms: the group chat rooms of the service (conference.<domain>) with the people in each and their settings;
// create a room, open one to see who is in it (kick them), its lists and settings, and destroy it with a reason.
// The page follows the service live: it reloads on the console's 'rooms' events, and on every traffic tick (a few
// seconds) for a service that does not report its changes.
import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RoomInfo, SettingsView } from '../transport/types.js';
import { useConsole, useEvents } from '../lib/context.js';
import { Dialog, ErrorMessage, Field, Loading, Notice, PageTitle } from '../components/ui.js';
import { errorText, plural } from '../lib/format.js';
import { changesOf, RoomFields, type RoomDraft } from './room-fields.js';
import { RoomDetails } from './room-details.js';

function flags(r: RoomInfo): string[] {
  return [
    r.public ? 'Listed' : 'Hidden',
    r.persistent ? 'Kept when empty' : 'Temporary',
    r.membersOnly ? 'Members only' : '',
    r.moderated ? 'Moderated' : '',
    r.passwordProtected ? 'Password' : '',
    r.locked ? 'Locked' : '',
  ].filter(Boolean);
}

export function Rooms(): JSX.Element {
  const { transport } = useConsole();
  const [rooms, setRooms] = useState<RoomInfo[] | null>(null);
  const [settings, setSettings] = useState<SettingsView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<JSX.Element | null>(null);
  const [creating, setCreating] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const [destroying, setDestroying] = useState<RoomInfo | null>(null);
  const [reason, setReason] = useState('');
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = async (): Promise<void> => {
    try {
      setRooms(await transport.call('listRooms', {}));
      setError(null);
      setVersion((v) => v + 1);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => {
    void load();
    transport.call('getSettings', {}).then(setSettings, () => undefined);
    return () => { if (reloadTimer.current) clearTimeout(reloadTimer.current); };
  }, []);
  useEvents((e) => {
    if (e.type !== 'rooms' && e.type !== 'traffic') return;
    if (reloadTimer.current) clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(() => void load(), 100);
  });

  const muc = settings ? (settings.running ?? settings.saved) : null;
  const people = (rooms ?? []).reduce((n, r) => n + r.occupants, 0);
  const changed = (message: JSX.Element): void => { setDone(message); void load(); };

  return (
    <>
      <PageTitle sub={rooms ? `${plural(rooms.length, 'room')}, ${plural(people, 'person', 'people')} in ${rooms.length === 1 ? 'it' : 'them'}.` : 'Group chat rooms.'}>Rooms</PageTitle>
      {error && <><ErrorMessage error={error} />{/Settings/.test(error) && <p><a href="#/settings">Open Settings</a></p>}</>}
      {done && <Notice kind="ok">{done}</Notice>}
      <div class="toolbar">
        {muc && <p class="hint">Rooms are at <code>{muc.mucSubdomain}.{muc.domain}</code>. {muc.mucCreateRooms === 'admins'
          ? 'Only administrators may create rooms from chat apps.' : 'Everyone on this server may create rooms from chat apps.'} <a href="#/settings">Group chat settings</a></p>}
        <button type="button" class="button primary" aria-expanded={creating} disabled={rooms === null} onClick={() => { setCreating(!creating); setDone(null); }}>Create a room</button>
      </div>
      {creating && settings && <CreateRoom settings={settings} onCreated={(jid) => {
        setCreating(false);
        setOpen(jid);
        changed(<>Created <strong>{jid}</strong>. People join it at this address.</>);
      }} />}

      <section class="card" aria-labelledby="rooms-title">
        <h2 id="rooms-title">Rooms</h2>
        {rooms === null ? (error ? <p>The rooms cannot be shown.</p> : <Loading what="the rooms" />) : rooms.length === 0 ? <p>There are no rooms yet.</p> : (
          <table class="table">
            <thead><tr><th scope="col">Room</th><th scope="col">People</th><th scope="col">Settings</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {rooms.map((r) => [
                <tr key={r.jid} data-room={r.jid}>
                  <th scope="row">{r.jid}{r.name ? <span class="hint"><br />{r.name}</span> : null}</th>
                  <td data-testid="occupant-count">{r.occupants}</td>
                  <td><span class="room-flags">{flags(r).map((f) => <span key={f} class="badge">{f}</span>)}</span></td>
                  <td class="actions-cell"><div class="row-actions">
                    <button type="button" class="button small" aria-expanded={open === r.jid} onClick={() => setOpen(open === r.jid ? null : r.jid)}>
                      {open === r.jid ? 'Close' : 'Open'}<span class="visually-hidden"> {r.jid}</span>
                    </button>
                    <button type="button" class="button small danger" disabled={busy} onClick={() => { setReason(''); setDialogError(null); setDestroying(r); }}>
                      Destroy<span class="visually-hidden"> {r.jid}</span>
                    </button>
                  </div></td>
                </tr>,
                open === r.jid ? (
                  <tr key={`${r.jid}-details`} class="details-row"><td colSpan={4}>
                    <RoomDetails jid={r.jid} version={version} maxOccupants={muc?.mucMaxOccupants ?? 500} onChanged={changed} />
                  </td></tr>
                ) : null,
              ])}
            </tbody>
          </table>
        )}
      </section>

      {destroying && (
        <Dialog title={`Destroy ${destroying.jid}?`} confirmLabel="Destroy room" danger busy={busy} error={dialogError} onClose={() => setDestroying(null)}
          onConfirm={() => {
            setBusy(true);
            transport.call('destroyRoom', { room: destroying.jid, reason }).then(() => {
              if (open === destroying.jid) setOpen(null);
              setDestroying(null);
              changed(<>Destroyed {destroying.jid}.</>);
            }, (err: unknown) => setDialogError(errorText(err))).finally(() => setBusy(false));
          }}>
          <p>{destroying.occupants === 1 ? 'The person in it leaves at once. ' : destroying.occupants > 1 ? `The ${destroying.occupants} people in it leave at once. ` : ''}
            The room, its settings and its lists are removed for good.</p>
          <Field label="Reason (optional)" hint="Shown to the people in the room.">
            {(id, hint) => <input id={id} aria-describedby={hint} value={reason} maxLength={1000} onInput={(e) => setReason(e.currentTarget.value)} />}
          </Field>
        </Dialog>
      )}
    </>
  );
}

function CreateRoom({ settings, onCreated }: { settings: SettingsView; onCreated: (jid: string) => void }): JSX.Element {
  const { transport } = useConsole();
  const s = settings.running ?? settings.saved;
  const [name, setName] = useState('');
  const [owner, setOwner] = useState('');
  const [draft, setDraft] = useState<RoomDraft>({
    name: '', description: '', public: s.mucDefaultPublic, persistent: s.mucDefaultPersistent, membersOnly: s.mucDefaultMembersOnly,
    moderated: s.mucDefaultModerated, protect: false, password: '', maxUsers: 0, whois: s.mucDefaultWhois, allowPm: s.mucDefaultAllowPm,
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form class="card" aria-labelledby="create-room-title" onSubmit={(e) => {
      e.preventDefault();
      if (name.trim() === '') { setError('Give the room a name, like team.'); return; }
      const changes = changesOf(draft, null);
      if (typeof changes === 'string') { setError(changes); return; }
      setError(null);
      setBusy(true);
      const options = { ...changes, ...(owner.trim() ? { owner: owner.trim() } : {}) };
      transport.call('createRoom', { room: name.trim(), options }).then((r) => onCreated(r.jid), (err: unknown) => setError(errorText(err))).finally(() => setBusy(false));
    }}>
      <h2 id="create-room-title">Create a room</h2>
      <div class="form-row">
        <Field label="Room name" hint={<>Its address: <code>{name.trim().toLowerCase() || 'name'}@{s.mucSubdomain}.{s.domain}</code></>}>
          {(id, hint) => <input id={id} aria-describedby={hint} value={name} autoComplete="off" spellcheck={false} onInput={(e) => setName(e.currentTarget.value)} />}
        </Field>
        <Field label="Owner (optional)" hint="An account (bob) or any address; owners configure the room from their chat app.">
          {(id, hint) => <input id={id} aria-describedby={hint} value={owner} autoComplete="off" spellcheck={false} onInput={(e) => setOwner(e.currentTarget.value)} />}
        </Field>
      </div>
      <RoomFields draft={draft} onChange={setDraft} hasPassword={false} more={false} maxOccupants={s.mucMaxOccupants} />
      <ErrorMessage error={error} />
      <div class="actions"><span /><button type="submit" class="button primary" disabled={busy}>Create room</button></div>
    </form>
  );
}
