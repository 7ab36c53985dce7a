// One room opened on the Rooms page: who is in it (nick, real address, role, affiliation — each can be kicked), its
// owners, admins, members and banned addresses (add and remove), and its settings (change them).
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Affiliation, RoomOccupant, RoomView } from '../transport/types.js';
import { useConsole } from '../lib/context.js';
import { Dialog, ErrorMessage, Field, Loading } from '../components/ui.js';
import { dateTime, errorText, plural } from '../lib/format.js';
import { changesOf, draftOf, RoomFields, type RoomDraft } from './room-fields.js';

const AFFILIATION_TEXT: Record<Affiliation, string> = { owner: 'Owner', admin: 'Admin', member: 'Member', none: '—', outcast: 'Banned' };
const ROLE_TEXT: Record<RoomOccupant['role'], string> = { moderator: 'Moderator', participant: 'Participant', visitor: 'Visitor', none: '—' };

interface Props {
  jid: string;
  /** Changes when the page reloads (live events): the details are read again. */
  version: number;
  maxOccupants: number;
  /** After a change: the page reloads the list and says `message`. */
  onChanged: (message: JSX.Element) => void;
}

export function RoomDetails({ jid, version, maxOccupants, onChanged }: Props): JSX.Element {
  const { transport } = useConsole();
  const [room, setRoom] = useState<RoomView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kicking, setKicking] = useState<RoomOccupant | null>(null);
  const [reason, setReason] = useState('');
  const [dialogError, setDialogError] = useState<string | null>(null);
  const [editing, setEditing] = useState<RoomDraft | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (): Promise<void> => {
    try {
      setRoom(await transport.call('getRoom', { room: jid }));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  };
  useEffect(() => { void load(); }, [jid, version]);

  /** Run one change; errors go to the open dialog or form, or under the details. */
  const act = async (fn: () => Promise<unknown>, message: JSX.Element, fail: (e: string) => void = setError): Promise<boolean> => {
    setBusy(true);
    try {
      await fn();
      onChanged(message);
      await load();
      return true;
    } catch (err) {
      fail(errorText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (!room) return error ? <ErrorMessage error={error} /> : <Loading what="the room" />;
  return (
    <div class="room-details" data-testid="room-details">
      <dl class="facts">
        {room.description && <><dt>Description</dt><dd>{room.description}</dd></>}
        <dt>Subject</dt><dd>{room.subject || '—'}</dd>
        <dt>Created</dt><dd>{dateTime(room.createdAt)}</dd>
        {room.locked && <><dt>Locked</dt><dd>Its owner has not configured it yet, so nobody else can enter.</dd></>}
      </dl>
      <ErrorMessage error={error} />

      <h3>{room.occupantList.length === 0 ? 'Nobody is in the room' : `In the room: ${plural(room.occupantList.length, 'person', 'people')}`}</h3>
      {room.occupantList.length > 0 && (
        <table class="table">
          <thead><tr><th scope="col">Nick</th><th scope="col">Address</th><th scope="col">Role</th><th scope="col">Affiliation</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {room.occupantList.map((o) => (
              <tr key={o.nick} data-occupant={o.nick}>
                <th scope="row">{o.nick}</th>
                <td>{o.jid}{o.resources.length > 1 ? <span class="hint"> ({plural(o.resources.length, 'device')})</span> : null}</td>
                <td>{ROLE_TEXT[o.role]}</td>
                <td>{AFFILIATION_TEXT[o.affiliation]}</td>
                <td class="actions-cell"><div class="row-actions">
                  <button type="button" class="button small danger" disabled={busy} onClick={() => { setReason(''); setDialogError(null); setKicking(o); }}>
                    Kick<span class="visually-hidden"> {o.nick}</span>
                  </button>
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <Affiliations room={room} busy={busy} act={act} />

      {editing ? (
        <form class="room-edit" aria-label={`Settings of ${room.jid}`} onSubmit={(e) => {
          e.preventDefault();
          const changes = changesOf(editing, room.settings);
          if (typeof changes === 'string') { setError(changes); return; }
          void act(() => transport.call('configureRoom', { room: room.jid, changes }), <>Saved the settings of {room.jid}.</>).then((ok) => ok && setEditing(null));
        }}>
          <h3>Settings</h3>
          <RoomFields draft={editing} onChange={setEditing} hasPassword={room.settings.passwordProtected} more maxOccupants={maxOccupants} />
          <div class="actions start">
            <button type="submit" class="button primary" disabled={busy}>Save room settings</button>
            <button type="button" class="button" onClick={() => { setEditing(null); setError(null); }}>Cancel</button>
          </div>
        </form>
      ) : (
        <div class="actions start"><button type="button" class="button" onClick={() => setEditing(draftOf(room.settings))}>Change settings<span class="visually-hidden"> of {room.jid}</span></button></div>
      )}

      {kicking && (
        <Dialog title={`Kick ${kicking.nick} out of ${room.jid}?`} confirmLabel="Kick" danger busy={busy} error={dialogError} onClose={() => setKicking(null)}
          onConfirm={() => void act(() => transport.call('kickOccupant', { room: room.jid, nick: kicking.nick, reason }),
            <>{kicking.nick} was kicked out of {room.jid}.</>, setDialogError).then((ok) => ok && setKicking(null))}>
          <p>{kicking.nick} ({kicking.jid}) leaves the room now. They can come back unless you ban them or the room is for members only.</p>
          <Field label="Reason (optional)" hint="Shown to them and to the others in the room.">
            {(id, hint) => <input id={id} aria-describedby={hint} value={reason} maxLength={1000} onInput={(e) => setReason(e.currentTarget.value)} />}
          </Field>
        </Dialog>
      )}
    </div>
  );
}

function Affiliations({ room, busy, act }: {
  room: RoomView; busy: boolean;
  act: (fn: () => Promise<unknown>, message: JSX.Element, fail?: (e: string) => void) => Promise<boolean>;
}): JSX.Element {
  const { transport } = useConsole();
  const [user, setUser] = useState('');
  const [affiliation, setAffiliation] = useState<Affiliation>('member');
  const [error, setError] = useState<string | null>(null);
  const set = (who: string, to: Affiliation, done: JSX.Element, fail?: (e: string) => void): Promise<boolean> =>
    act(() => transport.call('setRoomAffiliation', { room: room.jid, user: who, affiliation: to, reason: '' }), done, fail);
  return (
    <>
      <h3>Owners, admins, members and bans</h3>
      {room.affiliations.length === 0 ? <p>Nobody is on the room’s lists; the console’s administrators manage it.</p> : (
        <table class="table">
          <thead><tr><th scope="col">Address</th><th scope="col">Affiliation</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>
            {room.affiliations.map((a) => (
              <tr key={a.jid} data-affiliation={a.jid}>
                <th scope="row">{a.jid}{a.nick ? <span class="hint"> ({a.nick})</span> : null}</th>
                <td>{AFFILIATION_TEXT[a.affiliation]}{a.reason ? <span class="hint"> — {a.reason}</span> : null}</td>
                <td class="actions-cell"><div class="row-actions">
                  <button type="button" class="button small" disabled={busy} onClick={() => void set(a.jid, 'none', <>{a.jid} is no longer on the lists of {room.jid}.</>)}>
                    Remove<span class="visually-hidden"> {a.jid}</span>
                  </button>
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="input-row affiliation-add" aria-label={`Add to the lists of ${room.jid}`} onSubmit={(e) => {
        e.preventDefault();
        if (user.trim() === '') { setError('Enter an address, like bob@example.org, or a name of this server.'); return; }
        setError(null);
        void set(user.trim(), affiliation, <>{user.trim()} is now {AFFILIATION_TEXT[affiliation].toLowerCase()} of {room.jid}.</>, setError).then((ok) => ok && setUser(''));
      }}>
        <label class="visually-hidden" for={`aff-user-${room.room}`}>Address</label>
        <input id={`aff-user-${room.room}`} value={user} placeholder="Address or name" spellcheck={false} onInput={(e) => setUser(e.currentTarget.value)} />
        <label class="visually-hidden" for={`aff-kind-${room.room}`}>Affiliation</label>
        <select id={`aff-kind-${room.room}`} value={affiliation} onChange={(e) => setAffiliation(e.currentTarget.value as Affiliation)}>
          <option value="member">Member</option>
          <option value="admin">Admin</option>
          <option value="owner">Owner</option>
          <option value="outcast">Banned</option>
        </select>
        <button type="submit" class="button small" disabled={busy}>Add</button>
      </form>
      <ErrorMessage error={error} />
    </>
  );
}
