// Electron's security checklist (DESIGN.md), in one place: the window's web preferences, the app's own origin,
// the Content-Security-Policy, no navigation away from the app, no new windows, no permissions, no webviews.
import type { ElectronEvent, NavigationEvent, Session, Shell, WebContents, WebPreferences } from './electron-api.js';

/** The console is served from this privileged custom scheme, never from http(s) or file:. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

/**
 * The window's policy: only the app's own files; no inline script or style, no eval, no plugins, no framing,
 * no forms, no network at all (the console talks to the main process over IPC). data: and blob: images only for
 * pictures the page makes itself (QR codes).
 */
export const DESKTOP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every response of the app scheme carries. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': DESKTOP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export function webPreferences(preload: string, opts: { devTools: boolean }): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: opts.devTools,
  };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A page of the app itself (app://parley/…). */
export function isAppUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  const u = parse(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
}

/** A link that may be handed to the OS browser: http(s) only, no credentials in it. */
export function isExternalWebUrl(url: string): boolean {
  const u = parse(url);
  return u !== null && (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
}

/** Permissions the console may have: writing plain text to the clipboard ("Copy" buttons), from the app only. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);

function permitted(permission: string, origin: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && isAppUrl(origin);
}

/** Deny every permission request and check (camera, notifications, geolocation…), but the clipboard write above. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permitted(permission, details?.requestingUrl)));
  session.setPermissionCheckHandler((_contents, permission, origin) => permitted(permission, origin));
}

/**
 * No navigation away from the app and no new windows, for every web contents (the window and anything it might
 * create). http(s) links go to the OS browser instead; everything else is dropped.
 */
const hardened = new WeakSet<WebContents>();

export function hardenWebContents(contents: WebContents, shell: Shell, onRefused: (what: string, url: string) => void = () => undefined): void {
  // Once per web contents (the window hardens its own, app 'web-contents-created' all of them): a link must not
  // open in the browser twice.
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const external = (url: string, what: string): void => {
    if (isExternalWebUrl(url)) {
      shell.openExternal(url).catch(() => onRefused(`${what} (the browser did not open)`, url));
    } else {
      onRefused(what, url);
    }
  };
  const guard = (what: string) => (event: NavigationEvent, url: string): void => {
    const target = event.url ?? url;
    if (isAppUrl(target)) return;
    event.preventDefault();
    external(target, what);
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event: ElectronEvent) => {
    event.preventDefault();
    onRefused('webview', '');
  });
  contents.setWindowOpenHandler(({ url }) => {
    external(url, 'new window');
    return { action: 'deny' };
  });
}
