// The app:// scheme: the console's built files (dist/renderer) served read-only to the window, each response with
// the Content-Security-Policy. Nothing outside that folder, no directory listings, GET and HEAD only.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Protocol } from './electron-api.js';
import { APP_HOST, APP_SCHEME, SECURITY_HEADERS } from './security.js';

/** dist/renderer, next to dist/main (this file is dist/main/app-protocol.js). */
export const RENDERER_DIR = fileURLToPath(new URL('../renderer/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

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
  const segments = relative.split('/').filter((s) => s !== '');
  if (relative.includes('\0') || relative.includes('\\') || segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  return file.startsWith(base + path.sep) ? file : null;
}

/** The protocol handler: (Request) → Response, for protocol.handle('app', …). */
export function appRequestHandler(root: string = RENDERER_DIR): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, 'Only GET and HEAD are served.');
    const file = resolveAppPath(root, request.url);
    if (!file) return refusal(404, 'Not found.');
    const type = TYPES[path.extname(file).toLowerCase()];
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
