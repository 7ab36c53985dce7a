// Small accessible building blocks: labelled fields and drop-downs, messages, a confirmation dialog, switches, copy
// buttons and the password strength meter.
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { passwordStrength } from '../lib/password.js';

export function PageTitle({ children, sub }: { children: ComponentChildren; sub?: ComponentChildren }): JSX.Element {
  return (
    <header class="page-header">
      <h1 tabIndex={-1} data-page-title>{children}</h1>
      {sub ? <p class="page-sub">{sub}</p> : null}
    </header>
  );
}

export function ErrorMessage({ error }: { error: string | null }): JSX.Element | null {
  if (!error) return null;
  return <p class="message message-error" role="alert">{error}</p>;
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn'; children: ComponentChildren }): JSX.Element {
  return <div class={`message message-${kind}`} role="status">{children}</div>;
}

export function Loading({ what }: { what: string }): JSX.Element {
  return <p class="loading" role="status">Loading {what}…</p>;
}

interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  children: (id: string, describedBy: string | undefined) => ComponentChildren;
}

/** A label, the control (given the id to use) and an optional hint that describes it. */
export function Field({ label, hint, children }: FieldProps): JSX.Element {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id, hintId)}
      {hint ? <p class="hint" id={hintId}>{hint}</p> : null}
    </div>
  );
}

/** A labelled drop-down of fixed choices, each a value and the words shown for it. */
export function SelectField<T extends string>({ label, value, choices, onChange }: {
  label: string; value: T; choices: readonly (readonly [T, string])[]; onChange: (v: T) => void;
}): JSX.Element {
  return (
    <Field label={label}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
          {choices.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
        </select>
      )}
    </Field>
  );
}

export function Switch({ label, checked, onChange, hint, disabled }: {
  label: string; checked: boolean; onChange: (v: boolean) => void; hint?: ComponentChildren; disabled?: boolean;
}): JSX.Element {
  const id = useId();
  return (
    <div class="switch-field">
      <input id={id} type="checkbox" role="switch" class="switch" checked={checked} disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
      {hint ? <p class="hint" id={`${id}-hint`}>{hint}</p> : null}
    </div>
  );
}

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }): JSX.Element {
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!done) return;
    const t = setTimeout(() => setDone(false), 2000);
    return () => clearTimeout(t);
  }, [done]);
  return (
    <button type="button" class="button small" onClick={() => {
      void navigator.clipboard?.writeText(text).then(() => setDone(true), () => undefined);
    }}>
      <span aria-live="polite">{done ? 'Copied' : label}</span>
    </button>
  );
}

export function StrengthMeter({ password, context }: { password: string; context: string[] }): JSX.Element {
  const s = passwordStrength(password, context);
  return (
    <div class="strength" data-score={s.score}>
      <div class="strength-bar" aria-hidden="true"><span style={{ width: `${(s.score + (password ? 1 : 0)) * 20}%` }} /></div>
      <p class="hint" aria-live="polite">Strength: <strong>{s.label}</strong>{s.hint ? ` — ${s.hint}` : ''}</p>
    </div>
  );
}

interface ConfirmProps {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  error?: string | null;
  onConfirm: () => void;
  onClose: () => void;
}

/** A modal dialog (native <dialog>: focus stays inside, Escape closes it). */
export function Dialog({ title, children, confirmLabel, danger, busy, error, onConfirm, onClose }: ConfirmProps): JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog ref={ref} class="dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); onConfirm(); }}>
        <h2 id={titleId}>{title}</h2>
        <div class="dialog-body">{children}</div>
        <ErrorMessage error={error ?? null} />
        <div class="actions">
          <button type="button" class="button" onClick={onClose}>Cancel</button>
          <button type="submit" class={`button ${danger ? 'danger' : 'primary'}`} disabled={busy}>{confirmLabel}</button>
        </div>
      </form>
    </dialog>
  );
}

/** Focus the page's title after navigation, so that screen readers announce the new page. */
export function focusTitle(): void {
  requestAnimationFrame(() => document.querySelector<HTMLElement>('[data-page-title]')?.focus());
}
