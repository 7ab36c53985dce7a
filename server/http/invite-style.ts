// The stylesheet of the invitation pages (/invite/style.css): served by the server itself, so the pages work in
// the desktop app too (where /admin is not served) and under a CSP without inline styles.
export const INVITE_CSS = `
:root { color-scheme: light dark; --bg: #f5f6f8; --surface: #fff; --text: #1d2128; --muted: #5b6573; --border: #d5d9df;
  --accent: #2f5fd0; --accent-text: #fff; --accent-soft: #e8eefb; --danger: #b42318; --danger-soft: #fdecea; --ok: #1f7a3d;
  --ok-soft: #e7f5ec; --radius: 10px; --mono: ui-monospace, 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace;
  font: 16px/1.55 system-ui, -apple-system, 'Segoe UI', Roboto, Ubuntu, sans-serif; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #15181d; --surface: #1e2228; --text: #e6e8eb; --muted: #a3acb9; --border: #3a414b; --accent: #7ea2ff;
    --accent-text: #0d1220; --accent-soft: #24304a; --danger: #ff8a80; --danger-soft: #3b1f1d; --ok: #7bd88f; --ok-soft: #1d3324; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
a { color: var(--accent); }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
.brand { font-weight: 700; letter-spacing: 0.02em; color: var(--accent); margin: 0 0 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 0.5rem; }
h2 { font-size: 1.15rem; margin: 0 0 0.6rem; }
h3 { font-size: 1rem; margin: 0 0 0.3rem; }
.lead { font-size: 1.05rem; margin: 0 0 1rem; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); padding: 1.1rem 1.25rem; margin: 0 0 1rem; }
.step { color: var(--muted); font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; margin: 0 0 0.2rem; }
.muted, .hint { color: var(--muted); }
.hint { font-size: 0.9rem; margin: 0.3rem 0 0; }
.platforms { display: grid; gap: 0.75rem; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); }
.platform { border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem 0.9rem; }
.platform.this-device { border-color: var(--accent); background: var(--accent-soft); }
.platform ul { margin: 0.3rem 0 0; padding-left: 1.1rem; }
.platform li { margin-bottom: 0.3rem; }
.badge { display: inline-block; font-size: 0.75rem; font-weight: 600; padding: 0.05rem 0.45rem; border-radius: 999px; background: var(--accent); color: var(--accent-text); margin-left: 0.35rem; vertical-align: middle; }
.actions { display: flex; flex-wrap: wrap; gap: 0.6rem; align-items: center; margin: 0.75rem 0 0.25rem; }
.button { display: inline-block; padding: 0.6rem 1.1rem; border-radius: 8px; border: 1px solid var(--border); background: var(--surface);
  color: var(--text); font: inherit; font-weight: 600; text-decoration: none; cursor: pointer; }
.button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-text); }
.button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
code, .fingerprint { font-family: var(--mono); font-size: 0.85rem; }
.fingerprint { display: block; word-break: break-all; background: var(--bg); border-radius: 6px; padding: 0.5rem 0.65rem; margin: 0.3rem 0; }
.qr { display: flex; gap: 1rem; align-items: center; flex-wrap: wrap; }
.qr svg { width: 11rem; height: 11rem; background: #fff; border-radius: 6px; flex: none; }
details { margin-top: 0.5rem; }
summary { cursor: pointer; color: var(--accent); }
form .field { display: flex; flex-direction: column; gap: 0.3rem; margin-bottom: 1rem; }
label { font-weight: 600; }
input[type=text], input[type=password] { font: inherit; padding: 0.55rem 0.7rem; border: 1px solid var(--border); border-radius: 8px;
  background: var(--surface); color: var(--text); width: 100%; }
.with-domain { display: flex; align-items: center; gap: 0.4rem; }
.with-domain span { color: var(--muted); white-space: nowrap; }
.field-error { color: var(--danger); font-size: 0.9rem; margin: 0; }
input[aria-invalid=true] { border-color: var(--danger); }
.message { padding: 0.65rem 0.9rem; border-radius: 8px; margin: 0 0 1rem; border: 1px solid transparent; }
.message-error { background: var(--danger-soft); color: var(--danger); border-color: var(--danger); }
.message-ok { background: var(--ok-soft); border-color: var(--ok); }
.address { font-size: 1.15rem; font-weight: 700; word-break: break-all; }
footer { color: var(--muted); font-size: 0.85rem; margin-top: 1.5rem; }
`;
