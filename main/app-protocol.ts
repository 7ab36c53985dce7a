// The app:// scheme: the console's built files (dist/renderer) served read-only to the window, each response with
// the Content-Security-Policy. Nothing outside that folder, no directory listings, GET and HEAD only.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Protocol } from './electron-api.js';
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './security.js';
import { RENDERER_DIR, STATIC_TYPES, resolveStaticFile, staticType } from '../server/http/static-assets.js';

export { RENDERER_DIR };

/** The console's types, and .mjs besides. */
const TYPES: Readonly<Record<string, string>> = { ...STATIC_TYPES, '.mjs': 'text/javascript; charset=utf-8' };

/** Must run before the app is ready: app:// behaves like https (secure context, fetch, standard URL parsing). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true } },
  ]);
}

function refusal(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** The file under `root` that an app:// URL names, or null when it names none (other host, traversal, dotfile). */
export function resolveAppPath(root: string, url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let relative: string;
  try {
    relative = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  // A backslash is refused here besides (it would separate path segments on Windows).
  if (relative.includes('\\')) return null;
  return resolveStaticFile(root, relative.split('/').filter((s) => s !== '').join('/'));
}

/** The protocol handler: (Request) → Response, for protocol.handle('app', …). */
export function appRequestHandler(root: string = RENDERER_DIR): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'Only GET and HEAD are served.');
    const file = resolveAppPath(root, request.url);
    if (!file) return refusal(404, 'Not found.');
    const type = staticType(file, TYPES);
    if (!type) return refusal(404, 'Not found.');
    let body: Buffer;
    try {
      body = await fs.readFile(file);
    } catch {
      return refusal(404, path.basename(file) === 'index.html'
        ? `Parley's window files are missing from ${root}. Run "npm run build" in the Parley folder, then start Parley again.`
        : 'Not found.');
    }
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' },
    });
  };
}

export function serveApp(protocol: Pick<Protocol, 'handle'>, root: string = RENDERER_DIR): void {
  protocol.handle(APP_SCHEME, appRequestHandler(root));
}
